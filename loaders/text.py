"""Text of a source: normalisation and sentences with character offsets.

Offsets are Python ``str`` indices into the NFC-normalised text (NIF's convention of code
units over NFC); ``text[span.start:span.end] == span.text`` always holds.

>>> [s.text for s in split_sentences('He said "Yes. Go." Then he left. Trade rose 6.9 percent.\\nNext line')]
['He said "Yes. Go."', 'Then he left.', 'Trade rose 6.9 percent.', 'Next line']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Sentence", "normalise", "split_sentences"]

# Words after which a full stop does not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "no", "st", "jr", "sr", "vs", "u.s", "u.k", "e.g", "i.e",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "inc",
    "co", "ltd", "corp", "gen", "gov", "sen", "rep", "dept",
}  # fmt: skip

# A sentence ends at . ! ? (and a closing quote after it), when the next non-space
# character, after white space, starts a sentence: an upper-case letter, a digit, or an opening quote.
_END = re.compile(r"""[.!?]["'”’)]*(?=\s+["“‘(]?[A-Z0-9]|\s*$)""")


@dataclass(frozen=True)
class Sentence:
    """A sentence of the text at ``[start, end)``, numbered from 0."""

    index: int
    start: int
    end: int
    text: str


def normalise(text: str) -> str:
    """Return ``text`` in NFC with Windows and old Mac line ends made ``\\n``."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def _is_abbreviation(text: str, dot: int) -> bool:
    word_start = dot
    while word_start > 0 and (text[word_start - 1].isalpha() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:dot].lower()
    if word in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):
        return True  # "Mr.", "U.S.", "H.E."
    # A single capital initial ("J. Smith") does not end a sentence.
    return len(word) == 1 and text[word_start].isupper()


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences; lines are never joined across a line break."""
    sentences: list[Sentence] = []
    line_start = 0
    for line in text.split("\n"):
        _split_line(text, line_start, line_start + len(line), sentences)
        line_start += len(line) + 1
    return sentences


def _inside_quote(line: str, position: int) -> bool:
    """Return whether ``position`` lies inside a double quotation (quoted speech stays whole)."""
    before = line[:position]
    straight = before.count('"') % 2 == 1
    curly = before.count("“") > before.count("”")
    return straight or curly


def _split_line(text: str, start: int, end: int, out: list[Sentence]) -> None:
    line = text[start:end]
    cursor = 0
    for m in _END.finditer(line):
        if line[m.start()] == "." and _is_abbreviation(line, m.start()):
            continue
        if _inside_quote(line, m.end()) and line.count('"') % 2 == 0:
            continue
        _emit(text, start + cursor, start + m.end(), out)
        cursor = m.end()
    _emit(text, start + cursor, end, out)


def _emit(text: str, start: int, end: int, out: list[Sentence]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(len(out), start, end, text[start:end]))
