"""What the report shows, read from the published warehouse (one read-only connection, bounded queries:
the page stays small, and cheap to render after every update, at any corpus size).

Every query reads a materialised table (``timeline``, ``market_timeline``, ``market_monthly``) or a small
one; the ``market_summary`` view is not read, because it also counts each market's documents over a join of
all events (0.2 s on 100k documents): the events per market are the sum of ``market_monthly`` (an event
counts in exactly one (month, event type) cell of each market it concerns, undated events in month NULL),
which is the same count (a test holds them equal).
"""
from __future__ import annotations

from pathlib import Path

MAX_TABLE_EVENTS = 2000  # latest events listed in the table
MAX_LANES = 40           # markets drawn as lanes in the timeline chart (most events first)
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
                SELECT event_id, date_start, date_end, timex, precision, date_text, event_type, markets,
                       origin_markets, actors, sentence, source, published, title, confidence
                FROM timeline       -- the latest rows picked on narrow columns, then read whole
                WHERE rowid IN (SELECT rowid FROM timeline ORDER BY date_start DESC NULLS LAST, event_id LIMIT ?)
                ORDER BY date_start NULLS LAST, date_end, event_id""", [MAX_TABLE_EVENTS]),
            "summary": _rows(con, """
                SELECT market, any_value(market_name) AS market_name, sum(events)::BIGINT AS events
                FROM market_monthly GROUP BY market ORDER BY events DESC, market"""),
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
        data["lane_markets"], data["max_lane_events"] = lane_markets(data), MAX_LANE_EVENTS
        data["lanes"] = _rows(con, """
            WITH newer AS (       -- per lane and month: the events dated in that month or later
                SELECT market, month, sum(sum(events)) OVER (PARTITION BY market ORDER BY month DESC) AS newer
                FROM market_monthly
                WHERE month IS NOT NULL AND list_contains($1, market)
                GROUP BY market, month),
            since AS (            -- the lane's latest $2 events start in this month or later
                SELECT market, max(month) AS since FROM newer WHERE newer >= $2 GROUP BY market),
            picked AS (           -- rank those (a narrow pass): dense_rank counts an event once whatever its roles
                SELECT market, event_id, mt.rowid AS rid
                FROM market_timeline mt LEFT JOIN since USING (market)
                WHERE date_start IS NOT NULL AND list_contains($1, market) AND (since IS NULL OR date_start >= since)
                QUALIFY dense_rank() OVER (PARTITION BY market ORDER BY date_start DESC, event_id) <= $2)
            SELECT market, market_name, date_start, date_end, timex, precision, date_text, event_type, sentence,
                   source, event_id
            FROM market_timeline
            WHERE rowid IN (SELECT min(rid) FROM picked GROUP BY market, event_id)   -- one bar per event
            ORDER BY market, date_start, date_end, event_id""", [data["lane_markets"], MAX_LANE_EVENTS])
    return data


def lane_markets(data: dict) -> list[str]:
    """The markets drawn as lanes: those with dated events, most events first, at most MAX_LANES."""
    dated = {r["market"] for r in data["monthly"]}
    return [r["market"] for r in data["summary"] if r["market"] in dated][:MAX_LANES]


def dated_events(data: dict) -> dict[str, int]:
    """market -> its events with a date (the bars its lane would draw without the MAX_LANE_EVENTS cap)."""
    counts: dict[str, int] = {}
    for r in data["monthly"]:
        counts[r["market"]] = counts.get(r["market"], 0) + r["events"]
    return counts
