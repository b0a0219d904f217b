"""Blueprint; registered by `cakg.web.app.create_app`."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("explore", __name__)
