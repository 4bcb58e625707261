"""Linearity on hostile shapes: 1, 2, 4, 8 MB of news text on ONE line, and as ONE paragraph.

For each shape and size it times (best of --repeat runs) the stages a document goes through (reading + cleaning, sentence
splitting, date tagging, the whole extraction) and prints the cost per MB; linear means the per-MB cost
at 8 MB stays within 1.5x of the cost at 1 MB (the last column). Not part of the test suite (speed is
measured here, never asserted in tests).

    .venv/bin/python benchmarks/bench_linearity.py [--sizes 1 2 4 8] [--stages read split tag extract] [--repeat 3]
"""
from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

from transforms.extract import sentences
from transforms.ingest.models import Document
from transforms.ingest.sources import SourceFile, read_source

ROOT = Path(__file__).resolve().parents[1]
MB = 1_000_000


def sentences_of_seeds() -> list[str]:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt")))
    return [s for s in re.split(r"(?<=[.!?])\s+", " ".join(text.split())) if len(s) > 20]


def make_text(mb: int, shape: str, pool: list[str]) -> str:
    sep = " " if shape == "line" else "\n"
    out, size, i = [], 0, 0
    while size < mb * MB:
        s = pool[i % len(pool)]
        out.append(s)
        size += len(s) + 1
        i += 1
    return sep.join(out)


def stage_read(text: str, work: Path) -> None:
    name = f"doc-{len(text)}.txt"  # written by main() before the clock starts
    st = (work / name).stat()
    list(read_source(SourceFile(str(work), name, st.st_size, st.st_mtime_ns), 100 * MB))


def stage_split(text: str, work: Path) -> None:
    sentences.split(text)


def stage_tag(text: str, work: Path) -> None:
    from transforms.temporal import tag

    tag(text, None)


def stage_extract(text: str, work: Path) -> None:
    from transforms.extract.events import extract

    extract(Document(doc_id="bench", source="doc.txt", source_root=str(work), format="txt", text=text), "bench")


STAGES = {"read": stage_read, "split": stage_split, "tag": stage_tag, "extract": stage_extract}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=float, nargs="+", default=[1, 2, 4, 8])
    ap.add_argument("--stages", nargs="+", choices=list(STAGES), default=list(STAGES))
    ap.add_argument("--shapes", nargs="+", choices=["line", "paragraph"], default=["line", "paragraph"])
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs (the machine may be shared)")
    args = ap.parse_args()
    pool = sentences_of_seeds()
    stage_tag("warm-up on 3 May 2021.", Path("."))
    print(f"{'shape':<10} {'stage':<8} " + " ".join(f"{f'{s:g} MB':>10}" for s in args.sizes)
          + f" {'ratio':>7}   (seconds per MB; ratio = last / first)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for shape in args.shapes:
            texts = {mb: make_text(mb, shape, pool) for mb in args.sizes}
            for text in texts.values():
                (work / f"doc-{len(text)}.txt").write_text(text, encoding="utf-8")
            for name in args.stages:
                per_mb = []
                for mb in args.sizes:
                    best = float("inf")
                    for _ in range(args.repeat):
                        t0 = time.perf_counter()
                        STAGES[name](texts[mb], work)
                        best = min(best, time.perf_counter() - t0)
                    per_mb.append(best / mb)
                print(f"{shape:<10} {name:<8} " + " ".join(f"{c:>10.3f}" for c in per_mb)
                      + f" {per_mb[-1] / per_mb[0]:>7.2f}", flush=True)


if __name__ == "__main__":
    main()
