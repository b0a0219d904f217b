"""Builds are deterministic and atomic; the CLI builds, queries, counts and extracts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from cakg.errors import BuildError
from cakg.graph.build import current_build
from cakg.loaders import build_from_sources
from cakg.web.cli import cli
from click.testing import CliRunner

SEEDS = Path(__file__).parent / "data" / "seed_sources"


def test_same_inputs_give_byte_identical_dumps(tmp_path: Path) -> None:
    a = build_from_sources(SEEDS, tmp_path / "a").build
    b = build_from_sources(SEEDS, tmp_path / "b").build
    assert a.trig.read_bytes() == b.trig.read_bytes()
    assert a.nquads.read_bytes() == b.nquads.read_bytes()


def test_dumps_parse_and_agree(seed_build: object) -> None:
    build = current_build(Path(str(seed_build.path)).parent.parent)  # type: ignore[attr-defined]
    trig = list(ox.parse(path=str(build.trig)))
    nquads = list(ox.parse(path=str(build.nquads)))
    assert len(trig) == len(nquads) == build.manifest["quads"]
    assert {str(q) for q in trig} == {str(q) for q in nquads}
    names = {row["name"] for row in build.manifest["graphs"]}
    assert {q.graph_name.value for q in nquads} == names


def test_a_failed_build_leaves_the_last_good_one_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = build_from_sources(SEEDS, tmp_path).build
    before = good.nquads.read_bytes()

    def fail(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(ox.Store, "bulk_load", fail)
    with pytest.raises(OSError, match="disk full"):
        build_from_sources(SEEDS, tmp_path, full=True)
    current = current_build(tmp_path)
    assert current.path == good.path
    assert current.nquads.read_bytes() == before
    assert not [p for p in (tmp_path / "builds").iterdir() if p.name.startswith(".")], (
        "temporary build left behind"
    )


def test_an_interrupted_build_leaves_the_last_good_one_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = build_from_sources(SEEDS, tmp_path).build

    def interrupt(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(ox.Store, "optimize", interrupt)
    with pytest.raises(KeyboardInterrupt):
        build_from_sources(SEEDS, tmp_path, full=True)
    assert current_build(tmp_path).path == good.path


def test_a_broken_gazetteer_fails_the_build_cleanly(tmp_path: Path) -> None:
    build_from_sources(SEEDS, tmp_path)
    bad = tmp_path / "gaz.toml"
    bad.write_text(
        '[sources]\nw = "W"\n[entity.x]\nkind = "moon"\nlabel = "X"\nsource = "w"\n', "utf-8"
    )
    with pytest.raises(BuildError, match=r"gaz.toml: entity 'x': 'kind' must be one of"):
        build_from_sources(SEEDS, tmp_path, gazetteer_path=bad)
    assert current_build(tmp_path).manifest["sources"]


def test_cli_build_reports_bad_sources_and_builds_the_others(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(SEEDS, sources)
    (sources / "empty.txt").write_bytes(b"")
    catalogue = json.loads((sources / "sources.json").read_text("utf-8"))
    catalogue["empty.txt"] = {"publisher": "X", "published": "2024-01-01"}
    (sources / "sources.json").write_text(json.dumps(catalogue), "utf-8")
    result = CliRunner().invoke(
        cli, ["--instance", str(tmp_path / "inst"), "build", "--sources", str(sources), "-q"]
    )
    assert result.exit_code == 1, result.output
    assert "from 3 sources" in result.stdout
    assert "empty.txt: is empty" in result.stderr
    assert len(current_build(tmp_path / "inst").manifest["sources"]) == 3


def test_cli_build_without_sources_folder_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--instance", str(tmp_path), "build", "--sources", str(tmp_path / "nope"), "-q"]
    )
    assert result.exit_code == 2
    assert "nope: is not a folder of sources" in result.stderr


def test_cli_query_by_name_and_text(seed_instance: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(cli, ["--instance", str(seed_instance), "query", "--list"])
    assert "protocol_signing" in listed.stdout
    table = runner.invoke(cli, ["--instance", str(seed_instance), "query", "coverage_areas"])
    assert table.exit_code == 0 and "Digital Economy" in table.stdout
    as_json = runner.invoke(
        cli,
        [
            "--instance",
            str(seed_instance),
            "query",
            "-o",
            "json",
            "SELECT (COUNT(*) AS ?n) WHERE { ?s a cakg:Person }",
        ],
    )
    data = json.loads(as_json.stdout)
    assert int(data["results"]["bindings"][0]["n"]["value"]) > 0
    csv = runner.invoke(cli, ["--instance", str(seed_instance), "query", "-o", "csv", "timeline"])
    assert csv.stdout.splitlines()[0].startswith("event,label,type,date")
    turtle = runner.invoke(
        cli,
        [
            "--instance",
            str(seed_instance),
            "query",
            "-o",
            "turtle",
            "CONSTRUCT { ?s a cakg:Person } WHERE { ?s a cakg:Person }",
        ],
    )
    assert "Person" in turtle.stdout
    bad = runner.invoke(cli, ["--instance", str(seed_instance), "query", "SELECT ?x WHERE { ?x"])
    assert bad.exit_code == 1 and "the query does not parse" in bad.stderr
    unknown = runner.invoke(cli, ["--instance", str(seed_instance), "query", "no_such_query"])
    assert unknown.exit_code == 1 and "cakg query --list" in unknown.stderr


def test_cli_query_without_a_build_says_to_build(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--instance", str(tmp_path), "query", "timeline"])
    assert result.exit_code == 1 and "Run `cakg build` first" in result.stderr


def test_cli_stats(seed_instance: Path) -> None:
    result = CliRunner().invoke(cli, ["--instance", str(seed_instance), "stats", "--json"])
    figures = json.loads(result.stdout)
    assert figures["sources"] == 3
    assert figures["entities_by_class"]["cakg:Tenure"] == 7
    assert set(figures["facts_by_source"]) == {
        "id:graph/000_28ddfdb37133726e",
        "id:graph/003_d1853fc3ef21e3a4",
        "id:graph/004_05edaf1031469346",
    }


ARTICLE = (
    "Vietnamese Minister of Industry and Trade Nguyen Hong Dien said on Monday that trade with China rose. "
    '"We will deepen cooperation," Nguyen Hong Dien said.\n'
)


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [("trig", "{"), ("turtle", "@prefix"), ("json-ld", '"@id"'), ("nquads", " .")],
)
def test_cli_extract_one_file_with_options(tmp_path: Path, fmt: str, marker: str) -> None:
    article = tmp_path / "new.txt"
    article.write_text(ARTICLE, "utf-8")
    result = CliRunner().invoke(
        cli,
        [
            "extract",
            str(article),
            "--published",
            "2024-05-08",
            "--publisher",
            "Vietnam News Agency",
            "-o",
            fmt,
        ],
    )
    assert result.exit_code == 0, result.output
    assert marker in result.stdout
    assert "nguyen-hong-dien" in result.stdout
    assert "We will deepen cooperation" in result.stdout


def test_cli_extract_reads_a_sidecar_and_rejects_bad_options(tmp_path: Path) -> None:
    article = tmp_path / "new.txt"
    article.write_text(ARTICLE, "utf-8")
    missing = CliRunner().invoke(cli, ["extract", str(article)])
    assert missing.exit_code == 1 and "'published'" in missing.stderr
    (tmp_path / "new.txt.json").write_text(
        json.dumps({"publisher": "VNA", "published": "2024-05-08"}), "utf-8"
    )
    ok = CliRunner().invoke(cli, ["extract", str(article), "-o", "turtle"])
    assert ok.exit_code == 0, ok.output
    assert "org/vietnam/ministry-of-industry-and-trade" in ok.stdout
    assert '"2024-05-08"^^xsd:date' in ok.stdout


def test_a_changed_source_is_the_only_one_extracted_and_the_result_equals_a_full_build(
    tmp_path: Path,
) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(SEEDS, sources)
    first = build_from_sources(sources, tmp_path / "inst")
    assert first.extracted == sorted(first.sources) and first.plan == "there is no previous build"
    again = build_from_sources(sources, tmp_path / "inst")
    assert again.extracted == [] and again.build.path == first.build.path
    changed = sources / "004_05edaf1031469346.txt"
    changed.write_text(
        changed.read_text("utf-8").replace("416.55 billion", "420.10 billion"), "utf-8"
    )
    incremental = build_from_sources(sources, tmp_path / "inst")
    assert incremental.extracted == ["004_05edaf1031469346"]
    assert incremental.plan == "1 new or changed, 0 removed, 2 unchanged"
    full = build_from_sources(sources, tmp_path / "full", full=True)
    assert incremental.build.nquads.read_bytes() == full.build.nquads.read_bytes()
    assert incremental.build.trig.read_bytes() == full.build.trig.read_bytes()
    assert "420.10 billion" in incremental.build.nquads.read_text("utf-8")
    store = ox.Store.read_only(str(incremental.build.store_path))
    full_store = ox.Store.read_only(str(full.build.store_path))
    # The stores agree quad for quad (blank nodes of the shapes aside: the store names them).
    named = [{str(q) for q in s if "_:" not in str(q)} for s in (store, full_store)]
    assert named[0] == named[1]
    assert len(list(store)) == len(list(full_store))


def test_cli_build_says_what_it_extracted(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["--instance", str(tmp_path), "build", "--sources", str(SEEDS), "-q"]
    assert (
        "extracted 3 of 3 sources (there is no previous build)" in runner.invoke(cli, args).stdout
    )
    assert "extracted 0 of 3 sources" in runner.invoke(cli, args).stdout
    assert "extracted 3 of 3 sources" in runner.invoke(cli, [*args, "--full"]).stdout
