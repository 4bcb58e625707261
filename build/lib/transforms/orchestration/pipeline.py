"""The pipeline's steps as plain functions; the Airflow tasks in dags/ only call these.

    plan(settings)                    -> batch manifests of new/changed inputs (staged under the lake)
    process_batch(manifest)           -> ingest + extract one batch into staged Parquet
    validate_and_commit(settings, id) -> dedup, Great Expectations, quarantine, atomic commit to the lake

The warehouse DAG then calls transforms.warehouse.builder.build (DuckDB, atomically replaced).
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from transforms.ingest.models import Document, Rejected
from transforms.ingest.sources import SourceFile, discover, read_source
from transforms.lake import store as lake
from transforms.lake.dedup import SeenDocuments
from transforms.settings import Settings

log = logging.getLogger("timeline")


class RunLocked(RuntimeError):
    """Another run holds the lake."""


class ValidationFailed(RuntimeError):
    """A batch-level expectation failed: nothing of the run is committed or published."""


def new_run_id(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return now.strftime("%Y%m%dT%H%M%S%fZ")


@contextmanager
def run_lock(lake_dir: Path):
    """One run at a time per lake: a second concurrent run exits at once with a clear message."""
    lake_dir = Path(lake_dir)
    lake_dir.mkdir(parents=True, exist_ok=True)
    with open(lake_dir / ".lock", "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise RunLocked(f"another run is using the lake {lake_dir} ({holder}); try again when it ends") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} UTC\n")
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# --- plan -------------------------------------------------------------------------------------------

def seen_sources(lake_dir: Path) -> dict[tuple[str, str], tuple[int, int]]:
    seen: dict[tuple[str, str], tuple[int, int]] = {}
    for t in lake.read_columns(lake_dir, "sources", ["source_root", "source", "size", "mtime_ns"]):
        for root, rel, size, mtime in zip(*(t.column(i).to_pylist() for i in range(4))):
            seen[(root, rel)] = (size, mtime)
    return seen


def plan(settings: Settings, run_id: str) -> list[str]:
    """Find inputs not yet in the lake (new path, or changed size/mtime) and write batch manifests.

    Returns the manifest paths (one per extraction task); empty when there is nothing new.
    """
    t0 = time.perf_counter()
    removed = lake.recover(settings.lake)
    if removed:
        log.warning("recovered from an interrupted run: removed %d leftovers", len(removed))
    seen = seen_sources(settings.lake)
    staging = lake.staging_dir(settings.lake, run_id)
    manifests: list[str] = []
    entries: list[list] = []
    total = 0

    def flush() -> None:  # one manifest per full batch, written as discovery goes (no whole-corpus list)
        path = staging / "batches" / f"batch-{len(manifests):05d}.json"
        manifest = {"run_id": run_id, "batch": f"{len(manifests):05d}", "lake": str(settings.lake),
                    "max_doc_bytes": settings.max_doc_bytes, "workers": settings.workers,
                    "entries": entries}
        lake.atomic_write_bytes(path, json.dumps(manifest).encode())
        manifests.append(str(path))

    for item in discover(settings.sources):
        if isinstance(item, Rejected):
            entry = ["rejected", item.source_root, item.source, item.reason]
            key, fingerprint = (item.source_root, item.source), (0, 0)
        else:
            entry = ["file", item.root, item.rel, item.size, item.mtime_ns]
            key, fingerprint = (item.root, item.rel), (item.size, item.mtime_ns)
        if seen.get(key) == fingerprint:
            continue
        entries.append(entry)
        total += 1
        if len(entries) >= settings.batch_size:
            flush()
            entries = []
    if entries:
        flush()
    if manifests:
        lake.atomic_write_bytes(staging / "plan.json", json.dumps(
            {"inputs": total, "batches": len(manifests), "seconds": round(time.perf_counter() - t0, 3)}).encode())
        log.info("run %s: %d new inputs in %d batches", run_id, total, len(manifests))
    return manifests


# --- extract ----------------------------------------------------------------------------------------

def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _quarantine_row(rej: Rejected, run_id: str, now: dt.datetime, **extra) -> dict:
    row = {"source": rej.source, "source_root": rej.source_root, "stage": rej.stage, "reason": rej.reason,
           "table_name": None, "record_id": None, "expectation": None, "run_id": run_id, "quarantined_at": now}
    row.update(extra)
    return row


def _document_row(doc: Document, run_id: str, now: dt.datetime) -> dict:
    return {"doc_id": doc.doc_id, "source": doc.source, "source_root": doc.source_root, "format": doc.format,
            "title": doc.title, "url": doc.url, "published": doc.published,
            "published_basis": doc.published_basis, "encoding": doc.encoding, "chars": len(doc.text),
            "text": doc.text, "metadata": json.dumps(doc.metadata, default=str) if doc.metadata else None,
            "ingested_at": now, "run_id": run_id}


def infer_published(doc: Document, events: list[dict]) -> None:
    """No date in metadata or header: take the latest fully written-out day in the text, if any."""
    if doc.published is not None:
        return
    days = [e["date_start"] for e in events if e["anchor"] == "absolute" and e["precision"] == "day"]
    if days:
        doc.published, doc.published_basis = max(days), "inferred"


def process_batch(manifest_path: str, extract=None, workers: int | None = None) -> dict:
    """Ingest and extract one batch; stage its rows for every lake table. Returns counts.

    ``extract(doc, run_id) -> {table: rows}`` defaults to transforms.extract.events.extract. With ``workers``
    > 1 (default: the run's ``workers`` setting, recorded in the manifest; 0 counts as 1) the batch is split
    into that many parts processed by forked worker processes, each staging its own part files; under a
    real scheduler the mapped tasks are the parallelism and one worker per task is right, `timeline run`
    (in-process) uses every core.
    """
    manifest = json.loads(Path(manifest_path).read_text())
    workers = workers or manifest.get("workers") or 1
    entries = manifest["entries"]
    t0 = time.perf_counter()
    if workers <= 1 or len(entries) < 2 * workers:
        stats = _process_part(manifest, entries, manifest["batch"], extract)
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        _warm_up(extract)  # build the lazily compiled matchers once, before forking, so workers inherit them
        size = -(-len(entries) // workers)
        parts = [(manifest, entries[i:i + size], f"{manifest['batch']}-{k}", extract)
                 for k, i in enumerate(range(0, len(entries), size))]
        stats = Counter()
        with ProcessPoolExecutor(len(parts), mp_context=multiprocessing.get_context("fork")) as pool:
            for part_stats in pool.map(_process_part_args, parts):
                stats.update(part_stats)
    stats["seconds"] = round(time.perf_counter() - t0, 3)
    log.info("batch %s: %s", manifest["batch"], dict(stats))
    return {"run_id": manifest["run_id"], "batch": manifest["batch"], **stats}


def _warm_up(extract=None) -> None:
    if extract is None:
        from transforms.extract.events import extract
    sample = "On 3 March 2022 Alibaba said its sales in Moscow, Russia, rose."
    extract(Document(doc_id="warm-up", source="", source_root="", format="txt", text=sample), "warm-up")


def _process_part_args(args) -> Counter:
    return _process_part(*args)


def _process_part(manifest: dict, entries: list, part: str, extract=None) -> Counter:
    """Read and extract the given manifest entries; stage them as part files named ``part``."""
    if extract is None:
        from transforms.extract.events import extract

    run_id, lake_dir = manifest["run_id"], Path(manifest["lake"])
    now = _now()
    rows: dict[str, list[dict]] = {t: [] for t in lake.TABLES}
    seen_here = SeenDocuments()
    stats = Counter()
    for entry in entries:
        if entry[0] == "rejected":
            _, root, rel, reason = entry
            rows["quarantine"].append(_quarantine_row(Rejected(rel, root, "ingest", reason), run_id, now))
            rows["sources"].append({"source": rel, "source_root": root, "size": 0, "mtime_ns": 0,
                                    "status": "quarantined", "doc_id": None, "run_id": run_id})
            stats["quarantined"] += 1
            continue
        _, root, rel, size, mtime_ns = entry
        sf = SourceFile(root=root, rel=rel, size=size, mtime_ns=mtime_ns)
        status, first_doc = "quarantined", None
        for item in _safe_read(sf, manifest["max_doc_bytes"]):
            if isinstance(item, Rejected):
                rows["quarantine"].append(_quarantine_row(item, run_id, now))
                stats["quarantined"] += 1
                continue
            dup = seen_here.duplicate(item.doc_id, item.source, item.source_root)
            if dup:
                rows["quarantine"].append(_quarantine_row(dup, run_id, now, record_id=item.doc_id))
                stats["duplicates"] += 1
                status = "duplicate" if status == "quarantined" else status
                continue
            try:
                extracted = extract(item, run_id)
            except Exception as exc:  # a bug on one document must not sink the batch
                log.exception("extraction failed for %s", item.source)
                rej = Rejected(item.source, item.source_root, "extract", f"extraction error: {type(exc).__name__}: {exc}")
                rows["quarantine"].append(_quarantine_row(rej, run_id, now, record_id=item.doc_id))
                stats["quarantined"] += 1
                continue
            infer_published(item, extracted["events"])
            rows["documents"].append(_document_row(item, run_id, now))
            for table, table_rows in extracted.items():
                rows[table].extend(table_rows)
            stats["documents"] += 1
            stats["chars"] += len(item.text)
            status, first_doc = "document", first_doc or item.doc_id
        rows["sources"].append({"source": rel, "source_root": root, "size": size, "mtime_ns": mtime_ns,
                                "status": status, "doc_id": first_doc, "run_id": run_id})
    stats["events"] = len(rows["events"])
    lake.stage(lake_dir, run_id, part, rows)
    return stats


def _safe_read(sf: SourceFile, max_bytes: int):
    try:
        yield from read_source(sf, max_bytes)
    except Exception as exc:  # an unexpected parser failure is a quarantine reason, not a crash
        log.exception("reading %s failed", sf.rel)
        yield Rejected(sf.rel, sf.root, "ingest", f"could not read: {type(exc).__name__}: {exc}")


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
    ``batch_stats`` (what process_batch returned) only feeds the run summary's timings.
    """
    t0 = time.perf_counter()
    if validator is None:
        from transforms.quality.validate import Validator

        validator = Validator(settings.expectations)
    known = SeenDocuments.in_lake(settings.lake)
    now = _now()
    totals = Counter()
    parts = sorted(p.stem.removeprefix("part-") for p in lake.staged_parts(settings.lake, run_id, "sources"))
    group: list[tuple[str, dict[str, pa.Table], list[dict]]] = []
    for i, part in enumerate(parts):
        tables = {t: pq.read_table(lake.staging_dir(settings.lake, run_id) / t / f"part-{part}.parquet")
                  for t in lake.TABLES}
        quarantine = tables["quarantine"].to_pylist()
        docs = tables["documents"]
        dup_ids = set()
        for doc_id, source, root in zip(docs["doc_id"].to_pylist(), docs["source"].to_pylist(),
                                        docs["source_root"].to_pylist()):
            dup = known.duplicate(doc_id, source, root)
            if dup:
                dup_ids.add(doc_id)
                quarantine.append(_quarantine_row(dup, run_id, now, record_id=doc_id))
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
    stage_seconds = {
        "plan": json.loads(plan_file.read_text())["seconds"] if plan_file.exists() else None,
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
    outcome = validator.validate_batch(merged, run_name=run_id)
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
            group[0][2].append(_quarantine_row(
                Rejected(f"(no document {doc_id})", "", "validate", failure.reason), run_id, now,
                table_name=failure.table, record_id=failure.record_id, expectation=failure.expectation))
    for part, tables, quarantine in group:
        for doc_id in tables["documents"]["doc_id"].to_pylist():
            source, root = where[doc_id]
            for failure in failures_by_doc.pop(doc_id, ()):
                quarantine.append(_quarantine_row(
                    Rejected(source, root, "validate", failure.reason), run_id, now, table_name=failure.table,
                    record_id=failure.record_id, expectation=failure.expectation))
        tables = _drop_docs(tables, outcome.bad_doc_ids, outcome.bad_event_ids)
        tables["quarantine"] = lake.to_table(quarantine, "quarantine")
        lake.stage(settings.lake, run_id, part, tables)  # rewritten in place; committed by the caller
        for name in ("documents", "events", "quarantine"):
            totals[name] += tables[name].num_rows
    totals["rows_quarantined"] += len(outcome.row_failures)
