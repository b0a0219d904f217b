"""Regression test of extraction precision and recall over every test article.

The articles in tests/articles/ were written for testing, with other wording, officials,
figures and dates than the seed sources; their expected facts were written by reading the
text, not by running the extractors. The seed sources' expected facts are in
tests/data/seed_expected/. Run ``python tests/tests_support/extraction_quality.py -v`` for the table and
for every missed or spurious fact.
"""

from __future__ import annotations

import pytest
from tests_support import extraction_quality as quality

RESULTS = quality.evaluate()
OVERALL, BY_KIND = quality.totals(RESULTS)


def test_there_are_at_least_six_test_articles_besides_the_seeds() -> None:
    own = [
        name
        for name in RESULTS
        if name not in {"000_28ddfdb37133726e", "003_d1853fc3ef21e3a4", "004_05edaf1031469346"}
    ]
    assert len(own) >= 6


def test_overall_precision_and_recall() -> None:
    report = quality.report(RESULTS)
    assert OVERALL.precision >= 0.93, report
    assert OVERALL.recall >= 0.84, report


@pytest.mark.parametrize(
    ("kind", "precision", "recall"),
    [
        ("tenure", 0.95, 0.80),
        ("event", 0.80, 0.82),
        ("participant", 0.93, 0.75),
        ("quote", 0.95, 0.85),
        ("statistic", 0.95, 0.80),
        ("coverage", 0.95, 0.95),
        ("mention", 0.90, 0.85),
    ],
)
def test_precision_and_recall_per_kind(kind: str, precision: float, recall: float) -> None:
    score = BY_KIND[kind]
    detail = "\n".join(score.missed + score.spurious)
    assert score.precision >= precision, detail
    assert score.recall >= recall, detail


@pytest.mark.parametrize(
    "seed", ["000_28ddfdb37133726e", "003_d1853fc3ef21e3a4", "004_05edaf1031469346"]
)
def test_every_fact_of_the_seed_sources_is_found(seed: str) -> None:
    missed = [line for score in RESULTS[seed].values() for line in score.missed]
    spurious = [line for score in RESULTS[seed].values() for line in score.spurious]
    assert not missed, missed
    assert not spurious, spurious
