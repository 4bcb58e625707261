"""The pipeline's steps as plain functions; the Airflow tasks in dags/ only call these.

    plan(settings)                    -> batch manifests of new/changed inputs (staged under the lake)
    process_batch(manifest)           -> ingest + extract one batch into staged Parquet (extract_batch.py)
    validate_and_commit(settings, id) -> dedup, Great Expectations, quarantine, atomic commit (commit.py)

The warehouse DAG then calls transforms.warehouse.builder.build (DuckDB, atomically replaced). One run at a
time per lake: lock.py.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import time
from pathlib import Path

import pyarrow.compute as pc

from transforms.ingest.feeds import resume_point
from transforms.ingest.inbox import claim
from transforms.ingest.models import Rejected
from transforms.ingest.sources import SourceFile, discover, is_feed
from transforms.lake import store as lake
from transforms.orchestration.commit import ValidationFailed, validate_and_commit
from transforms.orchestration.extract_batch import process_batch
from transforms.orchestration.lock import RunLocked, run_lock
from transforms.settings import Settings

__all__ = ["RunLocked", "ValidationFailed", "new_run_id", "plan", "process_batch", "run_lock", "validate_and_commit"]

log = logging.getLogger("timeline")


SCHEDULED_BATCH = 200               # files per extraction task when TIMELINE_BATCH_SIZE is 0, under a scheduler
IN_PROCESS_BATCH_PER_WORKER = 5000  # ... and under `timeline run`, per worker process sharing each batch (each
# task costs Airflow ~0.15 s and a wait for the slower worker; a worker stages every STAGE_DOCS: memory is the same)


def new_run_id(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return now.strftime("%Y%m%dT%H%M%S%fZ")


# --- plan -------------------------------------------------------------------------------------------

def own_paths(settings: Settings) -> tuple[Path, ...]:
    """What the pipeline writes: never an input, even inside a source folder."""
    return (settings.lake, settings.warehouse, settings.reports, settings.expectations, settings.airflow_home,
            settings.inbox)


SEEN_COLUMNS = ["size", "mtime_ns", "read_offset", "read_lines", "prefix_sha256"]


class SeenSources:
    """The inputs already in the lake: what the last run to read each (root, path) recorded, read in one
    scan of the ``sources`` table and kept as columns, indexed by one string per input (no tuple per
    input, so no garbage-collector work however large the lake)."""

    def __init__(self, lake_dir: Path):
        t = lake.read_committed(lake_dir, "sources", ["source_root", "source", *SEEN_COLUMNS])
        keys = pc.binary_join_element_wise(t["source_root"], t["source"], "\0").to_pylist()
        self._row = dict(zip(keys, range(len(keys))))  # a later run's row replaces an earlier one's
        self._size, self._mtime = t["size"].to_pylist(), t["mtime_ns"].to_pylist()
        self._table = t

    def __len__(self) -> int:
        return len(self._row)

    def unchanged(self, root: str, rel: str, size: int, mtime_ns: int) -> bool:
        """Whether the input was read before with this size and modification time."""
        i = self._row.get(f"{root}\0{rel}")
        return i is not None and self._size[i] == size and self._mtime[i] == mtime_ns

    def get(self, root: str, rel: str) -> tuple | None:
        """The last recorded (size, mtime_ns, read_offset, read_lines, prefix_sha256) of the input."""
        i = self._row.get(f"{root}\0{rel}")
        return None if i is None else tuple(self._table[c][i].as_py() for c in SEEN_COLUMNS)


def plan(settings: Settings, run_id: str, walk: bool = True) -> list[str]:
    """Claim the inbox's files (transforms.ingest.inbox), find inputs not yet in the lake (new path, or
    changed size/mtime) and write batch manifests. ``walk=False`` (a run the inbox's marker started)
    takes the inbox only, without walking the source folders.

    A changed JSONL feed that still holds what an earlier run read is resumed where that run stopped
    (transforms.ingest.feeds); any other changed file is read whole. Returns the manifest paths (one per
    extraction task); empty when there is nothing new.
    """
    t0 = time.perf_counter()
    removed = lake.recover(settings.lake)
    if removed:
        log.warning("recovered from an interrupted run: removed %d leftovers", len(removed))
    seen = SeenSources(settings.lake)
    staging = lake.staging_dir(settings.lake, run_id)
    manifests: list[str] = []
    entries: list[list] = []
    total = 0

    def flush() -> None:  # one manifest per full batch, written as discovery goes (no whole-corpus list)
        path = staging / "batches" / f"batch-{len(manifests):05d}.json"
        manifest = {"run_id": run_id, "batch": f"{len(manifests):05d}", "lake": str(settings.lake),
                    "max_doc_bytes": settings.max_doc_bytes, "workers": settings.workers,
                    "worker_min_bytes": settings.worker_min_kb * 1000,
                    "entries": entries}
        lake.atomic_write_bytes(path, json.dumps(manifest).encode())
        manifests.append(str(path))

    inbox_files, claimed = 0, set()
    for item in _inputs(settings, run_id, walk, claimed):
        if isinstance(item, Rejected):
            root, rel, size, mtime_ns = item.source_root, item.source, 0, 0
        else:
            root, rel, size, mtime_ns = item.root, item.rel, item.size, item.mtime_ns
        if seen.unchanged(root, rel, size, mtime_ns):
            continue
        if isinstance(item, Rejected):
            entry = ["rejected", root, rel, item.reason]
        else:
            entry = ["file", root, rel, size, mtime_ns]
            inbox_files += (root, rel) in claimed
            before = seen.get(root, rel) if is_feed(rel) else None
            if before:
                start = resume_point(item.path, size, *before[2:])
                entry += [start.offset, start.lines]
        entries.append(entry)
        total += 1
        if len(entries) >= (settings.batch_size or SCHEDULED_BATCH):
            flush()
            entries = []
    if entries:
        flush()
    if manifests:
        lake.atomic_write_bytes(staging / "plan.json", json.dumps(
            {"inputs": total, "inbox_files": inbox_files, "batches": len(manifests),
             "seconds": round(time.perf_counter() - t0, 3)}).encode())
        log.info("run %s: %d new inputs in %d batches", run_id, total, len(manifests))
    return manifests


def _inputs(settings: Settings, run_id: str, walk: bool, claimed: set[tuple[str, str]]):
    """The inbox's files (claimed into the archive; their (root, rel) are added to ``claimed``), then,
    with ``walk``, every other file of the source folders (a claimed file is not yielded again)."""
    committed = set(lake.committed_runs(settings.lake))
    for item in claim(settings.inbox, settings.sources[0], settings.lake, run_id, committed,
                      exclude=(*own_paths(settings), *settings.sources)):
        if isinstance(item, Rejected):
            yield item
            continue
        root, rel = item
        claimed.add(item)
        try:
            st = (Path(root) / rel).stat()
        except OSError as exc:
            yield Rejected(rel, root, "ingest", f"cannot stat: {exc.strerror or exc}")
            continue
        yield SourceFile(root=root, rel=rel, size=st.st_size, mtime_ns=st.st_mtime_ns)
    if walk:
        for item in discover(settings.sources, exclude=own_paths(settings)):
            if not (claimed and isinstance(item, SourceFile) and (item.root, item.rel) in claimed):
                yield item
