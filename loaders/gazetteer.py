"""The gazetteer: known entities, their names, and finding them in text.

The gazetteer (``gazetteer.toml`` in this package) is the one curated input. It lists
entities and the names sources use for them; the loaders find those names in text
(case variants, dash and apostrophe variants included) and mint IRIs for entities they
discover that it does not know.

>>> gaz = load_gazetteer()
>>> [(m.entity.key, m.text) for m in gaz.find("Talks on the CAFTA 3.0 Upgrade Protocol in Kuala Lumpur")]
[('cafta-3-upgrade-protocol', 'CAFTA 3.0 Upgrade Protocol'), ('kuala-lumpur', 'Kuala Lumpur')]
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from cakg.errors import GazetteerError
from cakg.graph.model import types_for
from cakg.graph.namespaces import (
    CAKG,
    DATA_BASE,
    ELI,
    FRBR,
    SCHEMA,
    WD,
    bind_prefixes,
    entity_iri,
)
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

__all__ = [
    "KIND_CLASSES",
    "Entity",
    "Gazetteer",
    "Match",
    "fold",
    "load_gazetteer",
]

#: The IRI path segment of each kind of entity.
KIND_SEGMENTS = {
    "country": "country",
    "organisation": "org",
    "person": "person",
    "place": "place",
    "agreement": "agreement",
    "version": "agreement",
    "instrument": "instrument",
    "area": "area",
    "mechanism": "mechanism",
}

#: The ontology class of each kind (organisations refine it by ``type``).
KIND_CLASSES = {
    "country": CAKG.Country,
    "organisation": CAKG.Organisation,
    "person": CAKG.Person,
    "place": CAKG.City,
    "agreement": CAKG.TradeAgreement,
    "version": CAKG.AgreementVersion,
    "instrument": CAKG.LegalInstrument,
    "area": CAKG.CoverageArea,
    "mechanism": CAKG.CooperationMechanism,
}

ORGANISATION_CLASSES = {
    "intergovernmental": CAKG.IntergovernmentalOrganisation,
    "government": CAKG.GovernmentBody,
    "unit": CAKG.OrganisationalUnit,
    "party": CAKG.PoliticalParty,
    "news": CAKG.NewsOrganisation,
    "organisation": CAKG.Organisation,
}

COVERAGE_SCHEME = entity_iri("area", "scheme")
GAZETTEER_GRAPH = URIRef(DATA_BASE + "graph/gazetteer")

_ALLOWED_KEYS = {
    "kind",
    "label",
    "label_zh",
    "aliases",
    "wikidata",
    "type",
    "country",
    "parent",
    "demonyms",
    "parties",
    "members",
    "agreement",
    "version_label",
    "previous",
    "establishes",
    "amends",
    "source",
}
_REFERENCE_KEYS = ("country", "parent", "agreement", "previous", "establishes", "amends")
_QID = re.compile(r"Q[1-9][0-9]*")
_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# One-to-one character folds, so that offsets in the folded text are offsets in the text.
_FOLD = str.maketrans(
    {"–": "-", "—": "-", "‑": "-", "‐": "-", "’": "'", "‘": "'", "“": '"', "”": '"'}
)


def fold(text: str) -> str:
    """Return ``text`` with dash and quote variants made plain, keeping every offset."""
    return text.translate(_FOLD)


@dataclass(frozen=True)
class Entity:
    """A known entity of the gazetteer."""

    key: str
    kind: str
    label: str
    iri: URIRef
    aliases: tuple[str, ...] = ()
    label_zh: str | None = None
    wikidata: str | None = None
    org_type: str = "organisation"
    country: str | None = None
    parent: str | None = None
    demonyms: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    agreement: str | None = None
    version_label: str | None = None
    previous: str | None = None
    establishes: str | None = None
    amends: str | None = None
    source: str = ""

    @property
    def cls(self) -> URIRef:
        """Return the entity's ontology class."""
        if self.kind == "organisation":
            return ORGANISATION_CLASSES[self.org_type]
        return KIND_CLASSES[self.kind]

    @property
    def names(self) -> tuple[str, ...]:
        """Return every name the entity goes by: label and aliases."""
        return (self.label, *self.aliases)


@dataclass(frozen=True)
class Match:
    """A name of a known entity found in text, at ``[start, end)``."""

    entity: Entity
    start: int
    end: int
    text: str


@dataclass
class Gazetteer:
    """The known entities, and a matcher for their names."""

    entities: dict[str, Entity]
    sources: dict[str, str]
    head_posts: dict[str, dict[str, str]] = field(default_factory=dict)
    path: str = "gazetteer.toml"

    def __post_init__(self) -> None:
        self._by_iri = {e.iri: e for e in self.entities.values()}
        self._compile()

    def _compile(self) -> None:
        insensitive: dict[str, Entity] = {}
        sensitive: dict[str, Entity] = {}
        for entity in self.entities.values():
            for name in entity.names:
                folded = fold(name)
                short_acronym = folded.isupper() and len(folded.replace(".", "")) <= 3
                if short_acronym:
                    sensitive.setdefault(folded, entity)
                else:
                    insensitive.setdefault(folded.lower(), entity)
        self._insensitive = insensitive
        self._sensitive = sensitive
        self._insensitive_re = _alternation(insensitive, re.IGNORECASE)
        self._sensitive_re = _alternation(sensitive, 0)

    def get(self, key: str) -> Entity:
        """Return the entity with ``key``.

        Raises:
            KeyError: there is none.
        """
        return self.entities[key]

    def by_iri(self, iri: URIRef) -> Entity | None:
        """Return the entity with ``iri``, if the gazetteer knows it."""
        return self._by_iri.get(iri)

    def lookup(self, name: str) -> Entity | None:
        """Return the entity whose label or alias is exactly ``name`` (case-insensitive)."""
        folded = fold(name.strip())
        return self._sensitive.get(folded) or self._insensitive.get(folded.lower())

    def find(self, text: str, *, offset: int = 0) -> list[Match]:
        """Return the known names in ``text``, longest first where they overlap, in order."""
        folded = fold(text)
        found: list[Match] = []
        for regex, table, lower in (
            (self._insensitive_re, self._insensitive, True),
            (self._sensitive_re, self._sensitive, False),
        ):
            if regex is None:
                continue
            for m in regex.finditer(folded):
                name = _squash(m.group(0))
                entity = table[name.lower() if lower else name]
                found.append(Match(entity, m.start() + offset, m.end() + offset, m.group(0)))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        result: list[Match] = []
        for match in found:
            if result and match.start < result[-1].end:
                continue
            result.append(match)
        return [
            Match(m.entity, m.start, m.end, text[m.start - offset : m.end - offset]) for m in result
        ]

    def country_by_demonym(self, word: str) -> Entity | None:
        """Return the country whose demonym (``Chinese``) or name is ``word``."""
        folded = fold(word).strip().lower()
        for entity in self.entities.values():
            if entity.kind != "country":
                continue
            names = [d.lower() for d in entity.demonyms] + [n.lower() for n in entity.names]
            if folded in names or folded.removesuffix("'s") in names:
                return entity
        return None

    def of_kind(self, *kinds: str) -> Iterator[Entity]:
        """Yield the entities of the given kinds, in key order."""
        for key in sorted(self.entities):
            if self.entities[key].kind in kinds:
                yield self.entities[key]

    def to_graph(self) -> Graph:
        """Return the reference data as RDF (the gazetteer's named graph)."""
        g = Graph()
        bind_prefixes(g)
        g.add((COVERAGE_SCHEME, RDF.type, SKOS.ConceptScheme))
        g.add(
            (
                COVERAGE_SCHEME,
                RDFS.label,
                Literal("Coverage areas of China–ASEAN agreements", lang="en"),
            )
        )
        g.add(
            (
                COVERAGE_SCHEME,
                SKOS.prefLabel,
                Literal("Coverage areas of China–ASEAN agreements", lang="en"),
            )
        )
        for entity in self.entities.values():
            _entity_triples(g, entity, self)
        return g


def _squash(name: str) -> str:
    return re.sub(r"\s+", " ", name)


def _alternation(table: Mapping[str, Entity], flags: int) -> re.Pattern[str] | None:
    if not table:
        return None
    names = sorted(table, key=len, reverse=True)
    body = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)
    # A country's name before "dollar" is a currency ("US dollars"), not a mention.
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)(?!\s+dollars?\b)", flags)


def _entity_triples(g: Graph, entity: Entity, gaz: Gazetteer) -> None:
    s = entity.iri
    for cls in types_for(entity.cls):
        g.add((s, RDF.type, cls))
    g.add((s, RDFS.label, Literal(entity.label, lang="en")))
    g.add((s, SKOS.prefLabel, Literal(entity.label, lang="en")))
    if entity.label_zh:
        g.add((s, RDFS.label, Literal(entity.label_zh, lang="zh")))
        g.add((s, SKOS.prefLabel, Literal(entity.label_zh, lang="zh")))
    for alias in entity.aliases:
        g.add((s, CAKG.alias, Literal(alias, lang="en")))
    if entity.wikidata:
        g.add((s, CAKG.wikidata, WD[entity.wikidata]))
        g.add((s, SCHEMA.sameAs, WD[entity.wikidata]))
    g.add((s, CAKG.gazetteerSource, Literal(gaz.sources[entity.source])))
    ref = gaz.get
    if entity.country:
        g.add((s, CAKG.country, ref(entity.country).iri))
    if entity.parent:
        parent = ref(entity.parent).iri
        g.add((s, URIRef("http://www.w3.org/ns/org#subOrganizationOf"), parent))
    for member in entity.members:
        g.add((s, SCHEMA.member, ref(member).iri))
    for party in entity.parties:
        g.add((s, CAKG.hasParty, ref(party).iri))
    if entity.kind == "version" and entity.agreement:
        agreement = ref(entity.agreement).iri
        g.add((s, CAKG.versionOf, agreement))
        g.add((agreement, CAKG.hasVersion, s))
        g.add((s, ELI.is_member_of, agreement))
        if entity.version_label:
            g.add((s, CAKG.versionLabel, Literal(entity.version_label)))
        if entity.previous:
            g.add((s, FRBR.successorOf, ref(entity.previous).iri))
            g.add((ref(entity.previous).iri, FRBR.successor, s))
    if entity.kind == "instrument":
        if entity.agreement:
            g.add((s, CAKG.instrumentOf, ref(entity.agreement).iri))
            g.add((s, ELI.is_member_of, ref(entity.agreement).iri))
        if entity.establishes:
            g.add((s, CAKG.establishesVersion, ref(entity.establishes).iri))
        if entity.amends:
            g.add((s, CAKG.amends, ref(entity.amends).iri))
            g.add((s, ELI.amends, ref(entity.amends).iri))
    if entity.kind == "area":
        g.add((s, SKOS.inScheme, COVERAGE_SCHEME))
        g.add((s, SKOS.topConceptOf, COVERAGE_SCHEME))
    if entity.kind == "place" and entity.country:
        g.add((s, SCHEMA.containedInPlace, ref(entity.country).iri))
    g.add((s, DCTERMS.source, Literal(gaz.sources[entity.source])))


def _as_str_list(value: Any, where: str, path: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise GazetteerError(path, f"{where}: must be a list of non-empty strings")
    return tuple(value)


def _parse_entity(key: str, raw: Any, path: str, sources: Mapping[str, str]) -> Entity:
    where = f"entity {key!r}"
    if not isinstance(raw, dict):
        raise GazetteerError(path, f"{where}: must be a table of keys")
    if not _KEY.fullmatch(key):
        raise GazetteerError(path, f"{where}: keys are lower-case words joined by hyphens")
    unknown = sorted(set(raw) - _ALLOWED_KEYS)
    if unknown:
        raise GazetteerError(
            path, f"{where}: unknown key(s) {unknown}; allowed: {sorted(_ALLOWED_KEYS)}"
        )
    kind = raw.get("kind")
    if kind not in KIND_SEGMENTS:
        raise GazetteerError(
            path, f"{where}: 'kind' must be one of {sorted(KIND_SEGMENTS)}, not {kind!r}"
        )
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        raise GazetteerError(path, f"{where}: 'label' (the English name) is missing or empty")
    source = raw.get("source")
    if source not in sources:
        raise GazetteerError(
            path,
            f"{where}: 'source' must name an entry of [sources] ({sorted(sources)}), not {source!r}",
        )
    qid = raw.get("wikidata")
    if qid is not None and (not isinstance(qid, str) or not _QID.fullmatch(qid)):
        raise GazetteerError(
            path, f"{where}: 'wikidata' must be a Q-identifier like 'Q148', not {qid!r}"
        )
    org_type = raw.get("type", "organisation")
    if org_type not in ORGANISATION_CLASSES:
        raise GazetteerError(path, f"{where}: 'type' must be one of {sorted(ORGANISATION_CLASSES)}")
    for list_key in ("aliases", "demonyms", "parties", "members"):
        if list_key in raw:
            _as_str_list(raw[list_key], f"{where}: '{list_key}'", path)
    return Entity(
        key=key,
        kind=kind,
        label=label,
        iri=entity_iri(KIND_SEGMENTS[kind], _iri_slug(key, kind)),
        aliases=tuple(raw.get("aliases", ())),
        label_zh=raw.get("label_zh"),
        wikidata=qid,
        org_type=org_type,
        country=raw.get("country"),
        parent=raw.get("parent"),
        demonyms=tuple(raw.get("demonyms", ())),
        parties=tuple(raw.get("parties", ())),
        members=tuple(raw.get("members", ())),
        agreement=raw.get("agreement"),
        version_label=raw.get("version_label"),
        previous=raw.get("previous"),
        establishes=raw.get("establishes"),
        amends=raw.get("amends"),
        source=str(source),
    )


def _iri_slug(key: str, kind: str) -> str:
    # Versions live under their agreement: agreement/cafta/v3.
    if kind == "version" and "-v" in key:
        agreement, _, number = key.rpartition("-v")
        return f"{agreement}/v{number}"
    return key


def parse_gazetteer(text: str, *, path: str = "gazetteer.toml") -> Gazetteer:
    """Parse and check gazetteer TOML.

    Raises:
        GazetteerError: the TOML does not parse, or an entry is malformed or refers to an
            unknown entry; the message names the file, the entry and the fix.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"at line (\d+)", str(exc))
        raise GazetteerError(
            path, f"not valid TOML: {exc}", line=int(at.group(1)) if at else None
        ) from exc
    sources = data.get("sources")
    if not isinstance(sources, dict) or not sources:
        raise GazetteerError(
            path, "a [sources] table naming where the entries come from is required"
        )
    raw_entities = data.get("entity")
    if not isinstance(raw_entities, dict) or not raw_entities:
        raise GazetteerError(path, "no [entity.<key>] tables found")
    entities = {key: _parse_entity(key, raw, path, sources) for key, raw in raw_entities.items()}
    for entity in entities.values():
        for attr in _REFERENCE_KEYS:
            target = getattr(entity, attr)
            if target is not None and target not in entities:
                raise GazetteerError(
                    path, f"entity {entity.key!r}: '{attr}' refers to unknown entity {target!r}"
                )
        for target in (*entity.parties, *entity.members):
            if target not in entities:
                raise GazetteerError(
                    path, f"entity {entity.key!r}: refers to unknown entity {target!r}"
                )
    head_posts = data.get("head_posts", {})
    if not isinstance(head_posts, dict):
        raise GazetteerError(path, "[head_posts] must be a table of countries")
    for country, posts in head_posts.items():
        if country not in entities or not isinstance(posts, dict):
            raise GazetteerError(path, f"[head_posts.{country}]: unknown country or not a table")
        for title, org in posts.items():
            if org not in entities:
                raise GazetteerError(
                    path, f"[head_posts.{country}] {title!r}: unknown entity {org!r}"
                )
    return Gazetteer(entities=entities, sources=dict(sources), head_posts=head_posts, path=path)


def load_gazetteer(path: str | os.PathLike[str] | None = None) -> Gazetteer:
    """Load the gazetteer: the packaged one, or the TOML file at ``path``.

    Raises:
        GazetteerError: the file is missing or malformed.
    """
    if path is None:
        text = files("cakg.loaders").joinpath("gazetteer.toml").read_text("utf-8")
        return parse_gazetteer(text, path="gazetteer.toml")
    p = Path(path)
    try:
        text = p.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GazetteerError(str(p), f"cannot read the gazetteer: {exc}") from exc
    return parse_gazetteer(text, path=str(p))


def iter_names(entities: Iterable[Entity]) -> Iterator[tuple[str, Entity]]:
    """Yield ``(name, entity)`` for every name of ``entities``."""
    for entity in entities:
        for name in entity.names:
            yield name, entity
