"""Extraction throughput against bare `nlp.pipe` on the same texts (make bench).

    python -m tests.benchmarks.bench_extract

The texts are FNC-1 train bodies, cleaned by the import pipeline (BENCH_EXTRACT_BODIES of
them, default 600). Three passes, one process, one core each:
- bare: the spaCy model as shipped (`spacy.load`), `nlp.pipe` and nothing else;
- pipeline: our pipeline (the model plus the gazetteer's entity ruler), `nlp.pipe` only;
- extract: `articles.nlp.extract.extract`: the pipeline plus entities, quotes, terms.
Words are whitespace-separated words of the texts. Results: bench/results/extract.json.
"""

import csv
import json
import os
import platform
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import spacy

from articles import ingest
from articles.nlp import model
from articles.nlp.extract import extract

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "fnc1" / "train_bodies.csv"
RESULTS = ROOT / "bench" / "results" / "extract.json"
BODIES = int(os.environ.get("BENCH_EXTRACT_BODIES", "600"))


def texts() -> list[str]:
    csv.field_size_limit(sys.maxsize)
    with CORPUS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))[:BODIES]
    cleaned = []
    for row in rows:
        try:
            cleaned.append(ingest.process(row["articleBody"].encode(), name="body.txt").body)
        except ingest.IngestError:
            continue
    return cleaned


def timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main() -> None:
    if not CORPUS.exists():
        sys.exit(f"{CORPUS} is missing")
    corpus = texts()
    words = sum(len(text.split()) for text in corpus)
    name = model.model_name()
    bare_nlp = spacy.load(name)
    ours = model.load()
    # Warm both up on a few texts so that lazy initialisation is not timed.
    list(bare_nlp.pipe(corpus[:5]))
    list(extract(corpus[:5]))
    bare = timed(lambda: [None for _ in bare_nlp.pipe(corpus, batch_size=model.BATCH_SIZE)])
    pipeline = timed(lambda: [None for _ in ours.pipe(corpus, batch_size=model.BATCH_SIZE)])
    extracted: list = []
    full = timed(lambda: extracted.extend(extract(corpus)))
    report = {
        "benchmark": "extraction vs bare nlp.pipe, FNC-1 train bodies (cleaned), one process",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "model": name,
        "spacy": spacy.__version__,
        "texts": len(corpus),
        "words": words,
        "seconds": {
            "bare_nlp_pipe": round(bare, 2),
            "pipeline_nlp_pipe": round(pipeline, 2),
            "extract": round(full, 2),
        },
        "words_per_second": {
            "bare_nlp_pipe": round(words / bare),
            "pipeline_nlp_pipe": round(words / pipeline),
            "extract": round(words / full),
        },
        "extract_to_bare_ratio": round(bare / full, 3),
        "found": {
            "mentions": sum(len(x.entities) for x in extracted),
            "quotes": sum(len(x.quotes) for x in extracted),
        },
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
