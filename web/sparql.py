"""Blueprint for the SPARQL 1.1 Protocol; registered by `cakg.web.app.create_app`."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sparql", __name__)
