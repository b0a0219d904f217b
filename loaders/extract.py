"""Rule-based extraction of facts from the text of a news article or press release.

``extract(document, gazetteer)`` reads the text sentence by sentence and records, each with
the sentence it comes from:

- mentions of known entities (the gazetteer's names, case and dash variants included);
- officials, their posts and organisations ("Minister of Commerce Wang Wentao", "X, deputy
  head of the Department of Y under the Ministry of Z, said"), minting people and
  organisations the gazetteer does not know;
- events with type, date (at the precision given), place, status (occurred or planned) and
  participants in roles: milestones of agreement versions and instruments (launch,
  conclusion, signing, ratification, entry into force, full implementation, upgrade),
  signings with signatories and witnesses, press conferences with organisers and speakers,
  summits, plenary sessions, talks, anniversaries;
- the coverage areas an agreement version covers;
- quoted statements (exact words, speaker, event) and reported statements;
- statistics: amounts with scale words and currencies, year-on-year changes, shares of a
  total, periods, and trading-partner ranks;
- the article's reporter, editor and proofreader.

Relative dates are resolved against the publication date (``cakg.loaders.dates``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cakg.graph.namespaces import (
    CAKG,
    CUR,
    SCHEMA,
    SDMX_ATTRIBUTE,
    SDMX_DIMENSION,
    SDMX_MEASURE,
    SEM,
    UNIT,
    entity_iri,
    slugify,
)
from cakg.loaders.dates import (
    DateMatch,
    DateValue,
    PeriodMatch,
    PeriodValue,
    find_dates,
    find_periods,
)
from cakg.loaders.facts import FactSink, Span
from cakg.loaders.gazetteer import Entity, Gazetteer, Match, fold
from cakg.loaders.officials import HONORIFIC, NAME, OfficialMention, find_officials
from cakg.loaders.sources import Document
from cakg.loaders.text import Sentence, split_sentences
from rdflib import Literal, URIRef
from rdflib.namespace import ORG, RDFS, SKOS, TIME, XSD

__all__ = ["extract"]

AGENT_KINDS = ("country", "organisation")
AGREEMENT_KINDS = ("agreement", "version", "instrument")

# ---------------------------------------------------------------- event triggers
_PLANNED = re.compile(
    r"\b(?:will|would|shall|working\s+toward|working\s+towards|work\s+toward|plan(?:s|ned)?\s+to|"
    r"expected\s+to|is\s+expected|aim(?:s|ing)?\s+to|set\s+to|scheduled|to\s+facilitate|"
    r"proceed\s+with|prepar(?:e|ing)\s+to|intend(?:s)?\s+to|due\s+to|upcoming|forthcoming|expects?|hopes?|hoped|"
    r"targets?|seeks?|willing\s+to|promote|early\s+(?:entry|ratification|signing)|at\s+an\s+early\s+date|as\s+soon\s+as|the\s+sooner)\b",
    re.I,
)


@dataclass(frozen=True)
class Trigger:
    """An event trigger word in a sentence and the kind of event it signals."""

    kind: URIRef
    start: int
    end: int
    text: str


_TRIGGERS: list[tuple[URIRef, re.Pattern[str]]] = [
    (CAKG.SubstantialConclusion, re.compile(r"\b(?:concluded\s+substantially|substantially\s+concluded|substantial\s+conclusion)\b", re.I)),
    (CAKG.Conclusion, re.compile(r"\b(?:concluded|conclusion\s+of\s+(?:the\s+)?negotiations|wrapped\s+up|finali[sz]ed\s+negotiations)\b", re.I)),
    (CAKG.NegotiationLaunch, re.compile(r"\b(?:launched|launch(?:es|ing)?\s+of|kicked\s+off|started\s+negotiations|began\s+negotiations)\b", re.I)),
    (CAKG.FullImplementation, re.compile(r"\b(?:fully\s+implemented|full\s+implementation|fully\s+in\s+place)\b", re.I)),
    (CAKG.EntryIntoForce, re.compile(r"\b(?:entry\s+into\s+force|entered\s+into\s+force|enters\s+into\s+force|enter\s+into\s+force|came\s+into\s+force|come\s+into\s+force|into\s+force|took\s+effect|takes?\s+effect)\b", re.I)),
    (CAKG.Ratification, re.compile(r"\b(?:ratification|ratified|ratify|ratifying|ratifies)\b", re.I)),
    (CAKG.Upgrade, re.compile(r"\bupgraded\s+to\b", re.I)),
    (CAKG.Signing, re.compile(r"\b(?:signed|signing|sign|inked)\b", re.I)),
]  # fmt: skip

_FAMILY = {
    CAKG.SubstantialConclusion: "conclusion",
    CAKG.Conclusion: "conclusion",
    CAKG.NegotiationLaunch: "negotiation-launch",
    CAKG.FullImplementation: "full-implementation",
    CAKG.EntryIntoForce: "entry-into-force",
    CAKG.Ratification: "ratification",
    CAKG.Upgrade: "upgrade",
    CAKG.Signing: "signing",
}
_TYPE_LABEL = {
    CAKG.SubstantialConclusion: "Substantial conclusion of negotiations on",
    CAKG.Conclusion: "Conclusion of negotiations on",
    CAKG.NegotiationLaunch: "Launch of",
    CAKG.FullImplementation: "Full implementation of",
    CAKG.EntryIntoForce: "Entry into force of",
    CAKG.Ratification: "Ratification of",
    CAKG.Upgrade: "Upgrade to",
    CAKG.Signing: "Signing of",
}

_CONFERENCE = re.compile(r"\b(?P<kind>press|news)\s+(?:conference|briefing)\b", re.I)
_SUMMIT = re.compile(
    r"\bthe\s+(?P<name>(?:[A-Z0-9][\w'’-]*\s+)*Summit(?:(?:\s+(?:to|on|of|for|the|and))*(?:\s+[A-Z0-9][\w'’-]*)+)*)"
)
_PLENARY = re.compile(
    r"\bthe\s+(?P<name>(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)\s+plenary\s+session\s+of\s+the\s+[^,.;]+?)(?=\s+on\s|\s+in\s|[,.;]|$)",
    re.I,
)
_TALKS = re.compile(
    r"\b(?P<name>(?:(?:recent|latest|new|fresh)\s+)?(?:(?:trade|economic|economic\s+and\s+trade|high-level)\s+)?(?:talks|consultations))\s+between\s+",
    re.I,
)
_ANNIVERSARY = re.compile(
    r"\b(?P<ordinal>\d+(?:st|nd|rd|th))\s+anniversary\s+of\s+(?:the\s+)?", re.I
)
_IMPLEMENTS = re.compile(r"\bimplement(?:s|ing|ed)?\b", re.I)
_WITNESSED = re.compile(r"\bwitnessed\s+by\b", re.I)
_ON_BEHALF = re.compile(
    r"\bon\s+behalf\s+of\s+(?P<parties>.+?)(?:,?\s+respectively)?(?=,|\.|\s+in\s+|\s+at\s+|$)", re.I
)
_HELD = re.compile(r"\b(?:held|hosted|organi[sz]ed|convened)\b", re.I)

# ---------------------------------------------------------------- speech
_SPEECH_VERB = r"(?:said|says|added|noted|stressed|told\s+[\w\s]+?|stated|remarked|pointed\s+out|explained|emphasi[sz]ed|announced|underlined)"
_QUOTE = re.compile(r"[\"“](?P<q>[^\"“”]+?)[\"”]")
_PRONOUN = r"(?:he|she|He|She)"

# ---------------------------------------------------------------- statistics
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
}  # fmt: skip
_NUM = r"(?:\d+(?:,\d{3})*(?:\.\d+)?|" + "|".join(_NUMBER_WORDS) + r")"
_SCALE = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12}
_CURRENCY_WORDS = [
    (r"US\s+dollars|U\.S\.\s+dollars|us\s+dollars|USD|dollars", CUR.USD, "USD"),
    (r"yuan|renminbi|RMB|CNY", CUR.CNY, "CNY"),
    (r"ringgit|MYR", CUR.MYR, "MYR"),
    (r"baht|THB", CUR.THB, "THB"),
    (r"dong|VND", CUR.VND, "VND"),
    (r"rupiah|IDR", CUR.IDR, "IDR"),
    (r"Singapore\s+dollars|SGD", CUR.SGD, "SGD"),
]
_AMOUNT = re.compile(
    r"(?P<prefix>US\$|\$|USD\s?|RMB\s?|¥)?(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<scale>trillion|billion|million|thousand)?"
    r"(?:\s+(?P<cur>Singapore\s+dollars|US\s+dollars|U\.S\.\s+dollars|us\s+dollars|USD|dollars|yuan|renminbi|RMB|CNY|ringgit|MYR|baht|THB|dong|VND|rupiah|IDR|SGD))?",
)
_PERCENT = rf"(?P<pct>{_NUM})\s*(?:percent|per\s+cent|%)"
_CHANGE = re.compile(
    rf"\b(?P<dir>up|down|increased(?:\s+by)?|increase\s+of|rose(?:\s+by)?|grew(?:\s+by)?|growth\s+of|jumped(?:\s+by)?|surged(?:\s+by)?|climbed(?:\s+by)?|"
    rf"fell(?:\s+by)?|declined(?:\s+by)?|decreased(?:\s+by)?|dropped(?:\s+by)?|down\s+by|decline\s+of|drop\s+of)\s+{_PERCENT}",
    re.I,
)
_SHARE = re.compile(
    rf"\b(?:accounting\s+for|accounted\s+for|making\s+up|made\s+up|representing|or)\s+{_PERCENT}\s+of\s+(?:the\s+)?(?P<total>[^,;]+?)(?=,|;|\.\s|\.$|$)",
    re.I,
)
_RANK = re.compile(
    r"(?P<subject>.{0,60}?)\b(?:is|was|has\s+been|had\s+been|remained|remains|became|has\s+become|has\s+historically\s+become|"
    r"has\s+remained|stayed)\s+(?P<holder>[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)?)['’]s\s+(?P<rank>largest|biggest|second-largest|"
    r"second\s+largest|third-largest|third\s+largest)\s+trading\s+partner",
    re.I,
)
_EACH_OTHER = re.compile(
    r"each\s+other['’]s\s+(?P<rank>largest|biggest|second-largest)\s+trading\s+partner", re.I
)
_RANK_VALUE = {
    "largest": 1,
    "biggest": 1,
    "second-largest": 2,
    "second largest": 2,
    "third-largest": 3,
    "third largest": 3,
}
_TRADE_WORDS = re.compile(
    r"\b(?:trade|exports?\s+and\s+imports?|imports?\s+and\s+exports?)\b", re.I
)
_INVEST_WORDS = re.compile(r"\binvest(?:ment|ments|ed)\b", re.I)
_COVER = re.compile(
    r"\b(?:cover(?:s|ed|ing)?|includ(?:es|ed|ing)\s+(?:new\s+)?chapters\s+on|chapters?\s+on|spans?)\b",
    re.I,
)
_ACCORDING = re.compile(r"\baccording\s+to\s+", re.I)
_BYLINE = [
    ("reporter", re.compile(rf"\b[Rr]eporters?\s+(?P<name>{NAME})")),
    ("editor", re.compile(rf"\b(?:Editor|editor|Edited\s+by|edited\s+by)\s+(?P<name>{NAME})")),
    (
        "proofreader",
        re.compile(rf"\b(?:[Pp]roofread(?:er|ing)?|[Pp]roofread\s+by)\s+(?P<name>{NAME})"),
    ),
]
_BYLINE_PREDICATES = {
    "reporter": SCHEMA.author,
    "editor": SCHEMA.editor,
    "proofreader": SCHEMA.contributor,
}


# ================================================================ the per-document state


@dataclass
class _Person:
    iri: URIRef
    label: str


@dataclass
class _Extraction:
    doc: Document
    gaz: Gazetteer
    sink: FactSink
    sentences: list[Sentence] = field(default_factory=list)
    persons: dict[str, _Person] = field(default_factory=dict)  # folded lower-case name -> person
    created: set[URIRef] = field(default_factory=set)
    last_speaker: _Person | None = None
    last_agreement: dict[str, Entity] = field(default_factory=dict)  # kind -> last mentioned
    last_signing: URIRef | None = None
    conference: URIRef | None = None
    conference_date: DateValue | None = None
    statements: list[tuple[URIRef, Span]] = field(default_factory=list)
    last_period: PeriodValue | None = None
    last_ministry: URIRef | None = None
    ratifications: dict[str, tuple[URIRef, str]] = field(default_factory=dict)
    spokesperson_org: URIRef | None = None
    statistic_count: int = 0
    statement_count: int = 0
    said_dates: list[tuple[DateMatch, Span]] = field(default_factory=list)

    @property
    def published(self) -> date:
        return self.doc.metadata.published

    dateline_place: Entity | None = None
    dateline_date: DateMatch | None = None

    @property
    def home_country(self) -> Entity | None:
        """Return the publisher's country, else the dateline's: the default for titles that name none."""
        publisher = self.gaz.lookup(self.doc.metadata.publisher)
        if publisher is None:
            for m in self.gaz.find(self.doc.metadata.publisher):
                publisher = m.entity
                break
        if publisher is not None and publisher.kind == "country":
            return publisher
        if publisher is not None and publisher.country:
            return self.gaz.get(publisher.country)
        if self.dateline_place is not None and self.dateline_place.country:
            return self.gaz.get(self.dateline_place.country)
        return None


def extract(document: Document, gazetteer: Gazetteer) -> FactSink:
    """Extract the facts a document states; return them with their evidence."""
    state = _Extraction(document, gazetteer, FactSink(document))
    state.sentences = split_sentences(document.text)
    _dateline(state)
    _publisher(state)
    for sentence in state.sentences:
        _sentence(state, sentence)
    _attach_statements_to_conference(state)
    return state.sink


_DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Za-z]+(?:\s+[A-Z][A-Za-z]+)?)(?:,\s+(?P<date>[A-Z][a-z]+\.?\s+\d{1,2}))?\s*(?:\((?P<agency>[A-Za-z ]+)\))?\s*[-–—]"
)


def _dateline(state: _Extraction) -> None:
    """Read the dateline ("MANILA, Sept 24 (Bernama) --"): where and when the report was filed."""
    for sentence in state.sentences[:3]:
        m = _DATELINE.match(sentence.text)
        if m is None:
            continue
        place = state.gaz.lookup(m.group("place"))
        if place is None or place.kind != "place":
            continue
        state.dateline_place = place
        if m.group("date"):
            dates = find_dates(
                m.group("date"), state.published, offset=sentence.start + m.start("date")
            )
            state.dateline_date = dates[0] if dates else None
        return


def _publisher(state: _Extraction) -> None:
    """Name the publisher the metadata gives: a known organisation, or a news organisation of its own."""
    name = state.doc.metadata.publisher
    known = state.gaz.lookup(name) or next(
        (m.entity for m in state.gaz.find(name) if m.entity.kind == "organisation"), None
    )
    if known is not None and known.kind == "organisation":
        state.sink.publisher = known.iri
        return
    state.sink.publisher = entity_iri(
        "org", "publisher", slugify(re.sub(r"\s*\(.*?\)\s*", " ", name))
    )
    state.sink.publisher_label = name


def _sentence(state: _Extraction, sentence: Sentence) -> None:
    evidence = Span(sentence.start, sentence.end)
    matches = _merge_version_instruments(
        state, state.gaz.find(sentence.text, offset=sentence.start), sentence
    )
    for m in matches:
        state.sink.mention(m.entity.iri, m.start, m.end, evidence)
    _spokesperson_mentions(state, sentence, matches)
    officials = [_official(state, o, sentence, evidence) for o in find_officials(sentence.text)]
    _persons_by_name(state, sentence, evidence)
    _byline(state, sentence, evidence)
    dates = find_dates(sentence.text, state.published, offset=sentence.start)
    _conference(state, sentence, evidence, matches, dates, officials)
    _milestones(state, sentence, evidence, matches, dates, officials)
    _named_events(state, sentence, evidence, matches)
    _meetings(state, sentence, evidence, matches, dates, officials)
    _mechanisms(state, sentence, evidence, matches)
    _coverage(state, sentence, evidence, matches)
    _speech(state, sentence, evidence, matches, dates)
    _statistics(state, sentence, evidence, matches)
    for m in matches:
        if m.entity.kind in AGREEMENT_KINDS:
            state.last_agreement[m.entity.kind] = m.entity


def _merge_version_instruments(
    state: _Extraction, matches: list[Match], sentence: Sentence
) -> list[Match]:
    """Read "ACFTA 3.0 Upgrading Protocol" as the instrument of version 3.0, not an older protocol."""
    merged: list[Match] = []
    for m in matches:
        # "the ASEAN-China Free Trade Area (ACFTA) 3.0 Upgrade Protocol": one name, the instrument's.
        while (
            merged
            and merged[-1].entity.kind == "agreement"
            and m.entity.kind in ("version", "instrument")
        ):
            gap = sentence.text[merged[-1].end - sentence.start : m.start - sentence.start]
            if not re.fullmatch(r"[\s()]*", gap):
                break
            m = Match(
                m.entity,
                merged[-1].start,
                m.end,
                sentence.text[merged[-1].start - sentence.start : m.end - sentence.start],
            )
            merged.pop()
        previous = merged[-1] if merged else None
        gap = (
            sentence.text[previous.end - sentence.start : m.start - sentence.start]
            if previous
            else ""
        )
        if (
            previous is not None
            and previous.entity.kind == "version"
            and m.entity.kind == "instrument"
            and len(gap) <= 2
            and gap.strip() == ""
        ):
            instrument = next(
                (
                    e
                    for e in state.gaz.of_kind("instrument")
                    if e.establishes == previous.entity.key
                ),
                None,
            )
            if instrument is not None:
                merged[-1] = Match(
                    instrument,
                    previous.start,
                    m.end,
                    sentence.text[previous.start - sentence.start : m.end - sentence.start],
                )
                continue
        merged.append(m)
    return merged


# ================================================================ people and posts


def _person(state: _Extraction, name: str, evidence: Span) -> _Person:
    """Return the person called ``name``: known, seen earlier in this text, or new."""
    key = fold(name).lower()
    if key in state.persons:
        return state.persons[key]
    known = state.gaz.lookup(name)
    if known is not None and known.kind == "person":
        person = _Person(known.iri, known.label)
    else:
        iri = entity_iri("person", slugify(name))
        person = _Person(iri, name)
        if iri not in state.created:
            state.created.add(iri)
            state.sink.typed(iri, CAKG.Person, evidence)
            state.sink.labelled(iri, name, evidence)
            state.sink.add(iri, CAKG.extracted, Literal(True), evidence)
    state.persons[key] = person
    if known is not None:
        for alias in known.names:
            state.persons.setdefault(fold(alias).lower(), person)
    return person


def _org_entity(
    state: _Extraction,
    name: str,
    *,
    kind: str,
    country: Entity | None,
    parent: URIRef | None,
    evidence: Span,
) -> URIRef:
    """Return the organisation called ``name``: known to the gazetteer, or minted from the text."""
    known = state.gaz.lookup(name) or state.gaz.lookup(re.sub(r"^the\s+", "", name, flags=re.I))
    if known is not None and (
        country is None or known.country in (None, country.key) or known.kind == "country"
    ):
        return known.iri
    clean = re.sub(r"^the\s+", "", name.strip(), flags=re.I)
    scope = country.key if country is not None else "intl"
    if parent is not None:
        iri = URIRef(f"{parent}/{slugify(clean)}")
    elif country is not None and clean.lower() == f"government of {country.label}".lower():
        iri = entity_iri("org", scope, "government")
    else:
        iri = entity_iri("org", scope, slugify(clean))
    if iri not in state.created:
        state.created.add(iri)
        cls = CAKG.OrganisationalUnit if kind == "unit" else CAKG.GovernmentBody
        state.sink.typed(iri, cls, evidence)
        label = (
            clean
            if country is None or parent is not None or country.label in clean
            else f"{clean} ({country.label})"
        )
        state.sink.labelled(iri, label, evidence)
        state.sink.add(iri, CAKG.extracted, Literal(True), evidence)
        if country is not None:
            state.sink.add(iri, CAKG.country, country.iri, evidence)
        if parent is not None:
            state.sink.add(iri, ORG.unitOf, parent, evidence)
            state.sink.add(iri, ORG.subOrganizationOf, parent, evidence)
    return iri


@dataclass(frozen=True)
class _Official:
    person: _Person
    organisation: URIRef | None
    mention: OfficialMention
    start: int  # document offsets of the name
    end: int


def _official(
    state: _Extraction, o: OfficialMention, sentence: Sentence, evidence: Span
) -> _Official:
    person = _person(state, o.name, evidence)
    country = state.gaz.country_by_demonym(o.country_word) if o.country_word else None
    organisation = _post_organisation(state, o, country, evidence)
    if organisation is None and o.role.split()[-1] in _SPOKES:
        # "Foreign Ministry spokesperson Mao Ning"; "a Ministry of Commerce spokesperson said ...
        # spokesperson He Yaqiong told": the organisation named before the title.
        organisation = _organisation_before(state, sentence, o.start) or state.spokesperson_org
    if organisation is not None:
        _tenure(state, person, organisation, o, evidence)
        if "ministry" in _label_of(state, organisation).lower():
            state.last_ministry = organisation
    state.last_speaker = person
    return _Official(
        person, organisation, o, sentence.start + o.name_start, sentence.start + o.name_end
    )


_SPOKES = {"spokesperson", "spokesman", "spokeswoman"}


def _organisation_before(state: _Extraction, sentence: Sentence, at: int) -> URIRef | None:
    """Return the organisation named just before position ``at`` of ``sentence`` ("Commerce Ministry spokesperson")."""
    before = sentence.text[:at].rstrip()
    for m in reversed(state.gaz.find(before)):
        if m.end - len(before) >= -1 and m.entity.kind == "organisation":
            return m.entity.iri
    return None


def _spokesperson_mentions(state: _Extraction, sentence: Sentence, matches: list[Match]) -> None:
    """Remember "a Ministry of Commerce spokesperson": the organisation of a spokesperson named later."""
    for m in re.finditer(r"\b(?:spokesperson|spokesman|spokeswoman)\b", sentence.text):
        found = _organisation_before(state, sentence, m.start())
        if found is not None:
            state.spokesperson_org = found


_HEADS_OF_GOVERNMENT = {
    "prime minister",
    "deputy prime minister",
    "premier",
    "vice premier",
    "chief minister",
}
_HEADS_OF_STATE = {"president", "vice president", "king", "sultan", "head of state"}
_DEPARTMENT_HEADS = {"secretary", "undersecretary", "under secretary", "assistant secretary"}


def _post_organisation(
    state: _Extraction, o: OfficialMention, country: Entity | None, evidence: Span
) -> URIRef | None:
    role = o.role
    head = role.split()[-1]
    home = country or state.home_country
    if o.of_phrase:
        phrase = re.sub(r"^the\s+", "", o.of_phrase.strip(), flags=re.I)
        if (
            re.match(r"(?i)(?:department|office|bureau|division|section|unit)\b", phrase)
            and head != "secretary"
        ):
            parent = None
            if o.under_phrase:
                parent = _org_entity(
                    state,
                    o.under_phrase,
                    kind="government",
                    country=home,
                    parent=None,
                    evidence=evidence,
                )
                known_parent = state.gaz.by_iri(parent)
                if country is None and known_parent is not None and known_parent.country:
                    home = state.gaz.get(known_parent.country)
            return _org_entity(
                state, phrase, kind="unit", country=home, parent=parent, evidence=evidence
            )
        if head == "ambassador":
            sending = state.gaz.lookup(re.sub(r"^the\s+", "", phrase, flags=re.I))
            if sending is not None and sending.kind == "country":
                return sending.iri
        if re.match(r"(?i)(?:ministry|department)\b", phrase):
            name = phrase
        elif head == "minister":
            name = f"Ministry of {phrase}"
        elif head in ("secretary",) and not state.gaz.lookup(phrase):
            name = f"Department of {phrase}"
        else:
            known = state.gaz.lookup(phrase)
            if known is not None:
                return known.iri
            name = phrase
        return _org_entity(
            state, name, kind="government", country=home, parent=None, evidence=evidence
        )
    if home is None:
        return None
    posts = state.gaz.head_posts.get(home.key, {})
    if role in posts:
        return state.gaz.get(posts[role]).iri
    if role in _HEADS_OF_STATE:
        return home.iri
    if role in _HEADS_OF_GOVERNMENT:
        return _org_entity(
            state,
            f"Government of {home.label}",
            kind="government",
            country=home,
            parent=None,
            evidence=evidence,
        )
    return None


def _tenure(
    state: _Extraction, person: _Person, organisation: URIRef, o: OfficialMention, evidence: Span
) -> None:
    sink = state.sink
    org_path = str(organisation).split("/id/", 1)[1].split("/", 1)[1]
    role_slug = slugify(o.role)
    role = entity_iri("role", role_slug)
    post = entity_iri("post", org_path, role_slug)
    tenure = entity_iri("tenure", person.iri.rsplit("/", 1)[1], org_path, role_slug)
    org_label = _label_of(state, organisation)
    role_label = o.role[0].upper() + o.role[1:]
    if role not in state.created:
        state.created.add(role)
        sink.typed(role, CAKG.Role, evidence)
        sink.add(role, RDFS_TYPE_CONCEPT[0], RDFS_TYPE_CONCEPT[1], evidence)
        sink.labelled(role, o.role, evidence)
    if post not in state.created:
        state.created.add(post)
        sink.typed(post, CAKG.Post, evidence)
        sink.labelled(post, f"{role_label}, {org_label}", evidence)
        sink.add(post, ORG.postIn, organisation, evidence)
        sink.add(post, ORG.role, role, evidence)
    sink.typed(tenure, CAKG.Tenure, evidence)
    sink.labelled(tenure, f"{person.label} as {o.role}, {org_label}", evidence)
    sink.add(tenure, ORG.member, person.iri, evidence)
    sink.add(tenure, ORG.organization, organisation, evidence)
    sink.add(tenure, ORG.role, role, evidence)
    sink.add(tenure, CAKG.post, post, evidence)
    sink.add(tenure, CAKG.titleText, Literal(o.title), evidence)
    sink.add(
        tenure, CAKG.attestedOn, Literal(state.published.isoformat(), datatype=XSD.date), evidence
    )
    sink.add(person.iri, ORG.memberOf, organisation, evidence)


RDFS_TYPE_CONCEPT = (URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), SKOS.Concept)


def _label_of(state: _Extraction, iri: URIRef) -> str:
    known = state.gaz.by_iri(iri)
    if known is not None:
        return known.label
    for (s, p, o), _ in state.sink.facts.items():
        if s == iri and p == RDFS.label:
            return str(o)
    return iri.rsplit("/", 1)[1]


def _persons_by_name(
    state: _Extraction, sentence: Sentence, evidence: Span
) -> list[tuple[_Person, int, int]]:
    """Find people already met in this text, by full name or family name."""
    found: list[tuple[_Person, int, int]] = []
    if not state.persons:
        return found
    names = sorted(state.persons, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.I)
    for m in pattern.finditer(fold(sentence.text)):
        person = state.persons[fold(m.group(0)).lower()]
        found.append((person, sentence.start + m.start(), sentence.start + m.end()))
        state.sink.mention(
            person.iri, sentence.start + m.start(), sentence.start + m.end(), evidence
        )
    return found


def _resolve_speaker(state: _Extraction, who: str, evidence: Span) -> _Person | None:
    """Return the person ``who`` names: a pronoun, a full name or a family name."""
    who = re.sub(rf"^{HONORIFIC}", "", who).strip()
    if not who or who in ("Mr", "Ms", "Mrs", "Dr", "Madam"):
        return None
    if who.lower() in ("he", "she", "him", "her"):
        return state.last_speaker
    key = fold(who).lower()
    if key in state.persons:
        return state.persons[key]
    candidates = [p for n, p in state.persons.items() if key in n.split()]
    if candidates:
        if state.last_speaker in candidates:
            return state.last_speaker
        return candidates[-1]
    if re.fullmatch(NAME, who):
        return _person(state, who, evidence)
    return None


def _byline(state: _Extraction, sentence: Sentence, evidence: Span) -> None:
    for role, pattern in _BYLINE:
        for m in pattern.finditer(sentence.text):
            person = _person(state, m.group("name"), evidence)
            state.sink.add(state.sink.document_iri, _BYLINE_PREDICATES[role], person.iri, evidence)


# ================================================================ events


def _event(
    state: _Extraction,
    iri: URIRef,
    kind: URIRef,
    label: str,
    evidence: Span,
    *,
    when: DateMatch | None = None,
    status: URIRef | None = None,
    about: URIRef | None = None,
) -> URIRef:
    sink = state.sink
    sink.typed(iri, CAKG.Event, evidence)
    sink.add(iri, SEM.eventType, kind, evidence)
    sink.labelled(iri, label, evidence)
    if about is not None:
        sink.add(iri, CAKG.about, about, evidence)
    if when is not None:
        value = when.value
        sink.add(iri, CAKG.date, value.literal, evidence)
        precision = {
            "day": CAKG.DayPrecision,
            "month": CAKG.MonthPrecision,
            "year": CAKG.YearPrecision,
        }
        sink.add(iri, CAKG.datePrecision, precision[value.precision], evidence)
        sink.add(iri, CAKG.dateText, Literal(when.text.strip()), evidence)
        sink.add(
            iri, CAKG.earliestDate, Literal(value.earliest.isoformat(), datatype=XSD.date), evidence
        )
        sink.add(
            iri, CAKG.latestDate, Literal(value.latest.isoformat(), datatype=XSD.date), evidence
        )
    if status is not None:
        sink.add(iri, CAKG.eventStatus, status, evidence)
    return iri


def _participate(
    state: _Extraction,
    event: URIRef,
    agent: URIRef,
    role: URIRef,
    evidence: Span,
    *,
    on_behalf_of: URIRef | None = None,
) -> None:
    sink = state.sink
    node = URIRef(
        f"{event}/participation/{agent.rsplit('/', 1)[1]}-{role.rsplit('#', 1)[1].lower()}"
    )
    sink.typed(node, CAKG.Participation, evidence)
    sink.add(event, CAKG.participation, node, evidence)
    sink.add(node, CAKG.participant, agent, evidence)
    sink.add(node, SEM.roleType, role, evidence)
    sink.add(event, SEM.hasActor, agent, evidence)
    label = f"{_label_of(state, agent)} as {role.rsplit('#', 1)[1].lower()}"
    if on_behalf_of is not None:
        sink.add(node, CAKG.onBehalfOf, on_behalf_of, evidence)
        label += f" on behalf of {_label_of(state, on_behalf_of)}"
    sink.labelled(node, label, evidence)


def _place_in(
    state: _Extraction,
    sentence: Sentence,
    matches: list[Match],
    after: int,
    evidence: Span,
    *,
    before: int | None = None,
) -> URIRef | None:
    """Return the place the sentence says something happened in ("in Kuala Lumpur", "here")."""
    limit = before if before is not None else sentence.end
    for m in matches:
        if m.entity.kind == "place" and after <= m.start < limit:
            return m.entity.iri
    if (
        re.search(r"\bhere\b", sentence.text[after - sentence.start : limit - sentence.start])
        and state.dateline_place is not None
    ):
        return state.dateline_place.iri
    if before is not None:
        return None
    for m in matches:
        if m.entity.kind == "place":
            return m.entity.iri
    local = re.search(
        r"\b(?:in|at)\s+(?P<place>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?),\s+(?P<country>[A-Z][a-z]+)",
        sentence.text,
    )
    if local is not None:
        country = state.gaz.country_by_demonym(local.group("country"))
        place_name = local.group("place")
        if country is not None and state.gaz.lookup(place_name) is None:
            iri = entity_iri("place", slugify(place_name))
            if iri not in state.created:
                state.created.add(iri)
                state.sink.typed(iri, CAKG.City, evidence)
                state.sink.labelled(iri, place_name, evidence)
                state.sink.add(iri, CAKG.extracted, Literal(True), evidence)
                state.sink.add(iri, SCHEMA.containedInPlace, country.iri, evidence)
            return iri
    return None


def _status(clause: str, when: DateMatch | None, published: date, past_verb: bool) -> URIRef | None:
    if past_verb and when is not None and when.value.latest <= published:
        return CAKG.Occurred
    if _PLANNED.search(clause):
        return CAKG.Planned
    if when is not None and when.value.earliest > published:
        return CAKG.Planned
    if past_verb or (when is not None and when.value.latest <= published):
        return CAKG.Occurred
    return None


_ORGANISER_NAME = re.compile(
    r"(?:^|\b[Tt]he\s+)(?P<org>(?:[A-Z][\w'’-]*\s+(?:of\s+|for\s+|and\s+|on\s+)?){0,8}?"
    r"(?:Office|Ministry|Department|Council|Commission|Bureau|Government|Secretariat|Administration|Agency)"
    r"(?:\s+(?:of|for)\s+(?:the\s+)?(?:[A-Z][\w'’-]*\s*)+?)?)\s+(?:held|hosted|organi[sz]ed|convened)\b"
)


def _organiser(
    state: _Extraction, sentence: Sentence, matches: list[Match], at: int, evidence: Span
) -> URIRef | None:
    """Return who held the event a sentence reports: "X held a press conference", "held by the ministry"."""
    text = sentence.text
    by = re.search(
        r"\b(?:held|hosted|organi[sz]ed|convened)\s+by\s+(?:the\s+)?|\b(?:conference|briefing|meeting)\s+of\s+the\s+",
        text,
    )
    if by is not None:
        after = sentence.start + by.end()
        known = next(
            (
                x.entity.iri
                for x in matches
                if after <= x.start < after + 3 and x.entity.kind in AGENT_KINDS
            ),
            None,
        )
        if known is not None:
            return known
        if re.match(r"(?i)ministry\b", text[by.end() :]) and state.last_ministry is not None:
            return state.last_ministry
    held = _HELD.search(text)
    if held is not None:
        before = [
            x
            for x in matches
            if x.end <= sentence.start + held.start() and x.entity.kind in AGENT_KINDS
        ]
        if before and sentence.start + held.start() - before[-1].end < 5:
            return before[-1].entity.iri
        named = _ORGANISER_NAME.search(text)
        if named is not None and named.end() <= held.end() + 1:
            return _org_entity(
                state,
                named.group("org"),
                kind="government",
                country=state.home_country,
                parent=None,
                evidence=evidence,
            )
        if before:
            return before[-1].entity.iri
    return None


def _conference(
    state: _Extraction,
    sentence: Sentence,
    evidence: Span,
    matches: list[Match],
    dates: list[DateMatch],
    officials: list[_Official],
) -> None:
    m = _CONFERENCE.search(sentence.text)
    if m is None:
        return
    # The conference's own date: in its clause, not a figure's period elsewhere in the sentence.
    near = [
        d
        for d in dates
        if abs(d.start - (sentence.start + m.end())) < 60 and d.value.precision == "day"
    ]
    when = near[0] if near else None
    said_in: Span | None = None
    if when is None and state.conference is not None:
        iri = state.conference  # a text reporting one conference speaks of it again
    else:
        if when is None and state.said_dates:
            # "X said on Tuesday" earlier; "X made the remarks at a news conference" here.
            when, said_in = state.said_dates[-1]
        if when is None and state.dateline_date is not None:
            when = state.dateline_date
        iri = None
    place = _place_in(state, sentence, matches, sentence.start + m.start(), evidence)
    if place is None and state.dateline_place is not None and re.search(r"\bhere\b", sentence.text):
        place = state.dateline_place.iri
    organiser = _organiser(state, sentence, matches, m.start(), evidence)
    if iri is None:
        topic = re.search(
            r"(?:conference|briefing)\s+(?:in\s+[A-Z][a-z]+\s+)?(?:on|about|introducing)\s+(?P<topic>[^,.(;]+?)(?=\s+today|\s+on\s+[A-Z]|\s+in\s+[A-Z]|[,.(;]|$)",
            sentence.text,
        )
        kind = "Press conference" if m.group("kind").lower() == "press" else "News conference"
        label = kind
        if topic is not None:
            verb = "introducing" if "introducing" in topic.group(0) else "on"
            label += f" {verb} {topic.group('topic').strip()}"
        if place is not None:
            label += f", {_label_of(state, place)}"
        date_key = when.value.iso if when is not None else state.published.isoformat()
        where = (
            place.rsplit("/", 1)[1]
            if place is not None
            else (organiser.rsplit("/", 1)[1] if organiser is not None else "x")
        )
        iri = entity_iri("event", date_key, f"press-conference-{where}")
        status = (
            CAKG.Occurred
            if when is None or when.value.earliest <= state.published
            else CAKG.Planned
        )
        _event(state, iri, CAKG.PressConference, label, evidence, when=when, status=status)
        if when is not None and said_in is not None:
            # The date is stated by the earlier sentence, too.
            _event(state, iri, CAKG.PressConference, label, said_in, when=when, status=status)
        state.conference = iri
        state.conference_date = when.value if when is not None else None
    if place is not None:
        state.sink.add(iri, SEM.hasPlace, place, evidence)
    if organiser is not None:
        _participate(state, iri, organiser, CAKG.Organiser, evidence)
        state.sink.add(iri, SCHEMA.organizer, organiser, evidence)
    subject = re.match(
        rf"\s*(?P<who>{NAME}|{_PRONOUN}|[A-Z][a-z]+)\s+(?:made|gave|delivered|spoke|said)",
        sentence.text,
    )
    if subject is not None:
        speaker = _resolve_speaker(state, subject.group("who"), evidence)
        if speaker is not None:
            _participate(state, iri, speaker.iri, CAKG.Speaker, evidence)
    for official in officials:
        _participate(state, iri, official.person.iri, CAKG.Speaker, evidence)


_MEETING_NAME = re.compile(
    r"\bthe\s+(?P<name>(?:\d+(?:st|nd|rd|th)\s+)?(?:[A-Z][\w'’-]*\s+){1,6}(?:Consultations|Meeting|Dialogue|Forum|Commission\s+Meeting|Expo|Business\s+Summit))\b"
)
_TALKS_WITH = re.compile(
    r"\b(?P<verb>held|holds|hold|will\s+hold|would\s+hold|for)\s+talks\b(?P<mid>[^.;]{0,80}?)\bwith\s+",
    re.I,
)
_MET = re.compile(r"\b(?:met|meeting|meets|will\s+meet)\s+(?:with\s+)?", re.I)
_SEMINAR = re.compile(
    r"\b(?:hold|holds|held|host|hosts|hosted|organi[sz]e|organi[sz]es)\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,2}?(?:seminar|workshop|forum|meeting|roadshow)\b",
    re.I,
)


def _people_in(
    officials: list[_Official], persons: list[tuple[_Person, int, int]], lo: int, hi: int
) -> list[_Person]:
    """Return the people named at document offsets ``[lo, hi)``."""
    found: list[_Person] = []
    for o in officials:
        if lo <= o.start < hi and o.person not in found:
            found.append(o.person)
    for person, start, _ in persons:
        if lo <= start < hi and person not in found:
            found.append(person)
    return found


def _meetings(
    state: _Extraction,
    sentence: Sentence,
    evidence: Span,
    matches: list[Match],
    dates: list[DateMatch],
    officials: list[_Official],
) -> None:
    """Record talks, meetings and seminars with their participants, date, place and status."""
    text = sentence.text
    persons = _persons_by_name(state, sentence, evidence)
    found: list[
        tuple[URIRef, str, int, int, int]
    ] = []  # kind, label, trigger start, end, people-after start
    for m in _MEETING_NAME.finditer(text):
        found.append((CAKG.Meeting, m.group("name"), m.start(), m.end(), m.end()))
    for m in _TALKS_WITH.finditer(text):
        found.append((CAKG.Talks, "Talks", m.start(), m.end(), m.end()))
    for m in _MET.finditer(text):
        if not any(lo <= m.start() < hi for _, _, lo, hi, _ in found):
            found.append((CAKG.Meeting, "Meeting", m.start(), m.end(), m.end()))
    for m in _SEMINAR.finditer(text):
        found.append(
            (CAKG.Meeting, m.group(0).split()[-1].capitalize(), m.start(), m.end(), m.end())
        )
    for kind, name, lo, hi, _after in found:
        clause_end = next(
            (
                b.start()
                for b in re.finditer(r"[;.]\s|,\s+(?:while|and\s+(?:said|added))", text)
                if b.start() > hi
            ),
            len(text),
        )
        subject_start = max(
            (b.end() for b in re.finditer(r"[,;]\s+|\b(?:after|before|when)\s+", text[:lo])),
            default=0,
        )
        if re.match(r"\s*(?:after|before)\s", text[max(0, lo - 7) : lo]):
            subject_start = 0
        base = sentence.start
        people = _people_in(officials, persons, base + subject_start, base + clause_end + 1)
        if re.search(r"\b(?:after|before)\s+(?:meeting|talks)", text[max(0, lo - 8) : hi]):
            people += _people_in(officials, persons, base, base + len(text))
        if re.search(r"co-chaired\s+by|chaired\s+by", text[hi:]):
            chaired = re.search(r"co-chaired\s+by|chaired\s+by", text[hi:])
            people += _people_in(officials, persons, base + hi + chaired.end(), base + len(text))  # type: ignore[union-attr]
        agents = [
            x.entity
            for x in matches
            if subject_start <= x.start - sentence.start < clause_end
            and x.entity.kind == "country"
            and kind == CAKG.Talks
            and not people
        ]
        when = next(
            (d for d in dates if hi <= d.start - sentence.start < clause_end + 1), None
        ) or next((d for d in reversed(dates) if d.start - sentence.start < lo), None)
        if (
            when is not None
            and when.text.strip().lower() == "yesterday"
            and state.dateline_date is not None
        ):
            day = state.dateline_date.value.earliest.toordinal() - 1
            d = date.fromordinal(day)
            when = DateMatch(DateValue(d.year, d.month, d.day), when.start, when.end, when.text)
        place = _place_in(
            state,
            sentence,
            matches,
            sentence.start + subject_start,
            evidence,
            before=sentence.start + clause_end + 1,
        )
        status = _status(
            text[subject_start:clause_end],
            when,
            state.published,
            past_verb=bool(re.search(r"\b(?:held|met|was|were)\b", text[subject_start : hi + 1])),
        )
        unique: list[_Person] = []
        for p in people:
            if p not in unique:
                unique.append(p)
        if not unique and not agents and kind != CAKG.Meeting:
            continue
        key = when.value.iso if when is not None else str(state.published.year)
        slug = (
            slugify(name)
            if name not in ("Talks", "Meeting")
            else "-".join(
                [kind.rsplit("#", 1)[1].lower(), *(p.iri.rsplit("/", 1)[1] for p in unique[:2])]
            )
        )
        iri = entity_iri("event", key, slug)
        label = (
            name
            if name not in ("Talks", "Meeting")
            else f"{name} of {' and '.join(p.label for p in unique) or ' and '.join(a.label for a in agents)}"
        )
        _event(state, iri, kind, label, evidence, when=when, status=status)
        if place is not None:
            state.sink.add(iri, SEM.hasPlace, place, evidence)
        for p in unique:
            behalf = None
            _participate(state, iri, p.iri, CAKG.Participant, evidence, on_behalf_of=behalf)
        for a in agents:
            _participate(state, iri, a.iri, CAKG.Party, evidence)


def _instrument_or_version(
    state: _Extraction, matches: list[Match], lo: int, hi: int, *, prefer_after: int | None = None
) -> Entity | None:
    """Return the agreement, version or instrument a clause ``[lo, hi)`` is about."""
    inside = [m for m in matches if lo <= m.start < hi and m.entity.kind in AGREEMENT_KINDS]
    if prefer_after is not None:
        after = [m for m in inside if m.start >= prefer_after]
        if after:
            return after[0].entity
    for kind in ("instrument", "version", "agreement"):
        of_kind = [m for m in inside if m.entity.kind == kind]
        if of_kind:
            return of_kind[0].entity
    return None


# Words after which a date belongs to something else than the milestone before them: what
# someone said, a press conference, a meeting.
_DATE_BOUNDARY = re.compile(
    r"\b(?:said|says|told|announced|noted|added|stressed|press\s+(?:conference|briefing)|news\s+conference|"
    r"meeting|talks|consultations|summit|visit)\b",
    re.I,
)
# "it", "the protocol", "the upgraded agreement": the agreement the text is about.
_COREFERENCE = re.compile(
    r"\b(?:it|its|the\s+(?:upgrade\s+|upgrading\s+|upgraded\s+|new\s+)?(?:protocol|agreement|pact|deal|free\s+trade\s+area|fta|mou|memorandum|document|accord))\b",
    re.I,
)


def _resolve_subject(state: _Extraction, entity: Entity | None, text_before: str) -> Entity | None:
    """Return the most specific agreement a mention stands for.

    "the Protocol to Upgrade the ASEAN–China Free Trade Area" names the agreement inside an
    instrument's title: it stands for the upgrade protocol of the version the text is about.
    """
    if (
        entity is not None
        and entity.kind == "version"
        and re.search(r"(?i)\bprotocol\b[^,.;]{0,30}$", text_before)
    ):
        # "the Protocol to Upgrade the ASEAN-China Free Trade Area (ACFTA 3.0)"
        return next(
            (e for e in state.gaz.of_kind("instrument") if e.establishes == entity.key), entity
        )
    if entity is not None and entity.kind != "agreement":
        return entity
    version = state.last_agreement.get("version")
    if re.search(r"(?i)\b(?:protocol|upgrad\w*)\b[^,.;]{0,30}$", text_before):
        instrument = state.last_agreement.get("instrument")
        if version is not None:
            instrument = next(
                (e for e in state.gaz.of_kind("instrument") if e.establishes == version.key),
                instrument,
            )
        if instrument is not None:
            return instrument
    return entity


def _milestones(
    state: _Extraction,
    sentence: Sentence,
    evidence: Span,
    matches: list[Match],
    dates: list[DateMatch],
    officials: list[_Official],
) -> None:
    text = sentence.text
    triggers: list[Trigger] = []
    for kind, pattern in _TRIGGERS:
        for m in pattern.finditer(text):
            if any(m.start() < t.end and t.start < m.end() for t in triggers):
                continue
            triggers.append(Trigger(kind, m.start(), m.end(), m.group(0)))
    triggers.sort(key=lambda t: t.start)
    if not triggers:
        return
    boundaries = sorted(
        {t.start for t in triggers} | {m.start() for m in _DATE_BOUNDARY.finditer(text)}
    )
    for i, trigger in enumerate(triggers):
        lo = triggers[i - 1].end if i > 0 else 0
        hi = triggers[i + 1].start if i + 1 < len(triggers) else len(text)
        absolute_hi = sentence.start + hi
        subject = _milestone_subject(state, sentence, matches, trigger, lo, hi)
        if subject is None:
            continue
        if trigger.kind == CAKG.Signing and subject.kind != "instrument":
            continue
        # The date of a milestone follows its trigger, up to the next trigger or boundary word.
        stop = min((b for b in boundaries if b > trigger.start), default=len(text))
        in_clause = [d for d in dates if trigger.end <= d.start - sentence.start < min(stop, hi)]
        before = [
            d
            for d in dates
            if lo <= d.start - sentence.start < trigger.start
            and not any(
                d.start - sentence.start < b < trigger.start
                for b in boundaries
                if b != trigger.start
            )
        ]
        when = in_clause[0] if in_clause else (before[-1] if before else None)
        clause = _clause(text, lo, trigger)
        past_verb = _reported_as_past(text, lo, trigger, when, clause)
        status = _status(clause, when, state.published, past_verb)
        family = _FAMILY[trigger.kind]
        parties = _subject_parties(state, sentence, trigger, lo)
        iri = entity_iri(
            "event", subject.iri.split("/id/", 1)[1].split("/", 1)[1].replace("/", "-"), family
        )
        label = f"{_TYPE_LABEL[trigger.kind]} {subject.label}"
        if trigger.kind == CAKG.Ratification and len(parties) == 1:
            # Each party ratifies on its own day: one event per party.
            iri = URIRef(f"{iri}/{parties[0].key}")
            label += f" by {parties[0].label}"
            state.ratifications[subject.key] = (iri, label)
        elif (
            trigger.kind == CAKG.Ratification and not parties and subject.key in state.ratifications
        ):
            iri, label = state.ratifications[
                subject.key
            ]  # the ratification this text already named
        _event(
            state, iri, trigger.kind, label, evidence, when=when, status=status, about=subject.iri
        )
        if trigger.kind == CAKG.Signing:
            state.last_signing = iri
            _signatories(state, iri, sentence, evidence, matches, officials, trigger)
            place = _place_in(
                state,
                sentence,
                matches,
                sentence.start + trigger.end,
                evidence,
                before=sentence.start + min(stop, hi),
            )
            if (
                place is None
                and state.dateline_place is not None
                and when is not None
                and when.text.strip().lower() in ("today", "today's")
            ):
                place = state.dateline_place.iri  # "PHNOM PENH, Nov 24 -- ... today signed"
            if place is not None:
                state.sink.add(iri, SEM.hasPlace, place, evidence)
        for party in parties:
            _participate(state, iri, party.iri, CAKG.Party, evidence)
        _parties_listed(state, iri, sentence, evidence, matches, trigger, absolute_hi)
        state.last_agreement[subject.kind] = subject
    if _WITNESSED.search(text) or re.search(r"\bin\s+the\s+presence\s+of\b", text):
        target = state.last_signing
        witnessed = _WITNESSED.search(text) or re.search(r"\bin\s+the\s+presence\s+of\b", text)
        if target is not None and witnessed is not None:
            witnessed_at = sentence.start + witnessed.end()
            for official in officials:
                if official.start >= witnessed_at:
                    _participate(state, target, official.person.iri, CAKG.Witness, evidence)
            for mention in matches:
                if (
                    mention.start >= witnessed_at
                    and mention.entity.kind in AGENT_KINDS
                    and not any(o.start <= mention.start < o.end for o in officials)
                ):
                    _participate(state, target, mention.entity.iri, CAKG.Witness, evidence)


def _milestone_subject(
    state: _Extraction, sentence: Sentence, matches: list[Match], trigger: Trigger, lo: int, hi: int
) -> Entity | None:
    """Return the agreement, version or instrument a milestone trigger is about."""
    text = sentence.text
    start = sentence.start
    if trigger.kind == CAKG.Upgrade:
        subject = _instrument_or_version(
            state, matches, start + trigger.end, start + trigger.end + 40
        )
        return subject if subject is not None and subject.kind == "version" else None
    after_kinds = (CAKG.Signing, CAKG.EntryIntoForce, CAKG.Ratification)
    # The nearest mention in the trigger's own clause: after it for "signed X", before it for "X was concluded".
    after = [
        m
        for m in matches
        if start + trigger.end <= m.start < start + hi and m.entity.kind in AGREEMENT_KINDS
    ]
    before = [
        m
        for m in matches
        if start + lo <= m.start < start + trigger.start and m.entity.kind in AGREEMENT_KINDS
    ]
    ordered = (
        (after[:1] + before[::-1]) if trigger.kind in after_kinds else (before[::-1] + after[:1])
    )
    # A version or instrument is more specific than the agreement it belongs to ("Version 1.0 of the CAFTA").
    ordered.sort(key=lambda m: m.entity.kind == "agreement")
    if trigger.kind == CAKG.Signing:
        named = _named_instrument(state, sentence, trigger)
        if named is not None and (not ordered or ordered[0].start > start + trigger.end + 60):
            return named
    for m in ordered:
        return _resolve_subject(state, m.entity, text[: m.start - start])
    # "Negotiations on it", "the protocol", "its entry into force": the agreement the text is about.
    window = text[lo : trigger.end + 40]
    if _COREFERENCE.search(window) or re.search(r"negotiations", window, re.I):
        version = state.last_agreement.get("version")
        instrument = state.last_agreement.get("instrument")
        if trigger.kind in (
            CAKG.NegotiationLaunch,
            CAKG.Conclusion,
            CAKG.SubstantialConclusion,
            CAKG.FullImplementation,
        ):
            return version or instrument
        if version is not None:
            return next(
                (e for e in state.gaz.of_kind("instrument") if e.establishes == version.key),
                instrument or version,
            )
        return instrument
    return None


_INSTRUMENT_NAME = re.compile(
    r"\s+(?:a|an|the)\s+(?P<name>[A-Z][\w'’-]*(?:\s+(?:of|on|for|and|the|in|to|[A-Z][\w'’-]*))*)"
)
_INSTRUMENT_WORD = re.compile(
    r"\b(?:Memorandum|Agreement|Protocol|Declaration|Statement|Plan|Treaty|Framework|Arrangement|Accord|MoU|Charter|Programme|Program)\b"
)


def _named_instrument(state: _Extraction, sentence: Sentence, trigger: Trigger) -> Entity | None:
    """Return the instrument a signing names when the gazetteer does not know it.

    "Cambodia and China today signed a Memorandum of Understanding on Digital Economy
    Cooperation" makes the memorandum a legal instrument of its own.
    """
    m = _INSTRUMENT_NAME.match(sentence.text, trigger.end)
    if m is None:
        return None
    name = re.sub(r"(?:\s+(?:of|on|for|and|the|in|to))+$", "", m.group("name"))
    if _INSTRUMENT_WORD.search(name) is None:
        return None
    if len(name.split()) == 1:
        return state.last_agreement.get("instrument")  # "signed the MoU": the one named before
    iri = entity_iri("instrument", slugify(name))
    evidence = Span(sentence.start, sentence.end)
    if iri not in state.created:
        state.created.add(iri)
        state.sink.typed(iri, CAKG.LegalInstrument, evidence)
        state.sink.labelled(iri, name, evidence)
        state.sink.add(iri, CAKG.extracted, Literal(True), evidence)
    return Entity(key=slugify(name), kind="instrument", label=name, iri=iri, source="text")


def _reported_as_past(
    text: str, lo: int, trigger: Trigger, when: DateMatch | None, clause: str
) -> bool:
    """Return whether the text reports the milestone as done ("concluded", "was signed")."""
    if re.match(
        r"(?i)(?:concluded|launched|implemented|entered|came|took|ratified|upgraded|signed|inked|fully|wrapped|finali|completed)",
        trigger.text,
    ):
        return True
    if re.search(
        r"\b(?:was|were|has\s+been|have\s+been|had\s+been|completed|adopted|approved)\b",
        text[lo : trigger.start],
    ):
        return True
    return bool(
        trigger.kind == CAKG.EntryIntoForce
        and re.search(r"\bwith\s+the\s+(?:full\s+)?entry\s+into\s+force\b", text, re.I)
    )


def _clause(text: str, lo: int, trigger: Trigger) -> str:
    """Return the clause of ``trigger``: from the last clause boundary before it to a little after."""
    head = text[lo : trigger.start]
    cut = max(
        (
            m.end()
            for m in re.finditer(
                r",\s+(?:which|who|that|and|while|but)?\s*|;\s+|\s+and\s+(?=negotiations|talks|the\s)",
                head,
            )
        ),
        default=0,
    )
    return head[cut:] + text[trigger.start : trigger.end + 25]


def _subject_parties(
    state: _Extraction, sentence: Sentence, trigger: Trigger, lo: int
) -> list[Entity]:
    """Return the sides of a milestone named as its subject.

    "China and ASEAN launched ...", "Vietnam has ratified ...", "... said Malaysia had ratified".
    """
    head = sentence.text[lo : trigger.start]
    cut = max(
        (
            m.end()
            for m in re.finditer(
                r",\s+|;\s+|[–—]\s+|--\s+|\b(?:said|says|noted|announced|added)\s+(?:that\s+)?|\bthat\s+",
                head,
            )
        ),
        default=0,
    )
    found = _parties_in(state, head[cut:])
    return found if found or cut == 0 else _parties_in(state, head)


def _parties_in(state: _Extraction, tail: str) -> list[Entity]:
    subject = re.match(
        r"\s*(?:and\s+)?(?P<a>[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?)(?:,?\s+and\s+(?P<b>[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?))?"
        r"(?P<rest>\s+(?:\w+\s+){0,9}?)$",
        tail,
    )
    if subject is None:
        subject = re.match(
            r"\s*(?P<a>[A-Z][\w-]*)['’]s\s+(?P<rest>(?:\w+\s+){0,3}?)$", tail
        )  # "Thailand's ratification"
        if subject is None:
            return []
    groups = subject.groupdict()
    # One side: the verb follows closely ("Vietnam has ratified"); two sides may be further ("China and
    # ASEAN have said they are working toward the signing").
    if groups.get("b") is None and len(groups["rest"].split()) > 3:
        return []
    found = []
    for group in ("a", "b"):
        if groups.get(group) is None:
            continue
        entity = state.gaz.lookup(groups[group])
        if entity is not None and entity.kind in AGENT_KINDS:
            found.append(entity)
    return found


def _parties_listed(
    state: _Extraction,
    event: URIRef,
    sentence: Sentence,
    evidence: Span,
    matches: list[Match],
    trigger: Trigger,
    absolute_hi: int,
) -> None:
    """Record "entered into force for China, Brunei and Cambodia" as the parties it concerns."""
    m = re.match(
        r"(?:\s+(?:today|yesterday|on\s+\w+(?:\s+\d{1,2})?))?\s+for\s+",
        sentence.text[trigger.end :],
    )
    if m is None:
        return
    lo = sentence.start + trigger.end + m.end()
    for x in matches:
        if lo <= x.start < absolute_hi and x.entity.kind in AGENT_KINDS:
            between = sentence.text[lo - sentence.start : x.start - sentence.start]
            if re.search(r"[.;]|\b(?:said|which|while)\b", between):
                break
            _participate(state, event, x.entity.iri, CAKG.Party, evidence)


def _signatories(
    state: _Extraction,
    event: URIRef,
    sentence: Sentence,
    evidence: Span,
    matches: list[Match],
    officials: list[_Official],
    trigger: Trigger,
) -> None:
    text = sentence.text
    signers = [o for o in officials if o.end <= sentence.start + trigger.start]
    if not signers:
        return
    parties: list[Entity] = []
    behalf = _ON_BEHALF.search(text)
    if behalf is not None:
        parties = _parties_named(
            state, sentence, matches, behalf.start("parties"), behalf.end("parties")
        )
    respectively = re.search(r"\brespectively\b", text) is not None
    for i, signer in enumerate(signers):
        party: Entity | None = None
        if parties:
            party = (
                parties[i]
                if respectively and i < len(parties)
                else (parties[0] if len(parties) == 1 else None)
            )
        _participate(
            state,
            event,
            signer.person.iri,
            CAKG.Signatory,
            evidence,
            on_behalf_of=party.iri if party else None,
        )
        if party is not None:
            _participate(state, event, party.iri, CAKG.Party, evidence)


def _parties_named(
    state: _Extraction, sentence: Sentence, matches: list[Match], lo: int, hi: int
) -> list[Entity]:
    """Return the parties of "on behalf of X and Y": a known name, or a country's adjective, per part.

    "the Royal Government of Cambodia and the Chinese government" names Cambodia and China.
    """
    parties: list[Entity] = []
    cursor = lo
    for part in re.split(r",\s+(?:and\s+)?|\s+and\s+", sentence.text[lo:hi]):
        start = sentence.text.find(part, cursor)
        cursor = start + len(part)
        known = [
            m.entity
            for m in matches
            if sentence.start + start <= m.start < sentence.start + cursor
            and m.entity.kind in AGENT_KINDS
        ]
        if known:
            parties.append(
                known[-1] if len(known) > 1 and known[0].kind == "organisation" else known[0]
            )
            continue
        for word in re.findall(r"[A-Z][\w'’]+", part):
            country = state.gaz.country_by_demonym(word)
            if country is not None:
                parties.append(country)
                break
    return parties


def _named_events(
    state: _Extraction, sentence: Sentence, evidence: Span, matches: list[Match]
) -> None:
    text = sentence.text
    implementing = _IMPLEMENTS.search(text) is not None
    subject_event = (
        state.last_signing if re.match(r"\s*(?:The\s+signing|It\b|This\b)", text) else None
    )
    for m in _SUMMIT.finditer(text):
        name = m.group("name")
        iri = entity_iri("event", slugify(name))
        summit_dates = [
            d
            for d in find_dates(
                text[m.end() : m.end() + 30], state.published, offset=sentence.start + m.end()
            )
        ]
        when = summit_dates[0] if summit_dates else None
        summit_status = _status(
            text[: m.end()],
            when,
            state.published,
            past_verb=bool(re.search(r"\b(?:reached|held)\b", text)),
        )
        if summit_status is None and re.search(
            r"\bat\s+the\b", text[max(0, m.start() - 8) : m.start() + 5]
        ):
            summit_status = CAKG.Occurred
        _event(state, iri, CAKG.Summit, name, evidence, when=when, status=summit_status)
        reached = re.search(r"reached\s+by\s+(?P<who>.+?)\s+at\s+the\s+", text)
        if reached is not None:
            lo, hi = sentence.start + reached.start("who"), sentence.start + reached.end("who")
            for person, start, _ in _persons_by_name(state, sentence, evidence):
                if lo <= start < hi:
                    _participate(state, iri, person.iri, CAKG.Participant, evidence)
            for x in matches:
                if lo <= x.start < hi and x.entity.kind in AGENT_KINDS:
                    _participate(state, iri, x.entity.iri, CAKG.Participant, evidence)
        if implementing and subject_event is not None:
            state.sink.add(subject_event, CAKG.implements, iri, evidence)
    for m in _PLENARY.finditer(text):
        name = m.group("name")
        iri = entity_iri("event", slugify(name))
        _event(
            state,
            iri,
            CAKG.PlenarySession,
            name[0].upper() + name[1:],
            evidence,
            status=CAKG.Occurred,
        )
        lo, hi = sentence.start + m.start("name"), sentence.start + m.end("name")
        for x in matches:
            if lo <= x.start < hi and x.entity.kind == "organisation":
                _participate(state, iri, x.entity.iri, CAKG.Organiser, evidence)
                state.sink.add(iri, SCHEMA.organizer, x.entity.iri, evidence)
                break
        if implementing and subject_event is not None:
            state.sink.add(subject_event, CAKG.implements, iri, evidence)
    for m in _TALKS.finditer(text):
        after = sentence.start + m.end()
        sides = [
            x.entity
            for x in matches
            if after <= x.start < after + 60 and x.entity.kind in AGENT_KINDS
        ][:2]
        if len(sides) < 2:
            continue
        year = state.published.year
        iri = entity_iri("event", str(year), f"talks-{sides[0].key}-{sides[1].key}")
        name = m.group("name").strip()
        label = f"{name[0].upper() + name[1:]} between {sides[0].label} and {sides[1].label}"
        _event(
            state,
            iri,
            CAKG.Talks,
            label,
            evidence,
            status=CAKG.Occurred if re.search(r"\brecent\b|\bheld\b", name + text, re.I) else None,
        )
        for side in sides:
            _participate(state, iri, side.iri, CAKG.Party, evidence)
        state.sink.add(
            iri, CAKG.latestDate, Literal(state.published.isoformat(), datatype=XSD.date), evidence
        )
    names = [(n.start(), n.end()) for n in _SUMMIT.finditer(text)]
    for m in _ANNIVERSARY.finditer(text):
        if any(lo <= m.start() < hi for lo, hi in names):
            continue  # part of an event's name ("Summit to Commemorate the 30th Anniversary of ...")
        after = sentence.start + m.end()
        subject = next(
            (
                x.entity
                for x in matches
                if after <= x.start < after + 5
                and x.entity.kind in (*AGREEMENT_KINDS, "organisation", "mechanism")
            ),
            None,
        )
        if subject is None:
            relations = re.match(
                r"(?:their|the)?\s*(?P<what>(?:[\w-]+\s+){0,3}relations)\b", text[m.end() :]
            )
            if relations is None:
                continue
            year_match = re.search(r"\b(?P<y>(?:19|20)\d\d)\b", text)
            when = None
            if year_match is not None:
                when = DateMatch(
                    DateValue(int(year_match.group("y"))),
                    sentence.start + year_match.start(),
                    sentence.start + year_match.end(),
                    year_match.group(0),
                )
            what = relations.group("what").strip()
            iri = entity_iri(
                "event",
                str(when.value.year if when else state.published.year),
                f"anniversary-{m.group('ordinal').lower()}-{slugify(what)}",
            )
            status = _status(
                text, when, state.published, past_verb=bool(re.search(r"\bmarked\b", text))
            )
            _event(
                state,
                iri,
                CAKG.Anniversary,
                f"{m.group('ordinal')} anniversary of {what}",
                evidence,
                when=when,
                status=status,
            )
            continue
        year_match = re.search(r"\b(?P<y>(?:19|20)\d\d)\b", text)
        when = None
        if year_match is not None:
            value = DateValue(int(year_match.group("y")))
            when = DateMatch(
                value,
                sentence.start + year_match.start(),
                sentence.start + year_match.end(),
                year_match.group(0),
            )
        iri = entity_iri(
            "event",
            subject.iri.split("/id/", 1)[1].split("/", 1)[1].replace("/", "-"),
            f"anniversary-{m.group('ordinal').lower()}",
        )
        status = _status(
            text, when, state.published, past_verb=bool(re.search(r"\bmarked\b", text))
        )
        _event(
            state,
            iri,
            CAKG.Anniversary,
            f"{m.group('ordinal')} anniversary of the {subject.label}",
            evidence,
            when=when,
            status=status,
            about=subject.iri,
        )


_MECHANISM = re.compile(
    r"\b(?:the\s+)?(?P<name>(?:[A-Z][\w'’-]*\s+){1,5}(?:Economic\s+Corridor|Trade\s+Corridor|Growth\s+Area|Cooperation\s+Zone|Development\s+Zone|Economic\s+Zone))\b"
)


def _mechanisms(
    state: _Extraction, sentence: Sentence, evidence: Span, matches: list[Match]
) -> None:
    """Record corridors, growth areas and zones the gazetteer does not know yet."""
    for m in _MECHANISM.finditer(sentence.text):
        start, end = sentence.start + m.start("name"), sentence.start + m.end("name")
        if any(
            x.start < end
            and start < x.end
            and (x.entity.kind == "mechanism" or (x.start <= start and end <= x.end))
            for x in matches
        ):
            continue
        name = m.group("name")
        iri = entity_iri("mechanism", slugify(name))
        if iri not in state.created:
            state.created.add(iri)
            state.sink.typed(iri, CAKG.CooperationMechanism, evidence)
            state.sink.labelled(iri, name, evidence)
            state.sink.add(iri, SKOS.prefLabel, Literal(name, lang="en"), evidence)
            state.sink.add(iri, CAKG.extracted, Literal(True), evidence)
        state.sink.mention(iri, start, end, evidence)


# ================================================================ coverage


def _coverage(state: _Extraction, sentence: Sentence, evidence: Span, matches: list[Match]) -> None:
    chapter_of = re.search(r"\bchapters?\s+of\s+", sentence.text)
    cover = _COVER.search(sentence.text) or re.search(
        r"\b(?:in|across)\s+(?:nine|eight|ten|\d+)\s+areas\b", sentence.text
    )
    if chapter_of is not None:
        # "The digital economy chapter of the China-ASEAN Free Trade Area 3.0"
        at = sentence.start + chapter_of.start()
        areas = [m.entity for m in matches if m.entity.kind == "area" and m.end <= at]
        subject = _instrument_or_version(state, matches, at, sentence.end)
        if areas and subject is not None and subject.kind != "agreement":
            if subject.kind == "instrument" and subject.establishes:
                subject = state.gaz.get(subject.establishes)
            for area in areas:
                state.sink.add(subject.iri, CAKG.coversArea, area.iri, evidence)
            return
    if cover is None:
        return
    at = sentence.start + cover.start()
    areas = [m.entity for m in matches if m.entity.kind == "area" and m.start > at]
    if not areas:
        return
    subject = _instrument_or_version(state, matches, sentence.start, at)
    if subject is None or subject.kind == "agreement":
        subject = state.last_agreement.get("version") or (
            state.gaz.get(state.last_agreement["instrument"].establishes)  # type: ignore[arg-type]
            if "instrument" in state.last_agreement
            and state.last_agreement["instrument"].establishes
            else None
        )
    if subject is None:
        return
    if subject.kind == "instrument" and subject.establishes:
        subject = state.gaz.get(subject.establishes)
    authority = None
    according = _ACCORDING.search(sentence.text)
    if according is not None:
        after = sentence.start + according.end()
        authority = next(
            (m.entity.iri for m in matches if m.start >= after and m.entity.kind in AGENT_KINDS),
            None,
        )
    for area in areas:
        state.sink.add(subject.iri, CAKG.coversArea, area.iri, evidence, according_to=authority)


# ================================================================ speech


def _speech(
    state: _Extraction,
    sentence: Sentence,
    evidence: Span,
    matches: list[Match],
    dates: list[DateMatch],
) -> None:
    text = sentence.text
    quotes = list(_QUOTE.finditer(text))
    quoted_any = False
    for q in quotes:
        words = q.group("q").strip().rstrip(",.").strip()
        if len(words.split()) < 3:
            continue  # a quoted name or term, not speech
        after = text[q.end() :]
        before = text[: q.start()]
        who = None
        who_re = _who(state)
        m = re.match(
            rf"\s*,?\s*(?:(?P<who>{who_re})(?:,\s+[^\"“,]+(?:,\s+[^\"“,]+)?,)?\s+(?:also\s+)?{_SPEECH_VERB}|{_SPEECH_VERB}\s+(?P<who2>{who_re}))",
            after,
        )
        if m is not None:
            who = m.group("who") or m.group("who2")
        elif (
            attribution := re.match(
                rf"\s*,?\s*(?P<span>[^\"“”]{{0,140}}?)\s+(?:also\s+)?{_SPEECH_VERB}\b|\s*,?\s*{_SPEECH_VERB}\s+(?P<span2>[^\"“”]{{0,140}})",
                after,
            )
        ) is not None:
            # '"...," Secretary-General of ASEAN Dr. Keo Sothea said' / '"...," said Ms. X, Director-General of Y'
            attributed = attribution.group("span") or attribution.group("span2") or ""
            names = [n.group(0) for n in re.finditer(NAME, attributed)]
            officials_here = find_officials(attributed)
            who = (
                officials_here[-1].name
                if officials_here
                else (
                    names[-1]
                    if attribution.group("span") and names
                    else (names[0] if names else None)
                )
            )
        else:
            m2 = re.search(rf"(?P<who>{who_re})\s+(?:also\s+)?{_SPEECH_VERB}\s*[:,]?\s*$", before)
            if m2 is not None:
                who = m2.group("who")
        speaker = _resolve_speaker(state, who, evidence) if who else None
        if speaker is None and not before.strip() and state.statements:
            speaker = state.last_speaker  # a quotation continuing the previous speaker's
        if speaker is None:
            continue
        quoted_any = True
        state.last_speaker = speaker
        word_start = (
            sentence.start + q.start("q") + (len(q.group("q")) - len(q.group("q").lstrip()))
        )
        word_end = word_start + len(words)
        state.statement_count += 1
        iri = entity_iri("statement", state.doc.source_id, str(state.statement_count))
        sink = state.sink
        sink.typed(iri, CAKG.QuotedStatement, evidence)
        sink.labelled(iri, f"{speaker.label}: “{_short(words)}”", evidence)
        sink.add(iri, SCHEMA.text, Literal(words, lang=state.doc.metadata.language), evidence)
        sink.add(iri, CAKG.speaker, speaker.iri, evidence)
        sink.add(
            iri, CAKG.quoteSpan, sink.span(Span(word_start, word_end, sentence=False)), evidence
        )
        state.statements.append((iri, evidence))
        _said_on(state, text, dates, evidence)
    if quoted_any:
        return
    _reported(state, sentence, evidence, matches, dates)


def _said_on(state: _Extraction, text: str, dates: list[DateMatch], evidence: Span) -> None:
    m = re.search(rf"{_SPEECH_VERB}\s+(?P<when>on\s+\w+|today|yesterday)", text)
    if m is not None:
        for d in dates:
            if d.text.strip().lower() == m.group("when").lower():
                state.said_dates.append((d, evidence))


def _who(state: _Extraction) -> str:
    """Return a pattern for who speaks: a person met in this text (any case), a name, a pronoun."""
    known = "|".join(re.escape(n) for n in sorted(state.persons, key=len, reverse=True))
    known_part = f"(?i:{known})|" if known else ""
    return rf"{known_part}(?:{HONORIFIC})?{NAME}|{_PRONOUN}|[A-Z][a-z]+"


def _short(words: str, limit: int = 60) -> str:
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


def _reported(
    state: _Extraction,
    sentence: Sentence,
    evidence: Span,
    matches: list[Match],
    dates: list[DateMatch],
) -> None:
    text = sentence.text
    who = clause = None
    who_re = _who(state)
    m = re.search(
        rf"(?:^|,\s+)(?P<who>{who_re})(?:,\s+[^,]+,)?\s+(?:also\s+)?(?:said|says|noted|stressed|added|stated|pointed\s+out)(?:\s+on\s+\w+)?,?\s+(?:that\s+)?(?P<clause>[^\"“].+)$",
        text,
    )
    if m is not None:
        who, clause = m.group("who"), m.group("clause")
    else:
        m = re.search(
            rf"^(?P<clause>.+),\s+(?P<who>{who_re})\s+(?:said|noted|added|stressed)\.?$", text
        )
        if m is not None:
            who, clause = m.group("who"), m.group("clause")
        else:
            m = re.match(r"According\s+to\s+(?P<who>him|her),\s+(?P<clause>.+)$", text)
            if m is not None:
                who, clause = m.group("who"), m.group("clause")
    if who is None or clause is None:
        return
    speaker = _resolve_speaker(state, who, evidence)
    if speaker is None or speaker.label.lower() in ("it", "this"):
        return
    state.last_speaker = speaker
    clause = clause.strip().rstrip(".")
    state.statement_count += 1
    iri = entity_iri("statement", state.doc.source_id, str(state.statement_count))
    sink = state.sink
    sink.typed(iri, CAKG.ReportedStatement, evidence)
    sink.labelled(iri, f"{speaker.label}: {_short(clause)}", evidence)
    sink.add(iri, SCHEMA.text, Literal(clause, lang=state.doc.metadata.language), evidence)
    sink.add(iri, CAKG.speaker, speaker.iri, evidence)
    for x in matches:
        if x.entity.kind not in AGENT_KINDS:
            sink.add(iri, SCHEMA.about, x.entity.iri, evidence)
    speaking_of = re.match(r"\s*Speaking\s+of\s+", text)
    if speaking_of is not None:
        for (s, p, o), spans in list(sink.facts.items()):
            if p == SEM.eventType and o == CAKG.Talks and evidence in spans:
                sink.add(iri, SCHEMA.about, s, evidence)
    state.statements.append((iri, evidence))
    _said_on(state, text, dates, evidence)


def _attach_statements_to_conference(state: _Extraction) -> None:
    """Say that the statements of a text reporting one conference were made there."""
    if state.conference is None:
        return
    for statement, evidence in state.statements:
        state.sink.add(statement, CAKG.saidAt, state.conference, evidence)
        for (s, p, o), _ in list(state.sink.facts.items()):
            if s == statement and p == CAKG.speaker and isinstance(o, URIRef):
                _participate(state, state.conference, o, CAKG.Speaker, evidence)


# ================================================================ statistics


def _number(text: str) -> Decimal:
    word = text.lower()
    if word in _NUMBER_WORDS:
        return Decimal(_NUMBER_WORDS[word])
    return Decimal(text.replace(",", ""))


def _currency(prefix: str | None, word: str | None) -> tuple[URIRef, str] | None:
    if word:
        for pattern, iri, code in _CURRENCY_WORDS:
            if re.fullmatch(pattern, word, re.I):
                return iri, code
    if prefix:
        p = prefix.strip()
        if p in ("$", "US$", "USD"):
            return CUR.USD, "USD"
        if p in ("RMB", "¥"):
            return CUR.CNY, "CNY"
    return None


@dataclass(frozen=True)
class _Amount:
    value: Decimal
    multiplier: int
    unit: URIRef
    code: str
    text: str
    start: int
    end: int


def _amounts(text: str) -> list[_Amount]:
    found = []
    for m in _AMOUNT.finditer(text):
        currency = _currency(m.group("prefix"), m.group("cur"))
        if currency is None:
            continue
        scale = _SCALE.get((m.group("scale") or "").lower(), 0)
        found.append(
            _Amount(
                _number(m.group("num")),
                scale,
                currency[0],
                currency[1],
                m.group(0).strip(),
                m.start(),
                m.end(),
            )
        )
    return found


def _pair(state: _Extraction, a: str, b: str) -> tuple[Entity, Entity] | None:
    ea, eb = state.gaz.lookup(a), state.gaz.lookup(b)
    if ea is not None and eb is not None and ea.kind in AGENT_KINDS and eb.kind in AGENT_KINDS:
        return ea, eb
    return None


_AREA_PATTERNS = {
    CAKG.OutwardInvestment: [
        r"(?P<a>[A-Z][\w-]*|[a-z]+)['’]s\s+(?:actual\s+|direct\s+|foreign\s+|outbound\s+|non-financial\s+|outward\s+)*investments?\s+(?:in|into|to)\s+(?P<b>\w[\w-]*)",
        r"investments?\s+(?:from|by)\s+(?P<a>\w[\w-]*)\s+(?:in|into|to)\s+(?P<b>\w[\w-]*)",
    ],
    CAKG.TradeValue: [
        r"(?P<a>[A-Z][\w]*)-(?P<b>[A-Z][\w]*)\s+(?:bilateral\s+)?trade\b",
        r"(?P<a>[A-Z][\w-]*|[a-z]+)['’]s\s+(?:bilateral\s+|total\s+)?(?:trade|imports\s+and\s+exports|exports\s+and\s+imports)\s+with\s+(?:the\s+)?(?P<b>\w[\w-]*)",
        r"between\s+(?P<a>[\w-]+)\s+and\s+(?P<b>[\w-]+)",
    ],
}


def _areas_for(
    state: _Extraction,
    sentence: Sentence,
    matches: list[Match],
    indicator: URIRef,
    *,
    fallback_text: str | None = None,
    fallback_matches: list[Match] | None = None,
) -> tuple[Entity, Entity] | None:
    """Return (reference area, counterpart) of a figure in ``sentence`` (a clause)."""
    text = sentence.text
    for candidate in (text, fallback_text or text):
        for pattern in _AREA_PATTERNS[indicator]:
            m = re.search(pattern, candidate, re.I)
            if m is not None:
                pair = _pair(state, m.group("a"), m.group("b"))
                if pair is not None:
                    return pair
        if indicator == CAKG.OutwardInvestment:
            break
    names = [m.entity for m in (matches or fallback_matches or []) if m.entity.kind in AGENT_KINDS]
    share = re.search(
        r"of\s+(?P<a>[A-Z][\w-]*)['’]s\s+(?:total\s+)?(?:foreign\s+|overall\s+|external\s+)?trade",
        fallback_text or text,
    )
    if share is not None:
        ref = state.gaz.lookup(share.group("a"))
        if ref is not None:
            others = [e for e in names if e.key != ref.key]
            if others:
                return ref, others[0]
            other = _doc_counterpart(state, ref)
            return (ref, other) if other is not None else None
    unique: list[Entity] = []
    for e in names:
        if e not in unique:
            unique.append(e)
    if len(unique) >= 2:
        return unique[0], unique[1]
    if len(unique) == 1:
        other = _doc_counterpart(state, unique[0])
        if other is not None:
            return unique[0], other
    return _doc_pair(state)


def _doc_pair(state: _Extraction) -> tuple[Entity, Entity] | None:
    """Return the two agents the text mentions most, in order of first mention."""
    counts: dict[URIRef, int] = {}
    first: dict[URIRef, int] = {}
    for (start, _end), iri in state.sink.mentions.items():
        entity = state.gaz.by_iri(iri)
        if entity is not None and entity.kind in AGENT_KINDS:
            counts[iri] = counts.get(iri, 0) + 1
            first[iri] = min(first.get(iri, start), start)
    top = sorted(counts, key=lambda i: -counts[i])[:2]
    if len(top) < 2:
        return None
    top.sort(key=lambda i: first[i])
    a, b = state.gaz.by_iri(top[0]), state.gaz.by_iri(top[1])
    return (a, b) if a is not None and b is not None else None


def _doc_counterpart(state: _Extraction, ref: Entity) -> Entity | None:
    pair = _doc_pair(state)
    if pair is None:
        return None
    return pair[1] if pair[0].key == ref.key else pair[0]


_FIGURE_CLAUSE = re.compile(
    r",\s+while\s+|,\s+whereas\s+|;\s+|\s+while\s+|,\s+and\s+(?=[^,]*\b(?:investment|trade)\b)",
    re.I,
)


def _statistics(
    state: _Extraction, sentence: Sentence, evidence: Span, matches: list[Match]
) -> None:
    text = sentence.text
    _ranks(state, sentence, evidence, matches)
    sentence_periods = find_periods(text, state.published, offset=sentence.start)
    cuts = [0, *(m.end() for m in _FIGURE_CLAUSE.finditer(text)), len(text)]
    for lo, hi in itertools.pairwise(cuts):
        clause = Sentence(sentence.index, sentence.start + lo, sentence.start + hi, text[lo:hi])
        _clause_statistics(state, sentence, clause, evidence, matches, sentence_periods)


def _clause_statistics(
    state: _Extraction,
    sentence: Sentence,
    clause: Sentence,
    evidence: Span,
    matches: list[Match],
    sentence_periods: list[PeriodMatch],
) -> None:
    """Record the figure of one clause ("X reached Y, up Z percent"), with its equivalents in parentheses."""
    text = clause.text
    amounts = _amounts(text)
    changes = list(_CHANGE.finditer(text))
    shares = list(_SHARE.finditer(text))
    if not amounts and not changes:
        return
    if _INVEST_WORDS.search(text):
        indicator = CAKG.OutwardInvestment
    elif _TRADE_WORDS.search(text) or re.search(r"\b(?:import|export)", text, re.I):
        indicator = CAKG.TradeValue
    elif _INVEST_WORDS.search(sentence.text):
        indicator = CAKG.OutwardInvestment
    elif _TRADE_WORDS.search(sentence.text):
        indicator = CAKG.TradeValue
    else:
        return
    clause_matches = [m for m in matches if clause.start <= m.start < clause.end]
    areas = _areas_for(
        state,
        clause,
        clause_matches,
        indicator,
        fallback_text=sentence.text,
        fallback_matches=matches,
    )
    if areas is None:
        return
    own = [p for p in sentence_periods if clause.start <= p.start < clause.end]
    if own:
        period: PeriodValue | None = own[-1].value
    elif re.search(r"\bin\s+the\s+same\s+period\b", text, re.I) or not sentence_periods:
        period = state.last_period
    else:
        period = sentence_periods[-1].value
    if period is None:
        return
    state.last_period = period
    change = None
    if changes:
        c = changes[0]
        change = _number(c.group("pct"))
        if re.match(r"(?i)down|fell|declined|decreased|dropped|decline|drop", c.group("dir")):
            change = -change
    share_value = share_total = None
    if shares:
        share_value = _number(shares[0].group("pct"))
        share_total = shares[0].group("total").strip()
    figures: list[_Amount | None] = list(amounts) if amounts else [None]
    made: list[URIRef] = []
    for amount in figures:
        state.statistic_count += 1
        iri = entity_iri("statistic", state.doc.source_id, str(state.statistic_count))
        made.append(iri)
        _statistic(
            state, iri, evidence, indicator, areas, period, amount, change, share_value, share_total
        )
    for a in made:
        for b in made:
            if a != b:
                state.sink.add(a, CAKG.equivalentStatistic, b, evidence)


def _period_iri(state: _Extraction, period: PeriodValue, evidence: Span) -> URIRef:
    iri = entity_iri("period", period.key)
    sink = state.sink
    sink.typed(iri, CAKG.Period, evidence)
    sink.labelled(iri, period.label, evidence)
    for edge, day in ((TIME.hasBeginning, period.begin), (TIME.hasEnd, period.end)):
        instant = entity_iri("instant", day.isoformat())
        sink.add(iri, edge, instant, evidence)
        sink.add(instant, RDFS_TYPE_CONCEPT[0], TIME.Instant, evidence)
        sink.add(instant, TIME.inXSDDate, Literal(day.isoformat(), datatype=XSD.date), evidence)
        sink.labelled(instant, day.isoformat(), evidence)
    return iri


def _statistic(
    state: _Extraction,
    iri: URIRef,
    evidence: Span,
    indicator: URIRef,
    areas: tuple[Entity, Entity],
    period: PeriodValue,
    amount: _Amount | None,
    change: Decimal | None,
    share_value: Decimal | None,
    share_total: str | None,
) -> None:
    sink = state.sink
    ref, counterpart = areas
    sink.typed(iri, CAKG.Statistic, evidence)
    sink.add(iri, CAKG.indicator, indicator, evidence)
    sink.add(iri, SDMX_DIMENSION.refArea, ref.iri, evidence)
    sink.add(iri, CAKG.counterpartArea, counterpart.iri, evidence)
    sink.add(iri, SDMX_DIMENSION.refPeriod, _period_iri(state, period, evidence), evidence)
    if indicator == CAKG.TradeValue:
        subject = f"{ref.label}–{counterpart.label} trade"
    else:
        subject = f"{ref.label}'s investment in {counterpart.label}"
    if amount is not None:
        sink.add(iri, SDMX_MEASURE.obsValue, Literal(amount.value, datatype=XSD.decimal), evidence)
        sink.add(iri, SDMX_ATTRIBUTE.unitMeasure, amount.unit, evidence)
        sink.add(
            iri, SDMX_ATTRIBUTE.unitMult, Literal(amount.multiplier, datatype=XSD.integer), evidence
        )
        sink.add(iri, CAKG.reportedText, Literal(amount.text), evidence)
        label = f"{subject}, {period.label}: {amount.text}"
    else:
        sink.add(iri, SDMX_ATTRIBUTE.unitMeasure, UNIT.PERCENT, evidence)
        label = f"{subject}, {period.label}: change only"
    if change is not None:
        sink.add(iri, CAKG.yearOnYearChange, Literal(change, datatype=XSD.decimal), evidence)
        label += f", {'+' if change >= 0 else ''}{change}% year on year"
    if share_value is not None and share_total is not None:
        sink.add(iri, CAKG.shareOfTotal, Literal(share_value, datatype=XSD.decimal), evidence)
        sink.add(iri, CAKG.shareOf, Literal(share_total), evidence)
    sink.labelled(iri, label, evidence)


def _ranks(state: _Extraction, sentence: Sentence, evidence: Span, matches: list[Match]) -> None:
    text = sentence.text
    for m in _RANK.finditer(text):
        holder = state.gaz.lookup(m.group("holder"))
        subject_matches = [
            x
            for x in matches
            if sentence.start + m.start("subject") <= x.start < sentence.start + m.end("subject")
            and x.entity.kind in AGENT_KINDS
        ]
        if holder is None or not subject_matches:
            continue
        partner = subject_matches[-1].entity
        _rank(
            state,
            evidence,
            holder,
            partner,
            _RANK_VALUE[m.group("rank").lower().replace("  ", " ")],
            _rank_period(state, sentence),
        )
    for m in _EACH_OTHER.finditer(text):
        pair = re.search(
            r"(?P<a>[A-Z][\w-]*)\s+and\s+(?P<b>[A-Z][\w-]*)\s+being", text
        ) or re.search(
            r"(?P<a>[A-Z][\w-]*)\s+and\s+(?P<b>[A-Z][\w-]*)\s+(?:are|were|have\s+been|remain)", text
        )
        if pair is None:
            continue
        a, b = state.gaz.lookup(pair.group("a")), state.gaz.lookup(pair.group("b"))
        if a is None or b is None:
            continue
        value = _RANK_VALUE[m.group("rank").lower()]
        period = _rank_period(state, sentence)
        _rank(state, evidence, a, b, value, period)
        _rank(state, evidence, b, a, value, period)


def _rank_period(state: _Extraction, sentence: Sentence) -> PeriodValue:
    """Return the period a rank holds for: the one the sentence names, else the year of publication."""
    periods = find_periods(sentence.text, state.published)
    if periods:
        return periods[-1].value
    for d in find_dates(sentence.text, state.published):
        if d.value.precision == "year":
            return PeriodValue(d.value.earliest, d.value.latest, str(d.value.year))
    if re.search(r"\bperiod\b", sentence.text) and state.last_period is not None:
        return state.last_period
    year = state.published.year
    return PeriodValue(date(year, 1, 1), date(year, 12, 31), str(year))


def _rank(
    state: _Extraction,
    evidence: Span,
    holder: Entity,
    partner: Entity,
    value: int,
    period: PeriodValue,
) -> None:
    year = period.begin.year
    iri = entity_iri("statistic", state.doc.source_id, f"rank-{holder.key}-{partner.key}")
    sink = state.sink
    sink.typed(iri, CAKG.Statistic, evidence)
    sink.add(iri, CAKG.indicator, CAKG.TradingPartnerRank, evidence)
    sink.add(iri, SDMX_DIMENSION.refArea, holder.iri, evidence)
    sink.add(iri, CAKG.counterpartArea, partner.iri, evidence)
    sink.add(iri, SDMX_DIMENSION.refPeriod, _period_iri(state, period, evidence), evidence)
    sink.add(iri, SDMX_MEASURE.obsValue, Literal(Decimal(value), datatype=XSD.decimal), evidence)
    sink.add(iri, SDMX_ATTRIBUTE.unitMeasure, UNIT.NUM, evidence)
    sink.labelled(
        iri, f"{partner.label} is {holder.label}'s trading partner no. {value} ({year})", evidence
    )


def entities_of(matches: Iterable[Match]) -> list[Entity]:
    """Return the distinct entities of ``matches`` in order of first appearance."""
    seen: list[Entity] = []
    for m in matches:
        if m.entity not in seen:
            seen.append(m.entity)
    return seen
