"""Validate the dataset against the SHACL shapes, one named graph at a time.

Claims of different sources may disagree by design (two dates for one milestone), so each
source's named graph is validated on its own, with the ontology and the gazetteer as
background: cardinalities hold within one source, and re-validating one changed source
alone is sound. Only results about nodes the source graph itself describes are kept;
background nodes are not re-reported once per source. The gazetteer (the curated reference
data) is validated as a graph of its own, with the ontology as background.

``conforms`` follows pySHACL's ``allow_warnings``: warnings and infos are reported but only
``sh:Violation`` results make a report fail.

>>> from rdflib import Dataset
>>> report = validate_dataset(Dataset())
>>> report.conforms, len(report.results)
(True, 0)
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import pyshacl
from cakg.errors import ShapesError, UnknownSourceError
from cakg.graph.build import Build
from cakg.graph.model import ontology_graph
from cakg.graph.namespaces import CAKG, DATA_BASE, ONTOLOGY_IRI, SHAPES_IRI, bind_prefixes
from rdflib import BNode, Dataset, Graph, Namespace, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.namespace import DCTERMS, RDF, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

__all__ = [
    "FORMATS",
    "GAZETTEER_GRAPH",
    "SHAPES",
    "ReportFormat",
    "ShapesError",
    "UnknownSourceError",
    "ValidationReport",
    "ValidationResult",
    "build_source_graphs",
    "shapes_graph",
    "source_graph_names",
    "source_id",
    "validate_build",
    "validate_dataset",
    "validate_graph",
]

#: Namespace of the shapes (``cakgsh:``).
SHAPES = Namespace(str(SHAPES_IRI) + "#")
GAZETTEER_GRAPH = URIRef(DATA_BASE + "graph/gazetteer")
_GRAPH_PREFIX = DATA_BASE + "graph/"

ReportFormat = Literal["text", "turtle", "json"]
FORMATS: tuple[ReportFormat, ...] = ("text", "turtle", "json")

_SEVERITY_ORDER = {SH.Violation: 0, SH.Warning: 1, SH.Info: 2}


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """Return the parsed shapes of ``cakg.ontology/shapes.ttl`` (cached; do not mutate)."""
    return ontology_graph("shapes.ttl")


def source_id(graph_name: URIRef | str) -> str:
    """Return the source id of a source graph's IRI (``.../id/graph/{source-id}``)."""
    name = str(graph_name)
    return name[len(_GRAPH_PREFIX) :] if name.startswith(_GRAPH_PREFIX) else name


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL validation result, with the named graph it was found in."""

    focus_node: Node
    message: str
    severity: URIRef
    source_shape: Node
    constraint: URIRef | None = None
    path: Node | None = None
    value: Node | None = None
    graph: URIRef | None = None
    #: The path as SHACL Turtle (``^cakg:participation`` for an inverse path).
    path_text: str | None = None
    #: Whether ``path`` is the predicate of an inverse path (``sh:inversePath``).
    path_inverse: bool = False

    @property
    def severity_name(self) -> str:
        """Return ``Violation``, ``Warning`` or ``Info``."""
        return str(self.severity).rsplit("#", 1)[-1]

    def sort_key(self) -> tuple[str, int, str, str, str]:
        return (
            str(self.graph or ""),
            _SEVERITY_ORDER.get(self.severity, 3),
            str(self.focus_node),
            str(self.source_shape),
            str(self.value or ""),
        )


@dataclass(frozen=True)
class ValidationReport:
    """The results of validating some named graphs; render with :meth:`render`."""

    results: tuple[ValidationResult, ...] = ()
    graphs: tuple[URIRef, ...] = ()
    _prefixes: Graph = field(default_factory=Graph, repr=False, compare=False)

    @property
    def conforms(self) -> bool:
        """Return whether no result is a violation (warnings and infos are allowed)."""
        return not any(r.severity == SH.Violation for r in self.results)

    def count(self, severity: URIRef) -> int:
        """Return how many results have ``severity`` (``SH.Violation`` ...)."""
        return sum(1 for r in self.results if r.severity == severity)

    def merge(self, other: ValidationReport) -> ValidationReport:
        """Return a report with the results and graphs of both."""
        return ValidationReport(
            tuple(sorted((*self.results, *other.results), key=ValidationResult.sort_key)),
            (*self.graphs, *other.graphs),
            self._prefixes,
        )

    def render(self, fmt: ReportFormat = "text") -> str:
        """Return the report as ``text`` (readable), ``turtle`` (SHACL) or ``json``."""
        if fmt == "text":
            return self.text()
        if fmt == "turtle":
            return self.turtle()
        if fmt == "json":
            return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"
        raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")

    def _n3(self, node: Node | None) -> str:
        if node is None:
            return ""
        return str(node.n3(self._prefixes.namespace_manager))

    def summary(self) -> str:
        """Return one line: conformance and counts."""
        verdict = "conforms" if self.conforms else "does not conform"
        counts = ", ".join(
            f"{self.count(s)} {name}{'s' if self.count(s) != 1 else ''}"
            for s, name in ((SH.Violation, "violation"), (SH.Warning, "warning"), (SH.Info, "info"))
        )
        n = len(self.graphs)
        return f"Validation of {n} graph{'s' if n != 1 else ''}: {verdict} ({counts})."

    def text(self) -> str:
        """Return the report as readable text, grouped by graph."""
        lines = [self.summary()]
        current: URIRef | str | None = ""
        for result in self.results:
            if result.graph != current:
                current = result.graph
                lines.append("")
                lines.append(_heading(current))
            lines.append(f"  [{result.severity_name}] {result.message}")
            lines.append(f"    focus node: {self._n3(result.focus_node)}")
            if result.path_text:
                lines.append(f"    path:       {result.path_text}")
            if result.value is not None:
                lines.append(f"    value:      {self._n3(result.value)}")
            lines.append(f"    shape:      {self._n3(result.source_shape)}")
        return "\n".join(lines) + "\n"

    def to_graph(self) -> Graph:
        """Return the report as a SHACL validation report graph (results cite their graph)."""
        graph = Graph()
        bind_prefixes(graph)
        graph.bind("sh", SH)
        graph.bind("cakgsh", SHAPES)
        report = BNode()
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, RDFLiteral(self.conforms)))
        for result in self.results:
            node = BNode()
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.focusNode, result.focus_node))
            graph.add((node, SH.resultMessage, RDFLiteral(result.message)))
            graph.add((node, SH.resultSeverity, result.severity))
            graph.add((node, SH.sourceShape, result.source_shape))
            if result.constraint is not None:
                graph.add((node, SH.sourceConstraintComponent, result.constraint))
            if isinstance(result.path, URIRef) and result.path_inverse:
                inverse = BNode()
                graph.add((node, SH.resultPath, inverse))
                graph.add((inverse, SH.inversePath, result.path))
            elif isinstance(result.path, URIRef):
                graph.add((node, SH.resultPath, result.path))
            if result.value is not None:
                graph.add((node, SH.value, result.value))
            if result.graph is not None:
                # The named graph the result was found in (SHACL has no term for it).
                graph.add((node, DCTERMS.source, result.graph))
        return graph

    def turtle(self) -> str:
        """Return the report as Turtle."""
        return self.to_graph().serialize(format="turtle")

    def to_json(self) -> dict[str, Any]:
        """Return the report as a JSON-ready mapping."""
        return {
            "conforms": self.conforms,
            "violations": self.count(SH.Violation),
            "warnings": self.count(SH.Warning),
            "infos": self.count(SH.Info),
            "graphs": [str(g) for g in self.graphs],
            "results": [
                {
                    "graph": str(r.graph) if r.graph is not None else None,
                    "source": source_id(r.graph) if r.graph is not None else None,
                    "severity": r.severity_name,
                    "message": r.message,
                    "focusNode": _json_term(r.focus_node),
                    "path": r.path_text,
                    "value": _json_term(r.value) if r.value is not None else None,
                    "sourceShape": _json_term(r.source_shape),
                    "constraint": str(r.constraint) if r.constraint is not None else None,
                }
                for r in self.results
            ],
        }


def _heading(graph: URIRef | None) -> str:
    if graph is None:
        return "Graph (unnamed):"
    if graph == GAZETTEER_GRAPH:
        return "Gazetteer:"
    return f"Source {source_id(graph)}:"


def _json_term(node: Node) -> str:
    if isinstance(node, URIRef):
        return str(node)
    return str(node.n3())


def _prefix_graph() -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    graph.bind("sh", SH)
    graph.bind("cakgsh", SHAPES)
    return graph


def _path_text(report: Graph, path: Node | None, prefixes: Graph) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path.n3(prefixes.namespace_manager))
    inverse = report.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + str(inverse.n3(prefixes.namespace_manager))
    return str(path.n3())


class _DataGraph(Graph):
    """A graph that parses each distinct SPARQL text once.

    pySHACL sends the same query text for every focus node of a SPARQL constraint (with
    ``$this`` in ``initBindings``); rdflib would parse it each time, which dominates the cost.
    """

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query_object, str):
            query_object = _prepared_query(query_object)
        return super().query(query_object, *args, **kwargs)


@lru_cache(maxsize=64)
def _prepared_query(text: str) -> Any:
    return prepareQuery(text)


def validate_graph(
    graph: Graph,
    *,
    background: Sequence[Graph] = (),
    graph_name: URIRef | None = None,
    shapes: Graph | None = None,
) -> ValidationReport:
    """Validate one named graph, with ``background`` graphs (ontology, gazetteer) mixed in.

    Results about nodes only the background describes are dropped: they are the
    background's own, and would otherwise repeat once per source graph.

    Raises:
        ShapesError: a shape cannot be evaluated.
    """
    data = _DataGraph()
    for part in (graph, *background):
        for triple in part:
            data.add(triple)
    _, report_graph, _ = pyshacl.validate(
        data,
        shacl_graph=shapes if shapes is not None else shapes_graph(),
        inference="none",
        allow_warnings=True,
        allow_infos=True,
        inplace=True,
    )
    if not isinstance(report_graph, Graph):
        # pySHACL returns a ValidationFailure instead of a report when a shape is broken.
        raise ShapesError(str(getattr(report_graph, "message", report_graph)))
    prefixes = _prefix_graph()
    own_subjects = set(graph.subjects(unique=True))
    results: list[ValidationResult] = []
    for node in report_graph.objects(None, SH.result):
        focus = report_graph.value(node, SH.focusNode)
        if focus is None or not _is_own(focus, own_subjects, background):
            continue
        messages = [str(m) for m in report_graph.objects(node, SH.resultMessage)]
        path = report_graph.value(node, SH.resultPath)
        inverse = report_graph.value(path, SH.inversePath) if path is not None else None
        constraint = report_graph.value(node, SH.sourceConstraintComponent)
        severity = report_graph.value(node, SH.resultSeverity)
        results.append(
            ValidationResult(
                focus_node=focus,
                message=" ".join(sorted(messages)) or "(no message)",
                severity=severity if isinstance(severity, URIRef) else SH.Violation,
                source_shape=report_graph.value(node, SH.sourceShape) or BNode(),
                constraint=constraint if isinstance(constraint, URIRef) else None,
                path=inverse if isinstance(inverse, URIRef) else path,
                path_inverse=isinstance(inverse, URIRef),
                value=report_graph.value(node, SH.value),
                graph=graph_name,
                path_text=_path_text(report_graph, path, prefixes),
            )
        )
    results.sort(key=ValidationResult.sort_key)
    return ValidationReport(tuple(results), (graph_name,) if graph_name else (), prefixes)


def _is_own(focus: Node, own_subjects: set[Node], background: Sequence[Graph]) -> bool:
    """Return whether ``focus`` is described by the validated graph, not only the background."""
    if focus in own_subjects:
        return True
    return not any((focus, None, None) in part for part in background)


def source_graph_names(dataset: Dataset) -> list[URIRef]:
    """Return the names of the source graphs of ``dataset``, sorted.

    A source graph is one typed ``cakg:SourceGraph``; a dataset that types none is read
    by the IRI scheme (``.../id/graph/{source-id}``, except the gazetteer).
    """
    names = {c.identifier for c in dataset.graphs() if isinstance(c.identifier, URIRef)}
    declared = {s for c in dataset.graphs() for s in c.subjects(RDF.type, CAKG.SourceGraph)}
    typed = names & declared
    if typed:
        return sorted(typed)
    return sorted(n for n in names if str(n).startswith(_GRAPH_PREFIX) and n != GAZETTEER_GRAPH)


def _select(names: Sequence[URIRef], sources: Iterable[str] | None) -> list[URIRef]:
    if sources is None:
        return list(names)
    by_id = {source_id(n): n for n in names}
    chosen = []
    for wanted in sources:
        if wanted in by_id:
            chosen.append(by_id[wanted])
        elif URIRef(wanted) in names:
            chosen.append(URIRef(wanted))
        else:
            raise UnknownSourceError(wanted, sorted(by_id))
    return chosen


def validate_dataset(
    dataset: Dataset | str | os.PathLike[str],
    *,
    sources: Iterable[str] | None = None,
    shapes: Graph | None = None,
) -> ValidationReport:
    """Validate each source graph of ``dataset`` (a Dataset or a TriG / N-Quads file).

    ``sources`` limits validation to these source ids (or graph IRIs).

    Raises:
        UnknownSourceError: a requested source has no graph in the dataset.
    """
    if not isinstance(dataset, Dataset):
        path = Path(dataset)
        dataset = _parse_dataset(path, "nquads" if path.suffix in {".nq", ".nquads"} else "trig")
    ontology = dataset.graph(ONTOLOGY_IRI) if _has_graph(dataset, ONTOLOGY_IRI) else None
    gazetteer = dataset.graph(GAZETTEER_GRAPH) if _has_graph(dataset, GAZETTEER_GRAPH) else None
    reference = [GAZETTEER_GRAPH] if gazetteer is not None and len(gazetteer) else []
    names = _select([*reference, *source_graph_names(dataset)], sources)
    reports = [
        validate_graph(
            dataset.graph(name),
            background=_background(ontology, None if name in reference else gazetteer),
            graph_name=name,
            shapes=shapes,
        )
        for name in names
    ]
    return _combine(reports)


def build_source_graphs(build: Build, sources: Iterable[str] | None = None) -> list[URIRef]:
    """Return the graphs of ``build`` to validate: the gazetteer, then the source graphs.

    ``sources`` limits them to these source ids (``gazetteer`` for the gazetteer) or IRIs.

    Raises:
        UnknownSourceError: a requested source has no graph in the build.
    """
    rows = build.manifest.get("graphs", [])
    reference = sorted(URIRef(r["name"]) for r in rows if r.get("kind") == "reference")
    source = sorted(URIRef(r["name"]) for r in rows if r.get("kind") == "source")
    return _select([*reference, *source], sources)


def validate_build(
    build: Build,
    *,
    sources: Iterable[str] | None = None,
    shapes: Graph | None = None,
    progress: Callable[[URIRef], None] | None = None,
) -> ValidationReport:
    """Validate the gazetteer and source graphs of a build, reading only the dumps needed.

    Only the chosen graphs' dumps, the ontology and the gazetteer are read (the last two once
    per build and process), so validating one changed source costs the same whatever the
    size of the rest of the dataset.
    ``progress`` is called with each graph's name once it is validated.

    Raises:
        UnknownSourceError: a requested source has no graph in the build.
    """
    chosen = build_source_graphs(build, sources)
    ontology, gazetteer = _build_background(build)
    reports = []
    for name in chosen:
        if name == GAZETTEER_GRAPH and gazetteer is not None:
            graph, background = gazetteer, _background(ontology, None)
        else:
            graph, background = _read_dump(build, name), _background(ontology, gazetteer)
        reports.append(validate_graph(graph, background=background, graph_name=name, shapes=shapes))
        if progress is not None:
            progress(name)
    return _combine(reports)


@lru_cache(maxsize=4)
def _build_background(build: Build) -> tuple[Graph | None, Graph | None]:
    """Return the ontology and gazetteer graphs of ``build`` (cached: a build never changes)."""
    names = {URIRef(row["name"]) for row in build.manifest.get("graphs", [])}
    ontology = _read_dump(build, ONTOLOGY_IRI) if ONTOLOGY_IRI in names else None
    gazetteer = _read_dump(build, GAZETTEER_GRAPH) if GAZETTEER_GRAPH in names else None
    return ontology, gazetteer


def _combine(reports: Sequence[ValidationReport]) -> ValidationReport:
    results = sorted(
        (r for report in reports for r in report.results), key=ValidationResult.sort_key
    )
    graphs = tuple(g for report in reports for g in report.graphs)
    return ValidationReport(tuple(results), graphs, _prefix_graph())


def _has_graph(dataset: Dataset, name: URIRef) -> bool:
    return any(c.identifier == name for c in dataset.graphs())


def _background(ontology: Graph | None, gazetteer: Graph | None) -> list[Graph]:
    """Return the background graphs: the dataset's ontology (else the package's) and gazetteer."""
    graphs = [ontology if ontology is not None and len(ontology) else ontology_graph()]
    if gazetteer is not None:
        graphs.append(gazetteer)
    return graphs


def _read_dump(build: Build, name: URIRef) -> Graph:
    return _parse_dataset(build.graph_dump(str(name)), "nquads").graph(name)


def _parse_dataset(path: Path, fmt: str) -> Dataset:
    dataset = Dataset()
    with warnings.catch_warnings():
        # rdflib 7.6's own Dataset.parse and TriG parser use its deprecated
        # default_context and ConjunctiveGraph; nothing to change on our side.
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset.parse(path, format=fmt)
    return dataset
