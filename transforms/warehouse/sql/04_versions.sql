-- Versions: a document whose identity (transforms/ingest/identity.py: the publisher's record id, the page
-- URL, or the file's path) was seen before with other text is a new version of that article, a
-- correction. The newest version's events are the timeline's; an earlier version's events stay in
-- `events`, marked with the document that replaced them (`superseded_by`) and when (`valid_to`).
-- A document without an identity (a JSONL line with neither id nor url) is an article of its own.
-- Every time an identity was seen with a text is a *sighting*: a document ingested, or a text already in
-- the lake seen again under an identity known before (a `dedup` quarantine row carrying that identity: an
-- article gone back to an earlier version's words, or edited to the words of another article: then its
-- earlier version is superseded by that article). Consecutive sightings of one text are one version.
CREATE OR REPLACE TABLE document_versions AS
WITH sightings AS (
    SELECT doc_id, identity, ingested_at AS seen_at FROM documents
    UNION ALL
    SELECT q.record_id, q.identity, q.quarantined_at
    FROM quarantine q
    WHERE q.stage = 'dedup' AND q.record_id IN (SELECT doc_id FROM documents)
      AND q.identity IN (SELECT identity FROM documents WHERE doc_id <> q.record_id)
), changes AS (
    SELECT * FROM sightings
    QUALIFY lag(doc_id) OVER (PARTITION BY coalesce(identity, doc_id) ORDER BY seen_at, doc_id) IS DISTINCT FROM doc_id
)
SELECT doc_id,
       identity,
       row_number() OVER w  AS version,
       seen_at              AS valid_from,
       lead(seen_at) OVER w AS valid_to,
       lead(doc_id) OVER w  AS superseded_by
FROM changes
WINDOW w AS (PARTITION BY coalesce(identity, doc_id) ORDER BY seen_at, doc_id)
ORDER BY identity, version;

-- Each event carries the state of its document's latest version (superseded_by NULL: current again, when
-- an article went back to it). Only rows whose marking changes are written: an incremental build touches
-- the corrected articles only.
CREATE OR REPLACE TEMP TABLE _remarked AS
WITH latest AS (
    SELECT doc_id, superseded_by, valid_to FROM document_versions
    WHERE identity IN (SELECT identity FROM document_versions GROUP BY identity HAVING count(*) > 1)
    -- a text current under any identity stays current (an article edited to another's words keeps that one's)
    QUALIFY row_number() OVER (PARTITION BY doc_id ORDER BY superseded_by IS NULL DESC, version DESC) = 1
)
SELECT e.event_id, l.superseded_by, l.valid_to
FROM events e
JOIN latest l USING (doc_id)
WHERE e.superseded_by IS DISTINCT FROM l.superseded_by OR e.valid_to IS DISTINCT FROM l.valid_to;

UPDATE events
SET superseded_by = n.superseded_by, valid_to = n.valid_to
FROM _remarked n
WHERE events.event_id = n.event_id;

-- The stories this build must (re)compute: those of the events of the runs new to the warehouse
-- (`_new_runs`, filled by the builder: every run in a full build) and of the events just (un)superseded.
-- The story tables below are refreshed for these stories only, so a small update costs little; their
-- `_..._rows` views read this table (kept in the file: views cannot read a temporary table).
CREATE OR REPLACE TABLE _affected_stories AS
SELECT DISTINCT coalesce(story_key, event_id) AS story_id
FROM events
WHERE run_id IN (SELECT run_id FROM _new_runs) OR event_id IN (SELECT event_id FROM _remarked);

-- The events of every article's newest version: what all tables and views below are built from.
CREATE OR REPLACE VIEW current_events AS
SELECT * FROM events WHERE superseded_by IS NULL;

-- What changed between the versions of each corrected article, and when: every version's events
-- (`original` in the first version; `kept` or `added` in later ones) and, at each new version, the
-- events of the version before that it no longer has (`removed`). Events are compared by date value,
-- event type and lead actor.
CREATE OR REPLACE VIEW event_history AS
WITH corrected AS (
    SELECT identity FROM document_versions WHERE identity IS NOT NULL GROUP BY identity HAVING count(*) > 1
), versioned AS (
    SELECT v.identity, v.version, v.valid_from, e.*,
           concat_ws('|', e.timex, e.event_type, coalesce(e.actors[1], '')) AS happening
    FROM document_versions v
    JOIN corrected USING (identity)
    JOIN events e USING (doc_id)
)
SELECT n.identity,
       n.version,
       n.valid_from AS changed_at,
       CASE WHEN n.version = 1 THEN 'original'
            WHEN EXISTS (SELECT 1 FROM versioned p WHERE p.identity = n.identity AND p.version = n.version - 1
                                                     AND p.happening = n.happening) THEN 'kept'
            ELSE 'added' END AS change,
       n.event_id, n.doc_id, n.timex, n.date_start, n.date_end, n.event_type, n.actors, n.sentence,
       n.superseded_by, n.valid_to
FROM versioned n
UNION ALL
SELECT p.identity,
       p.version + 1,
       nv.valid_from,
       'removed',
       p.event_id, p.doc_id, p.timex, p.date_start, p.date_end, p.event_type, p.actors, p.sentence,
       p.superseded_by, p.valid_to
FROM versioned p
JOIN document_versions nv ON nv.identity = p.identity AND nv.version = p.version + 1
WHERE NOT EXISTS (SELECT 1 FROM versioned n WHERE n.identity = p.identity AND n.version = p.version + 1
                                              AND n.happening = p.happening)
ORDER BY identity, version, change, timex;
