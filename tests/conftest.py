"""Shared fixtures: the seed dataset is built once per test session (as datasette does)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cakg.graph.build import Build
from cakg.loaders import build_from_sources

TESTS = Path(__file__).parent
#: The three seed sources, copied into the tests so that they run without the repository's
#: sources/ folder changing under them.
SEED_SOURCES = TESTS / "data" / "seed_sources"


@pytest.fixture(scope="session")
def seed_instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return an instance folder holding a build of the seed sources."""
    instance = tmp_path_factory.mktemp("seed-instance")
    report = build_from_sources(SEED_SOURCES, instance)
    assert not report.problems, report.problems
    return instance


@pytest.fixture(scope="session")
def seed_build(seed_instance: Path) -> Build:
    """Return the build of the seed sources."""
    from cakg.graph.build import current_build

    return current_build(seed_instance)
