"""What the server checks in SPARQL text before running it, and the protocol's rewrites.

The store parses and runs queries; this module only looks at the *tokens* of a query or an
update (keywords outside strings, IRIs, comments, prefixed names and variables) to:

- refuse ``SERVICE`` and ``LOAD``, so that the server never fetches a URL
  (pyoxigraph would, see tests/test_sparql_protocol.py);
- tell whether a query names its own dataset (``FROM`` / ``FROM NAMED``), in which case the
  union default graph does not apply;
- apply the protocol's ``using-graph-uri`` / ``using-named-graph-uri`` parameters to an
  update (SPARQL 1.1 Protocol §2.2.3), refusing them when the update has ``USING`` / ``WITH``.

>>> keywords("SELECT * FROM <http://a#SERVICE> { ?s ex:LOAD 'SERVICE' } # SERVICE")
['SELECT', 'FROM']
>>> "SERVICE" in keywords("SELECT * { service<http://example.org/sparql> { ?s ?p ?o } }")
True
>>> apply_using("INSERT { ?s a <C> } WHERE { ?s ?p ?o }", ["http://g"], [])
'INSERT { ?s a <C> } USING <http://g> WHERE { ?s ?p ?o }'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from cakg.errors import CakgError, QueryError

__all__ = [
    "OperationRefused",
    "Token",
    "apply_using",
    "cap_select",
    "check_query",
    "check_update",
    "has_dataset_clause",
    "is_bounded_lookup",
    "keywords",
    "tokens",
]


class OperationRefused(CakgError):
    """The request is well formed but this server does not do that (answer 403)."""


@dataclass(frozen=True)
class Token:
    """One token of SPARQL text: its kind, text and start offset."""

    kind: str  # "word", "brace", "term", "other"
    text: str
    start: int
    #: The lexical class the kind was read from ("iri", "pname", "var", "str1", ...).
    lexeme: str = ""


# Order matters: strings and IRIs first, so that nothing inside them is read as a keyword.
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<long1>'''(?:[^'\\]|\\.|'(?!''))*''')
  | (?P<long2>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
  | (?P<str1>'(?:[^'\\\n\r]|\\.)*')
  | (?P<str2>"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w\-.\u00B7\u00C0-\uFFFF]*)?:
        (?:[\w\-.:%\u00B7\u00C0-\uFFFF]|\\[_~.\-!$&'()*+,;=/?\#@%])*)
  | (?P<bnode>_:[\w\-.\u00B7\u00C0-\uFFFF]*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<brace>[{}])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def tokens(text: str) -> Iterator[Token]:
    """Yield the tokens of SPARQL ``text`` that matter here (no spaces or comments)."""
    return iter(_tokens(text))


@functools.lru_cache(maxsize=256)
def _tokens(text: str) -> tuple[Token, ...]:
    # Cached: one request checks the same text several times (refusals, lookup, cap).
    found = []
    for match in _TOKEN.finditer(text):
        lexeme = match.lastgroup or "other"
        if lexeme in ("space", "comment"):
            continue
        kind = lexeme if lexeme in ("word", "brace", "other") else "term"
        found.append(Token(kind, match.group(), match.start(), lexeme))
    return tuple(found)


def keywords(text: str) -> list[str]:
    """Return the bare words of ``text`` (keywords and function names), upper-cased."""
    return [t.text.upper() for t in tokens(text) if t.kind == "word"]


_SERVICE = (
    "SERVICE (federated query) is disabled on this endpoint: the server never fetches URLs. "
    "Query the data held here, or run the federated part on your side."
)
_LOAD = (
    "LOAD is disabled on this endpoint: the server never fetches URLs. Send the data "
    "itself, with INSERT DATA or a Graph Store Protocol PUT / POST."
)


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _decode(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    return chr(code) if code <= 0x10FFFF else match.group()


def _words(text: str) -> set[str]:
    """Return the bare words of ``text``, also after decoding ``\\u`` escapes.

    SPARQL decodes codepoint escapes before parsing (SPARQL 1.1 Query, section 19.2), so
    ``\\u0053ERVICE`` must be read as ``SERVICE`` too.
    """
    words = set(keywords(text))
    if "\\" in text:
        decoded = _CODEPOINT.sub(_decode, text)
        words.update(keywords(decoded))
    return words


def check_query(text: str) -> None:
    """Refuse a query that would make the server fetch a URL.

    Raises:
        OperationRefused: the query uses ``SERVICE``.
    """
    if "SERVICE" in _words(text):
        raise OperationRefused(_SERVICE)


def check_update(text: str) -> None:
    """Refuse an update that would make the server fetch a URL.

    Raises:
        OperationRefused: the update uses ``LOAD`` or ``SERVICE``.
    """
    words = _words(text)
    if "LOAD" in words:
        raise OperationRefused(_LOAD)
    if "SERVICE" in words:
        raise OperationRefused(_SERVICE)


def has_dataset_clause(text: str) -> bool:
    """Return whether a query names its dataset with ``FROM`` or ``FROM NAMED``."""
    return "FROM" in keywords(text)


def apply_using(text: str, using: Sequence[str], using_named: Sequence[str]) -> str:
    """Return ``text`` with ``USING`` clauses for the protocol's using-graph parameters.

    Every ``DELETE`` / ``INSERT`` ... ``WHERE`` operation gets the clauses before its
    ``WHERE``; ``DELETE WHERE`` and data operations take none.

    Raises:
        QueryError: the update already has ``USING`` or ``WITH`` (SPARQL 1.1 Protocol
            §2.2.3 forbids both at once).
    """
    if not using and not using_named:
        return text
    toks = list(tokens(text))
    depth = 0
    inserts: list[int] = []
    previous: Token | None = None
    for token in toks:
        if token.kind == "brace":
            depth += 1 if token.text == "{" else -1
        elif depth == 0 and token.kind == "word":
            word = token.text.upper()
            if word in ("USING", "WITH"):
                raise QueryError(
                    "The update has USING or WITH clauses and the request also has "
                    "using-graph-uri / using-named-graph-uri parameters; use one or the "
                    "other (SPARQL 1.1 Protocol, section 2.2.3)."
                )
            if word == "WHERE" and not (
                previous is not None
                and previous.kind == "word"
                and previous.text.upper() == "DELETE"
            ):
                inserts.append(token.start)
        previous = token
    clause = " ".join(
        [f"USING <{_iri(g)}>" for g in using] + [f"USING NAMED <{_iri(g)}>" for g in using_named]
    )
    for start in reversed(inserts):
        text = text[:start] + clause + " " + text[start:]
    return text


_IRI_OK = re.compile(r"""[^<>"{}|^`\\\x00-\x20]*""")


def _iri(value: str) -> str:
    if not _IRI_OK.fullmatch(value):
        raise QueryError(f"Not a valid graph IRI: {value!r}; percent-encode it or fix it.")
    return value


def _raw_tokens(text: str) -> list[tuple[str, str]]:
    return [(t.lexeme, t.text) for t in _tokens(text)]


def is_bounded_lookup(text: str) -> bool:
    """Return whether a query is one triple pattern around a given node, and nothing else.

    ``SELECT ?p ?o WHERE { <x> ?p ?o }`` (or ``{ ?s ?p <x> }``, with DISTINCT, LIMIT or
    OFFSET): what linked-data clients send to look an entity up. Its cost is bounded by the
    node's links and by the row cap, read lazily, so it can be answered without the
    killable worker process.

    >>> is_bounded_lookup("PREFIX id: <https://w3id.org/cakg/id/> SELECT ?p ?o WHERE { <https://w3id.org/cakg/id/person/x> ?p ?o }")
    True
    >>> is_bounded_lookup("SELECT * WHERE { ?s ?p ?o }")
    False
    >>> is_bounded_lookup("SELECT ?p ?o WHERE { <x> ?p ?o } ORDER BY ?o")
    False
    """
    toks = _raw_tokens(text)
    i = 0

    def word(*expected: str) -> bool:
        nonlocal i
        if i < len(toks) and toks[i][0] == "word" and toks[i][1].upper() in expected:
            i += 1
            return True
        return False

    while i < len(toks) and toks[i][0] == "word" and toks[i][1].upper() in ("PREFIX", "BASE"):
        step = 3 if toks[i][1].upper() == "PREFIX" else 2
        if toks[i][1].upper() == "PREFIX" and not (
            i + 2 < len(toks) and toks[i + 1][0] == "pname" and toks[i + 2][0] == "iri"
        ):
            return False
        if toks[i][1].upper() == "BASE" and not (i + 1 < len(toks) and toks[i + 1][0] == "iri"):
            return False
        i += step
    if not word("SELECT"):
        return False
    word("DISTINCT", "REDUCED")
    if i < len(toks) and toks[i] == ("other", "*"):
        i += 1
    else:
        start = i
        while i < len(toks) and toks[i][0] == "var":
            i += 1
        if i == start:
            return False
    word("WHERE")
    if i + 4 >= len(toks) or toks[i] != ("brace", "{"):
        return False
    s, p, o = toks[i + 1], toks[i + 2], toks[i + 3]
    i += 4
    if i < len(toks) and toks[i] == ("other", "."):
        i += 1
    if i >= len(toks) or toks[i] != ("brace", "}"):
        return False
    i += 1
    bound = ("iri", "pname")
    if p[0] not in (*bound, "var") and p != ("word", "a"):
        return False
    if not ((s[0] in bound and o[0] in (*bound, "var")) or (s[0] == "var" and o[0] in bound)):
        return False
    while i < len(toks):
        if not word("LIMIT", "OFFSET"):
            return False
        digits = i
        while i < len(toks) and toks[i][0] == "other" and toks[i][1].isdigit():
            i += 1
        if i == digits:
            return False
    return True


def cap_select(text: str, limit: int) -> str | None:
    """Return a SELECT query that gives at most ``limit`` rows, or ``None`` when unsure.

    The query's own top-level ``LIMIT`` is kept when it is at most ``limit``, lowered to
    ``limit`` when it is higher, and added (before a trailing ``VALUES`` block) when there
    is none; ``OFFSET``, ``ORDER BY`` and everything else stay as written, so the rows are
    the first ``limit`` rows of the query's own answer. The row cap then costs the engine
    nothing, and Oxigraph can stop early or keep only the top rows of a sort.

    ``None`` for anything but a SELECT, and for text whose keywords could be written with
    ``\\u`` escapes: the caller then cuts the rows itself.

    >>> cap_select("SELECT * WHERE { ?s ?p ?o }", 11)
    'SELECT * WHERE { ?s ?p ?o }\\nLIMIT 11\\n'
    >>> cap_select("SELECT * { ?s ?p ?o } ORDER BY ?s LIMIT 5", 11)
    'SELECT * { ?s ?p ?o } ORDER BY ?s LIMIT 5'
    >>> cap_select("SELECT * { ?s ?p ?o } OFFSET 2 LIMIT 500", 11)
    'SELECT * { ?s ?p ?o } OFFSET 2 LIMIT 11'
    >>> cap_select("SELECT ?s { ?s ?p ?o } VALUES ?s { <x:a> }", 11)
    'SELECT ?s { ?s ?p ?o } \\nLIMIT 11\\nVALUES ?s { <x:a> }'
    >>> cap_select("ASK { ?s ?p ?o }", 11) is None
    True
    """
    if "\\u" in text or "\\U" in text:
        return None
    toks = list(tokens(text))
    i = 0
    while i < len(toks) and toks[i].kind == "word" and toks[i].text.upper() in ("PREFIX", "BASE"):
        i += 3 if toks[i].text.upper() == "PREFIX" else 2
    if i >= len(toks) or toks[i].kind != "word" or toks[i].text.upper() != "SELECT":
        return None
    braces = parens = 0
    where_closed = False
    values_at: int | None = None
    limit_span: tuple[int, int] | None = None
    for j in range(i + 1, len(toks)):
        token = toks[j]
        if token.kind == "brace":
            braces += 1 if token.text == "{" else -1
            if braces == 0 and parens == 0 and token.text == "}":
                where_closed = True
            continue
        if token.kind == "other" and token.text in "()":
            parens += 1 if token.text == "(" else -1
            continue
        if braces or parens or not where_closed or token.kind != "word":
            continue
        word = token.text.upper()
        if word == "VALUES" and values_at is None:
            values_at = token.start
        elif word == "LIMIT" and values_at is None:
            limit_span = _integer_after(toks, j)
            if limit_span is None:
                return None
    if not where_closed or braces or parens:
        return None
    if limit_span is not None:
        start, end = limit_span
        if int(text[start:end]) <= limit:
            return text
        return text[:start] + str(limit) + text[end:]
    at = len(text) if values_at is None else values_at
    return text[:at] + f"\nLIMIT {limit}\n" + text[at:]


def _integer_after(toks: Sequence[Token], j: int) -> tuple[int, int] | None:
    """Return the text span of the integer written right after token ``j``."""
    k = j + 1
    start = toks[k].start if k < len(toks) else -1
    end = start
    while k < len(toks) and toks[k].text.isdigit() and toks[k].start == end:
        end += 1
        k += 1
    return (start, end) if end > start else None
