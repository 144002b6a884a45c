"""Quote attribution scored on PolNeAR gold: `make eval` (python -m tests.benchmarks.eval_quotes).

Runs the extractor's own command line (`python -m articles.nlp.extract`) over every text
of the split, exactly as a user would, and scores its lines with
../shared/tools/score_quotes.py at --min-cover 0.3 and 0.8. Writes
bench/results/quotes_<split>.json and prints one line per threshold. Not a pass/fail test:
the figures go in the closing note. The cue lexicon and the speaker choice's weights were
learned on train; dev is reported.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
SCORER = SHARED / "tools" / "score_quotes.py"
RESULTS = ROOT / "bench" / "results"
# Issue 15, point 4 (held-out PolNeAR).
TARGETS = {"direct_f1": 0.92, "speaker_accuracy": 0.92, "all_f1": 0.78}


def run(split: str) -> dict:
    gold = SHARED / "corpus" / "polnear" / split
    files = sorted(str(p) for p in (gold / "text").glob("*.txt"))
    if not files:
        raise SystemExit(f"no texts under {gold / 'text'}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    predictions = RESULTS / f"quotes_{split}.jsonl"
    started = time.perf_counter()
    with predictions.open("w", encoding="utf-8") as out:
        subprocess.run(
            [sys.executable, "-m", "articles.nlp.extract", *files],
            cwd=ROOT,
            stdout=out,
            check=True,
        )
    seconds = time.perf_counter() - started
    scores = {}
    for cover in ("0.3", "0.8"):
        printed = subprocess.run(
            [
                sys.executable,
                str(SCORER),
                str(gold),
                str(predictions),
                "--min-cover",
                cover,
                "--json",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        scores[cover] = json.loads(printed[: printed.rindex("}") + 1])
    at_03 = scores["0.3"]
    figures = {
        "direct_f1": at_03["direct"]["f1"],
        "speaker_accuracy": at_03["speaker_accuracy"],
        "all_f1": at_03["all"]["f1"],
    }
    result = {
        "split": split,
        "articles": len(files),
        "extract_seconds": round(seconds, 1),
        "scores": scores,
        "targets_at_0.3": {
            name: {"target": target, "value": figures[name], "met": figures[name] >= target}
            for name, target in TARGETS.items()
        },
    }
    (RESULTS / f"quotes_{split}.json").write_text(json.dumps(result, indent=2) + "\n")
    predictions.unlink()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=["dev", "train"])
    args = parser.parse_args()
    result = run(args.split)
    for cover, score in result["scores"].items():
        d, a = score["direct"], score["all"]
        print(
            f"{args.split} @{cover}: direct P={d['precision']} R={d['recall']} F1={d['f1']} | "
            f"all P={a['precision']} R={a['recall']} F1={a['f1']} | "
            f"speaker={score['speaker_accuracy']} (n={score['speaker_scored']})"
        )
    print(f"written to {RESULTS / ('quotes_' + args.split + '.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
