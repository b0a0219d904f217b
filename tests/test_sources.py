"""Bad input gets a clear error naming the file and what is wrong; the other sources still load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cakg.errors import GazetteerError, SourceError
from cakg.loaders.gazetteer import load_gazetteer, parse_gazetteer
from cakg.loaders.sources import Document, read_sources

GOOD = {
    "title": "T",
    "publisher": "Xinhua",
    "published": "2024-03-05",
    "language": "en",
    "url": None,
}
TEXT = "Vietnam and China signed a protocol in Hanoi on Tuesday.\n"


def folder(tmp_path: Path, files: dict[str, bytes], catalogue: dict[str, object]) -> Path:
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    (tmp_path / "sources.json").write_text(json.dumps(catalogue), "utf-8")
    return tmp_path


def problems(tmp_path: Path) -> tuple[list[str], list[str]]:
    items = list(read_sources(tmp_path))
    return [i.source_id for i in items if isinstance(i, Document)], [
        str(i) for i in items if isinstance(i, SourceError)
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"   \n\t\n", "is empty"),
        (b"PK\x03\x04\x00\x00binary", "looks binary"),
        ("Caf\u00e9 in Hanoi".encode("latin-1"), "is not valid UTF-8 (byte 0xe9 at offset 3)"),
    ],
)
def test_unusable_text_is_reported_and_the_others_still_load(
    tmp_path: Path, content: bytes, message: str
) -> None:
    folder(
        tmp_path,
        {"bad.txt": content, "good.txt": TEXT.encode()},
        {"bad.txt": GOOD, "good.txt": GOOD},
    )
    loaded, errors = problems(tmp_path)
    assert loaded == ["good"]
    assert len(errors) == 1 and "bad.txt" in errors[0] and message in errors[0]


def test_a_wrong_encoding_names_the_line(tmp_path: Path) -> None:
    folder(tmp_path, {"a.txt": b"line one\nline two \xff\n"}, {"a.txt": GOOD})
    _, errors = problems(tmp_path)
    assert "a.txt:2:" in errors[0]


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({**GOOD, "published": None}, "'published' (the publication date, YYYY-MM-DD) is missing"),
        (
            {**GOOD, "published": "05/03/2024"},
            "'published' must be a date YYYY-MM-DD, not '05/03/2024'",
        ),
        ({**GOOD, "publisher": ""}, "'publisher' is missing or empty"),
        ({**GOOD, "language": "English"}, "'language' must be a BCP 47 tag"),
        ({**GOOD, "url": "ftp://x"}, "'url' must be an http(s) URL or null"),
        ("not an object", "metadata must be a JSON object"),
    ],
)
def test_invalid_metadata_is_named(tmp_path: Path, metadata: object, message: str) -> None:
    folder(
        tmp_path,
        {"a.txt": TEXT.encode(), "b.txt": TEXT.encode()},
        {"a.txt": metadata, "b.txt": GOOD},
    )
    loaded, errors = problems(tmp_path)
    assert loaded == ["b"]
    assert message in errors[0] and "a.txt" in errors[0]


def test_missing_metadata_says_where_to_add_it(tmp_path: Path) -> None:
    folder(tmp_path, {"a.txt": TEXT.encode()}, {})
    _, errors = problems(tmp_path)
    assert (
        "has no metadata: add an entry for 'a.txt' to sources.json or a sidecar a.txt.json"
        in errors[0]
    )


def test_sidecar_metadata_is_used(tmp_path: Path) -> None:
    folder(tmp_path, {"a.txt": TEXT.encode()}, {})
    (tmp_path / "a.txt.json").write_text(json.dumps(GOOD), "utf-8")
    loaded, errors = problems(tmp_path)
    assert loaded == ["a"] and not errors


def test_duplicate_source_ids_are_refused(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    folder(
        tmp_path, {"a.txt": TEXT.encode(), "a.TXT": TEXT.encode()}, {"a.txt": GOOD, "a.TXT": GOOD}
    )
    loaded, errors = problems(tmp_path)
    assert loaded == ["a"]
    assert "duplicate source id 'a'" in errors[0]


def test_invalid_catalogue_json_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, "utf-8")
    (tmp_path / "sources.json").write_text('{\n  "a.txt": {,\n}', "utf-8")
    with pytest.raises(SourceError, match=r"sources.json:2: is not valid JSON"):
        list(read_sources(tmp_path))


def test_catalogue_entry_without_a_file(tmp_path: Path) -> None:
    folder(tmp_path, {"a.txt": TEXT.encode()}, {"a.txt": GOOD, "gone.txt": GOOD})
    _, errors = problems(tmp_path)
    assert any(
        "'gone.txt'" in e and "describes a file that is not in the folder" in e for e in errors
    )


def test_unknown_file_kind(tmp_path: Path) -> None:
    folder(tmp_path, {"a.pdf": b"%PDF-1.4"}, {"a.pdf": GOOD})
    _, errors = problems(tmp_path)
    assert "no loader for '.pdf'" in errors[0]


# ------------------------------------------------------------------ the gazetteer


def test_packaged_gazetteer_loads_and_knows_asean_members() -> None:
    gaz = load_gazetteer()
    asean = gaz.get("asean")
    assert len(asean.members) == 11
    assert all(gaz.get(m).kind == "country" and gaz.get(m).wikidata for m in asean.members)
    assert gaz.lookup("ACFTA") == gaz.lookup("china-asean fta") == gaz.get("cafta")
    assert gaz.lookup("free trade area 3.0") == gaz.get("cafta-v3")


def test_every_gazetteer_entry_cites_its_source() -> None:
    gaz = load_gazetteer()
    assert all(e.source in gaz.sources for e in gaz.entities.values())


GAZ = """
[sources]
w = "Wikidata"
[entity.china]
kind = "country"
label = "China"
source = "w"
"""


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            '[entity.x]\nkind = "planet"\nlabel = "X"\nsource = "w"\n',
            "entity 'x': 'kind' must be one of",
        ),
        (
            '[entity.x]\nkind = "country"\nsource = "w"\n',
            "entity 'x': 'label' (the English name) is missing or empty",
        ),
        (
            '[entity.x]\nkind = "country"\nlabel = "X"\nsource = "nowhere"\n',
            "'source' must name an entry of [sources]",
        ),
        (
            '[entity.x]\nkind = "country"\nlabel = "X"\nsource = "w"\nwikidata = "148"\n',
            "'wikidata' must be a Q-identifier",
        ),
        (
            '[entity.x]\nkind = "place"\nlabel = "X"\nsource = "w"\ncountry = "atlantis"\n',
            "'country' refers to unknown entity 'atlantis'",
        ),
        (
            '[entity.x]\nkind = "country"\nlabel = "X"\nsource = "w"\naliases = "X"\n',
            "'aliases': must be a list of non-empty strings",
        ),
        (
            '[entity.x]\nkind = "country"\nlabel = "X"\nsource = "w"\ncolour = "red"\n',
            "unknown key(s) ['colour']",
        ),
        ('[entity.x]\nkind = "country"\nlabel = "X"\n[entity.x.y]\n', ""),
    ],
)
def test_gazetteer_errors_name_the_entry_and_the_fix(extra: str, message: str) -> None:
    with pytest.raises(GazetteerError) as caught:
        parse_gazetteer(GAZ + extra, path="g.toml")
    assert str(caught.value).startswith("g.toml")
    assert message in str(caught.value)


def test_gazetteer_toml_syntax_error_names_the_line() -> None:
    with pytest.raises(GazetteerError, match=r"g.toml:3: not valid TOML"):
        parse_gazetteer('[sources]\nw = "W"\nx = \n', path="g.toml")
