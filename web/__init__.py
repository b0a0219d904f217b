"""The web layer and the composition root: the Flask app and the ``cakg`` command line."""

from __future__ import annotations

from cakg.web.app import create_app

__all__ = ["create_app"]
