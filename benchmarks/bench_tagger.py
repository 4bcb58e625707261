"""Throughput benchmark of the temporal tagger against dateparser.search_dates.

    .venv/bin/python benchmarks/bench_tagger.py [--corpus ../shared/corpora/te3-silver]
        [--docs N] [--big-mb 5] [--dateparser-kb 300] [--skip-dateparser]

* Corpus: TimeML files (te3-silver); the text is the <TEXT> element with all tags stripped, the
  DCT comes from the <DCT> element.
* The tagger runs on every document (one process = one core), then on ONE document of --big-mb
  MB made by concatenating the documents (to show linear time: its MB/s should match the small
  documents' MB/s).
* dateparser.search_dates(text, languages=['en'], settings={'RELATIVE_BASE': DCT}) is slow, so it
  runs on a fixed-size sample: the first documents adding up to --dateparser-kb KB.  The tagger is
  timed on exactly that sample too, and the ratio is reported both ways.
Sizes are UTF-8 megabytes (10^6 bytes).  Throughput is CPU time of this one process (= per core;
it does not move when other jobs share the machine); the tagger figures are the best of --repeat
runs, dateparser runs once.  Wall-clock seconds are printed too.  Nothing is read at import time.
"""
from __future__ import annotations

import argparse
import datetime as dt
import glob
import os
import re
import sys
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpora", "te3-silver"))


def load_docs(corpus: str, limit: int | None) -> list[tuple[str, dt.date | None]]:
    files = sorted(glob.glob(os.path.join(corpus, "**", "*.tml"), recursive=True))
    if limit:
        files = files[:limit]
    docs = []
    for f in files:
        try:
            root = ET.parse(f).getroot()
        except ET.ParseError:
            continue
        dct = None
        el = root.find("DCT")
        if el is not None:
            t = el.find("TIMEX3")
            v = t.get("value", "") if t is not None else ""
            if re.match(r"\d{4}-\d{2}-\d{2}", v):
                dct = dt.date.fromisoformat(v[:10])
        text_el = root.find("TEXT")
        if text_el is None:
            continue
        docs.append(("".join(text_el.itertext()), dct))
    return docs


def timed(fn, repeat: int = 1):
    """(result, best CPU seconds, wall seconds of that run) over `repeat` runs of fn()."""
    best = None
    for _ in range(max(1, repeat)):
        w0, c0 = time.perf_counter(), time.process_time()
        r = fn()
        c, w = time.process_time() - c0, time.perf_counter() - w0
        if best is None or c < best[1]:
            best = (r, c, w)
    return best


def mb(texts) -> float:
    return sum(len(t.encode("utf-8")) for t in texts) / 1e6


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=DEFAULT_CORPUS, help="folder of TimeML .tml files (default: %(default)s)")
    ap.add_argument("--docs", type=int, default=0, help="use only the first N documents (0 = all)")
    ap.add_argument("--big-mb", type=float, default=5.0, help="size of the concatenated document in MB")
    ap.add_argument("--dateparser-kb", type=float, default=300.0, help="size of the dateparser sample in KB")
    ap.add_argument("--repeat", type=int, default=3, help="tagger runs per measurement; the best is reported")
    ap.add_argument("--skip-dateparser", action="store_true")
    a = ap.parse_args(argv)

    if not os.path.isdir(a.corpus):
        sys.exit(f"bench_tagger: corpus folder {a.corpus} not found (it lives in ../shared, which only "
                 f"developers and CI have); pass --corpus DIR")
    sys.path.insert(0, ROOT)
    from transforms.temporal import tag
    from transforms.temporal.scanner import warm_up

    docs = load_docs(a.corpus, a.docs or None)
    if not docs:
        sys.exit(f"bench_tagger: no readable .tml documents in {a.corpus}")
    total_mb = mb(t for t, _ in docs)
    t0 = time.perf_counter()
    warm_up()  # one-time start-up cost: compiling the scanners
    tag(docs[0][0], docs[0][1])
    print(f"start-up    : scanners compiled in {time.perf_counter() - t0:.2f} s (once per process, not counted below)")

    # 1. every document
    n_tx, t_all, w_all = timed(lambda: sum(len(tag(text, dct)) for text, dct in docs), a.repeat)
    rate_all = total_mb / t_all
    print(f"tagger      : {len(docs)} docs, {total_mb:.2f} MB, {n_tx} timexes, {t_all:.2f} s CPU ({w_all:.2f} s wall) "
          f"-> {rate_all:.2f} MB/s per core")

    # 2. one big document (linearity)
    parts, size, i = [], 0, 0
    target = int(a.big_mb * 1e6)
    while size < target:
        t = docs[i % len(docs)][0]
        parts.append(t)
        size += len(t.encode("utf-8")) + 2
        i += 1
    big = "\n\n".join(parts)
    big_dct = docs[0][1]
    n_big, t_big, w_big = timed(lambda: len(tag(big, big_dct)), a.repeat)
    rate_big = mb([big]) / t_big
    print(f"tagger big  : 1 doc of {mb([big]):.2f} MB, {n_big} timexes, {t_big:.2f} s CPU ({w_big:.2f} s wall) "
          f"-> {rate_big:.2f} MB/s (per-MB cost vs small docs: x{rate_all / rate_big:.2f})")

    if a.skip_dateparser:
        return 0
    try:
        from dateparser.search import search_dates
    except ImportError:
        print("dateparser not installed: skipped (pip install dateparser)")
        return 0

    # 3. dateparser on a fixed-size sample of the same documents, and the tagger on that sample
    sample, size = [], 0
    for text, dct in docs:
        if size >= a.dateparser_kb * 1000:
            break
        sample.append((text, dct))
        size += len(text.encode("utf-8"))
    s_mb = mb(t for t, _ in sample)
    search_dates("warm up on 3 March 2020", languages=["en"])

    def run_dateparser():
        n = 0
        for text, dct in sample:
            base = dt.datetime.combine(dct, dt.time()) if dct else dt.datetime(2000, 1, 1)
            try:
                r = search_dates(text, languages=["en"], settings={"RELATIVE_BASE": base})
            except Exception:  # noqa: BLE001 - dateparser occasionally raises on odd input
                r = None
            n += len(r or [])
        return n

    n_dp, t_dp, w_dp = timed(run_dateparser, 1)
    rate_dp = s_mb / t_dp
    _, t_same, _ = timed(lambda: [tag(text, dct) for text, dct in sample], a.repeat)
    rate_same = s_mb / t_same
    print(f"dateparser  : sample of {len(sample)} docs, {s_mb:.2f} MB, {n_dp} dates, {t_dp:.2f} s CPU ({w_dp:.2f} s wall) "
          f"-> {rate_dp:.3f} MB/s "
          f"({t_dp / s_mb:.1f} s/MB)")
    print(f"tagger same : sample {s_mb:.2f} MB in {t_same:.3f} s CPU -> {rate_same:.2f} MB/s  (dateparser runs only on this "
          f"--dateparser-kb sample of the same documents; the tagger runs on everything)")
    print(f"ratio       : tagger/dateparser = {rate_same / rate_dp:.0f}x on the same sample, "
          f"{rate_all / rate_dp:.0f}x (all docs vs sample), {rate_big / rate_dp:.0f}x (5 MB doc vs sample)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
