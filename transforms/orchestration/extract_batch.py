"""The extraction step: read and extract one batch of source files into staged Parquet parts.

Isolation per record: every source file becomes one bundle of rows (its documents and their events,
or its quarantine rows) and a failure is confined to its bundle. A reader or extractor error
quarantines that document; when the part cannot be written for a reason no record explains (a value
the lake cannot store), the part is split and retried bundle by bundle, and a bundle that cannot be
stored is replaced by a quarantine row naming the file and the reason.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from transforms.ingest.identity import source_identity
from transforms.ingest.feeds import Position
from transforms.ingest.models import Document, Rejected
from transforms.ingest.sources import SourceFile, is_feed, read_source
from transforms.lake import store as lake
from transforms.lake.dedup import SeenDocuments
from transforms.orchestration.processes import YOUNG_COLLECTION_EVERY, forked_worker

log = logging.getLogger("timeline")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def storable(text: str | None) -> str | None:
    """Text the lake can store: anything not encodable as UTF-8 (lone surrogates) shown as escapes."""
    return None if text is None else text.encode("utf-8", "backslashreplace").decode("utf-8")


def quarantine_row(rej: Rejected, run_id: str, now: dt.datetime, **extra) -> dict:
    row = {"source": storable(rej.source), "source_root": storable(rej.source_root), "stage": rej.stage,
           "reason": storable(rej.reason), "table_name": None, "record_id": None, "expectation": None,
           "identity": None, "run_id": run_id, "quarantined_at": now}
    row.update(extra)
    return row


def _document_row(doc: Document, run_id: str, now: dt.datetime) -> dict:
    return {"doc_id": doc.doc_id, "source": doc.source, "source_root": doc.source_root, "format": doc.format,
            "title": doc.title, "url": doc.url, "published": doc.published,
            "published_basis": doc.published_basis, "encoding": doc.encoding, "chars": len(doc.text),
            "text": doc.text, "metadata": json.dumps(doc.metadata, default=str) if doc.metadata else None,
            "identity": source_identity(doc), "ingested_at": now, "run_id": run_id}


def process_batch(manifest_path: str, extract=None, workers: int | None = None) -> dict:
    """Ingest and extract one batch; stage its rows for every lake table. Returns counts.

    ``extract(doc, run_id) -> {table: rows}`` defaults to transforms.extract.events.extract. With ``workers``
    > 1 (default: the run's ``workers`` setting, recorded in the manifest; 0 counts as 1) a batch large
    enough to repay forking (``worker_count``) is split into parts processed by forked worker processes,
    each staging its own part files; under a real scheduler the mapped tasks are the parallelism and one
    worker per task is right, `timeline run` (in-process) uses every core. Workers die with the process
    that forked them.
    """
    manifest = json.loads(Path(manifest_path).read_text())
    entries = manifest["entries"]
    workers = worker_count(entries, workers or manifest.get("workers") or 1, manifest.get("worker_min_bytes", 0))
    t0 = time.perf_counter()
    if workers == 1:  # the matchers are compiled lazily, by the first document that needs them (or warm_up())
        stats = _process_part(manifest, entries, manifest["batch"], extract)
    else:
        parts = [(manifest, chunk, f"{manifest['batch']}-{k}", extract)
                 for k, chunk in enumerate(split_by_size(entries, workers))]
        stats = Counter()
        pool, kept = _pool(workers, extract)
        try:
            for part_stats in pool.map(_process_part_args, parts):
                stats.update(part_stats)
        except BaseException:
            _kept.pop("pool", None)  # a broken or interrupted pool is never reused
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        if not kept:
            pool.shutdown()
    stats["seconds"] = round(time.perf_counter() - t0, 3)
    stats["extractor_seconds"] = round(stats["extractor_seconds"], 3)  # summed over the workers
    log.info("batch %s: %s", manifest["batch"], dict(stats))
    return {"run_id": manifest["run_id"], "batch": manifest["batch"], **stats}


_kept: dict = {}  # inside kept_workers(): "on", and the pool shared by the batches ((workers, extract), pool)


@contextmanager
def kept_workers():
    """Within this block every batch of this process shares one pool of forked workers (`timeline run`: the
    mapped tasks run one after another in one process). Workers fork once and keep what they compiled and
    cached; a pool forked per batch starts cold each time (measured: 25-30 % more CPU per document).
    Elsewhere (a task under a scheduler, tests) each batch forks its own pool and ends it."""
    _kept["on"] = True
    try:
        yield
    finally:
        entry = _kept.pop("pool", None)
        _kept.clear()
        if entry is not None:
            entry[1].shutdown(cancel_futures=True)


def _pool(workers: int, extract):
    """``(pool, kept)``: the kept pool when one is kept for these workers and extractor, else a new one."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    entry = _kept.get("pool")
    if entry is not None and entry[0] == (workers, extract):
        return entry[1], True
    if entry is not None:
        entry[1].shutdown(cancel_futures=True)
    _warm_up(extract)  # build the lazily compiled matchers once, before forking, so workers inherit them
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=forked_worker, initargs=(os.getpid(), YOUNG_COLLECTION_EVERY))
    if _kept.get("on"):
        _kept["pool"] = ((workers, extract), pool)
    return pool, bool(_kept.get("on"))


def _todo(entry: list) -> int:
    """Bytes still to read of a manifest entry (a resumed feed from its offset; a rejected input: none)."""
    return entry[3] - (entry[5] if len(entry) > 5 else 0) if entry[0] == "file" else 0


def split_by_size(entries: list, parts: int) -> list[list]:
    """``entries`` cut into ``parts`` runs of about equal bytes to read (the work: extraction time follows
    the text's length), in order; a run is never empty. Equal counts would leave a worker idle while the
    other finishes a run of long articles."""
    parts = max(1, min(parts, len(entries)))
    weights = [_todo(e) for e in entries]
    if not any(weights):                                   # nothing to read: equal counts
        weights = [1] * len(entries)
    total = sum(weights)
    out, run, done = [], [], 0
    for i, (entry, weight) in enumerate(zip(entries, weights)):
        run.append(entry)
        done += weight
        left = len(entries) - i - 1                        # entries not yet placed
        if len(out) < parts - 1 and (done >= total * (len(out) + 1) / parts or left == parts - 1 - len(out)):
            out.append(run)
            run = []
    return out + ([run] if run else [])


def worker_count(entries: list, workers: int, min_bytes: int) -> int:
    """How many processes a batch is worth: at most ``workers``, with at least two files and ``min_bytes``
    of input still to read (TIMELINE_WORKER_MIN_KB) for each; 1 means no pool at all.

    A pool has a fixed cost (forking, starting and joining it, every worker writing its own part files)
    that a small batch does not repay, and forked workers compete with whatever else shares the cores.
    Measured with 2 workers on 2 cores, articles of 2 KB: 100 articles (200 KB) take 0.9 s in one
    process and in two when the machine is idle, 1.1 s against 2 s when it is busy; 500 articles (1 MB)
    1.7 s in one process, 1.3 s in two. 256 KB of text per worker lies past the break-even in both
    cases. One process compiles the matchers lazily as it extracts (unless `timeline run` set them up in
    advance: ``warm_up``)."""
    todo = sum(_todo(e) for e in entries)
    by_size = todo // min_bytes if min_bytes else workers
    return max(1, min(workers, len(entries) // 2, by_size))


def warm_up() -> bool:
    """Set up the default extractor in this process now (`timeline run`: while Great Expectations loads on
    the other core, before Airflow starts), not inside the first batch; whether it worked. It is an
    optimisation only: if it fails, the batches set up as they go, and a failing extractor quarantines the
    documents it fails on."""
    try:
        _warm_up()
        return True
    except Exception:  # noqa: BLE001
        log.warning("setting up the extractor in advance failed; the batches will set it up", exc_info=True)
        return False


def _warm_up(extract=None) -> None:
    """What every process would otherwise set up on its first document, done once before forking: the
    extractor's lazily compiled matchers, and pyarrow's set-up for the first row it converts (0.13-0.16 s
    per process, measured)."""
    if extract is None:
        from transforms.extract.events import extract
    sample = "On 3 March 2022 Alibaba said its sales in Moscow, Russia, rose."
    doc = Document(doc_id="warm-up", source="", source_root="", format="txt", text=sample)
    extract(doc, "warm-up")
    lake.to_table([_document_row(doc, "warm-up", utc_now())], "documents")


def _process_part_args(args) -> Counter:
    return _process_part(*args)


STAGE_DOCS = 1000  # documents held in memory before they are staged (a part file per this many, at most)


def _process_part(manifest: dict, entries: list, part: str, extract=None) -> Counter:
    """Read and extract the given manifest entries; stage them as part files named ``part`` (then
    ``part_1``, ``part_2``, ... every STAGE_DOCS documents: a large file, such as a JSONL feed of a
    hundred thousand articles, never has all its rows in memory)."""
    if extract is None:
        from transforms.extract.events import extract

    run_id, lake_dir = manifest["run_id"], Path(manifest["lake"])
    now = utc_now()
    seen_here = SeenDocuments()
    stats, group, flushed, held = Counter(), [], 0, 0  # held: documents in ``group``

    def flush() -> None:
        nonlocal group, flushed, held
        name = part if not flushed else f"{part}_{flushed}"
        try:
            lake.stage(lake_dir, run_id, name, _merge(group))
        except Exception as exc:  # noqa: BLE001 - no record explains it yet: split and retry per source file
            log.warning("batch part %s could not be staged (%s: %s): retrying file by file", name, type(exc).__name__, exc)
            group = [_storable_bundle(b, run_id, now) for b in group]
            lake.stage(lake_dir, run_id, name, _merge(group))
        for b in group:
            stats.update(b["stats"])
            stats["events"] += len(b["rows"]["events"])
        group, flushed, held = [], flushed + 1, 0

    for entry, items in read_ahead(entries, manifest["max_doc_bytes"]):
        for bundle in _bundles(entry, items, manifest, extract, seen_here, run_id, now):
            group.append(bundle)
            held += len(bundle["rows"]["documents"])
            if held >= STAGE_DOCS:
                flush()
    if group or not flushed:
        flush()
    return stats


def _empty_rows() -> dict[str, list[dict]]:
    return {t: [] for t in lake.TABLES}


def _merge(bundles: list[dict]) -> dict[str, list[dict]]:
    rows = _empty_rows()
    for b in bundles:
        for table, table_rows in b["rows"].items():
            rows[table].extend(table_rows)
    return rows


def _storable_bundle(bundle: dict, run_id: str, now: dt.datetime) -> dict:
    """The bundle if every row converts to the lake's schema, else one quarantine row naming why."""
    try:
        for table, table_rows in bundle["rows"].items():
            lake.to_table(table_rows, table)
        return bundle
    except Exception as exc:  # noqa: BLE001
        rel, root = bundle["file"]
        log.warning("%s cannot be stored in the lake: %s: %s", rel, type(exc).__name__, exc)
        first = bundle["rows"]["documents"][0]["source"] if bundle["rows"]["documents"] else rel
        what = "" if bundle["source"] else f" (the records from {first} on, up to {STAGE_DOCS} documents)"
        rej = Rejected(rel, root, "ingest", f"cannot be stored in the lake{what}: {type(exc).__name__}: {exc}")
        rows = _empty_rows()
        rows["quarantine"].append(quarantine_row(rej, run_id, now))
        if bundle["source"]:  # the file's last slice carries its sources row
            rows["sources"].append({**bundle["source"], "source": storable(rel), "status": "quarantined", "doc_id": None})
        return {"rows": rows, "source": bundle["source"], "file": bundle["file"], "stats": Counter(quarantined=1)}


READ_AHEAD_FILES = 64          # plain files read and cleaned before their documents are extracted, at most ...
READ_AHEAD_BYTES = 4 << 20     # ... and bytes


def read_ahead(entries: list, max_bytes: int):
    """``(entry, items)`` per manifest entry, in order, where ``items`` are the Documents/Rejected of a plain
    file, read up to READ_AHEAD_FILES files or READ_AHEAD_BYTES ahead of extraction; None for a JSONL feed
    (read lazily, line by line, by ``_bundles``) and a rejected input.

    Reading runs of files, then extracting them, keeps each stage's code and tables in the CPU's caches,
    where reading one file between two extractions finds them evicted. Measured on 3,000 news articles:
    reading and cleaning 140 -> 106 us per article in runs of 100, 180 -> 140 us in runs of 64 on a
    slower machine; extraction unchanged."""
    ahead: list[tuple[list, list]] = []
    size = 0
    for entry in entries:
        if entry[0] != "file" or is_feed(entry[2]):
            yield from ahead
            ahead, size = [], 0
            yield entry, None
            continue
        _, root, rel, file_size, mtime_ns = entry[:5]
        ahead.append((entry, list(_safe_read(SourceFile(root, rel, file_size, mtime_ns), max_bytes, Position()))))
        size += file_size
        if len(ahead) >= READ_AHEAD_FILES or size >= READ_AHEAD_BYTES:
            yield from ahead
            ahead, size = [], 0
    yield from ahead


def _bundles(entry: list, items: list | None, manifest: dict, extract, seen_here: SeenDocuments, run_id: str,
             now: dt.datetime):
    """Every row one manifest entry (one source file) produces, as bundles of at most STAGE_DOCS documents;
    the last one carries the file's ``sources`` row (``source``), the others ``source = None``. ``items``: the
    file's documents already read (``read_ahead``), or None to read them here."""
    rows = _empty_rows()
    stats = Counter()
    if entry[0] == "rejected":
        _, root, rel, reason = entry
        rows["quarantine"].append(quarantine_row(Rejected(rel, root, "ingest", reason), run_id, now))
        source = {"source": storable(rel), "source_root": root, "size": 0, "mtime_ns": 0, "status": "quarantined",
                  "doc_id": None, "run_id": run_id}
        rows["sources"].append(source)
        stats["quarantined"] += 1
        yield {"rows": rows, "source": source, "file": (rel, root), "stats": stats}
        return
    _, root, rel, size, mtime_ns, *start = entry  # start: [offset, lines] where a JSONL feed is resumed
    sf = SourceFile(root=root, rel=rel, size=size, mtime_ns=mtime_ns)
    position = Position(*start)
    status, first_doc = "no new records", None  # a feed may hold no new complete line; any other file yields
    for item in _safe_read(sf, manifest["max_doc_bytes"], position) if items is None else items:
        if status == "no new records":
            status = "quarantined"  # until a document is published
        if isinstance(item, Rejected):
            rows["quarantine"].append(quarantine_row(item, run_id, now))
            stats["quarantined"] += 1
            continue
        dup = seen_here.duplicate(item.doc_id, item.source, item.source_root)
        if dup:
            rows["quarantine"].append(quarantine_row(dup, run_id, utc_now(), record_id=item.doc_id,
                                                     identity=source_identity(item)))  # a revert is a sighting
            stats["duplicates"] += 1
            status = "duplicate" if status == "quarantined" else status
            continue
        t0 = time.perf_counter()
        try:
            extracted = extract(item, run_id)
        except Exception as exc:  # a bug on one document must not sink the batch
            log.exception("extraction failed for %s", item.source)
            rej = Rejected(item.source, item.source_root, "extract", f"extraction error: {type(exc).__name__}: {exc}")
            rows["quarantine"].append(quarantine_row(rej, run_id, now, record_id=item.doc_id))
            stats["quarantined"] += 1
            continue
        finally:
            stats["extractor_seconds"] += time.perf_counter() - t0  # the stage's rest: reading, rows, staging
        rows["documents"].append(_document_row(item, run_id, utc_now()))  # its own time: versions in order
        for table, table_rows in extracted.items():
            rows[table].extend(table_rows)
        for note in item.notes:  # values rejected at the boundary; the document itself is published
            rows["quarantine"].append(quarantine_row(Rejected(item.source, item.source_root, "ingest", note), run_id,
                                                     now, table_name="documents", record_id=item.doc_id))
        stats["documents"] += 1
        stats["chars"] += len(item.text)
        status, first_doc = "document", first_doc or item.doc_id
        if len(rows["documents"]) >= STAGE_DOCS:  # a slice of a large file: staged before the rest is read
            yield {"rows": rows, "source": None, "file": (rel, root), "stats": stats}
            rows, stats = _empty_rows(), Counter()
    source = {"source": rel, "source_root": root, "size": size, "mtime_ns": mtime_ns, "status": status,
              "doc_id": first_doc, "run_id": run_id, "read_offset": size}
    if is_feed(rel):
        source.update(read_offset=position.offset, read_lines=position.lines, prefix_sha256=position.fingerprint,
                      pending_bytes=position.pending)
        stats["feed_lines_read"] += position.lines - (start[1] if start else 0)
        stats["feed_lines_incomplete"] += int(position.pending > 0)
    rows["sources"].append(source)
    yield {"rows": rows, "source": source, "file": (rel, root), "stats": stats}


def _safe_read(sf: SourceFile, max_bytes: int, position: Position):
    try:
        yield from read_source(sf, max_bytes, position)
    except Exception as exc:  # an unexpected parser failure is a quarantine reason, not a crash
        log.exception("reading %s failed", sf.rel)
        yield Rejected(sf.rel, sf.root, "ingest", f"could not read: {type(exc).__name__}: {exc}")
