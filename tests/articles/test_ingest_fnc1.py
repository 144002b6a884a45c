# ruff: noqa: RUF001 -- the furniture quoted below is typographic, as on the page.
"""The cleaner over 1,683 real article bodies (FNC-1): it must not eat the articles.

FNC-1 bodies were scraped from many sites and carry their own furniture ("Scroll down for
video", "Poll loading …", "Have something to add to this story? Share it in the
comments."), so the cleaner does remove lines here; these tests bound what it may take.
"""

import collections
import csv
import re
from pathlib import Path

import pytest

from articles.ingest import Cleaned, IngestError, normalise, process

BODIES = (
    Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "fnc1" / "train_bodies.csv"
)
pytestmark = pytest.mark.skipif(not BODIES.is_file(), reason=f"the FNC-1 corpus is not at {BODIES}")

WORD = re.compile(r"\w+")
ENDS_A_SENTENCE = re.compile(r"[.!?…]['\"’”»)\]]*$")
# Whole-line furniture from the chrome lexicon: the only reasons a line that ends like a
# sentence may go ("Sorry we are not currently accepting comments on this article."),
# besides being a repeat of a line that stays. "related": a headline that asks a question,
# listed under "More stories" ("FUNDING CUTS: Is this the end for ...?").
LEXICON_REASONS = {
    "comment-form",
    "loading",
    "media",
    "subscription",
    "share",
    "read-more",
    "related",
}


@pytest.fixture(scope="module")
def results() -> dict[str, tuple[str, Cleaned | IngestError]]:
    with BODIES.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1683
    out: dict[str, tuple[str, Cleaned | IngestError]] = {}
    for row in rows:
        raw = row["articleBody"]
        try:
            out[row["Body ID"]] = (raw, process(raw.encode("utf-8"), name=row["Body ID"]))
        except IngestError as error:
            out[row["Body ID"]] = (raw, error)
    return out


def test_every_body_imports_unless_it_is_only_chrome(results):
    failures = {
        key: (raw, outcome)
        for key, (raw, outcome) in results.items()
        if isinstance(outcome, IngestError)
    }
    # None fails today. A body may fail only for having no article text: no line of it
    # reads as a sentence, so there was nothing to keep.
    assert len(failures) <= 3, sorted(failures)
    for raw, error in failures.values():
        assert str(error) == "The file has no article text left after removing page chrome."
        assert not any(ENDS_A_SENTENCE.search(line) for line in normalise(raw).split("\n"))


def test_at_least_99_percent_of_words_survive_into_body_and_title(results):
    total = kept = 0
    for raw, outcome in results.values():
        if isinstance(outcome, IngestError):
            continue
        before = collections.Counter(WORD.findall(normalise(raw)))
        after = collections.Counter(WORD.findall(outcome.body)) + collections.Counter(
            WORD.findall(outcome.title)
        )
        total += sum(before.values())
        kept += sum((before & after).values())
    assert total > 600_000
    assert kept / total >= 0.99, f"{kept / total:.4f} of {total} words survive"


def test_no_sentence_paragraph_is_lost_except_known_furniture(results):
    lost = []
    for key, (raw, outcome) in results.items():
        if isinstance(outcome, IngestError):
            continue
        paragraphs = set(outcome.body.split("\n\n"))
        reasons = {line.line: line.reason for line in outcome.removed}
        for line in normalise(raw).split("\n"):
            if not line or not ENDS_A_SENTENCE.search(line) or line in paragraphs:
                continue
            reason = reasons.get(line)
            if reason in LEXICON_REASONS or (reason == "repeated-line" and line in outcome.body):
                continue
            lost.append((key, reason, line))
    assert lost == []


def test_bodies_are_canonical(results):
    for _, outcome in results.values():
        if isinstance(outcome, Cleaned):
            assert outcome.body
            assert "\n\n\n" not in outcome.body
            assert outcome.body == outcome.body.strip()
