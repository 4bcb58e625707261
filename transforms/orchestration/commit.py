"""Validate and commit a run's staged parts: deduplicate against the lake, Great Expectations, quarantine, commit.

Nothing is decoded twice and no text is read back: duplicates are found by joining the staged document ids
against the lake's in Arrow; the validator reads the checked columns of the staged part files itself (in
`timeline run`, the Great Expectations worker: this process holds only ids); a part is rewritten only when it
loses rows (a duplicate, a quarantined document or event), and then only its tables that do; otherwise only
its quarantine rows are restaged. Groups are pipelined: a group is restaged while the next ones are validated
(as many at once as the validator has workers: ``in_flight``).
The parts the extraction wrote are what is committed.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections import Counter
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from transforms.ingest.models import Rejected
from transforms.lake import store as lake
from transforms.lake.dedup import SeenDocuments
from transforms.orchestration.extract_batch import quarantine_row, utc_now
from transforms.settings import Settings

log = logging.getLogger("timeline")

VALIDATE_DOCS = 10_000  # documents per Great Expectations validation (parts are grouped up to this); on 100k
# documents the validating process peaks at 0.58 GB with 10,000 (0.68 GB with 20,000), validation 8.8 s (8.4 s)
CHECKED = ("documents", "events", "event_markets")  # the tables the suites check
DEDUP_COLUMNS = ["doc_id", "source", "source_root", "identity", "ingested_at"]
EVENT_TABLES = ("events", "event_mentions", "event_markets")


class ValidationFailed(RuntimeError):
    """A batch-level expectation failed: nothing of the run is committed or published."""


IDS = {"documents": ["doc_id", "source", "source_root"], "events": ["event_id", "doc_id"]}


@dataclass
class _Part:
    name: str
    ids: dict[str, pa.Table]                       # documents' and events' ids, duplicates already left out
    quarantine: list[dict] = field(default_factory=list)   # rows this step adds
    dup_ids: set[str] = field(default_factory=set)


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
    staging = lake.staging_dir(settings.lake, run_id)
    parts = sorted(p.stem.removeprefix("part-") for p in lake.staged_parts(settings.lake, run_id, "sources"))
    dups = _duplicates(settings.lake, staging, parts, run_id)
    now = utc_now()
    totals = Counter({k: sum(b.get(k, 0) for b in batch_stats) for k in ("feed_lines_read", "feed_lines_incomplete")})
    group: list[_Part] = []
    pending = []  # (group, validation started): restaged while the next groups are validated
    in_flight = getattr(validator, "in_flight", 1)  # an in-process validator: one at a time
    for i, name in enumerate(parts):
        part = _Part(name, {t: pq.read_table(staging / t / f"part-{name}.parquet", columns=c) for t, c in IDS.items()})
        for doc_id, row in dups.get(name, ()):
            part.dup_ids.add(doc_id)
            part.quarantine.append(row)
        part.ids = lake.without(part.ids, part.dup_ids, set())
        totals["duplicates"] += len(part.dup_ids)
        group.append(part)
        if sum(p.ids["documents"].num_rows for p in group) >= VALIDATE_DOCS or i == len(parts) - 1:
            pending.append((group, _start_validation(validator, staging, group, run_id)))
            group = []
            if len(pending) > in_flight:
                _finish_group(settings, run_id, validator, *pending.pop(0), now, totals)
    for done in pending:
        _finish_group(settings, run_id, validator, *done, now, totals)
    t_validated = time.perf_counter()
    plan_file = staging / "plan.json"
    planned = json.loads(plan_file.read_text()) if plan_file.exists() else {}
    totals["inbox_files"] = planned.get("inbox_files", 0)
    stage_seconds = {
        "plan": planned.get("seconds"),
        "extract (all tasks)": round(sum(b.get("seconds", 0) for b in batch_stats), 3),
        "validate": round(t_validated - t0, 3),
    }
    summary = {"run_id": run_id, "committed_at": now.isoformat(), "parts": len(parts), **totals,
               "stage_seconds": stage_seconds,  # wall clock
               # time inside events.extract, summed over the worker processes (the rest of the extract stage
               # is reading, cleaning, rows and staging)
               "extractor_seconds": round(sum(b.get("extractor_seconds", 0) for b in batch_stats), 3)}
    lake.commit(settings.lake, run_id, summary)
    validator.build_docs(run_id)
    stage_seconds["commit + data docs"] = round(time.perf_counter() - t_validated, 3)
    lake.write_run_summary(settings.lake, run_id, summary)  # again, with the commit + Data Docs timing
    log.info("committed run %s: %s", run_id, summary)
    return summary


def _duplicates(lake_dir: Path, staging: Path, parts: list[str], run_id: str) -> dict[str, list[tuple[str, dict]]]:
    """``part -> [(doc_id, quarantine row)]`` of the staged documents seen before: in the lake, or in an
    earlier part of this run (parts in order). Ids are matched in Arrow; only the duplicates reach Python."""
    tables, names = [], []
    for name in parts:
        t = pq.read_table(staging / "documents" / f"part-{name}.parquet", columns=DEDUP_COLUMNS)
        tables.append(t)
        names += [name] * t.num_rows
    staged = pa.concat_tables(tables) if tables else lake.TABLES["documents"].empty_table().select(DEDUP_COLUMNS)
    ids = staged["doc_id"]
    in_lake = SeenDocuments.in_lake(lake_dir, pc.unique(ids).to_pylist())
    counts = staged.group_by("doc_id").aggregate([("doc_id", "count")])
    again = counts.filter(pc.greater(counts["doc_id_count"], 1))["doc_id"]
    candidates = pc.or_(pc.is_in(ids, pa.array(in_lake.ids(), pa.string())), pc.is_in(ids, again))
    out: dict[str, list[tuple[str, dict]]] = {}
    for i in pc.indices_nonzero(candidates).to_pylist():  # in part order: the first sighting in the run is kept
        doc_id, source, root, identity, seen_at = (staged[c][i].as_py() for c in DEDUP_COLUMNS)
        dup = in_lake.duplicate(doc_id, source, root)
        if dup:  # with its identity and time: an article back at an earlier text is a version again
            out.setdefault(names[i], []).append(
                (doc_id, quarantine_row(dup, run_id, seen_at, record_id=doc_id, identity=identity)))
    return out


def _start_validation(validator, staging: Path, group: list[_Part], run_id: str):
    """Start validating a group of parts (less their duplicates): ``(files, dropped ids, Future)``. The
    validator of `timeline run` works in its own process (``submit_parts``), so the caller restages the
    previous group meanwhile; an in-process one has validated when this returns."""
    files = {t: [staging / t / f"part-{p.name}.parquet" for p in group] for t in CHECKED}
    drop = set().union(*(p.dup_ids for p in group))
    submit = getattr(validator, "submit_parts", None)
    if submit is not None:
        return files, drop, submit(files, drop, run_name=run_id)
    future: Future = Future()
    try:
        future.set_result(validator.validate_parts(files, drop, run_name=run_id))
    except Exception as exc:  # noqa: BLE001 - handled where the outcome is used
        future.set_exception(exc)
    return files, drop, future


def _finish_group(settings: Settings, run_id: str, validator, group: list[_Part], started, now: dt.datetime,
                  totals: Counter) -> None:
    """The outcome of a group's validation: quarantine failing rows; restage what changed."""
    outcome = _validate_isolating(validator, *started, run_id)
    if outcome.batch_failures:
        raise ValidationFailed("; ".join(outcome.batch_failures))
    where, doc_of_event = {}, {}
    for p in group:
        docs, events = p.ids["documents"], p.ids["events"]
        where.update(zip(docs["doc_id"].to_pylist(), zip(docs["source"].to_pylist(), docs["source_root"].to_pylist())))
        doc_of_event.update(zip(events["event_id"].to_pylist(), events["doc_id"].to_pylist()))
    failures_by_doc: dict[str, list] = {}
    for failure in outcome.row_failures:
        doc_id = failure.doc_id or doc_of_event.get(failure.record_id)
        failures_by_doc.setdefault(doc_id, []).append(failure)
    for doc_id in [d for d in failures_by_doc if d not in where]:  # rows pointing at no document at all
        for failure in failures_by_doc.pop(doc_id):
            group[0].quarantine.append(quarantine_row(
                Rejected(f"(no document {doc_id})", "", "validate", failure.reason), run_id, now,
                table_name=failure.table, record_id=failure.record_id, expectation=failure.expectation))
    for part in group:
        for doc_id in part.ids["documents"]["doc_id"].to_pylist():
            source, root = where[doc_id]
            for failure in failures_by_doc.pop(doc_id, ()):
                part.quarantine.append(quarantine_row(
                    Rejected(source, root, "validate", failure.reason), run_id, now, table_name=failure.table,
                    record_id=failure.record_id, expectation=failure.expectation))
        _restage(settings.lake, run_id, part, outcome.bad_doc_ids, outcome.bad_event_ids, totals)
    totals["rows_quarantined"] += len(outcome.row_failures)


def _restage(lake_dir: Path, run_id: str, part: _Part, bad_docs: set[str], bad_events: set[str],
             totals: Counter) -> None:
    """Rewrite the part's tables that lose rows; add the quarantine rows found here to its quarantine."""
    ids = part.ids
    docs_here = bad_docs & set(ids["documents"]["doc_id"].to_pylist()) if bad_docs else set()
    events_here = bad_events & set(ids["events"]["event_id"].to_pylist()) if bad_events else set()
    staging = lake.staging_dir(lake_dir, run_id)
    changed: dict[str, pa.Table] = {}
    if part.dup_ids or docs_here or events_here:  # the tables that lose rows: read whole, drop, write back
        losing = EVENT_TABLES if not (part.dup_ids or docs_here) else ("documents", *EVENT_TABLES)
        full = {t: pq.read_table(staging / t / f"part-{part.name}.parquet") for t in losing}
        changed = lake.without(full, part.dup_ids | docs_here, events_here)
        ids = lake.without(ids, docs_here, events_here)
    if part.dup_ids:
        src = pq.read_table(staging / "sources" / f"part-{part.name}.parquet")
        status = pc.if_else(pc.is_in(src["doc_id"], pa.array(sorted(part.dup_ids), pa.string())),
                            pa.scalar("duplicate"), src["status"])
        changed["sources"] = src.set_column(src.schema.get_field_index("status"), "status",
                                            status).cast(lake.TABLES["sources"])
    quarantine = pq.read_table(staging / "quarantine" / f"part-{part.name}.parquet")
    if part.quarantine:
        quarantine = pa.concat_tables([quarantine, lake.to_table(part.quarantine, "quarantine")])
        changed["quarantine"] = quarantine
    if changed:
        lake.stage(lake_dir, run_id, part.name, changed)  # rewritten in place; committed by the caller
    totals["documents"] += ids["documents"].num_rows
    totals["events"] += ids["events"].num_rows
    totals["quarantine"] += quarantine.num_rows


def _validate_isolating(validator, files: dict[str, list[Path]], drop_docs: set[str], started: Future,
                        run_id: str):
    """The parts' outcome; when their validation itself failed (an error, not a failed expectation), no
    record explains it yet: validate document by document, and a document that cannot be validated is
    quarantined with the error while the others go on."""
    from transforms.quality.validate import Outcome, RowFailure, read_checked

    try:
        try:
            return started.result()
        except BrokenProcessPool:  # the validation worker died: the validator falls back to this process
            return validator.validate_parts(files, drop_docs, run_name=run_id)
    except Exception as exc:  # noqa: BLE001
        log.warning("validation of the batch failed (%s: %s): retrying document by document", type(exc).__name__, exc)
    tables = read_checked(files, drop_docs)
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
    one = {name: tables[name].filter(pc.equal(tables[name]["doc_id"], doc_id)) for name in ("documents", "events")}
    one["event_markets"] = tables["event_markets"].filter(pc.is_in(tables["event_markets"]["event_id"],
                                                                   one["events"]["event_id"]))
    return one
