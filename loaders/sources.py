"""Source documents and their metadata, read and checked.

A source is a text file in ``sources/`` with its metadata in the folder's catalogue,
``sources.json`` (``{"<file name>": {"title", "publisher", "published", "language", "url"}}``),
or in a sidecar file ``<file name>.json`` beside it. Each problem is reported with the file
and what to fix; one bad source never stops the others (see ``read_sources``).

Loaders are one class per kind of source behind a one-method interface, in a plain dict
registry keyed by file suffix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from cakg.errors import SourceError
from cakg.loaders.text import normalise

__all__ = [
    "CATALOGUE",
    "LOADERS",
    "Document",
    "Loader",
    "Metadata",
    "TextLoader",
    "parse_metadata",
    "read_sources",
    "source_id_of",
]

CATALOGUE = "sources.json"
_SOURCE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


@dataclass(frozen=True)
class Metadata:
    """What is known about a source besides its text."""

    published: date
    publisher: str
    language: str = "en"
    title: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Document:
    """A source document: its id, where it came from, its metadata and normalised text."""

    source_id: str
    path: str
    metadata: Metadata
    text: str


class Loader(Protocol):
    """Reads one kind of source file into a ``Document``."""

    def load(self, path: Path, metadata: Metadata) -> Document:
        """Read ``path``.

        Raises:
            SourceError: the file is empty, binary or not UTF-8.
        """
        ...


def source_id_of(path: Path) -> str:
    """Return the source id of a file: its name without the suffix."""
    return path.stem


class TextLoader:
    """Loads a plain-text article or press release (UTF-8)."""

    def load(self, path: Path, metadata: Metadata) -> Document:
        """Read a UTF-8 text file; reject empty, binary and mis-encoded files."""
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise SourceError(str(path), f"cannot be read: {exc.strerror}") from exc
        if not raw.strip():
            raise SourceError(str(path), "is empty: a source needs the text of the article")
        if b"\x00" in raw:
            raise SourceError(
                str(path), "looks binary (it contains NUL bytes): sources are UTF-8 text files"
            )
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise SourceError(
                str(path),
                f"is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                "save it as UTF-8",
                line=line,
            ) from exc
        source_id = source_id_of(path)
        if not _SOURCE_ID.fullmatch(source_id):
            raise SourceError(
                str(path),
                "the file name must start with a letter or digit and use only letters, digits, '_', '.', '-'",
            )
        return Document(source_id, str(path), metadata, normalise(text))


#: Loaders by file suffix.
LOADERS: dict[str, Loader] = {".txt": TextLoader()}


def parse_metadata(raw: Any, *, where: str) -> Metadata:
    """Check one metadata record and return it.

    Raises:
        SourceError: a field is missing or invalid; the message names it.
    """
    if not isinstance(raw, Mapping):
        raise SourceError(
            where, "metadata must be a JSON object with title, publisher, published, language, url"
        )
    published = raw.get("published")
    if not isinstance(published, str):
        raise SourceError(
            where, "metadata: 'published' (the publication date, YYYY-MM-DD) is missing"
        )
    try:
        published_date = date.fromisoformat(published)
    except ValueError as exc:
        raise SourceError(
            where, f"metadata: 'published' must be a date YYYY-MM-DD, not {published!r}"
        ) from exc
    publisher = raw.get("publisher")
    if not isinstance(publisher, str) or not publisher.strip():
        raise SourceError(where, "metadata: 'publisher' is missing or empty")
    language = raw.get("language", "en")
    if not isinstance(language, str) or not _LANGUAGE.fullmatch(language):
        raise SourceError(
            where, f"metadata: 'language' must be a BCP 47 tag such as 'en', not {language!r}"
        )
    title = raw.get("title")
    if title is not None and (not isinstance(title, str) or not title.strip()):
        raise SourceError(where, "metadata: 'title' must be a non-empty string or null")
    url = raw.get("url")
    if url is not None and (not isinstance(url, str) or not re.match(r"https?://\S+$", url)):
        raise SourceError(where, f"metadata: 'url' must be an http(s) URL or null, not {url!r}")
    return Metadata(published_date, publisher.strip(), language, title, url)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except UnicodeDecodeError as exc:
        raise SourceError(str(path), "is not UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise SourceError(str(path), f"is not valid JSON: {exc.msg}", line=exc.lineno) from exc


def read_sources(folder: Path) -> Iterator[Document | SourceError]:
    """Yield every source of ``folder`` as a ``Document``, or the ``SourceError`` that stops it.

    Raises:
        SourceError: the folder or its catalogue cannot be read at all.
    """
    if not folder.is_dir():
        raise SourceError(str(folder), "is not a folder of sources")
    catalogue_path = folder / CATALOGUE
    catalogue: Mapping[str, Any] = {}
    if catalogue_path.exists():
        data = _read_json(catalogue_path)
        if not isinstance(data, Mapping):
            raise SourceError(str(catalogue_path), "must map file names to metadata objects")
        catalogue = data
    seen: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.is_dir() or path.suffix == ".json":
            continue
        loader = LOADERS.get(path.suffix.lower())
        if loader is None:
            yield SourceError(
                str(path),
                f"no loader for {path.suffix or 'files without a suffix'!r}; known: {sorted(LOADERS)}",
            )
            continue
        source_id = source_id_of(path)
        if source_id in seen:
            yield SourceError(
                str(path),
                f"duplicate source id {source_id!r} (also {seen[source_id]}): rename one file",
            )
            continue
        seen[source_id] = str(path)
        sidecar = path.with_name(path.name + ".json")
        try:
            if sidecar.exists():
                raw = _read_json(sidecar)
                where = str(sidecar)
            elif path.name in catalogue:
                raw = catalogue[path.name]
                where = f"{catalogue_path} [{path.name!r}]"
            else:
                raise SourceError(
                    str(path),
                    f"has no metadata: add an entry for {path.name!r} to {CATALOGUE} or a sidecar {sidecar.name}",
                )
            yield loader.load(path, parse_metadata(raw, where=where))
        except SourceError as exc:
            yield exc
    for name in sorted(set(catalogue) - {p.name for p in folder.iterdir()}):
        yield SourceError(
            f"{catalogue_path} [{name!r}]", "describes a file that is not in the folder"
        )
