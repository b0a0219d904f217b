"""Loaders: source documents to triples, with sentence-level provenance.

The facade: ``build_from_sources`` (a folder of sources to a build), ``extract_file`` (one
file outside a build), ``extract`` (one document to facts), ``load_gazetteer``.
"""

from __future__ import annotations

from cakg.loaders.extract import extract
from cakg.loaders.gazetteer import load_gazetteer
from cakg.loaders.pipeline import BuildReport, build_from_sources, extract_file

__all__ = ["BuildReport", "build_from_sources", "extract", "extract_file", "load_gazetteer"]
