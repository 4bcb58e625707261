"""Build the DuckDB warehouse from the committed lake and publish it atomically.

The base tables take their columns and types from transforms.lake.schema (Arrow -> DuckDB), the views and
comments come from the SQL files in ``transforms/warehouse/sql/`` (run in name order). The database is built in a
temporary file beside the target and moved over it with one rename, so a dashboard holding the old file
open read-only keeps reading the old data and sees the new data when it reopens.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import time
from pathlib import Path

import pyarrow as pa

from transforms.lake import store as lake
from transforms.lake import schema


SQL_DIR = Path(__file__).with_name("sql")
BUILD_TABLE = "_build"
MAX_FREE_SHARE = 0.4  # an incremental build copies the file; past this share of free blocks, rebuild whole

def sql_files() -> list[Path]:
    return sorted(SQL_DIR.glob("*.sql"))


def definition_fingerprint() -> str:
    """Changes when the warehouse's definition (SQL, schema, this builder) changes."""
    h = hashlib.sha256()
    for path in sql_files() + [Path(schema.__file__), Path(__file__)]:
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def fingerprint(lake_dir: Path) -> str:
    """Changes when the lake gains a committed run or the warehouse's definition changes."""
    h = hashlib.sha256(definition_fingerprint().encode())
    for run in lake.committed_runs(lake_dir):
        h.update(run.encode())
    return h.hexdigest()[:16]


def current_build(warehouse: Path) -> dict | None:
    """What the published file was built from: fingerprint, definition and lake runs."""
    if not warehouse.exists():
        return None
    import duckdb

    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            fp, definition, runs = con.execute(
                f"SELECT fingerprint, definition, runs FROM {BUILD_TABLE}").fetchone()
            total, free = con.execute("SELECT total_blocks, free_blocks FROM pragma_database_size()").fetchone()
            return {"fingerprint": fp, "definition": definition, "runs": list(runs),
                    "free_share": free / total if total else 0.0}
    except duckdb.Error:
        return None


class ForeignFile(ValueError):
    """The warehouse path holds something this pipeline did not build: it is never replaced."""


def refuse_foreign(warehouse: Path) -> None:
    """Raise ``ForeignFile`` when ``warehouse`` exists and is not a timeline warehouse (a user's own DuckDB
    database, a text file, a folder): publishing replaces the file, which would lose it. An empty file is fine."""
    warehouse = Path(warehouse)
    if not warehouse.exists() and not warehouse.is_symlink():
        return
    if not warehouse.is_file():
        raise ForeignFile(f"the warehouse path {warehouse} is not a file; choose another --warehouse")
    if warehouse.stat().st_size == 0:
        return
    import duckdb

    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            ours = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [BUILD_TABLE]).fetchone()[0]
    except duckdb.Error as exc:
        raise ForeignFile(f"{warehouse} exists and is not a DuckDB file ({type(exc).__name__}); refusing to replace "
                          f"it: choose another --warehouse or remove the file") from None
    if not ours:
        raise ForeignFile(f"{warehouse} holds a DuckDB database this pipeline did not build (no {BUILD_TABLE} "
                          f"table); refusing to replace it: choose another --warehouse or remove the file")


def _create(con, name: str, arrow_schema: pa.Schema) -> None:
    """The table with the schema's columns (Arrow types as DuckDB maps them) and storage compression."""
    con.register("_empty", arrow_schema.empty_table())
    try:
        compression = schema.WAREHOUSE_COMPRESSION.get(name, {})
        columns = ", ".join(
            f"{_quoted(col)} {kind}" + (f" USING COMPRESSION {compression[col]}" if col in compression else "")
            for col, kind, *_ in con.execute("DESCRIBE SELECT * FROM _empty").fetchall())
        con.execute(f"CREATE TABLE {name} ({columns})")
    finally:
        con.unregister("_empty")


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _append(con, name: str, files: list[Path]) -> None:
    """Insert the lake files' rows; a column the files lack (written before it existed) is NULL."""
    if not files:
        return
    paths = [str(f) for f in files]
    source = "read_parquet(?, hive_partitioning = false, union_by_name = true)"
    present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {source}", [paths]).fetchall()}
    cols = [c for c in schema.TABLES[name].names if c in present]
    names = ", ".join(map(_quoted, cols))
    con.execute(f"INSERT INTO {name} ({names}) SELECT {names} FROM {source}", [paths])


def _backfill_identity(con, files: list[Path]) -> None:
    """Documents from lake files written before ``documents.identity`` existed get it now, by the one rule
    (transforms.ingest.identity), so a later version of such an article still supersedes it."""
    import json

    import pyarrow.parquet as pq

    from transforms.ingest.identity import source_identity
    from transforms.ingest.models import Document

    old = [str(f) for f in files if "identity" not in pq.read_schema(f).names]
    if not old:
        return
    rows = con.execute("SELECT doc_id, source, source_root, format, url, metadata FROM "
                       "read_parquet(?, hive_partitioning = false, union_by_name = true)", [old]).fetchall()
    ids = [source_identity(Document(doc_id=d, source=s, source_root=r, format=f, text="", url=u,
                                    metadata=json.loads(m) if m else {})) for d, s, r, f, u, m in rows]
    con.register("_identities", pa.table({"doc_id": [r[0] for r in rows], "identity": ids}))
    con.execute("UPDATE documents SET identity = i.identity FROM _identities i WHERE documents.doc_id = i.doc_id")
    con.unregister("_identities")


def build_mode(fp: str, runs_now: list[str], previous: dict | None) -> str:
    """``unchanged`` (built from these runs by this definition), ``incremental`` (the same definition built it
    from a subset of the runs, and replaced derived tables have not left the file mostly free blocks: then a
    full rebuild compacts it) or ``full``."""
    if previous and previous["fingerprint"] == fp:
        return "unchanged"
    if (previous and previous["definition"] == definition_fingerprint() and set(previous["runs"]) <= set(runs_now)
            and previous["free_share"] < MAX_FREE_SHARE):
        return "incremental"
    return "full"


def build(lake_dir: Path, warehouse: Path, force: bool = False, memory: str = "1GB") -> dict:
    """Bring the warehouse up to date with the lake and publish it atomically; returns what was done.

    When the published file was built by the same definition from a subset of the lake's runs, the new
    runs' rows are appended to a copy of it (``incremental``); otherwise everything is rebuilt (``built``).
    Either way the derived tables and views are recomputed from the base tables, and the result replaces
    the published file in one rename.
    """
    import duckdb

    from transforms.extract.markets import market_table

    lake_dir, warehouse = Path(lake_dir), Path(warehouse)
    refuse_foreign(warehouse)
    fp, runs_now = fingerprint(lake_dir), lake.committed_runs(lake_dir)
    previous = None if force else current_build(warehouse)
    mode = build_mode(fp, runs_now, previous)
    if mode == "unchanged":
        return {"status": "unchanged", "warehouse": str(warehouse), "fingerprint": fp}
    incremental = mode == "incremental"
    new_runs = set(runs_now) - set(previous["runs"]) if incremental else set(runs_now)
    t0 = time.perf_counter()
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    tmp = warehouse.with_name(f"{warehouse.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        if incremental:
            shutil.copyfile(warehouse, tmp)
        # a bounded buffer pool: DuckDB spills to disk instead of holding the whole lake in memory
        with duckdb.connect(str(tmp), config={"memory_limit": memory}) as con:
            con.execute("SET enable_progress_bar = false")
            for name in schema.TABLES:
                if not incremental:
                    _create(con, name, schema.warehouse_schema(name))
                files = [f for f in lake.committed_files(lake_dir, name) if f.parent.name[7:] in new_runs]
                _append(con, name, files)
                if name == "documents":
                    _backfill_identity(con, files)
            con.register("_markets", pa.Table.from_pylist(
                [dict(zip(schema.MARKETS.names, row)) for row in market_table()], schema=schema.MARKETS))
            con.execute("CREATE OR REPLACE TABLE markets AS SELECT * FROM _markets ORDER BY code")
            summaries = [lake.run_summary(lake_dir, r) for r in runs_now]
            con.register("_runs", pa.Table.from_pylist(
                [{**{k: r.get(k) for k in schema.RUNS.names}, "committed_at": _timestamp(r.get("committed_at"))}
                 for r in summaries], schema=schema.RUNS))
            con.execute("CREATE OR REPLACE TABLE runs AS SELECT * FROM _runs ORDER BY run_id")
            con.execute("CREATE OR REPLACE TEMP TABLE _new_runs AS SELECT unnest(?::VARCHAR[]) AS run_id",
                        [sorted(new_runs)])  # what the SQL files refresh derived rows for
            for path in sql_files():
                con.execute(path.read_text(encoding="utf-8"))
            con.execute(f"CREATE OR REPLACE TABLE {BUILD_TABLE} AS SELECT ? AS fingerprint, ? AS definition, "
                        "?::VARCHAR[] AS runs, ? AS built_at, ? AS seconds, ? AS mode",
                        [fp, definition_fingerprint(), runs_now, dt.datetime.now(dt.UTC).isoformat(),
                         round(time.perf_counter() - t0, 3), "incremental" if incremental else "full"])
            counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                      for t in ("documents", "events", "event_markets", "quarantine", "markets")}
            con.execute("CHECKPOINT")
        os.replace(tmp, warehouse)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
    return {"status": "incremental" if incremental else "built", "warehouse": str(warehouse),
            "fingerprint": fp, "seconds": round(time.perf_counter() - t0, 3), **counts}


def _timestamp(text: str | None) -> dt.datetime | None:
    """A run summary's ISO time (written by the commit, in UTC) as a timestamp; None if absent or unreadable."""
    try:
        return dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def build_apart(lake_dir: Path, warehouse: Path, memory: str = "1GB") -> dict:
    """``build``, a full one in a fresh process (spawned, not forked): its peak memory is an interpreter plus
    DuckDB's buffer pool, never on top of the calling task's (a `timeline run` process holds Airflow and the
    run); the child dies with the caller and its exceptions reach the caller. An incremental build (a small
    update: little memory) runs here, without the second or so a new interpreter costs."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from transforms.orchestration.processes import die_with_parent, main_not_reimported

    if build_mode(fingerprint(lake_dir), lake.committed_runs(lake_dir), current_build(Path(warehouse))) != "full":
        return build(lake_dir, warehouse, memory=memory)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                             initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        with main_not_reimported():  # the child starts at this submit
            future = pool.submit(build, lake_dir, warehouse, memory=memory)
        return future.result()


def summary(warehouse: Path) -> dict:
    """What a finished run reports: counts and events per market, read from the published file."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        one = lambda q: con.execute(q).fetchone()[0]  # noqa: E731
        return {
            "documents": one("SELECT count(*) FROM documents"),
            "events": one("SELECT count(*) FROM current_events"),
            "quarantined": one("SELECT count(*) FROM quarantine"),
            "per_market": con.execute(
                "SELECT market, count(DISTINCT event_id) FROM market_timeline "
                "GROUP BY market ORDER BY 2 DESC, 1").fetchall(),
            "quarantine_reasons": con.execute(
                "SELECT stage, reason, count(*) FROM quarantine GROUP BY ALL ORDER BY 3 DESC LIMIT 10").fetchall(),
        }

