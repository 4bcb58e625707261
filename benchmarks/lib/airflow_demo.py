"""Python side of the Airflow demos (benchmarks/scheduler_demo.sh, benchmarks/celery_demo.sh).

    airflow_demo.py corpus OUT N              write N documents into OUT (te3-silver if present, else seed copies)
    airflow_demo.py q SQL [PARAM...]          read-only query of Airflow's metadata db ('?' placeholders),
                                              tab-separated rows; the db is AIRFLOW__DATABASE__SQL_ALCHEMY_CONN
    airflow_demo.py report --run-id ID ...    the runs, every try of the mapped `extract` tasks (worker,
                                              times), how many ran at once, the warehouse's counts; exit 1 on
                                              a failed check (see --help)

`worker_hostname` is a hostname callable for Celery workers that share one machine
(AIRFLOW__CORE__HOSTNAME_CALLABLE=airflow_demo.worker_hostname with this folder on PYTHONPATH): it returns
$DEMO_WORKER_HOSTNAME, so each task instance records which worker ran it. Keep this module's imports light.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPARED = ("documents", "events", "event_markets")


def worker_hostname() -> str:
    return os.environ["DEMO_WORKER_HOSTNAME"]


# --- corpus -----------------------------------------------------------------------------------------
def corpus(out: Path, n: int) -> None:
    import random

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_pipeline import SILVER, write_corpus

    out.mkdir(parents=True, exist_ok=True)
    if SILVER.is_dir():
        size = write_corpus(out, n)
        print(f"corpus: {n} te3-silver documents, {size / 1e6:.2f} MB")
        return
    # no ../shared: varied copies of the seeds (paragraphs shuffled, so every copy has its own hash)
    seeds = sorted(p for p in (ROOT / "seeds").iterdir() if p.suffix in (".txt", ".md"))
    for i in range(n):
        src = seeds[i % len(seeds)]
        paras = src.read_text(encoding="utf-8").split("\n\n")
        rng = random.Random(i)
        body = "\n\n".join(paras[:1] + rng.sample(paras[1:], len(paras) - 1)) + f"\n\n(copy {i})\n"
        (out / f"{src.stem}-{i:05d}{src.suffix}").write_text(body, encoding="utf-8")
    print(f"corpus: {n} varied copies of {len(seeds)} seeds (../shared not found)")


# --- metadata db --------------------------------------------------------------------------------------
def query(sql: str, params=()) -> list[tuple]:
    """Read-only query of Airflow's metadata db; '?' placeholders; dates as datetimes."""
    url = os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    if url.startswith("sqlite:///"):
        import sqlite3

        con = sqlite3.connect(f"file:{url.removeprefix('sqlite:///')}?mode=ro", uri=True, timeout=30)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()
    import psycopg2
    from sqlalchemy.engine import make_url

    u = make_url(url)
    con = psycopg2.connect(host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database)
    try:
        con.set_session(readonly=True, autocommit=True)
        with con.cursor() as cur:
            cur.execute(sql.replace("?", "%s"), params)
            return cur.fetchall()
    finally:
        con.close()


def _time(v) -> dt.datetime | None:
    if v is None or isinstance(v, dt.datetime):
        return v
    return dt.datetime.fromisoformat(v)


def _show(rows: list[tuple], header: tuple[str, ...]) -> None:
    cells = [header] + [tuple("" if v is None else f"{v:%H:%M:%S}" if isinstance(v, dt.datetime) else
                              f"{v:.1f}" if isinstance(v, float) else str(v) for v in r) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    for r in cells:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())


def max_concurrent(intervals: list[tuple[object, dt.datetime, dt.datetime]]) -> tuple[int, list, dt.datetime | None]:
    """The most intervals open at one instant, which ones, and when (an end before a start at a tie)."""
    edges = sorted([(s, 1, k) for k, s, _ in intervals] + [(e, -1, k) for k, _, e in intervals],
                   key=lambda x: (x[0], x[1]))
    cur = best = 0
    best_at = None
    for t, d, _ in edges:
        cur += d
        if cur > best:
            best, best_at = cur, t
    running = sorted(k for k, s, e in intervals if best_at is not None and s <= best_at < e)
    return best, running, best_at


def warehouse_counts(path: Path) -> dict[str, int]:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as wh:
        tables = [r[0] for r in wh.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                           "'main' AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall()]
        return {t: wh.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def event_ids_digest(path: Path) -> str:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as wh:
        return wh.execute("SELECT md5(string_agg(event_id, ',' ORDER BY event_id)) FROM events").fetchone()[0]


def reference_stages(lake: Path) -> str:
    """The stage timings that `timeline run` recorded in the lake's run summary (its one run)."""
    sys.path.insert(0, str(ROOT))
    from transforms.lake import store

    (run,) = store.committed_runs(lake)
    stages = store.run_summary(lake, run)["stage_seconds"]
    return "stages: " + ", ".join(f"{k} {v:.1f} s" for k, v in stages.items() if v is not None)


def report(a: argparse.Namespace) -> int:
    ok = a.ingest_state == "success" and a.warehouse_state == "success"
    executor = os.environ.get("AIRFLOW__CORE__EXECUTOR", "?")
    print(f"== executor: {executor}")
    print("\n== DAG runs")
    _show(query("SELECT dag_id, run_id, run_type, triggered_by, state, start_date, end_date FROM dag_run ORDER BY id"),
          ("dag_id", "run_id", "type", "triggered_by", "state", "start", "end"))
    others = query("SELECT run_id, state FROM dag_run WHERE dag_id = 'timeline_ingest' AND run_id <> ?", (a.run_id,))
    if others:
        print(f"note: other timeline_ingest runs were created: {others}")

    cols = "map_index, try_number, state, hostname, start_date, end_date, pid"
    where = "dag_id = 'timeline_ingest' AND task_id = 'extract' AND run_id = ?"
    tries = [tuple(r) for r in query(f"SELECT {cols} FROM task_instance_history WHERE {where}", (a.run_id,))]
    tries += [tuple(r) for r in query(f"SELECT {cols} FROM task_instance WHERE {where}", (a.run_id,))]
    tries = sorted(((m, t, s, h, _time(b), _time(e), p) for m, t, s, h, b, e, p in tries), key=lambda r: (r[0], r[1]))
    print(f"\n== every try of the mapped `extract` tasks of {a.run_id}")
    _show([(m, t, s, h, b, e, (e - b).total_seconds() if b and e else None, p) for m, t, s, h, b, e, p in tries],
          ("map_index", "try", "state", "worker (hostname)", "start", "end", "seconds", "pid"))
    done = [r for r in tries if r[2] == "success"]
    ran = [(f"{m}.{t}", b, e) for m, t, _, _, b, e, _ in tries if b and e]
    map_indexes = {r[0] for r in tries}
    if not done or len(done) != len(map_indexes):
        print(f"FAIL: {len(done)} of {len(map_indexes)} extract map indexes succeeded")
        ok = False
    if ran:
        best, running, best_at = max_concurrent(ran)
        span = (max(e for *_, e in ran) - min(b for _, b, _ in ran)).total_seconds()
        busy = sum((e - b).total_seconds() for _, b, e in ran)
        per_host: dict[str, int] = {}
        for _, _, s, h, *_ in tries:
            per_host[h] = per_host.get(h, 0) + 1
        print(f"\nextract: {len(map_indexes)} map indexes, {len(tries)} tries; tries per worker: "
              + ", ".join(f"{h} {n}" for h, n in sorted(per_host.items(), key=lambda x: str(x[0]))))
        print(f"MAX CONCURRENT extract tries: {best} (map_index.try {running} at {best_at:%H:%M:%S.%f})")
        print(f"EXTRACT PHASE WALL TIME: {span:.1f} s (first start to last end; {busy:.1f} task-seconds, "
              f"overlap factor {busy / span:.2f})")
        if len(map_indexes) < a.min_batches or best < a.min_concurrent:
            print(f"FAIL: expected >= {a.min_batches} mapped extract tasks with >= {a.min_concurrent} at the same time")
            ok = False
        if a.min_workers and len({r[3] for r in done}) < a.min_workers:
            print(f"FAIL: expected successful extract tries on >= {a.min_workers} workers")
            ok = False
    if a.killed:
        host, index = a.killed.split(":")
        lost = [r for r in tries if r[0] == int(index) and r[3] == host and r[2] != "success"]
        rescued = [r for r in tries if r[0] == int(index) and r[3] != host and r[2] == "success"]
        print(f"\nkilled worker {host} while it ran map index {index}: "
              f"{'try ' + str(lost[0][1]) + ' ' + str(lost[0][2]) if lost else 'no failed try recorded'}; "
              f"{'retried as try ' + str(rescued[0][1]) + ' on ' + str(rescued[0][3]) + ': success' if rescued else 'NOT retried on another worker'}")
        if not (lost and rescued):
            print("FAIL: the killed worker's extract was not retried on another worker")
            ok = False

    warehouse = Path(a.warehouse)
    if not warehouse.exists():
        print("warehouse not published:", warehouse)
        return 1
    counts = warehouse_counts(warehouse)
    print(f"\n== warehouse {warehouse}")
    if a.reference:
        ref = warehouse_counts(Path(a.reference))
        print(f"  {'table':<20} {'cluster':>9} {'timeline run':>12}")
        for t in sorted(set(counts) | set(ref)):
            mark = "" if counts.get(t) == ref.get(t) else "   <- differs" if t in COMPARED else "   (differs)"
            print(f"  {t:<20} {counts.get(t, '-'):>9} {ref.get(t, '-'):>12}{mark}")
        same = all(counts.get(t) == ref.get(t) for t in COMPARED)
        same_ids = event_ids_digest(warehouse) == event_ids_digest(Path(a.reference))
        print(f"SAME AS `timeline run` ({', '.join(COMPARED)} counts): {'yes' if same else 'NO'}; "
              f"same event ids: {'yes' if same_ids else 'NO'}")
        print(f"`timeline run` on the same corpus (one machine, in-process, every core): {a.reference_seconds} s "
              f"end to end; {reference_stages(Path(a.reference_lake)) if a.reference_lake else ''}")
        ok = ok and same and same_ids
    else:
        for t, n in counts.items():
            print(f"  {t:<20} {n:>8} rows")
    print("RESULT:", "OK" if ok else "FAILED")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("corpus")
    c.add_argument("out", type=Path)
    c.add_argument("n", type=int)
    q = sub.add_parser("q")
    q.add_argument("sql")
    q.add_argument("params", nargs="*")
    r = sub.add_parser("report")
    r.add_argument("--run-id", required=True)
    r.add_argument("--warehouse", required=True)
    r.add_argument("--ingest-state", default="")
    r.add_argument("--warehouse-state", default="")
    r.add_argument("--min-batches", type=int, default=4)
    r.add_argument("--min-concurrent", type=int, default=2)
    r.add_argument("--min-workers", type=int, default=0, help="distinct hostnames with a successful extract")
    r.add_argument("--reference", help="warehouse of a `timeline run` of the same corpus: counts must be equal")
    r.add_argument("--reference-seconds", default="?")
    r.add_argument("--reference-lake", help="the reference's lake (for its stage timings)")
    r.add_argument("--killed", help="HOSTNAME:MAP_INDEX of a worker killed mid-task: must be retried elsewhere")
    a = p.parse_args(argv)
    if a.cmd == "corpus":
        corpus(a.out, a.n)
    elif a.cmd == "q":
        for row in query(a.sql, a.params):
            print("\t".join("" if v is None else str(v) for v in row))
    else:
        return report(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
