"""What planning a small update costs on a large lake, outside extraction itself.

Prints, for the lake LAKE and the source folder SOURCES (min of --repeat runs, in seconds):

    discover        walking SOURCES (transforms.ingest.sources.discover)
    seen_sources    the fingerprints of the inputs already in the lake (the ``sources`` table)
    known doc ids   the documents already in the lake, for deduplication (SeenDocuments.in_lake)
    ... of 100      the same for 100 staged documents only, as validate_and_commit asks for them

Read-only: nothing is written into LAKE or SOURCES. Not part of the test suite (speed is measured here,
never asserted in tests).

    .venv/bin/python benchmarks/bench_plan.py LAKE SOURCES [--repeat 3]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from transforms.ingest.sources import discover
from transforms.lake.dedup import SeenDocuments
from transforms.lake.store import read_committed
from transforms.orchestration.pipeline import SeenSources


def best_of(repeat: int, fn) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("lake", type=Path)
    ap.add_argument("sources", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    ids = read_committed(args.lake, "documents", ["doc_id"])["doc_id"].to_pylist()
    sample = ids[:: max(1, len(ids) // 100)][:100]
    stages = {
        "discover": lambda: sum(1 for _ in discover([args.sources], exclude=[args.lake])),
        "seen_sources": lambda: len(SeenSources(args.lake)),
        "known doc ids": lambda: len(SeenDocuments.in_lake(args.lake)),
        "... of 100": lambda: len(SeenDocuments.in_lake(args.lake, sample)),
    }
    for name, fn in stages.items():
        seconds, count = best_of(args.repeat, fn)
        print(f"{name:<14} {seconds:7.3f} s  ({count} items)")


if __name__ == "__main__":
    main()
