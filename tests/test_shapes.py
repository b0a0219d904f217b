"""Every SHACL shape, tested with data (pySHACL's own test-suite layout).

``tests/shapes/<ShapeName>/`` holds ``valid*.ttl`` files that conform to ``cakgsh:<ShapeName>``
and ``invalid*.ttl`` files that do not; each invalid file lists the exact messages it must
produce in ``# expect: <message>`` comment lines (one line per distinct message). The
shared prefixes of ``tests/shapes/prefixes.ttl`` are prepended to every file. Each file is
validated against all shapes, with the ontology as background, as the real validation does;
only the results of the folder's shape and its property shapes count. (pySHACL's
``use_shapes`` option is not used: it skips the property shapes of the shapes it selects.)
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from cakg.graph.model import ontology_graph
from cakg.graph.validation import (
    SHAPES,
    ValidationReport,
    ValidationResult,
    shapes_graph,
    validate_graph,
)
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH

HERE = Path(__file__).parent / "shapes"
PREFIXES = (HERE / "prefixes.ttl").read_text("utf-8")
VALID = sorted(HERE.glob("*/valid*.ttl"))
INVALID = sorted(HERE.glob("*/invalid*.ttl"))

#: Keys of a shape that are not constraints of its own.
_NOT_CONSTRAINTS = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.message,
    SH.severity,
    SH.property,
    SH.targetClass,
    SH.targetObjectsOf,
    SH.targetSubjectsOf,
    SH.targetNode,
    SH.path,
    SH.name,
    SH.description,
}


def _label(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _expected(path: Path) -> set[str]:
    return {
        line.split("# expect:", 1)[1].strip()
        for line in path.read_text("utf-8").splitlines()
        if line.startswith("# expect:")
    }


@cache
def _validate_all(path: Path) -> ValidationReport:
    data = Graph()
    data.parse(data=PREFIXES + path.read_text("utf-8"), format="turtle")
    return validate_graph(data, background=[ontology_graph()])


def _validate(path: Path) -> list[ValidationResult]:
    """Return the results of the shape named by the file's folder (and its property shapes)."""
    family = _shape_family(SHAPES[path.parent.name])
    return [r for r in _validate_all(path).results if r.source_shape in family]


def _named_shapes() -> Iterator[URIRef]:
    shapes = shapes_graph()
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in shapes.subjects(RDF.type, kind):
            if isinstance(shape, URIRef):
                yield shape


def _has_own_constraints(shape: URIRef) -> bool:
    return any(p not in _NOT_CONSTRAINTS for p in shapes_graph().predicates(shape, None))


def _shape_family(shape: URIRef) -> set[URIRef]:
    return {
        shape,
        *(p for p in shapes_graph().objects(shape, SH.property) if isinstance(p, URIRef)),
    }


def test_shape_test_files_exist() -> None:
    assert len(VALID) >= 30
    assert len(INVALID) >= 30


@pytest.mark.parametrize("path", VALID, ids=_label)
def test_valid_data_conforms(path: Path) -> None:
    results = _validate(path)
    assert not results, _validate_all(path).text()


@pytest.mark.parametrize("path", INVALID, ids=_label)
def test_invalid_data_fires_the_expected_messages(path: Path) -> None:
    expected = _expected(path)
    assert expected, f"{_label(path)} has no '# expect: <message>' line"
    results = _validate(path)
    assert {r.message for r in results} == expected, _validate_all(path).text()


def test_every_node_shape_has_a_test_folder() -> None:
    folders = {p.name for p in HERE.iterdir() if p.is_dir()}
    targets = (SH.targetClass, SH.targetObjectsOf)
    node_shapes = {
        str(s)[len(str(SHAPES)) :]
        for s in shapes_graph().subjects(RDF.type, SH.NodeShape)
        if isinstance(s, URIRef) and any(shapes_graph().objects(s, t) for t in targets)
    }
    assert node_shapes - folders == set()
    for folder in folders:
        assert list((HERE / folder).glob("valid*.ttl")), f"{folder} has no valid file"
        assert list((HERE / folder).glob("invalid*.ttl")), f"{folder} has no invalid file"


def test_every_shape_fires_in_some_invalid_file() -> None:
    fired = {r.source_shape for path in INVALID for r in _validate(path)}
    silent = {s for s in _named_shapes() if _has_own_constraints(s)} - fired
    assert silent == set(), f"shapes no invalid file proves: {sorted(silent)}"


def test_every_shape_is_documented() -> None:
    shapes = shapes_graph()
    named = list(_named_shapes())
    assert len(named) > 60
    for shape in named:
        for key in (SH.message, SH.severity, RDFS.label, RDFS.comment):
            assert shapes.value(shape, key) is not None, f"{shape} has no {key}"
        assert shapes.value(shape, SH.severity) in {SH.Violation, SH.Warning, SH.Info}


def test_messages_identify_their_shape() -> None:
    shapes = shapes_graph()
    by_message: dict[str, set[URIRef]] = {}
    for shape in _named_shapes():
        if _has_own_constraints(shape):
            for message in shapes.objects(shape, SH.message):
                by_message.setdefault(str(message), set()).add(shape)
    shared = {m: s for m, s in by_message.items() if len(s) > 1}
    assert shared == {}


def test_sparql_constraints_repeat_the_shape_message() -> None:
    shapes = shapes_graph()
    constraints = list(shapes.subject_objects(SH.sparql))
    assert len(constraints) >= 8
    for shape, constraint in constraints:
        assert isinstance(constraint, BNode)
        assert shapes.value(constraint, SH.message) == shapes.value(shape, SH.message)


def test_shapes_are_well_formed_shacl() -> None:
    import pyshacl

    meta = Graph().parse(Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl")
    conforms, _, text = pyshacl.validate(shapes_graph(), shacl_graph=meta)
    assert conforms, text


def test_sample_dataset_conforms_to_every_shape() -> None:
    from cakg.graph.validation import validate_dataset

    report = validate_dataset(HERE / "sample.trig")
    assert report.conforms, report.text()
    assert report.results == ()
    assert [str(g) for g in report.graphs] == [
        "https://w3id.org/cakg/id/graph/gazetteer",
        "https://w3id.org/cakg/id/graph/s1",
    ]


def test_every_class_of_the_ontology_is_targeted_by_a_shape() -> None:
    ontology = ontology_graph()
    namespace = str(SHAPES)[: -len("shapes#")] + "ontology#"
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(namespace)}
    targeted = set(shapes_graph().objects(None, SH.targetClass))
    uncovered = {
        c
        for c in classes
        if not any(t in targeted for t in ontology.transitive_objects(c, RDFS.subClassOf))
    }
    assert len(classes) > 30
    assert sorted(uncovered) == []
