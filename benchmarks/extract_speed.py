"""Isolated extraction speed: transforms.extract.events.extract over the first N te3-silver documents
(TimeML tags stripped), best of R rounds after a warm-up (wall and CPU time:
the CPU figure is steadier on a shared machine).

    .venv/bin/python benchmarks/extract_speed.py [--docs 600] [--rounds 3]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from market_coverage import CORPORA, tml_documents
from transforms.extract.events import extract


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=600)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    docs = []
    for d in tml_documents(Path(CORPORA / "te3-silver")):
        docs.append(d)
        if len(docs) >= a.docs:
            break
    chars = sum(len(d.text) for d in docs)
    for d in docs[:20]:
        extract(d, "warm")
    best = cpu = float("inf")
    for _ in range(a.rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        n = sum(len(extract(d, "speed")["events"]) for d in docs)
        best, cpu = min(best, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
    print(f"{len(docs)} docs, {chars / 1e6:.2f} M chars, {n} events: best {best:.2f} s wall, {cpu:.2f} s CPU "
          f"= {len(docs) / cpu:.0f} docs/s, {chars / cpu / 1e6:.2f} M chars/s (CPU)")


if __name__ == "__main__":
    main()
