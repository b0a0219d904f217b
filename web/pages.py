"""Blueprint; registered by `cakg.web.app.create_app`."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pages", __name__)
