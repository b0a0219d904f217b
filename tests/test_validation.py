"""Validation reports, their formats, and the ``cakg validate`` command's exit codes."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from cakg.graph.build import Build, GraphPart, current_build, nquads_lines, write_build
from cakg.graph.model import ontology_graph
from cakg.graph.namespaces import CAKG, ONTOLOGY_IRI, SEM
from cakg.graph.validation import (
    GAZETTEER_GRAPH,
    ShapesError,
    UnknownSourceError,
    ValidationReport,
    source_graph_names,
    validate_build,
    validate_dataset,
    validate_graph,
)
from cakg.web.cli import cli
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SH

SAMPLE = Path(__file__).parent / "shapes" / "sample.trig"
S1 = URIRef("https://w3id.org/cakg/id/graph/s1")
S2 = URIRef("https://w3id.org/cakg/id/graph/s2")
SIGNING = URIRef("https://w3id.org/cakg/id/event/cafta-v3/signing")
WANG = URIRef("https://w3id.org/cakg/id/person/wang-wentao")


def _sample() -> Dataset:
    dataset = Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's own TriG parser
        dataset.parse(SAMPLE, format="trig")
    return dataset


def _remove_fact(graph: Graph, subject: URIRef, predicate: URIRef) -> None:
    """Remove the triples of ``subject`` with ``predicate``, and their reifications."""
    for statement in list(graph.subjects(RDF.subject, subject)):
        if graph.value(statement, RDF.predicate) == predicate:
            graph.remove((statement, None, None))
    graph.remove((subject, predicate, None))


def _add_fact(graph: Graph, subject: URIRef, predicate: URIRef, value: URIRef) -> None:
    """Add a triple with its reification, citing the sample's first sentence."""
    statement = URIRef(f"https://w3id.org/cakg/id/fact/test/{str(value).rsplit('#', 1)[-1]}")
    graph.add((subject, predicate, value))
    graph.add((statement, RDF.type, RDF.Statement))
    graph.add((statement, RDF.subject, subject))
    graph.add((statement, RDF.predicate, predicate))
    graph.add((statement, RDF.object, value))
    graph.add((statement, CAKG.evidence, URIRef("https://w3id.org/cakg/id/text/s1#char=0,32")))
    graph.add((statement, PROV.wasGeneratedBy, URIRef("https://w3id.org/cakg/id/activity/s1")))


def _broken(dataset: Dataset) -> Dataset:
    """Copy graph s1 to s2 and break two things in s2: an untagged label, a second type."""
    s2 = dataset.graph(S2)
    for s, p, o in dataset.graph(S1):
        s2.add((S2 if s == S1 else s, p, o))
    s2.remove((WANG, RDFS.label, None))
    s2.add((WANG, RDFS.label, Literal("Wang Wentao")))
    _add_fact(s2, SIGNING, SEM.eventType, CAKG.Summit)
    return dataset


def _parts(dataset: Dataset) -> list[GraphPart]:
    parts = [GraphPart(ONTOLOGY_IRI, ontology_graph(), "ontology")]
    for graph in dataset.graphs():
        name = graph.identifier
        if not isinstance(name, URIRef) or not len(graph):
            continue
        copy = Graph()
        for triple in graph:
            copy.add(triple)
        kind = "reference" if name == GAZETTEER_GRAPH else "source"
        parts.append(GraphPart(name, copy, kind))
    return parts


@pytest.fixture(scope="module")
def broken_report() -> ValidationReport:
    return validate_dataset(_broken(_sample()))


def test_source_graphs_are_found_by_type() -> None:
    dataset = _broken(_sample())
    # s2 is a copy of s1 that declares itself (cakg:SourceGraph); the gazetteer is not one.
    assert source_graph_names(dataset) == [S1, S2]


def test_sample_conforms() -> None:
    report = validate_dataset(_sample())
    assert report.conforms, report.text()
    assert report.graphs == (GAZETTEER_GRAPH, S1)


def test_results_carry_graph_focus_path_value_and_message(
    broken_report: ValidationReport,
) -> None:
    assert not broken_report.conforms
    assert broken_report.graphs == (GAZETTEER_GRAPH, S1, S2)
    assert {r.graph for r in broken_report.results} == {S2}
    by_shape = {str(r.source_shape).rsplit("#", 1)[1]: r for r in broken_report.results}
    assert set(by_shape) == {"Entity-label", "Event-eventType"}
    label = by_shape["Entity-label"]
    assert label.focus_node == WANG
    assert label.path_text == "rdfs:label"
    assert label.value == Literal("Wang Wentao")
    assert label.severity == SH.Violation
    assert label.constraint == SH.DatatypeConstraintComponent
    assert label.message.startswith("An entity needs at least one non-empty rdfs:label")
    assert by_shape["Event-eventType"].focus_node == SIGNING
    assert broken_report.count(SH.Violation) == 2


def test_only_the_chosen_sources_are_validated() -> None:
    report = validate_dataset(_broken(_sample()), sources=["s1"])
    assert report.graphs == (S1,)
    assert report.conforms


def test_an_unknown_source_is_an_error_that_lists_the_known_ones() -> None:
    with pytest.raises(UnknownSourceError, match=r"'nope'.*known sources: gazetteer, s1\)"):
        validate_dataset(_sample(), sources=["nope"])


def test_a_dataset_file_is_read_by_its_extension(tmp_path: Path) -> None:
    nquads = tmp_path / "dataset.nq"
    lines = [
        line for part in _parts(_broken(_sample())) for line in nquads_lines(part.graph, part.name)
    ]
    nquads.write_text("".join(lines), "utf-8")
    report = validate_dataset(nquads)
    assert report.graphs == (GAZETTEER_GRAPH, S1, S2)
    assert report.count(SH.Violation) == 2


def test_text_report_is_grouped_by_source(broken_report: ValidationReport) -> None:
    text = broken_report.render("text")
    assert text.splitlines()[0] == (
        "Validation of 3 graphs: does not conform (2 violations, 0 warnings, 0 infos)."
    )
    assert "Source s2:" in text
    assert "Source s1:" not in text
    assert "[Violation] An entity needs at least one non-empty rdfs:label" in text
    assert "focus node: <https://w3id.org/cakg/id/person/wang-wentao>" in text
    assert "shape:      cakgsh:Entity-label" in text


def test_turtle_report_is_a_shacl_validation_report(broken_report: ValidationReport) -> None:
    graph = Graph().parse(data=broken_report.render("turtle"), format="turtle")
    report = graph.value(None, RDF.type, SH.ValidationReport, any=False)
    assert report is not None
    assert graph.value(report, SH.conforms) == Literal(False)
    results = list(graph.objects(report, SH.result))
    assert len(results) == 2
    for result in results:
        assert graph.value(result, URIRef("http://purl.org/dc/terms/source")) == S2
        assert graph.value(result, SH.resultSeverity) == SH.Violation
        assert graph.value(result, SH.focusNode) in {WANG, SIGNING}


def test_json_report(broken_report: ValidationReport) -> None:
    data = json.loads(broken_report.render("json"))
    assert data["conforms"] is False
    assert (data["violations"], data["warnings"], data["infos"]) == (2, 0, 0)
    first = next(r for r in data["results"] if r["focusNode"] == str(WANG))
    assert first["source"] == "s2"
    assert first["path"] == "rdfs:label"
    assert first["value"] == '"Wang Wentao"'
    assert first["severity"] == "Violation"
    assert first["sourceShape"] == "https://w3id.org/cakg/shapes#Entity-label"


def test_an_empty_report_conforms() -> None:
    report = ValidationReport()
    assert report.conforms
    assert json.loads(report.render("json"))["results"] == []
    with pytest.raises(ValueError, match="unknown report format"):
        report.render("xml")  # type: ignore[arg-type]


def test_gazetteer_problems_are_reported_once_under_the_gazetteer() -> None:
    dataset = _broken(_sample())
    gazetteer = dataset.graph(GAZETTEER_GRAPH)
    asean = URIRef("https://w3id.org/cakg/id/org/asean")
    gazetteer.remove((asean, RDFS.label, None))
    gazetteer.add((asean, RDFS.label, Literal("ASEAN")))
    report = validate_dataset(dataset)
    about_asean = [r for r in report.results if r.focus_node == asean]
    assert "Gazetteer:" in report.text()
    assert [(r.graph, r.message[:28]) for r in about_asean] == [
        (GAZETTEER_GRAPH, "An entity needs at least one")
    ]


def test_warnings_do_not_break_conformance() -> None:
    dataset = _sample()
    dated = dataset.graph(S1)
    launch = URIRef("https://w3id.org/cakg/id/event/cafta-v3/launch")
    for p in (CAKG.date, CAKG.datePrecision):
        _remove_fact(dated, launch, p)
    report = validate_dataset(dataset)
    assert report.conforms, report.text()
    assert report.count(SH.Warning) == 1
    assert report.results[0].severity_name == "Warning"
    assert report.results[0].focus_node == launch


# ------------------------------------------------------------------------ the CLI


@pytest.fixture(scope="module")
def good_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    instance = tmp_path_factory.mktemp("good")
    write_build(_parts(_sample()), instance)
    return instance


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    instance = tmp_path_factory.mktemp("bad")
    write_build(_parts(_broken(_sample())), instance)
    return instance


def _run(instance: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--instance", str(instance), "validate", *args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_exits_0_when_the_build_conforms(good_build: Path) -> None:
    code, out, _ = _run(good_build)
    assert code == 0, out
    assert out.startswith("Validation of 2 graphs: conforms")


def test_cli_exits_1_on_violations(bad_build: Path) -> None:
    code, out, _ = _run(bad_build)
    assert code == 1
    assert "Source s2:" in out


def test_cli_validates_one_source(bad_build: Path) -> None:
    code, out, _ = _run(bad_build, "--source", "s1")
    assert code == 0, out
    assert out.startswith("Validation of 1 graph: conforms")


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        ("json", lambda out: json.loads(out)["violations"] == 2),
        ("turtle", lambda out: len(Graph().parse(data=out, format="turtle")) > 10),
    ],
)
def test_cli_formats_put_data_on_stdout_and_the_summary_on_stderr(
    bad_build: Path, fmt: str, check: object
) -> None:
    code, out, err = _run(bad_build, "--format", fmt)
    assert code == 1
    assert callable(check) and check(out)
    assert err.startswith("Validation of 3 graphs: does not conform")


def test_cli_exits_2_without_a_build(tmp_path: Path) -> None:
    code, out, err = _run(tmp_path)
    assert code == 2
    assert out == ""
    assert "Run `cakg build` first" in err


def test_cli_exits_2_on_an_unknown_source(good_build: Path) -> None:
    code, out, err = _run(good_build, "--source", "nope")
    assert code == 2
    assert out == ""
    assert "known sources: gazetteer, s1)" in err


def test_cli_rejects_an_unknown_format_with_exit_2(good_build: Path) -> None:
    code, _, err = _run(good_build, "--format", "xml")
    assert code == 2
    assert "xml" in err


# ------------------------------------------------------------------------ the seed build


@pytest.fixture(scope="module")
def seed_report(seed_build: Build) -> ValidationReport:
    return validate_build(seed_build)


def test_seed_build_conforms(seed_report: ValidationReport) -> None:
    assert seed_report.conforms, seed_report.text()
    assert len(seed_report.graphs) == 4
    assert seed_report.graphs[0] == GAZETTEER_GRAPH


def test_one_source_of_the_seed_build_validates_alone(seed_build: Build) -> None:
    report = validate_build(seed_build, sources=["004_05edaf1031469346"])
    assert [str(g) for g in report.graphs] == [
        "https://w3id.org/cakg/id/graph/004_05edaf1031469346"
    ]
    assert {r.graph for r in report.results} <= set(report.graphs)


def test_validating_one_source_reads_only_its_dump_and_the_background(
    bad_build: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cakg.graph import validation

    read: list[str] = []
    original = validation._read_dump

    def recording(build: Build, name: URIRef) -> Graph:
        read.append(str(name))
        return original(build, name)

    monkeypatch.setattr(validation, "_read_dump", recording)
    validated: list[URIRef] = []
    validation._build_background.cache_clear()
    report = validate_build(current_build(bad_build), sources=["s2"], progress=validated.append)
    assert sorted(read) == sorted([str(ONTOLOGY_IRI), str(GAZETTEER_GRAPH), str(S2)])
    read.clear()
    validate_build(current_build(bad_build), sources=["s2"])
    assert read == [str(S2)]  # the background is read once per build
    assert validated == [S2]
    assert report.count(SH.Violation) == 2


def test_an_inverse_path_is_kept_in_every_format() -> None:
    dataset = _sample()
    s1 = dataset.graph(S1)
    participation = URIRef("https://w3id.org/cakg/id/event/cafta-v3/signing/p1")
    _remove_fact(s1, SIGNING, CAKG.participation)
    report = validate_dataset(dataset)
    result = next(r for r in report.results if r.focus_node == participation)
    assert (result.path, result.path_inverse) == (CAKG.participation, True)
    assert result.path_text == "^cakg:participation"
    assert "path:       ^cakg:participation" in report.text()
    graph = Graph().parse(data=report.render("turtle"), format="turtle")
    node = graph.value(None, SH.focusNode, participation, any=False)
    assert graph.value(graph.value(node, SH.resultPath), SH.inversePath) == CAKG.participation
    rows = json.loads(report.render("json"))["results"]
    assert [r["path"] for r in rows if r["focusNode"] == str(participation)] == [
        "^cakg:participation"
    ]


def test_a_shape_pyshacl_cannot_evaluate_is_an_error_that_says_where_to_look() -> None:
    shapes = Graph().parse(
        format="turtle",
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <https://example.org/> .
        ex:Broken a sh:NodeShape ; sh:targetNode ex:x ;
            sh:sparql [ sh:select "SELECT $this WHERE { VALUES ?v { 1 } }" ] .
        """,
    )
    with pytest.raises(ShapesError, match=r"VALUES.*Fix ontology/shapes.ttl"):
        validate_graph(Graph(), shapes=shapes)


def test_the_seed_dataset_file_validates_as_the_build_does(
    seed_build: Build, seed_report: ValidationReport
) -> None:
    from_file = validate_dataset(seed_build.nquads)
    assert from_file.graphs == seed_report.graphs
    assert from_file.to_json()["results"] == seed_report.to_json()["results"]
