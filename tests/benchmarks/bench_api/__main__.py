"""python -m tests.benchmarks.bench_api [--generate] [--seconds N] [--only A,B]: see the
package doc."""

import argparse

from tests.benchmarks.bench_api import generate


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.bench_api")
    parser.add_argument(
        "--generate", action="store_true", help="only create and fill the database (idempotent)"
    )
    parser.add_argument("--seconds", type=float, default=12.0, help="measured time per endpoint")
    parser.add_argument("--clients", type=int, default=4, help="concurrent closed-loop clients")
    parser.add_argument("--stances", type=int, default=1000, help="stances to create")
    parser.add_argument(
        "--only",
        help="comma-separated measurements to run (and the baseline), for a quick look: "
        "annotations_list, article_detail, annotations_updated_since, jsonl_export, "
        "stance_create; written to var/bench/api-partial.json",
    )
    args = parser.parse_args()
    counts = generate.ensure()
    if args.generate:
        return
    from tests.benchmarks.bench_api import run

    only = None
    if args.only:
        only = {name.strip() for name in args.only.split(",") if name.strip()}
        unknown = only - set(run.MEASUREMENTS)
        if unknown:
            parser.error(f"unknown measurements {sorted(unknown)}; known: {run.MEASUREMENTS}")
    run.main(counts, seconds=args.seconds, clients=args.clients, stances=args.stances, only=only)


if __name__ == "__main__":
    main()
