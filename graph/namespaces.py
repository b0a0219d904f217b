"""Namespaces, prefixes and the IRI scheme of the dataset.

Every IRI the project mints is built here, from one configured base, so that the data's
IRIs stay the same whichever host serves them (the web app maps its own URLs onto
``DATA_BASE``).

>>> str(entity_iri("person", "wang-wentao"))
'https://w3id.org/cakg/id/person/wang-wentao'
>>> slugify("Tengku Zafrul Aziz")
'tengku-zafrul-aziz'
>>> str(CAKG.Tenure)
'https://w3id.org/cakg/ontology#Tenure'
"""

from __future__ import annotations

import re
import unicodedata

from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.namespace import DefinedNamespace

__all__ = [
    "BASE",
    "CAKG",
    "CUR",
    "DATA_BASE",
    "ELI",
    "FABIO",
    "FRBR",
    "NIF",
    "OA",
    "ONTOLOGY_IRI",
    "PREFIXES",
    "QB",
    "SCHEMA",
    "SDMX_ATTRIBUTE",
    "SDMX_CONCEPT",
    "SDMX_DIMENSION",
    "SDMX_MEASURE",
    "SEM",
    "SHAPES_IRI",
    "UNIT",
    "WD",
    "bind_prefixes",
    "entity_iri",
    "graph_iri",
    "slugify",
]

#: The root of every IRI this project mints. Permanent-identifier redirects point here.
BASE = "https://w3id.org/cakg/"
#: Entities: ``{DATA_BASE}{kind}/{slug}``.
DATA_BASE = BASE + "id/"
ONTOLOGY_IRI = URIRef(BASE + "ontology")
SHAPES_IRI = URIRef(BASE + "shapes")


class CAKG(DefinedNamespace):
    """The project's own vocabulary; ``tests/test_namespaces.py`` keeps it in sync with the OWL file."""

    _fail = True
    _NS = Namespace(BASE + "ontology#")

    # classes
    TradeAgreement: URIRef
    AgreementVersion: URIRef
    LegalInstrument: URIRef
    CoverageArea: URIRef
    AgreementStatus: URIRef
    Person: URIRef
    Organisation: URIRef
    IntergovernmentalOrganisation: URIRef
    GovernmentBody: URIRef
    OrganisationalUnit: URIRef
    PoliticalParty: URIRef
    NewsOrganisation: URIRef
    CooperationMechanism: URIRef
    Country: URIRef
    Place: URIRef
    City: URIRef
    Post: URIRef
    Role: URIRef
    Tenure: URIRef
    Period: URIRef
    DatePrecision: URIRef
    Event: URIRef
    EventType: URIRef
    EventStatus: URIRef
    Participation: URIRef
    ParticipantRole: URIRef
    QuotedStatement: URIRef
    ReportedStatement: URIRef
    Statistic: URIRef
    Indicator: URIRef
    SourceDocument: URIRef
    SourceGraph: URIRef
    TextSpan: URIRef
    Mention: URIRef
    Extractor: URIRef
    ExtractionActivity: URIRef
    # properties
    hasVersion: URIRef
    versionOf: URIRef
    versionLabel: URIRef
    instrumentOf: URIRef
    establishesVersion: URIRef
    amends: URIRef
    coversArea: URIRef
    hasParty: URIRef
    status: URIRef
    country: URIRef
    post: URIRef
    attestedOn: URIRef
    titleText: URIRef
    date: URIRef
    earliestDate: URIRef
    latestDate: URIRef
    datePrecision: URIRef
    dateText: URIRef
    eventStatus: URIRef
    about: URIRef
    participation: URIRef
    participant: URIRef
    onBehalfOf: URIRef
    implements: URIRef
    speaker: URIRef
    saidAt: URIRef
    quoteSpan: URIRef
    indicator: URIRef
    counterpartArea: URIRef
    yearOnYearChange: URIRef
    shareOfTotal: URIRef
    shareOf: URIRef
    reportedText: URIRef
    equivalentStatistic: URIRef
    accordingTo: URIRef
    evidence: URIRef
    sourceDocument: URIRef
    extracted: URIRef
    wikidata: URIRef
    alias: URIRef
    gazetteerSource: URIRef
    # concept schemes and concepts
    EventTypes: URIRef
    ParticipantRoles: URIRef
    EventStatuses: URIRef
    DatePrecisions: URIRef
    AgreementStatuses: URIRef
    Indicators: URIRef
    NegotiationLaunch: URIRef
    Conclusion: URIRef
    SubstantialConclusion: URIRef
    Signing: URIRef
    Ratification: URIRef
    EntryIntoForce: URIRef
    FullImplementation: URIRef
    Upgrade: URIRef
    Anniversary: URIRef
    Summit: URIRef
    PressConference: URIRef
    PlenarySession: URIRef
    Talks: URIRef
    Meeting: URIRef
    Signatory: URIRef
    Witness: URIRef
    Speaker: URIRef
    Organiser: URIRef
    Participant: URIRef
    Party: URIRef
    Occurred: URIRef
    Planned: URIRef
    DayPrecision: URIRef
    MonthPrecision: URIRef
    YearPrecision: URIRef
    UnderNegotiation: URIRef
    Concluded: URIRef
    Signed: URIRef
    InForce: URIRef
    FullyImplemented: URIRef
    TradeValue: URIRef
    OutwardInvestment: URIRef
    TradingPartnerRank: URIRef


ELI = Namespace("http://data.europa.eu/eli/ontology#")
FRBR = Namespace("http://purl.org/vocab/frbr/core#")
SCHEMA = Namespace("http://schema.org/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
OA = Namespace("http://www.w3.org/ns/oa#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
QB = Namespace("http://purl.org/linked-data/cube#")
SDMX_CONCEPT = Namespace("http://purl.org/linked-data/sdmx/2009/concept#")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
FABIO = Namespace("http://purl.org/spar/fabio/")
CUR = Namespace("http://qudt.org/vocab/currency/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
WD = Namespace("http://www.wikidata.org/entity/")

#: Prefixes bound on every graph the project writes, and set on the query page.
PREFIXES: dict[str, str] = {
    "cakg": str(CAKG._NS),
    "id": DATA_BASE,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": str(SCHEMA),
    "sem": str(SEM),
    "eli": str(ELI),
    "frbr": str(FRBR),
    "oa": str(OA),
    "nif": str(NIF),
    "qb": str(QB),
    "sdmx-dimension": str(SDMX_DIMENSION),
    "sdmx-measure": str(SDMX_MEASURE),
    "sdmx-attribute": str(SDMX_ATTRIBUTE),
    "unit": str(UNIT),
    "cur": str(CUR),
    "wd": str(WD),
}


def bind_prefixes(graph: Graph | Dataset) -> None:
    """Bind the project's prefixes on ``graph`` (replacing rdflib's defaults for them)."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, Namespace(namespace), override=True, replace=True)


_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Return the IRI path segment for a name: lower case ASCII words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_SLUG.sub("-", ascii_text.lower()).strip("-")
    return slug or "x"


def entity_iri(kind: str, *segments: str) -> URIRef:
    """Return the IRI of an entity of ``kind`` (``person``, ``org``, ``event`` ...)."""
    return URIRef(DATA_BASE + "/".join((kind, *segments)))


def graph_iri(source_id: str) -> URIRef:
    """Return the IRI of the named graph that holds what source ``source_id`` states."""
    return URIRef(DATA_BASE + "graph/" + source_id)
