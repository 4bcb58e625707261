-- Stories: one happening reported by several documents. The extractor decides which events are the same
-- happening (transforms/extract/attribution.py, `happening_key`): same date interval, event type, named lead
-- actor and market; it writes that key as events.story_key. Events without a named actor or type
-- (story_key NULL) are stories of their own. Only the newest version of a corrected article counts
-- (04_versions.sql: current_events). The most confident event leads a story. Within a document,
-- mentions of one happening were already merged into one event (event_mentions keeps them all).
-- Each story table is refreshed for the stories of _affected_stories (04_versions.sql): a `_..._rows` view
-- defines the rows of those stories, and the build deletes and re-inserts them.
CREATE OR REPLACE VIEW _story_events_rows AS
WITH keyed AS (
    SELECT event_id, doc_id, confidence, coalesce(story_key, event_id) AS story_id
    FROM current_events
    WHERE coalesce(story_key, event_id) IN (SELECT story_id FROM _affected_stories)
)
SELECT story_id,
       event_id,
       doc_id,
       row_number() OVER (PARTITION BY story_id ORDER BY confidence DESC, event_id) = 1 AS is_lead
FROM keyed;

CREATE TABLE IF NOT EXISTS story_events AS SELECT * FROM _story_events_rows LIMIT 0;
DELETE FROM story_events WHERE story_id IN (SELECT story_id FROM _affected_stories);
INSERT INTO story_events SELECT * FROM _story_events_rows;

CREATE OR REPLACE VIEW _story_sources_rows AS
SELECT s.story_id,
       list(DISTINCT d.source ORDER BY d.source) AS sources,
       count(DISTINCT s.doc_id) AS documents,
       list(s.event_id ORDER BY s.event_id) AS event_ids
FROM story_events s
JOIN documents d USING (doc_id)
WHERE s.story_id IN (SELECT story_id FROM _affected_stories)
GROUP BY s.story_id;

CREATE TABLE IF NOT EXISTS story_sources AS SELECT * FROM _story_sources_rows LIMIT 0;
DELETE FROM story_sources WHERE story_id IN (SELECT story_id FROM _affected_stories);
INSERT INTO story_sources SELECT * FROM _story_sources_rows;

-- Organisations and people named as actors, with how often and when.
CREATE OR REPLACE TABLE actors AS
SELECT actor,
       count(DISTINCT event_id) AS events,
       count(DISTINCT doc_id) AS documents,
       min(date_start) AS first_event,
       max(date_end) AS last_event
FROM (SELECT unnest(actors) AS actor, event_id, doc_id, date_start, date_end FROM current_events)
GROUP BY actor
ORDER BY events DESC, actor;
