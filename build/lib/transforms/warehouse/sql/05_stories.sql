-- Stories: one happening reported by several documents. Events with the same date interval, event type,
-- markets acted on and actors are one story; the most confident event leads it. Untyped ('other') events
-- and events without a market are stories of their own. Within a document, mentions of one happening
-- were already merged into one event by the extractor (event_mentions keeps them all).
CREATE OR REPLACE TABLE story_events AS
WITH acted AS (
    SELECT event_id, list(DISTINCT market ORDER BY market) AS market_key
    FROM event_markets
    WHERE role <> 'origin'
    GROUP BY event_id
), keyed AS (
    SELECT e.event_id,
           e.doc_id,
           e.confidence,
           CASE WHEN e.event_type <> 'other' AND a.market_key IS NOT NULL
                THEN 's' || left(md5(concat_ws('|', e.date_start, e.date_end, e.event_type, a.market_key::VARCHAR,
                                               list_sort(list_distinct(coalesce(e.actors, []::VARCHAR[])))::VARCHAR)), 15)
                ELSE e.event_id
           END AS story_id
    FROM events e
    LEFT JOIN acted a USING (event_id)
)
SELECT story_id,
       event_id,
       doc_id,
       row_number() OVER (PARTITION BY story_id ORDER BY confidence DESC, event_id) = 1 AS is_lead
FROM keyed;

CREATE OR REPLACE TABLE story_sources AS
SELECT s.story_id,
       list(DISTINCT d.source ORDER BY d.source) AS sources,
       count(DISTINCT s.doc_id) AS documents,
       list(s.event_id ORDER BY s.event_id) AS event_ids
FROM story_events s
JOIN documents d USING (doc_id)
GROUP BY s.story_id;

-- Organisations and people named as actors, with how often and when.
CREATE OR REPLACE TABLE actors AS
SELECT actor,
       count(DISTINCT event_id) AS events,
       count(DISTINCT doc_id) AS documents,
       min(date_start) AS first_event,
       max(date_end) AS last_event
FROM (SELECT unnest(actors) AS actor, event_id, doc_id, date_start, date_end FROM events)
GROUP BY actor
ORDER BY events DESC, actor;
