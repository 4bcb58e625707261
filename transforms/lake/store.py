"""The Parquet lake: staged writes, atomic commits, crash recovery.

Layout (``<lake>`` is TIMELINE_LAKE):

    <lake>/_staging/<run_id>/<table>/part-<batch>.parquet   written by the extraction tasks
    <lake>/<table>/run_id=<run_id>/part-<batch>.parquet     moved here by the commit (rename, same disk)
    <lake>/_runs/<run_id>.json                               the commit marker, written last

A run's partitions count only once its commit marker exists; partitions without one (a crash between
the moves) and staging folders of dead runs are removed by ``recover`` before the next run starts.
Every file is written to a temporary name and renamed, so no reader ever sees half a file.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from transforms.lake.schema import TABLES

STAGING = "_staging"
RUNS = "_runs"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def to_table(rows: list[dict], table: str) -> pa.Table:
    """Rows (dicts) to an Arrow table with the schema of ``table``; raises on a missing or extra column."""
    schema = TABLES[table]
    if rows:
        extra = set(rows[0]) - set(schema.names)
        if extra:
            raise ValueError(f"{table}: columns not in the schema: {sorted(extra)}")
    return pa.Table.from_pylist(rows, schema=schema)


def without(tables: dict[str, pa.Table], doc_ids: set[str], event_ids: set[str]) -> dict[str, pa.Table]:
    """The tables given without these documents (and all their rows) and events (with their mentions and
    markets)."""
    out = dict(tables)
    if doc_ids:
        ids = pa.array(sorted(doc_ids), pa.string())
        for name in ("documents", "events", "event_mentions"):
            if name in out:
                out[name] = out[name].filter(pc.invert(pc.is_in(out[name]["doc_id"], ids)))
        events = tables.get("events")
        if events is not None:
            event_ids = event_ids | set(events.filter(pc.is_in(events["doc_id"], ids))["event_id"].to_pylist())
    if event_ids:
        ids = pa.array(sorted(event_ids), pa.string())
        for name in ("events", "event_mentions", "event_markets"):
            if name in out:
                out[name] = out[name].filter(pc.invert(pc.is_in(out[name]["event_id"], ids)))
    return out


def write_parquet(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)


def staging_dir(lake: Path, run_id: str) -> Path:
    return Path(lake) / STAGING / run_id


def stage(lake: Path, run_id: str, batch: str, tables: dict[str, list[dict] | pa.Table]) -> None:
    """Write one batch's rows for every table into the run's staging folder."""
    for name, rows in tables.items():
        table = rows if isinstance(rows, pa.Table) else to_table(rows, name)
        write_parquet(table, staging_dir(lake, run_id) / name / f"part-{batch}.parquet")


def staged_parts(lake: Path, run_id: str, table: str) -> list[Path]:
    return sorted((staging_dir(lake, run_id) / table).glob("part-*.parquet"))


def commit(lake: Path, run_id: str, summary: dict) -> None:
    """Move the run's staged files into their partitions, then write the commit marker."""
    lake = Path(lake)
    for table in TABLES:
        for part in staged_parts(lake, run_id, table):
            dest = lake / table / f"run_id={run_id}" / part.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(part, dest)
    write_run_summary(lake, run_id, summary)  # the commit marker: the run is committed once this exists
    shutil.rmtree(staging_dir(lake, run_id), ignore_errors=True)


def committed_runs(lake: Path) -> list[str]:
    folder = Path(lake) / RUNS
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


def write_run_summary(lake: Path, run_id: str, summary: dict) -> None:
    atomic_write_bytes(Path(lake) / RUNS / f"{run_id}.json", json.dumps(summary, indent=2, default=str).encode())


def run_summary(lake: Path, run_id: str) -> dict:
    return json.loads((Path(lake) / RUNS / f"{run_id}.json").read_text())


def committed_files(lake: Path, table: str) -> list[Path]:
    """The Parquet files of ``table`` that belong to committed runs."""
    lake = Path(lake)
    runs = set(committed_runs(lake))
    folder = lake / table
    if not folder.is_dir():
        return []
    return sorted(p for d in folder.iterdir() if d.name.startswith("run_id=") and d.name[7:] in runs
                  for p in d.glob("part-*.parquet"))


def read_committed(lake: Path, table: str, columns: list[str], where: pc.Expression | None = None) -> pa.Table:
    """A few columns of a committed table (optionally only the rows matching ``where``), read in one
    multi-file scan: only these columns are read, in the order of ``committed_files`` (a later run's
    rows after an earlier run's). A column added to the schema after a part was written reads as nulls
    from that part."""
    return _scan(committed_files(lake, table), table, columns, where)


def _scan(files: list[Path], table: str, columns: list[str], where: pc.Expression | None = None) -> pa.Table:
    import pyarrow.dataset as ds  # here: it imports pandas (0.2 s), which a process that only writes never needs

    schema = pa.schema([TABLES[table].field(c) for c in columns])
    if not files:
        return schema.empty_table()
    return ds.dataset([str(p) for p in files], schema=schema, format="parquet").to_table(columns=columns,
                                                                                        filter=where)


def recover(lake: Path, keep_run: str | None = None) -> list[str]:
    """Remove what crashed runs left behind; returns what was removed (for the log)."""
    lake = Path(lake)
    removed: list[str] = []
    runs = set(committed_runs(lake))
    staging = lake / STAGING
    if staging.is_dir():
        for d in staging.iterdir():
            if d.name != keep_run:
                shutil.rmtree(d, ignore_errors=True)
                removed.append(str(d))
    for table in TABLES:
        folder = lake / table
        if not folder.is_dir():
            continue
        for d in folder.iterdir():
            if d.name.startswith("run_id=") and d.name[7:] not in runs and d.name[7:] != keep_run:
                shutil.rmtree(d, ignore_errors=True)
                removed.append(str(d))
    for tmp in lake.rglob(".*.tmp-*"):
        tmp.unlink(missing_ok=True)
        removed.append(str(tmp))
    return removed
