"""The Flask application factory: SPARQL endpoint, linked-data pages, query page, views."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

__all__ = ["create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the app: defaults, then ``CAKG_*`` environment variables, then ``config``."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping(
        CAKG_INSTANCE="instance",
    )
    app.config.from_prefixed_env("CAKG")
    if config:
        app.config.from_mapping(config)
    return app
