"""The single source of truth for every table in the lake and the warehouse.

The Parquet writer (transforms.lake.store), the validator (transforms.quality.validate) and the warehouse builder
(transforms.warehouse.builder, transforms/warehouse/sql/*.sql) all take their column lists and types from here.
"""
from __future__ import annotations


import pyarrow as pa

from transforms.temporal.dates import FIRST_DAY, LAST_DAY

TS = pa.timestamp("us", tz="UTC")

DOCUMENTS = pa.schema([
    pa.field("doc_id", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("source_root", pa.string(), nullable=False),
    pa.field("format", pa.string(), nullable=False),
    pa.field("title", pa.string()),
    pa.field("url", pa.string()),
    pa.field("published", pa.date32()),
    pa.field("published_basis", pa.string(), nullable=False),
    pa.field("encoding", pa.string(), nullable=False),
    pa.field("chars", pa.int32(), nullable=False),
    pa.field("text", pa.large_string(), nullable=False),
    pa.field("metadata", pa.string()),          # JSON object of unknown keys (JSONL feeds, sidecars)
    pa.field("identity", pa.string()),          # which article this text is a version of (transforms.ingest.identity)
    pa.field("ingested_at", TS, nullable=False),
    pa.field("run_id", pa.string(), nullable=False),
])

EVENTS = pa.schema([
    pa.field("event_id", pa.string(), nullable=False),
    pa.field("doc_id", pa.string(), nullable=False),
    pa.field("date_text", pa.string(), nullable=False),   # the temporal expression as written
    pa.field("timex", pa.string(), nullable=False),       # TIMEX3 value, e.g. 2020-11, 2024-09-25, 2021-W52
    pa.field("timex_type", pa.string(), nullable=False),  # DATE | TIME
    pa.field("date_start", pa.date32()),
    pa.field("date_end", pa.date32()),
    pa.field("precision", pa.string(), nullable=False),
    pa.field("anchor", pa.string(), nullable=False),      # how the value was resolved (see ANCHORS)
    pa.field("event_type", pa.string(), nullable=False),
    pa.field("trigger", pa.string()),                     # the word that decided the event type
    pa.field("actors", pa.list_(pa.string())),           # canonical names, the lead (acting) actor first
    pa.field("sentence", pa.string(), nullable=False),
    pa.field("sentence_start", pa.int32(), nullable=False),
    pa.field("sentence_end", pa.int32(), nullable=False),
    pa.field("char_start", pa.int32(), nullable=False),   # offsets of date_text in documents.text
    pa.field("char_end", pa.int32(), nullable=False),
    pa.field("mentions", pa.int32(), nullable=False),     # how many mentions of the same happening in the document
    pa.field("confidence", pa.float32(), nullable=False),
    pa.field("story_key", pa.string()),                   # same happening across documents (null: its own story)
    pa.field("run_id", pa.string(), nullable=False),
])

EVENT_MENTIONS = pa.schema([
    pa.field("event_id", pa.string(), nullable=False),
    pa.field("doc_id", pa.string(), nullable=False),
    pa.field("date_text", pa.string(), nullable=False),
    pa.field("sentence", pa.string(), nullable=False),
    pa.field("char_start", pa.int32(), nullable=False),
    pa.field("char_end", pa.int32(), nullable=False),
    pa.field("run_id", pa.string(), nullable=False),
])

EVENT_MARKETS = pa.schema([
    pa.field("event_id", pa.string(), nullable=False),
    pa.field("market", pa.string(), nullable=False),      # ISO-3166 alpha-2, EU or GLOBAL
    pa.field("role", pa.string(), nullable=False),        # see MARKET_ROLES
    pa.field("basis", pa.string(), nullable=False),       # see MARKET_BASES
    pa.field("evidence", pa.string()),                    # the words that named the market
    pa.field("run_id", pa.string(), nullable=False),
])

QUARANTINE = pa.schema([
    pa.field("source", pa.string(), nullable=False),
    pa.field("source_root", pa.string(), nullable=False),
    pa.field("stage", pa.string(), nullable=False),       # ingest | dedup | validate
    pa.field("reason", pa.string(), nullable=False),
    pa.field("table_name", pa.string()),                  # for row-level validation failures
    pa.field("record_id", pa.string()),
    pa.field("expectation", pa.string()),
    pa.field("identity", pa.string()),                    # dedup rows: the article the repeated text came as
    pa.field("run_id", pa.string(), nullable=False),
    pa.field("quarantined_at", TS, nullable=False),
])

# Every input file seen, with its fingerprint: what makes runs incremental.
SOURCES = pa.schema([
    pa.field("source", pa.string(), nullable=False),
    pa.field("source_root", pa.string(), nullable=False),
    pa.field("size", pa.int64(), nullable=False),
    pa.field("mtime_ns", pa.int64(), nullable=False),
    pa.field("status", pa.string(), nullable=False),      # document | duplicate | quarantined | no new records
    pa.field("doc_id", pa.string()),
    pa.field("run_id", pa.string(), nullable=False),
    # how far the file has been read (transforms.ingest.feeds); null in parts written before these columns: read whole
    pa.field("read_offset", pa.int64()),                  # bytes consumed: a JSONL feed's last complete line's end, else size
    pa.field("read_lines", pa.int64()),                   # JSONL lines consumed so far
    pa.field("prefix_sha256", pa.string()),               # JSONL: fingerprint of the bytes before read_offset
    pa.field("pending_bytes", pa.int64()),                # JSONL: an unterminated last line left for the next run
])

TABLES: dict[str, pa.Schema] = {
    "documents": DOCUMENTS,
    "events": EVENTS,
    "event_mentions": EVENT_MENTIONS,
    "event_markets": EVENT_MARKETS,
    "quarantine": QUARANTINE,
    "sources": SOURCES,
}

# Columns the warehouse adds to lake tables (filled by transforms/warehouse/sql/04_versions.sql): an event of a
# document that a later version of the same article replaced keeps its row, marked with the replacing
# document and the time it was replaced.
WAREHOUSE_COLUMNS: dict[str, list[pa.Field]] = {
    "events": [pa.field("superseded_by", pa.string()), pa.field("valid_to", TS)],
}

# Long text the warehouse stores compressed with zstd instead of DuckDB's default choice for strings: on 100k
# documents it is written faster (documents 2.3 -> 1.5 s, event_mentions 1.1 -> 0.7 s) and smaller (text 97 ->
# 63 MB); a full scan for a word in the sentences is slower (28 -> 45 ms over 490k events).
WAREHOUSE_COMPRESSION: dict[str, dict[str, str]] = {
    "documents": {"text": "zstd"},
    "events": {"sentence": "zstd"},
    "event_mentions": {"sentence": "zstd"},
}


def warehouse_schema(table: str) -> pa.Schema:
    """A lake table's schema as the warehouse holds it (with WAREHOUSE_COLUMNS)."""
    base = TABLES[table]
    for f in WAREHOUSE_COLUMNS.get(table, ()):
        base = base.append(f)
    return base


# Controlled vocabularies (validated by the expectation suites, documented in the README).
# Warehouse-only tables, built from the lake's run summaries and the market knowledge.
RUNS = pa.schema([
    pa.field("run_id", pa.string(), nullable=False),
    pa.field("committed_at", pa.timestamp("us", tz="UTC")),
    pa.field("documents", pa.int64()),
    pa.field("events", pa.int64()),
    pa.field("quarantine", pa.int64()),
    pa.field("duplicates", pa.int64()),
    pa.field("rows_quarantined", pa.int64()),
])
MARKETS = pa.schema([
    pa.field("code", pa.string(), nullable=False),
    pa.field("name", pa.string(), nullable=False),
    pa.field("kind", pa.string(), nullable=False),
])

# Dates the lake accepts (event dates and publication dates): the days a timeline holds, one rule with the tagger.
MIN_DATE, MAX_DATE = FIRST_DAY, LAST_DAY
PRECISIONS = ("century", "decade", "year", "half", "quarter", "season", "month", "week", "day", "time")
ANCHORS = ("absolute", "dct", "previous", "inferred")
PUBLISHED_BASES = ("metadata", "sidecar", "header", "inferred", "unknown")
MARKET_ROLES = ("place", "origin", "institution", "global")
# where an event's market was found, best evidence first (transforms.extract.attribution decides)
MARKET_BASES = ("sentence", "clause", "actor_home", "dateline", "paragraph", "document")
