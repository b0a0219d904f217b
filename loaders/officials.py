"""Officials and their titles, in the ways news writes them.

Recognised forms (the title before or after the name):

- "Minister of Commerce Wang Wentao", "Chinese Premier Li Qiang",
  "Malaysian Prime Minister Anwar Ibrahim", "President Xi Jinping";
- "Malaysia's Minister of Investment, Trade & Industry, Tengku Zafrul Aziz";
- "Liang Jianjun, deputy head of the Department of Asian Affairs under the Ministry of
  Foreign Affairs, said"; "Li Chenggang, assistant Minister of Commerce, said".

>>> [(o.name, o.role, o.of_phrase) for o in find_officials("Minister of Commerce Wang Wentao and others")]
[('Wang Wentao', 'minister', 'Commerce')]
>>> o = find_officials("Liang Jianjun, deputy head of the Department of Asian Affairs under the Ministry of Foreign Affairs, said")[0]
>>> (o.name, o.role, o.of_phrase, o.under_phrase)
('Liang Jianjun', 'deputy head', 'Department of Asian Affairs', 'Ministry of Foreign Affairs')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["HONORIFIC", "NAME", "OfficialMention", "find_officials"]

_NAME_TOKEN = r"(?:[A-Z][a-z]+(?:[-'][A-Za-z][a-z]+)?|[A-Z]\.)"
#: A personal name: two to five capitalised tokens (Malay "bin"/"binti" allowed inside).
NAME = rf"{_NAME_TOKEN}(?:\s+(?:bin\s+|binti\s+|van\s+|de\s+)?{_NAME_TOKEN}){{1,4}}"

_QUALIFIER = (
    r"(?:deputy|vice|assistant|acting|executive|senior|permanent|first|second|chief|former)"
)
_HEAD = (
    r"(?:prime\s+minister|vice\s+premier|premier|president|minister|secretary-general|"
    r"secretary\s+general|secretary|director-general|director\s+general|director|head|chief|"
    r"chairman|chairwoman|chairperson|chair|spokesperson|spokesman|spokeswoman|ambassador|"
    r"governor|mayor|commissioner|representative|envoy|counsellor|counselor)"
)
_ROLE = rf"(?i:(?:{_QUALIFIER}\s+)*{_HEAD})"
# Words of an organisation's name after "of": capitalised words joined by spaces, commas,
# "and", "&", "of", "the", "for".
_ORG_WORD = r"[A-Z][\w'’.-]*"
_ORG = rf"{_ORG_WORD}(?:(?:\s+|,\s+|\s+&\s+)(?:(?:and|of|the|for|&)\s+)*{_ORG_WORD})*?"
_COUNTRY = r"(?!(?:Deputy|Vice|Assistant|Acting|Executive|Senior|Permanent|First|Second|Chief|Former)\b)(?P<country>[A-Z][a-z]+(?:['’]s)?)"
#: Honorifics written before a name and not part of it.
HONORIFIC = r"(?:(?:H\.E\.|Mr\.?|Ms\.?|Mrs\.?|Dr\.?|Madam|Datuk\s+Seri|Dato['’]?\s+Sri|Dato['’]?|Datuk|Tan\s+Sri|Pehin|Dato\s+Seri\s+Setia)\s+)*"
_AFTER_NAME = r"(?=\s*(?:,|\.|;|:|\)|$|\s(?:and|said|says|told|noted|added|who|has|had|was|is|will|would|met|signed|held|attended|stressed|announced|pointed|witnessed|on|at|in|led|co-chaired|chaired|urged|called|welcomed)\b))"
_SPEECH = (
    r"(?:said|says|told|noted|added|stated|announced|remarked|explained|stressed|pointed\s+out)"
)

# Title before the name.
_PORTFOLIO_WORD = r"(?:Trade|Commerce|Foreign|Finance|Economy|Economic|Industry|Investment|Defence|Defense|Agriculture|Transport|Tourism|Planning)"
_PORTFOLIO = rf"(?P<portfolio>{_PORTFOLIO_WORD}(?:(?:,\s+|\s+and\s+){_PORTFOLIO_WORD})*)"
_BEFORE = re.compile(
    rf"(?:{_COUNTRY}\s+)?(?P<title>(?:{_PORTFOLIO}\s+)?(?P<role>{_ROLE})(?:\s+(?:of|for)\s+(?:the\s+)?(?P<of>{_ORG}))?)\s*,?\s+{HONORIFIC}(?P<name>{NAME}){_AFTER_NAME}"
)
# Title in apposition after the name.
_AFTER = re.compile(
    rf"{HONORIFIC}(?P<name>{NAME}),\s+(?:the\s+|{_COUNTRY}\s+)?(?P<title>(?P<role>{_ROLE})(?:\s+(?:of|for)\s+(?:the\s+)?(?P<of>[^,;()]+?))?"
    rf"(?:\s+and\s+(?:the\s+)?{_ROLE}(?:\s+(?:of|for)\s+[^,;()]+?)?)?"
    rf"(?:\s+(?:under|at|in|to)\s+(?:the\s+)?(?P<under>[^,;()]+?))?)(?:,\s+(?={_SPEECH}|who\b|and\b|signed\b|witnessed\b|met\b|led\b|told\b|attended\b|co-chaired\b|said\b)|(?=\.(?:\s|$)))"
)

_NOT_A_COUNTRY = {
    "The",
    "A",
    "An",
    "And",
    "On",
    "In",
    "At",
    "By",
    "Its",
    "Their",
    "His",
    "Her",
    "Former",
    "Then",
}


_SECOND_TITLE = re.compile(rf"\s+and\s+(?:the\s+)?(?=(?:{_PORTFOLIO_WORD}\s+)?{_ROLE}\b)")


@dataclass(frozen=True)
class OfficialMention:
    """A person named with a title, found in a sentence (offsets within the sentence)."""

    name: str
    name_start: int
    name_end: int
    title: str
    role: str
    of_phrase: str | None
    under_phrase: str | None
    country_word: str | None
    start: int
    end: int


def _role_of(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def find_officials(sentence: str) -> list[OfficialMention]:
    """Return the titled people named in ``sentence``, in order of appearance."""
    found: list[OfficialMention] = []
    for pattern in (_AFTER, _BEFORE):
        for m in pattern.finditer(sentence):
            if any(m.start("name") < f.name_end and f.name_start < m.end("name") for f in found):
                continue
            if any(m.start("title") < f.end and f.start < m.end("title") for f in found):
                continue  # the title belongs to a name already matched
            country = m.group("country")
            portfolio = m.groupdict().get("portfolio")
            if country and re.fullmatch(_PORTFOLIO, country):
                country, portfolio = None, portfolio or country
            if country in _NOT_A_COUNTRY:
                country = None
            title = m.group("title")
            found.append(
                OfficialMention(
                    name=m.group("name"),
                    name_start=m.start("name"),
                    name_end=m.end("name"),
                    title=title,
                    role=_role_of(m.group("role")),
                    of_phrase=m.group("of") or portfolio,
                    under_phrase=m.groupdict().get("under"),
                    country_word=country,
                    start=m.start(),
                    end=m.end(),
                )
            )
    found.sort(key=lambda f: f.start)
    return [part for f in found for part in _split_titles(f)]


def _split_titles(o: OfficialMention) -> list[OfficialMention]:
    """Split "Deputy Prime Minister and Minister of Economy and Finance" into its two posts."""
    parts = _SECOND_TITLE.split(o.title, maxsplit=1)
    if len(parts) == 1:
        return [o]
    first, second = parts
    result = []
    for title in (first, second):
        m = re.match(
            rf"(?:{_PORTFOLIO}\s+)?(?P<role>{_ROLE})(?:\s+(?:of|for)\s+(?:the\s+)?(?P<of>.+))?$",
            title,
        )
        if m is None:
            return [o]
        result.append(
            OfficialMention(
                name=o.name,
                name_start=o.name_start,
                name_end=o.name_end,
                title=title,
                role=_role_of(m.group("role")),
                of_phrase=m.group("of") or m.group("portfolio"),
                under_phrase=o.under_phrase if title is second else None,
                country_word=o.country_word,
                start=o.start,
                end=o.end,
            )
        )
    return result
