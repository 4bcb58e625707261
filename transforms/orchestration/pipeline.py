"""The pipeline's steps as plain functions; the Airflow tasks in dags/ only call these.

    plan(settings)                    -> batch manifests of new/changed inputs (staged under the lake)
    process_batch(manifest)           -> ingest + extract one batch into staged Parquet (extract_batch.py)
    validate_and_commit(settings, id) -> dedup, Great Expectations, quarantine, atomic commit to the lake

The warehouse DAG then calls transforms.warehouse.builder.build (DuckDB, atomically replaced). One run at a
time per lake: lock.py.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from transforms.ingest.feeds import resume_point
from transforms.ingest.models import Rejected
from transforms.ingest.inbox import claim
from transforms.ingest.sources import SourceFile, discover, is_feed
from transforms.lake import store as lake
from transforms.lake.dedup import SeenDocuments
from transforms.orchestration.extract_batch import utc_now, process_batch, quarantine_row
from transforms.orchestration.lock import RunLocked, run_lock
from transforms.settings import Settings

__all__ = ["RunLocked", "ValidationFailed", "new_run_id", "plan", "process_batch", "run_lock", "validate_and_commit"]

log = logging.getLogger("timeline")


class ValidationFailed(RuntimeError):
    """A batch-level expectation failed: nothing of the run is committed or published."""


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
        if len(entries) >= settings.batch_size:
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
    for item in claim(settings.inbox, settings.sources[0], settings.lake, run_id, committed):
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


# --- validate + commit ------------------------------------------------------------------------------

def _drop_docs(tables: dict[str, pa.Table], doc_ids: set[str], event_ids: set[str]) -> dict[str, pa.Table]:
    """Remove documents (and all their rows) and events (with their mentions and markets)."""
    out = dict(tables)
    if doc_ids:
        ids = pa.array(sorted(doc_ids), pa.string())
        for name in ("documents", "events", "event_mentions"):
            out[name] = out[name].filter(pc.invert(pc.is_in(out[name]["doc_id"], ids)))
        gone = set(tables["events"].filter(pc.is_in(tables["events"]["doc_id"], ids))["event_id"].to_pylist())
        event_ids = event_ids | gone
    if event_ids:
        ids = pa.array(sorted(event_ids), pa.string())
        for name in ("events", "event_mentions", "event_markets"):
            out[name] = out[name].filter(pc.invert(pc.is_in(out[name]["event_id"], ids)))
    return out


VALIDATE_DOCS = 20_000  # documents per Great Expectations validation (parts are grouped up to this)


def validate_and_commit(settings: Settings, run_id: str, validator=None, batch_stats: list[dict] = ()) -> dict:
    """Deduplicate against the lake, validate the staged parts, quarantine bad rows, commit.

    Parts are validated in groups of up to VALIDATE_DOCS documents (bounded memory, few validation
    results). Raises ValidationFailed (and commits nothing) when a batch-level expectation fails.
    ``batch_stats`` (what process_batch returned) only feeds the run summary's timings and feed line counts.
    """
    t0 = time.perf_counter()
    if validator is None:
        from transforms.quality.background import validator_for

        validator = validator_for(settings.expectations)  # in-process, or the one `timeline run` started
    staged_ids = lake.read_staged(settings.lake, run_id, "documents", ["doc_id"])["doc_id"].to_pylist()
    known = SeenDocuments.in_lake(settings.lake, staged_ids)  # only what this run's documents can collide with
    now = utc_now()
    totals = Counter({k: sum(b.get(k, 0) for b in batch_stats) for k in ("feed_lines_read", "feed_lines_incomplete")})
    parts = sorted(p.stem.removeprefix("part-") for p in lake.staged_parts(settings.lake, run_id, "sources"))
    group: list[tuple[str, dict[str, pa.Table], list[dict]]] = []
    for i, part in enumerate(parts):
        tables = {t: pq.read_table(lake.staging_dir(settings.lake, run_id) / t / f"part-{part}.parquet")
                  for t in lake.TABLES}
        quarantine = tables["quarantine"].to_pylist()
        docs = tables["documents"]
        dup_ids = set()
        for doc_id, source, root, identity, seen_at in zip(*(docs[c].to_pylist() for c in (
                "doc_id", "source", "source_root", "identity", "ingested_at"))):
            dup = known.duplicate(doc_id, source, root)
            if dup:  # with its identity and time: an article back at an earlier text is a version again
                dup_ids.add(doc_id)
                quarantine.append(quarantine_row(dup, run_id, seen_at, record_id=doc_id, identity=identity))
        tables = _drop_docs(tables, dup_ids, set())
        if dup_ids:
            src = tables["sources"]
            status = pc.if_else(pc.is_in(src["doc_id"], pa.array(sorted(dup_ids), pa.string())),
                                pa.scalar("duplicate"), src["status"])
            tables["sources"] = src.set_column(src.schema.get_field_index("status"), "status",
                                               status).cast(lake.TABLES["sources"])
        totals["duplicates"] += len(dup_ids)
        group.append((part, tables, quarantine))
        if sum(t["documents"].num_rows for _, t, _ in group) >= VALIDATE_DOCS or i == len(parts) - 1:
            _validate_group(settings, run_id, validator, group, now, totals)
            group = []
    t_validated = time.perf_counter()
    plan_file = lake.staging_dir(settings.lake, run_id) / "plan.json"
    planned = json.loads(plan_file.read_text()) if plan_file.exists() else {}
    totals["inbox_files"] = planned.get("inbox_files", 0)
    stage_seconds = {
        "plan": planned.get("seconds"),
        "extract (all tasks)": round(sum(b.get("seconds", 0) for b in batch_stats), 3),
        "validate": round(t_validated - t0, 3),
    }
    summary = {"run_id": run_id, "committed_at": now.isoformat(), "parts": len(parts), **totals,
               "stage_seconds": stage_seconds}
    lake.commit(settings.lake, run_id, summary)
    validator.build_docs(run_id)
    stage_seconds["commit + data docs"] = round(time.perf_counter() - t_validated, 3)
    lake.write_run_summary(settings.lake, run_id, summary)  # again, with the commit + Data Docs timing
    log.info("committed run %s: %s", run_id, summary)
    return summary


def _validate_group(settings: Settings, run_id: str, validator, group, now: dt.datetime, totals: Counter) -> None:
    """Validate a group of deduplicated parts together; quarantine failing rows; restage each part."""
    merged = {t: pa.concat_tables([tables[t] for _, tables, _ in group]) for t in lake.TABLES}
    outcome = _validate_isolating(validator, merged, run_id)
    if outcome.batch_failures:
        raise ValidationFailed("; ".join(outcome.batch_failures))
    docs, events = merged["documents"], merged["events"]
    where = {d: (s, r) for d, s, r in zip(docs["doc_id"].to_pylist(), docs["source"].to_pylist(),
                                          docs["source_root"].to_pylist())}
    doc_of_event = dict(zip(events["event_id"].to_pylist(), events["doc_id"].to_pylist()))
    failures_by_doc: dict[str, list] = {}
    for failure in outcome.row_failures:
        doc_id = failure.doc_id or doc_of_event.get(failure.record_id)
        failures_by_doc.setdefault(doc_id, []).append(failure)
    for doc_id in [d for d in failures_by_doc if d not in where]:  # rows pointing at no document at all
        for failure in failures_by_doc.pop(doc_id):
            group[0][2].append(quarantine_row(
                Rejected(f"(no document {doc_id})", "", "validate", failure.reason), run_id, now,
                table_name=failure.table, record_id=failure.record_id, expectation=failure.expectation))
    for part, tables, quarantine in group:
        for doc_id in tables["documents"]["doc_id"].to_pylist():
            source, root = where[doc_id]
            for failure in failures_by_doc.pop(doc_id, ()):
                quarantine.append(quarantine_row(
                    Rejected(source, root, "validate", failure.reason), run_id, now, table_name=failure.table,
                    record_id=failure.record_id, expectation=failure.expectation))
        tables = _drop_docs(tables, outcome.bad_doc_ids, outcome.bad_event_ids)
        tables["quarantine"] = lake.to_table(quarantine, "quarantine")
        lake.stage(settings.lake, run_id, part, tables)  # rewritten in place; committed by the caller
        for name in ("documents", "events", "quarantine"):
            totals[name] += tables[name].num_rows
    totals["rows_quarantined"] += len(outcome.row_failures)


def _validate_isolating(validator, tables: dict[str, pa.Table], run_id: str):
    """Validate the batch; when validation itself fails (an error, not a failed expectation), no record
    explains it yet: validate document by document, and a document that cannot be validated is
    quarantined with the error while the others go on."""
    from transforms.quality.validate import Outcome, RowFailure

    try:
        return validator.validate_batch(tables, run_name=run_id)
    except Exception as exc:  # noqa: BLE001
        log.warning("validation of the batch failed (%s: %s): retrying document by document", type(exc).__name__, exc)
    outcome = Outcome()
    for doc_id in tables["documents"]["doc_id"].to_pylist():
        one = _one_document(tables, doc_id)
        try:
            part = validator.validate_batch(one, run_name=run_id)
        except Exception as exc:  # noqa: BLE001
            log.warning("document %s could not be validated: %s: %s", doc_id, type(exc).__name__, exc)
            part = Outcome(row_failures=[RowFailure("documents", doc_id, doc_id, None,
                                                    f"could not be validated: {type(exc).__name__}: {exc}")],
                           bad_doc_ids={doc_id})
        outcome.batch_failures += part.batch_failures
        outcome.row_failures += part.row_failures
        outcome.bad_doc_ids |= part.bad_doc_ids
        outcome.bad_event_ids |= part.bad_event_ids
    return outcome


def _one_document(tables: dict[str, pa.Table], doc_id: str) -> dict[str, pa.Table]:
    one = {name: tables[name].filter(pc.equal(tables[name]["doc_id"], doc_id))
           for name in ("documents", "events", "event_mentions")}
    one["event_markets"] = tables["event_markets"].filter(pc.is_in(tables["event_markets"]["event_id"],
                                                                   one["events"]["event_id"]))
    return one
