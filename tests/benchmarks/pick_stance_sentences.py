"""Pick sentences for a new stance held-out set: python -m tests.benchmarks.pick_stance_sentences

Documents of the shared corpora (PolNeAR train and dev texts, FNC-1 train bodies) that no
split of tests/data/stances_gold.jsonl uses are drawn with a fixed seed; from each, up to
three sentences holding a stance-like word and one other sentence at random. Prints one
JSON line per sentence (file, body_id, start, end, sha1, and the text for the annotator to
read). The text never goes into the gold file: only offsets and the sha1 do.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys

from tests.benchmarks.eval_stances import CORPUS, fnc1_bodies, load_gold

# A wide net: stance words, including ones that often state no stance (negated, physical).
STANCE_WORD = re.compile(
    r"\b(support|back(s|ed|ing|er|ers)?\b|endors|oppos|criticis|criticiz|critic|condemn|"
    r"reject|denounc|prais|welcom|applaud|accus|attack|slam|blast|blame|against|favou?r|"
    r"ally|allies|champion|defend|protest|object|disagree|agree|opponent|backlash|"
    r"outrage|rebuk|lambast|mock|dismiss|hail|embrac|vow|pro-|anti-)",
    re.IGNORECASE,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.pick_stance_sentences")
    parser.add_argument("--seed", type=int, required=True)
    # As in heldout4 and heldout5: about three PolNeAR articles to one FNC-1 body.
    parser.add_argument("--polnear", type=int, default=36)
    parser.add_argument("--fnc1", type=int, default=13)
    args = parser.parse_args(argv)

    from articles.nlp import model

    used = {(i["file"], i.get("body_id")) for i in load_gold()}
    bodies = fnc1_bodies()
    polnear: list[tuple[str, int | None]] = [
        (str(p.relative_to(CORPUS)), None)
        for split in ("train", "dev")
        for p in sorted((CORPUS / "polnear" / split / "text").glob("*.txt"))
    ]
    fnc1: list[tuple[str, int | None]] = [
        ("fnc1/train_bodies.csv", body_id) for body_id in sorted(bodies)
    ]
    rng = random.Random(args.seed)
    picked = rng.sample([k for k in polnear if k not in used], args.polnear) + rng.sample(
        [k for k in fnc1 if k not in used], args.fnc1
    )
    nlp = model.load()
    for file, body_id in picked:
        text = bodies[body_id] if body_id is not None else (CORPUS / file).read_text("utf-8")
        doc = nlp(text)
        sents = [s for s in doc.sents if len(s.text.split()) >= 4]
        stance = [s for s in sents if STANCE_WORD.search(s.text)]
        chosen = rng.sample(stance, min(3, len(stance)))
        rest = [s for s in sents if s not in chosen]
        if rest:
            chosen.append(rng.choice(rest))
        for s in sorted(chosen, key=lambda s: s.start_char):
            sentence = text[s.start_char : s.end_char]
            print(
                json.dumps(
                    {
                        "file": file,
                        **({"body_id": body_id} if body_id is not None else {}),
                        "start": s.start_char,
                        "end": s.end_char,
                        "sha1": hashlib.sha1(sentence.encode(), usedforsecurity=False).hexdigest(),
                        "text": sentence,
                    }
                )
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
