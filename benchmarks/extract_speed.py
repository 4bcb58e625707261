"""Isolated extraction speed: transforms.extract.events.extract over the first N te3-silver documents
(TimeML tags stripped), or over N documents of a folder as the reader makes them (--corpus), best of R
rounds after a warm-up (wall and CPU time: the CPU figure is steadier on a shared machine).

    .venv/bin/python benchmarks/extract_speed.py [--docs 600] [--rounds 3] [--corpus FOLDER]
    .venv/bin/python benchmarks/extract_speed.py --stream --corpus FOLDER --docs 2000   # one pass, JSON
"""
from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

from market_coverage import CORPORA, tml_documents
from transforms.extract.events import extract
from transforms.ingest.models import Document
from transforms.ingest.sources import discover, read_source


def corpus_documents(folder: Path, n: int) -> list[Document]:
    """The first ``n`` documents of a folder, as the pipeline's reader makes them."""
    docs = (d for sf in discover([folder]) for d in read_source(sf, 10**8) if isinstance(d, Document))
    return list(itertools.islice(docs, n))


def isolated_speed(docs: list[Document], rounds: int = 3, warm: list[Document] | None = None,
                   measured: list[Document] | None = None) -> dict:
    """Best wall and CPU seconds of extracting ``measured`` (default ``docs``) in this process after a warm-up
    on ``warm`` (default: the first 20 of ``docs``); M chars per CPU second. Rounds after the first see the
    same texts again (the extractor's word caches then always hit): one round is the speed on a stream."""
    measured = docs if measured is None else measured
    chars = sum(len(d.text) for d in measured)
    for d in (docs[:20] if warm is None else warm):
        extract(d, "warm")
    best = cpu = float("inf")
    n = 0
    for _ in range(rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        n = sum(len(extract(d, "speed")["events"]) for d in measured)
        best, cpu = min(best, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
    return {"docs": len(measured), "chars": chars, "events": n, "wall": best, "cpu": cpu,
            "mchars_per_s": chars / cpu / 1e6}


def stream_speed(corpus: Path, n: int) -> dict:
    """The speed on a stream, as in the pipeline: each of ``n`` documents of ``corpus`` extracted once, after a
    warm-up on 20 others. Meaningful in a fresh process only (the extractor's caches start empty)."""
    docs = corpus_documents(corpus, n + 20)
    if len(docs) < 40:
        raise SystemExit(f"{corpus}: {len(docs)} documents, too few to measure (at least 40)")
    return isolated_speed(docs, rounds=1, warm=docs[-20:], measured=docs[:-20])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=600)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--corpus", type=Path, help="a folder of source files (default: te3-silver)")
    ap.add_argument("--stream", action="store_true", help="one pass over --docs documents of --corpus; prints JSON")
    a = ap.parse_args()
    if a.stream:
        print(json.dumps(stream_speed(a.corpus, a.docs)))
        return
    if a.corpus:
        docs = corpus_documents(a.corpus, a.docs)
    else:
        docs = list(itertools.islice(tml_documents(Path(CORPORA / "te3-silver")), a.docs))
    r = isolated_speed(docs, a.rounds)
    print(f"{r['docs']} docs, {r['chars'] / 1e6:.2f} M chars, {r['events']} events: best {r['wall']:.2f} s wall, "
          f"{r['cpu']:.2f} s CPU = {r['docs'] / r['cpu']:.0f} docs/s, {r['mchars_per_s']:.2f} M chars/s (CPU)")


if __name__ == "__main__":
    main()
