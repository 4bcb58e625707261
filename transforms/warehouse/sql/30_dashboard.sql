-- Flat views for BI tools that read DuckDB through SQLAlchemy (duckdb-engine: Superset, Metabase, ...).
-- They have only scalar columns (VARCHAR, DATE, numbers): lists are comma-joined text (', ' between
-- items, in sorted order; '' for an empty list) and the events-by-type map is text too, because
-- SQLAlchemy's reflection does not know DuckDB's LIST and MAP types (they come back as NullType).
-- They read only the public tables and views (timeline, market_timeline, market_summary), so they follow
-- whatever those are built from. Documented in README.md ("Reading the warehouse from a dashboard").

-- One row per happening (story), as `timeline` (same columns, lists as text).
CREATE OR REPLACE VIEW dash_timeline AS
SELECT * REPLACE (array_to_string(list_sort(markets), ', ')        AS markets,
                  array_to_string(list_sort(origin_markets), ', ') AS origin_markets,
                  array_to_string(list_sort(actors), ', ')         AS actors,
                  round(CAST(confidence AS DOUBLE), 4)             AS confidence,
                  array_to_string(list_sort(sources), ', ')        AS sources)
FROM timeline;

-- One row per (market, happening), as `market_timeline`: filter on `market` for one market's timeline.
CREATE OR REPLACE VIEW dash_market_events AS
SELECT * REPLACE (array_to_string(list_sort(actors), ', ') AS actors,
                  round(CAST(confidence AS DOUBLE), 4)     AS confidence)
FROM market_timeline;

-- One row per market with events, as `market_summary`, with the counts by type as text.
CREATE OR REPLACE VIEW dash_market_summary AS
SELECT market,
       market_name,
       first_event,
       last_event,
       events,
       documents,
       array_to_string(list_transform(list_sort(map_entries(events_by_type)),
                                      lambda e: e.key || ': ' || CAST(e.value AS VARCHAR)), ', ') AS events_by_type,
       top_event_type
FROM market_summary;

COMMENT ON VIEW dash_timeline IS 'Dashboards: timeline with lists as comma-joined text (one row per happening).';
COMMENT ON COLUMN dash_timeline.markets IS 'Markets the event concerns, comma-joined (e.g. ''CN, US'').';
COMMENT ON COLUMN dash_timeline.origin_markets IS 'Markets named only as an actor''s origin, comma-joined.';
COMMENT ON COLUMN dash_timeline.actors IS 'Organisations and people acting, comma-joined.';
COMMENT ON COLUMN dash_timeline.sources IS 'Every document reporting the happening, comma-joined.';
COMMENT ON VIEW dash_market_events IS 'Dashboards: market_timeline with actors as text (one row per market and happening).';
COMMENT ON COLUMN dash_market_events.market IS 'ISO-3166 alpha-2 code, EU or GLOBAL.';
COMMENT ON COLUMN dash_market_events.actors IS 'Organisations and people acting, comma-joined.';
COMMENT ON VIEW dash_market_summary IS 'Dashboards: market_summary with the counts by event type as text.';
COMMENT ON COLUMN dash_market_summary.events_by_type IS 'Events per type, e.g. ''conflict: 3, policy: 2'' (sorted by type).';
