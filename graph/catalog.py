"""The catalogue of competency questions: the ``.rq`` files of ``cakg.queries``.

Each file holds one SPARQL query and starts with a header of ``#+`` comment lines in
grlc's decorator style (https://github.com/CLARIAH/grlc#decorator-syntax)::

    #+ summary: Who signed the CAFTA 3.0 upgrade protocol?
    #+ description: Lists the signatories of the protocol and whom they signed for.
    #+ tags:
    #+   - agreements

>>> q = parse_query("q", "#+ summary: Count\\n#+ tags:\\n#+   - a\\nSELECT * WHERE { ?s ?p ?o }")
>>> (q.summary, q.tags, q.form)
('Count', ('a',), 'SELECT')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib.resources import files

from cakg.errors import QueryError

__all__ = ["CatalogQuery", "get_query", "list_queries", "parse_header", "parse_query"]

QUERIES_PACKAGE = "cakg.queries"

_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_DECLARATION = re.compile(r"^\s*(PREFIX\s+\S*:\s*<[^>]*>|BASE\s+<[^>]*>)", re.IGNORECASE)


@dataclass(frozen=True)
class CatalogQuery:
    """One competency question: its name (the file stem), documentation and text."""

    name: str
    summary: str
    description: str
    text: str
    tags: tuple[str, ...] = ()
    header: dict[str, str | list[str]] = field(default_factory=dict)

    @property
    def form(self) -> str:
        """Return the query form: ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``."""
        return query_form(self.text)

    @property
    def title(self) -> str:
        """Return the title shown to users: the summary, or the name when there is none."""
        return self.summary or self.name


def query_form(text: str) -> str:
    """Return the form of a SPARQL query (``SELECT`` when it cannot tell)."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    while True:
        match = _DECLARATION.match(body)
        if match is None:
            break
        body = body[match.end() :]
    found = _FORM.search(body)
    return found.group(1).upper() if found else "SELECT"


def parse_header(text: str) -> dict[str, str | list[str]]:
    """Return the ``#+ key: value`` header at the top of ``text`` as a dict.

    A key with an empty value (or ``|`` / ``>``) takes the indented lines that follow: a
    list when they start with ``- ``, else their text joined by spaces.
    """
    header: dict[str, str | list[str]] = {}
    key: str | None = None
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped:
            continue
        if not stripped.startswith("#+"):
            if stripped.startswith("#"):
                continue  # plain comments may sit among the header lines
            break
        content = stripped[2:]
        item = content.strip()
        if not item:
            continue
        indented = content.startswith("  ") or item.startswith("- ")
        if indented and key is not None:
            current = header[key]
            if item.startswith("- "):
                value = item[2:].strip()
                header[key] = [*current, value] if isinstance(current, list) else [value]
            elif isinstance(current, list):
                header[key] = [*current, item]
            else:
                header[key] = f"{current} {item}".strip()
            continue
        name, sep, value = item.partition(":")
        if not sep:
            continue
        key = name.strip()
        value = value.strip()
        header[key] = "" if value in {"|", ">"} else _unquote(value)
    return header


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _as_text(value: str | list[str] | None) -> str:
    if value is None:
        return ""
    return " ".join(value) if isinstance(value, list) else value


def parse_query(name: str, text: str) -> CatalogQuery:
    """Return the catalogue entry for query ``name`` with file contents ``text``."""
    header = parse_header(text)
    tags = header.get("tags", [])
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.strip("[]").split(",") if t.strip()]
    return CatalogQuery(
        name=name,
        summary=_as_text(header.get("summary")),
        description=_as_text(header.get("description")),
        text=text,
        tags=tuple(tags),
        header=header,
    )


def list_queries() -> list[CatalogQuery]:
    """Return every query of the catalogue, sorted by name."""
    queries = []
    for entry in files(QUERIES_PACKAGE).iterdir():
        if entry.name.endswith(".rq") and entry.is_file():
            queries.append(parse_query(entry.name[: -len(".rq")], entry.read_text("utf-8")))
    return sorted(queries, key=lambda q: q.name)


def get_query(name: str) -> CatalogQuery:
    """Return the query called ``name`` (its file stem).

    Raises:
        QueryError: there is no such query; the message lists the known names.
    """
    for query in list_queries():
        if query.name == name:
            return query
    known = ", ".join(q.name for q in list_queries()) or "none yet"
    raise QueryError(f"No competency question named {name!r}; known: {known}.")
