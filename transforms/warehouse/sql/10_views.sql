-- Tables and views for analysts and dashboards. Stable names and column types across runs; documented in
-- README.md. `timeline`, `market_timeline` and `market_monthly` are materialised tables: a full build writes
-- them in time (market) order; an incremental build replaces the rows of the stories it affects only.
-- The base tables (documents, events, event_mentions, event_markets, quarantine, sources, markets, runs)
-- are created by transforms/warehouse/builder.py from transforms/lake/schema.py before this file runs.

-- The markets an event concerns: every event_markets row except those naming only the origin of an actor
-- ("Chinese apps"): origin does not count, here and in every view below. `acted_markets` holds the current
-- events' rows (a corrected article's earlier version is not counted twice); the views below read
-- `_acted_markets` (every event's) and join what is current themselves.
CREATE OR REPLACE VIEW _acted_markets AS
SELECT * FROM event_markets WHERE role <> 'origin';

CREATE OR REPLACE VIEW acted_markets AS
SELECT * FROM _acted_markets WHERE event_id IN (SELECT event_id FROM current_events);

-- One row per happening (story), in time order, led by its most confident event; `sources` lists every
-- document that reports it. `markets` are the markets the event concerns (acted on, or the only ones
-- named); `origin_markets` are markets named only as the origin of an actor ("Chinese apps").
CREATE OR REPLACE VIEW _timeline_rows AS
WITH leads AS (
    SELECT story_id, event_id FROM story_events
    WHERE is_lead AND story_id IN (SELECT story_id FROM _affected_stories)
), market_lists AS (  -- per lead event: markets acted on, origin-only markets, all markets
    SELECT event_id,
           list(DISTINCT market ORDER BY market) FILTER (WHERE role <> 'origin')   AS acted_on,
           list(DISTINCT market ORDER BY market) FILTER (WHERE role = 'origin')    AS origins,
           list(DISTINCT market ORDER BY market)                                   AS all_markets
    FROM event_markets
    WHERE event_id IN (SELECT event_id FROM leads)
    GROUP BY event_id
)
SELECT e.event_id,
       e.date_start,
       e.date_end,
       e.timex,
       e.precision,
       e.date_text,
       e.event_type,
       coalesce(CASE WHEN len(m.acted_on) > 0 THEN m.acted_on ELSE m.all_markets END, []::VARCHAR[]) AS markets,
       coalesce(m.origins, []::VARCHAR[])                                                            AS origin_markets,
       e.actors,
       e.sentence,
       d.source,
       d.published,
       d.title,
       e.doc_id,
       e.anchor,
       e.mentions,
       e.confidence,
       e.char_start,
       e.char_end,
       s.story_id,
       ss.sources,
       ss.documents
FROM leads s
JOIN story_sources ss USING (story_id)
JOIN events e USING (event_id)
JOIN documents d ON d.doc_id = e.doc_id
LEFT JOIN market_lists m USING (event_id);

-- refreshed for the affected stories (05_stories.sql); the inserted rows in time order
CREATE TABLE IF NOT EXISTS timeline AS SELECT * FROM _timeline_rows LIMIT 0;
DELETE FROM timeline WHERE story_id IN (SELECT story_id FROM _affected_stories);
INSERT INTO timeline SELECT * FROM _timeline_rows
ORDER BY date_start, date_end, event_id;

-- One row per story: the happening with all its supporting events and documents.
CREATE OR REPLACE VIEW stories AS
SELECT story_id, date_start, date_end, timex, precision, event_type, markets, actors, documents, sources,
       ss.event_ids
FROM timeline
JOIN story_sources ss USING (story_id, sources, documents)
ORDER BY date_start, date_end, story_id;

-- One row per (market, happening): the per-market timeline (each story once, led by its best event), over
-- acted_markets: a market named only as an actor's origin is not in its timeline.
CREATE OR REPLACE VIEW _market_timeline_rows AS
SELECT em.market,
       mk.name AS market_name,
       em.role,
       em.basis,
       e.date_start,
       e.date_end,
       e.timex,
       e.precision,
       e.date_text,
       e.event_type,
       e.actors,
       e.sentence,
       d.source,
       d.published,
       e.event_id,
       e.confidence,
       s.story_id,
       ss.documents
FROM _acted_markets em
JOIN story_events s USING (event_id)
JOIN story_sources ss USING (story_id)
JOIN events e ON e.event_id = em.event_id
JOIN documents d ON d.doc_id = e.doc_id
LEFT JOIN markets mk ON mk.code = em.market
WHERE s.is_lead AND s.story_id IN (SELECT story_id FROM _affected_stories);

CREATE TABLE IF NOT EXISTS market_timeline AS SELECT * FROM _market_timeline_rows LIMIT 0;
DELETE FROM market_timeline WHERE story_id IN (SELECT story_id FROM _affected_stories);
INSERT INTO market_timeline SELECT * FROM _market_timeline_rows
ORDER BY market, date_start, date_end, event_id;

-- Events per market per month and event type, ready to chart. An event counts in the month its period
-- starts; `precise_events` counts those dated to the month or finer.
CREATE OR REPLACE TABLE market_monthly AS
SELECT market,
       market_name,
       CAST(date_trunc('month', date_start) AS DATE) AS month,
       event_type,
       count(DISTINCT event_id) AS events,
       count(DISTINCT event_id) FILTER (WHERE precision IN ('month', 'week', 'day', 'time')) AS precise_events
FROM market_timeline
GROUP BY ALL
ORDER BY market, month, event_type;

-- One row per market that has events: first and last event, counts by type. `events` counts happenings
-- (stories, as in market_timeline); `documents` counts every document reporting one of them, not only the
-- lead source of each story.
CREATE OR REPLACE VIEW market_summary AS
WITH market_documents AS (
    SELECT a.market, count(DISTINCT e.doc_id) AS documents
    FROM _acted_markets a JOIN current_events e USING (event_id)
    GROUP BY a.market)
SELECT market,
       any_value(market_name) AS market_name,
       min(date_start) AS first_event,
       max(date_end) AS last_event,
       count(DISTINCT event_id) AS events,
       any_value(md.documents) AS documents,
       histogram(event_type) AS events_by_type,
       mode(event_type) AS top_event_type
FROM market_timeline
JOIN market_documents md USING (market)
GROUP BY market
ORDER BY events DESC, market;
