"""End-to-end pipeline benchmark: N real newswire documents through `timeline run`.

Builds a corpus of N documents from ../shared/corpora/te3-silver (TimeML tags stripped; the DCT written
as a header line under a title line, as the ingest stage reads it); beyond the 2,452 originals, copies
are varied (paragraphs shuffled, DCT shifted) so every document has its own content hash. Then runs
the pipeline through the entry point users use,

    .venv/bin/timeline run --source CORPUS --lake LAKE --warehouse WAREHOUSE

and prints per stage documents/s, MB/s and events/s, total wall time, peak RSS of the run (children's
ru_maxrss), lake and warehouse sizes, and query latencies on the published warehouse; after a full run, the
extraction speed per core inside the pipeline against isolated `events.extract` on the same corpus (measured
just before and just after the run). With
--incremental K it then adds K new documents and runs again; with --correct K it then rewrites K
existing documents (a correction appended: each becomes a new version of its article) and runs again.
With --reuse a corpus, lake and warehouse kept by an earlier --keep run are used as they are (no full
run), so the small updates can be measured again without rebuilding 100k documents.

    .venv/bin/python benchmarks/bench_pipeline.py --sizes 10000 50000 100000 --incremental 100
    .venv/bin/python benchmarks/bench_pipeline.py --sizes 100000 --keep --incremental 100 --correct 1
    .venv/bin/python benchmarks/bench_pipeline.py --sizes 100000 --reuse --incremental 100 --correct 1
    .venv/bin/python benchmarks/bench_pipeline.py --sizes 10000 --profile 2000   # time per stage, one batch
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SILVER = ROOT.parent / "shared" / "corpora" / "te3-silver"
TIMELINE = ROOT / ".venv" / "bin" / "timeline"

_TEXT = re.compile(r"<TEXT>(.*?)</TEXT>", re.S)
_TAG = re.compile(r"<[^>]+>")
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}


def originals() -> list[tuple[str, dt.date, list[str]]]:
    """(name, DCT, paragraphs) of every te3-silver document."""
    if not SILVER.is_dir():
        raise SystemExit(f"benchmark corpus not found: {SILVER} (the shared/ folder beside the project)")
    docs = []
    for path in sorted(SILVER.glob("*.tml")):
        raw = path.read_text(encoding="utf-8")
        m, d = _TEXT.search(raw), re.search(r'<DCT>.*?value="(\d{4}-\d{2}-\d{2})', raw, re.S)
        if not m:
            continue
        text = _TAG.sub("", m.group(1))
        for k, v in _ENTITIES.items():
            text = text.replace(k, v)
        paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        if paras:
            docs.append((path.stem, dt.date.fromisoformat(d.group(1)) if d else dt.date(1998, 1, 1), paras))
    return docs


def write_corpus(folder: Path, n: int, start: int = 0) -> int:
    """Write documents start..start+n-1 into folder (100 per subfolder); returns bytes written."""
    base = originals()
    written = 0
    for i in range(start, start + n):
        name, dct, paras = base[i % len(base)]
        copy = i // len(base)
        if copy:  # a varied copy: paragraphs shuffled, DCT shifted, a closing line of its own
            rng = random.Random(i)
            paras = paras[:1] + rng.sample(paras[1:], len(paras) - 1) + [f"(Archive copy {copy} of {name}.)"]
            dct = dct + dt.timedelta(days=copy)
        title = paras[0][:90].replace("\n", " ")
        body = f"{title}\n{dct:%Y%m%d}\n\n" + "\n\n".join(paras) + "\n"
        path = folder / f"{i // 100:05d}" / f"{name}-{i:07d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
        written += len(body.encode())
    return written


def du(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# Runs the command and prints the peak RSS (KiB) of its largest process: ru_maxrss of the waited-for children.
_MEASURE = ("import resource, subprocess, sys; rc = subprocess.call(sys.argv[1:]); "
            "print('peak_rss_kb', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
            "sys.exit(rc)")


def run_pipeline(corpus: Path, work: Path) -> dict:
    env = dict(os.environ)  # the settings a user gets (TIMELINE_BATCH_SIZE etc. only if set here)
    cmd = [str(TIMELINE), "run", "--source", str(corpus), "--lake", str(work / "lake"),
           "--warehouse", str(work / "timeline.duckdb")]
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"timeline run failed ({proc.returncode})")
    peak_kb = int(proc.stderr.strip().splitlines()[-1].split()[-1])
    runs = sorted((work / "lake" / "_runs").glob("*.json"))
    summary = json.loads(runs[-1].read_text()) if runs else {}
    return {"wall": wall, "peak_rss_mb": peak_kb / 1024, "summary": summary, "stdout": proc.stdout}


def query_latency(warehouse: Path) -> dict:
    """Median of 5 warm runs: the query with its rows fetched as Arrow (what pandas/BI drivers use) and as
    Python tuples (fetchall; adds Python object conversion, proportional to the rows returned)."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    top = con.execute("SELECT market FROM market_summary ORDER BY events DESC LIMIT 1").fetchall()
    market = top[0][0] if top else "US"
    queries = {
        f"timeline of one market ({market})": f"SELECT * FROM market_timeline WHERE market = '{market}'",
        "monthly per-market summary": "SELECT * FROM market_monthly",
    }
    out = {}
    for label, sql in queries.items():
        for fetch in ("arrow", "fetchall"):
            times = []
            for _ in range(6):
                t0 = time.perf_counter()
                rows = con.sql(sql).to_arrow_table().num_rows if fetch == "arrow" else len(con.execute(sql).fetchall())
                times.append(time.perf_counter() - t0)
            out[f"{label}, {fetch}"] = (statistics.median(times[1:]) * 1000, rows)
    con.close()
    return out


def _build_seconds(warehouse: Path) -> float:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT seconds FROM _build").fetchone()[0]


def report(label: str, n_docs: int, n_bytes: int, result: dict, work: Path) -> None:
    s = result["summary"]
    mb = n_bytes / 1e6
    print(f"\n== {label}: {n_docs} documents, {mb:.1f} MB of text")
    print(f"  total wall time         {result['wall']:.1f} s   ({n_docs / result['wall']:.0f} docs/s, "
          f"{mb / result['wall']:.2f} MB/s end to end)")
    print(f"  peak RSS (largest proc) {result['peak_rss_mb']:.0f} MB")
    stages = dict(s.get("stage_seconds", {}))
    stages["warehouse build"] = _build_seconds(work / "timeline.duckdb")
    for stage, secs in stages.items():
        if secs:
            print(f"  {stage:<22}  {secs:7.1f} s   {n_docs / secs:8.0f} docs/s  {mb / secs:6.2f} MB/s  "
                  f"{s.get('events', 0) / secs:9.0f} events/s")
    print(f"  documents {s.get('documents')}  events {s.get('events')}  quarantined {s.get('quarantine')}")
    print(f"  lake {du(work / 'lake') / 1e6:.1f} MB   warehouse {du(work / 'timeline.duckdb') / 1e6:.1f} MB")
    for q, (ms, rows) in query_latency(work / "timeline.duckdb").items():
        print(f"  query: {q:<50} {ms:7.1f} ms  ({rows} rows)")
    for line in result["stdout"].splitlines():
        if line.startswith(("ingest", "warehouse")):
            print(f"  {line.strip()}")


ISOLATED_SAMPLE = 2000  # documents of the corpus the isolated extractor is timed on


def isolated_speed(corpus: Path, sample: int = ISOLATED_SAMPLE) -> float:
    """Isolated ``events.extract`` in M chars per CPU second, in a fresh process (`extract_speed.py --stream`):
    one pass over ``sample`` documents of the corpus, each once as in the pipeline, after a warm-up on other
    documents. A second pass over the same documents (or a process that has seen the same originals, as
    this one has after a first size) is faster: the extractor's caches of words and phrases then always hit."""
    once = json.loads(subprocess.run([sys.executable, str(ROOT / "benchmarks" / "extract_speed.py"), "--stream",
                                      "--corpus", str(corpus), "--docs", str(sample)],
                                     stdout=subprocess.PIPE, text=True, check=True).stdout)
    return once["mchars_per_s"]


def extraction_share(work: Path, summary: dict, isolated: list[float]) -> None:
    """In-pipeline extraction per core (the documents' characters over the extract stage's wall time times
    the workers that shared it) against isolated ``events.extract`` on the same corpus, measured just before
    and just after the run (the machine's speed drifts: the two are shown, the ratio is to their mean); and
    the share of the stage its workers spent inside ``events.extract`` (their own clocks, read during the
    run: no drift between two measurements in it)."""
    import duckdb

    with duckdb.connect(str(work / "timeline.duckdb"), read_only=True) as con:
        chars = con.execute("SELECT sum(chars) FROM documents").fetchone()[0] or 0
    workers = int(os.environ.get("TIMELINE_WORKERS") or 0) or os.cpu_count() or 1
    stage = summary["stage_seconds"]["extract (all tasks)"]
    per_core, reference = chars / stage / workers / 1e6, statistics.mean(isolated)
    print(f"  extraction in the pipeline  {per_core:5.2f} M chars/s per core ({chars / 1e6:.1f} M chars, "
          f"{stage:.1f} s x {workers} workers); {summary.get('extractor_seconds', 0) / stage / workers:.0%} of "
          "the stage inside events.extract, the rest reading, cleaning, rows and staging")
    print(f"  isolated events.extract     {' and '.join(f'{x:.2f}' for x in isolated)} M chars/s before and after "
          f"the run (a fresh process, CPU, one pass over {ISOLATED_SAMPLE} documents of this corpus)  -> in-pipeline = "
          f"{per_core / reference:.0%} of isolated")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    ap.add_argument("--incremental", type=int, default=0, help="then add K documents and run again")
    ap.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "out")
    ap.add_argument("--correct", type=int, default=0, help="then correct K existing documents and run again")
    ap.add_argument("--keep", action="store_true", help="keep the corpora and warehouses")
    ap.add_argument("--reuse", action="store_true", help="use the kept corpus/lake/warehouse of an earlier --keep run")
    ap.add_argument("--profile", type=int, metavar="B", default=0,
                    help="first print the time per stage of one batch of B documents (in this process)")
    args = ap.parse_args()
    if not TIMELINE.exists():
        raise SystemExit("run `make setup` first (.venv/bin/timeline not found)")
    for n in args.sizes:
        work = args.work / f"n{n}"
        corpus = work / "corpus"
        if args.profile:
            from lib.stage_profile import profile

            write_corpus(work / "profile-corpus", args.profile)
            profile(work / "profile-corpus", work, args.profile)
        if args.reuse and (work / "timeline.duckdb").exists():
            print(f"\nreusing {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
            t0 = time.perf_counter()
            n_bytes = write_corpus(corpus, n)
            print(f"\ncorpus of {n} documents written in {time.perf_counter() - t0:.1f} s")
            before = isolated_speed(corpus)
            result = run_pipeline(corpus, work)
            after = isolated_speed(corpus)
            report(f"full run N={n}", n, n_bytes, result, work)
            extraction_share(work, result["summary"], [before, after])
        if args.incremental:
            k_bytes = write_corpus(corpus, args.incremental, start=sum(1 for _ in corpus.rglob("*.txt")))
            report(f"incremental run +{args.incremental} on N={n}", args.incremental, k_bytes,
                   run_pipeline(corpus, work), work)
        if args.correct:
            k_bytes = correct_documents(corpus, args.correct)
            report(f"corrected run: {args.correct} documents changed on N={n}", args.correct, k_bytes,
                   run_pipeline(corpus, work), work)
        if not (args.keep or args.reuse):
            shutil.rmtree(work, ignore_errors=True)


def correct_documents(corpus: Path, k: int) -> int:
    """Append a correction to the first k documents that have none yet; returns the bytes rewritten."""
    size = 0
    done = 0
    for path in sorted(corpus.rglob("*.txt")):
        text = path.read_text(encoding="utf-8")
        if "Correction:" in text:
            continue
        text += f"\n\nCorrection: an earlier version of this article, published on {dt.date.today():%d %B %Y}, misstated a figure.\n"
        path.write_text(text, encoding="utf-8")
        size += len(text.encode())
        done += 1
        if done == k:
            break
    return size

if __name__ == "__main__":
    main()
