"""The pure parts of the API benchmark (tests/benchmarks/bench_api): the generator's text
and span arithmetic, and the load statistics. No database, no server, nothing timed."""

import random

import pytest

from articles.anchoring import CONTEXT_CHARS
from tests.benchmarks.bench_api import load, rows, synth

NAMES = [name for name, _ in synth.entities(300)]
WEIGHTS = synth.zipf_cum_weights(len(NAMES))


def _text(seed: int, mentions: int = 7, quotes: int = 2) -> synth.ArticleText:
    return synth.article_text(
        random.Random(seed), names=NAMES, cum_weights=WEIGHTS, mentions=mentions, quotes=quotes
    )


def _matches_the_triggers(body: str, start: int, end: int, exact: str, prefix: str, suffix: str):
    """What articles.dbguards checks on every span insert, in Python."""
    assert exact == body[start:end]
    assert prefix == body[max(0, start - CONTEXT_CHARS) : start]
    assert suffix == body[end : end + CONTEXT_CHARS]


@pytest.mark.parametrize("seed", range(20))
def test_every_name_and_quote_span_points_at_its_text(seed):
    text = _text(seed)
    assert len(text.names) == 7
    assert len(text.quotes) == 2
    for name in text.names:
        assert text.body[name.start : name.end] == NAMES[name.entity]
    for quote in text.quotes:
        assert text.body[quote.start - 1] == '"'
        assert text.body[quote.end : quote.end + 2] == ',"'
        assert text.body[quote.cue_start : quote.cue_end] == quote.cue
        assert quote.speaker in text.names
        assert quote.speaker.start == quote.cue_end + 1
    for start, end in text.sentences:
        assert text.body[start].isupper()
        assert text.body[end - 1] == "."


def test_the_same_seed_writes_the_same_article():
    assert _text(7) == _text(7)
    assert _text(7).body != _text(8).body


def test_bodies_are_a_few_hundred_words():
    words = [len(_text(seed).body.split()) for seed in range(20)]
    assert min(words) >= 200
    assert max(words) <= 600


def test_a_quote_needs_a_speaker_among_the_mentions():
    with pytest.raises(ValueError, match="quotes <= mentions"):
        _text(1, mentions=1, quotes=2)


def test_entities_are_distinct_and_the_same_in_every_process():
    named = synth.entities(3000)
    assert len({name for name, _ in named}) == 3000
    assert {kind for _, kind in named} == {"PERSON", "ORG", "GPE"}
    # A stable order, not Python's per-process salted str hash.
    assert synth.hash_order("Harbour") == 415733416


def test_generated_rows_pass_the_anchor_triggers_and_add_up():
    first = rows.ARTICLES - 9  # the last ten articles
    chunk = rows.chunk_rows(
        random.Random(1),
        first,
        NAMES,
        WEIGHTS,
        annotators=[11, 12, 13],
        polarities={slug: i for i, slug in enumerate(synth.POLARITIES, 1)},
    )
    bodies = {row[0]: row[4] for row in chunk.articles}
    assert sorted(bodies) == list(range(first, rows.ARTICLES + 1))
    assert len(chunk.mentions) == sum(rows.mentions_of(i) for i in bodies)
    assert len(chunk.quotes) == 2 * len(bodies)
    assert len(chunk.stances) == len(bodies)
    assert len(chunk.notes) == len(bodies) // 2
    for row in chunk.mentions:
        _matches_the_triggers(bodies[row[10]], *row[2:7])
    for row in chunk.quotes:
        _matches_the_triggers(bodies[row[17]], *row[3:8])
    for row in chunk.stances:
        _matches_the_triggers(bodies[row[11]], *row[2:7])
        assert row[13] != row[16]  # holder is not its own target
    for row in chunk.notes:
        if row[3] is not None:
            _matches_the_triggers(bodies[row[8]], *row[3:8])
    # Quote ids are given so that stances can name theirs: 2 per article, from 1.
    assert [row[0] for row in chunk.quotes][:2] == [2 * first - 1, 2 * first]
    quote_ids = {row[0] for row in chunk.quotes}
    assert {row[15] for row in chunk.stances} - {None} <= quote_ids
    # Each row has a value for each column it is copied into.
    for table, data in chunk.by_table().items():
        assert {len(row) for row in data} == {len(rows.TABLES[table].split(","))}


def test_percentile_interpolates_between_ranks():
    assert load.percentile([4, 1, 3, 2], 50) == 2.5
    assert load.percentile([4, 1, 3, 2], 0) == 1
    assert load.percentile([4, 1, 3, 2], 100) == 4
    assert load.percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert load.percentile([7.0], 95) == 7.0


@pytest.mark.parametrize(("values", "q"), [([], 50), ([1.0], -1), ([1.0], 101)])
def test_percentile_refuses_nonsense(values, q):
    with pytest.raises(ValueError, match=r"percentile|within"):
        load.percentile(values, q)


def test_summary_merges_the_clients_and_keeps_the_page_depths_apart():
    first = load.ClientResult(
        latencies={"first_page": [0.010, 0.020], "deeper_page": [0.040]}, completed=3, items=300
    )
    second = load.ClientResult(latencies={"first_page": [0.030]}, completed=1, items=100)
    report = load.summary([first, second], seconds=2.0)
    assert report["requests"] == 4
    assert report["requests_per_second"] == 2.0
    assert report["annotations_per_second"] == 200
    assert report["p50_ms"] == 25.0
    assert report["errors"] == 0
    assert report["by_page"]["first_page"] == {"requests": 3, "p50_ms": 20.0, "p95_ms": 29.0}
    assert report["by_page"]["deeper_page"]["requests"] == 1


def test_a_cursor_link_is_followed_on_loopback_by_its_path():
    assert (
        load._path_of("http://127.0.0.1:8123/api/v1/annotations/?cursor=abc&page_size=100")
        == "/api/v1/annotations/?cursor=abc&page_size=100"
    )
