"""python -m tests.benchmarks.bench_api [--generate] [--seconds N] (see the package doc)."""

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
    args = parser.parse_args()
    counts = generate.ensure()
    if args.generate:
        return
    from tests.benchmarks.bench_api import run

    run.main(counts, seconds=args.seconds, clients=args.clients, stances=args.stances)


if __name__ == "__main__":
    main()
