"""The cue lexicon: verbs that report speech or thought, per frame.

The table is data (`data/cues.txt`), learned from the PolNeAR train split by
`python -m articles.nlp.learn_cues` (`make cues`). Each line is a verb lemma, a frame
and two counts: how often the verb was a gold cue in that frame and how often it occurred
in it at all. The frame `quote` is the verb beside a direct quote ('"...," she added');
the others are how the verb reports (`quotes.frame`): "added that the deal held" (ccomp)
is speech, "added 7,000 soldiers" (dobj) is not. A row is a cue when its counts pass the
thresholds below; edit the file by hand to add a verb (give it counts such as 1/1).
"""

from functools import lru_cache
from pathlib import Path

CUES_FILE = Path(__file__).with_name("data") / "cues.txt"
QUOTE = "quote"
# A (verb, frame) is a cue when it was a gold cue this often, in this share of its uses.
# Chosen on PolNeAR train (all-attribution F1 0.756 at 3 and 0.3, 0.774 at 2 and 0.2).
MIN_COUNT = 2
MIN_PRECISION = 0.2
# A verb with a prepositional phrase ("opened in", "added to") is speech far less often
# than a verb with a clause: these frames keep the stricter thresholds.
LOOSE_FRAMES = frozenset({"prep"})
LOOSE_MIN_COUNT = 3
LOOSE_MIN_PRECISION = 0.3
# "according to" needs no row: it always reports.
ALWAYS = frozenset({("accord", "according"), ("according", "according")})


@lru_cache(maxsize=1)
def table() -> dict[tuple[str, str], tuple[int, int]]:
    rows: dict[tuple[str, str], tuple[int, int]] = {}
    for line in CUES_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        lemma, frame_name, counts = line.split("\t")
        cued, _, uses = counts.partition("/")
        rows[(lemma.lower(), frame_name)] = (int(cued), int(uses))
    return rows


@lru_cache(maxsize=1)
def lexicon() -> frozenset[tuple[str, str]]:
    return (
        frozenset(
            key
            for key, (cued, uses) in table().items()
            if cued >= MIN_COUNT
            and cued / max(uses, 1) >= MIN_PRECISION
            and (
                key[1] not in LOOSE_FRAMES
                or (cued >= LOOSE_MIN_COUNT and cued / max(uses, 1) >= LOOSE_MIN_PRECISION)
            )
        )
        | ALWAYS
    )


def is_cue(lemma: str, frame_name: str) -> bool:
    return (lemma, frame_name) in lexicon()
