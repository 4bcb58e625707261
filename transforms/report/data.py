"""What the report shows, read from the published warehouse (one read-only connection, bounded queries:
the page stays small at any corpus size)."""
from __future__ import annotations

from pathlib import Path

MAX_TABLE_EVENTS = 2000  # latest events listed in the table
MAX_LANE_EVENTS = 300    # latest events drawn per lane
MAX_REASONS = 50         # quarantine reasons listed (most frequent first)


def _rows(con, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _one(con, sql: str):
    row = con.execute(sql).fetchone()
    return row[0] if row else None


def read(warehouse: Path) -> dict:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        data = {
            "documents": _one(con, "SELECT count(*) FROM documents"),
            "events": _one(con, "SELECT count(*) FROM events"),
            "quarantined": _one(con, "SELECT count(*) FROM quarantine"),
            "sources": _rows(con, "SELECT status, count(*) AS n FROM sources GROUP BY status ORDER BY n DESC"),
            "built_at": _one(con, "SELECT max(built_at) FROM _build"),
            "timeline_total": _one(con, "SELECT count(*) FROM timeline"),
            "timeline": _rows(con, """
                SELECT * FROM (
                    SELECT event_id, date_start, date_end, timex, precision, date_text, event_type, markets,
                           origin_markets, actors, sentence, source, published, title, confidence
                    FROM timeline ORDER BY date_start DESC NULLS LAST, event_id LIMIT ?)
                ORDER BY date_start NULLS LAST, date_end, event_id""", [MAX_TABLE_EVENTS]),
            "lanes": _rows(con, """
                WITH bars AS (
                    SELECT DISTINCT ON (market, event_id)      -- one bar per (market, event) whatever its roles
                           market, market_name, date_start, date_end, timex, precision, date_text, event_type,
                           sentence, source, event_id
                    FROM market_timeline
                    WHERE date_start IS NOT NULL
                    ORDER BY market, event_id)
                SELECT * EXCLUDE (latest) FROM (
                    SELECT *, row_number() OVER (PARTITION BY market ORDER BY date_start DESC, event_id) AS latest
                    FROM bars)
                WHERE latest <= ?
                ORDER BY market, date_start, date_end, event_id""", [MAX_LANE_EVENTS]),
            "summary": _rows(con, "SELECT market, market_name, events FROM market_summary"),
            "monthly": _rows(con, """
                SELECT market, market_name, month, event_type, events, precise_events
                FROM market_monthly WHERE month IS NOT NULL ORDER BY month, market, event_type"""),
            "reasons": _rows(con, """
                SELECT stage, reason, count(*) AS n, count(DISTINCT source) AS sources,
                       min(source) AS example
                FROM quarantine GROUP BY stage, reason ORDER BY n DESC, stage, reason LIMIT ?""", [MAX_REASONS]),
            "runs": _rows(con, """
                SELECT run_id, committed_at, documents, events, quarantine, duplicates, rows_quarantined
                FROM runs ORDER BY committed_at DESC NULLS LAST, run_id DESC LIMIT 10"""),
            "market_names": dict(con.execute("SELECT code, name FROM markets").fetchall()),
        }
    return data
