-- Withdrawals and the status an organisation reads of its signals.
--
-- A withdrawal is a tombstone: a revision of the signal (processing/withdrawals.py)
-- with label_source 'withdrawn', no text and no categories, above every version
-- accepted before it. The fact views below skip tombstones, so the signal's
-- current revision has no facts and the signal counts nowhere; the live cells
-- already leave its earlier revisions out (0012, superseded_revisions). The
-- tombstone keeps the signal's dimensions, and stamps its week as touched, so
-- refreshed cells of that week are counted live again until the refresher has
-- recomputed them (with a 0-row where the signal was the last one).

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.trend_counted_facts_mv
TO {db}.trend_municipality_facts AS
SELECT week_start, arrayJoin(waakhond_counted_categories(categories)) AS category,
    region_year, municipality_code, signal_id, revision
FROM {db}.signals
WHERE label_source != 'withdrawn';

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.breakdown_counted_facts_mv
TO {db}.breakdown_municipality_facts AS
SELECT week_start, b.1 AS dimension, category, b.2 AS value,
    region_year, municipality_code, signal_id, revision
FROM
(
    SELECT week_start, region_year, municipality_code, signal_id, revision,
        arrayJoin(waakhond_counted_categories(categories)) AS category,
        arrayJoin(waakhond_breakdowns(law_domains, life_domains, target_groups,
            supporter_type, age_band)) AS b
    FROM {db}.signals
    WHERE label_source != 'withdrawn'
);

DROP VIEW IF EXISTS {db}.trend_revision_facts_mv;
DROP VIEW IF EXISTS {db}.breakdown_revision_facts_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.touched_weeks_withdrawn_mv
TO {db}.touched_weeks AS
SELECT source, week_start, max(now64(3, 'UTC')) AS touched_at
FROM {db}.signals
ARRAY JOIN ['trend', 'breakdown'] AS source
WHERE label_source = 'withdrawn'
GROUP BY source, week_start;

-- What happened to each submission of a signal, for GET /v1/signals: one row per
-- (submission, event). submitted_at names the submission (the version intake
-- accepted then; a withdrawal's is when it was asked for); at is when the event
-- happened. Events: accepted (signals.submitted), classified
-- (signals.classified), dead_lettered (signals.deadletter), read by the status
-- ledger consumer; counted and withdrawn, written by the aggregator when it
-- stores them. The status is the furthest event of the latest submission. No
-- text: a dead letter's detail is cut short and is about the message, not the
-- client.
CREATE TABLE IF NOT EXISTS {db}.signal_ledger
(
    organisation_id LowCardinality(String),
    signal_id UUID,
    submitted_at DateTime64(3, 'UTC'),
    event LowCardinality(String),
    at DateTime64(3, 'UTC'),
    stage LowCardinality(String) DEFAULT '',
    reason LowCardinality(String) DEFAULT '',
    detail String DEFAULT ''
)
ENGINE = ReplacingMergeTree(at)
ORDER BY (organisation_id, signal_id, submitted_at, event);

-- Signals stored before this migration: accepted and counted (running it again
-- writes rows that collapse).
INSERT INTO {db}.signal_ledger (organisation_id, signal_id, submitted_at, event, at)
SELECT organisation_id, signal_id, submitted_at, event, submitted_at
FROM {db}.signals
ARRAY JOIN ['accepted', 'counted'] AS event
WHERE label_source = 'model';
