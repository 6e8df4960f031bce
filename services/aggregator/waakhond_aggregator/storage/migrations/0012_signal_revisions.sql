-- Revisions: an organisation's correction (the same client_ref with other
-- content) and a person's decision (the review page, signals.reviewed) replace
-- what was counted of a signal, in every count.
--
-- A signal may now have several rows in signals, one per revision. The
-- revision orders them by precedence (processing/revisions.py): its high 64
-- bits say which version of the content (when intake accepted it), its low 64
-- bits whose labels (the classifier's, a reclassification's, a reviewer's, a
-- coordinator's, and when). The current row of a signal is simply its highest
-- revision, whatever order versions and decisions arrive or are replayed in. A
-- replay writes a row with the same key as its first one, which collapses, as
-- before. Signals stored before this migration have revision 0.
--
-- The facts carry the revision of the row they came from; the live cells count
-- only the facts of current revisions. Superseded revisions are few (corrected
-- and reviewed signals only), so leaving them out is an anti-join against a
-- small set. An insert of a new revision stamps its week as touched through the
-- fact views (0009), and the week of the version it replaces through the view
-- below, so refreshed cells of those weeks are counted live again until the
-- refresher has recomputed them: the published numbers, and the cell keys that
-- drive the noise (0008), follow the new cell membership at once.

ALTER TABLE {db}.signals
    ADD COLUMN IF NOT EXISTS revision UInt128 AFTER signal_id,
    MODIFY ORDER BY (signal_id, revision);

ALTER TABLE {db}.signals
    ADD COLUMN IF NOT EXISTS label_source LowCardinality(String) DEFAULT 'model'
        COMMENT 'model, or review: who gave the categories of this revision',
    ADD COLUMN IF NOT EXISTS model_categories Array(LowCardinality(String)) DEFAULT categories
        COMMENT 'The model''s labels, kept in reviewed revisions for the agreement figures',
    ADD COLUMN IF NOT EXISTS review_reasons Array(LowCardinality(String))
        DEFAULT if(needs_review, ['uncertain'], []),
    ADD COLUMN IF NOT EXISTS explanations Map(LowCardinality(String), Array(String))
        COMMENT 'Per category, the terms that drove the model''s score',
    ADD COLUMN IF NOT EXISTS text_erased Bool DEFAULT false
        COMMENT 'A reviewer found identifying details: the description is erased',
    ADD COLUMN IF NOT EXISTS version UInt32 DEFAULT 1
        COMMENT 'The content version: 1, then one more per correction by the organisation',
    ADD COLUMN IF NOT EXISTS replaces_week_start Date DEFAULT week_start
        COMMENT 'The week of the version this one replaces (its own week for version 1)';

ALTER TABLE {db}.trend_municipality_facts
    ADD COLUMN IF NOT EXISTS revision UInt128,
    MODIFY ORDER BY (week_start, category, region_year, municipality_code, signal_id, revision);

ALTER TABLE {db}.breakdown_municipality_facts
    ADD COLUMN IF NOT EXISTS revision UInt128,
    MODIFY ORDER BY
        (week_start, dimension, category, value, region_year, municipality_code, signal_id, revision);

-- The fact views again, now carrying the revision; the new ones first, so an
-- insert while this runs has its facts either way (the old views write
-- revision 0, which only revision-0 rows have before this release).
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.trend_revision_facts_mv
TO {db}.trend_municipality_facts AS
SELECT week_start, arrayJoin(waakhond_counted_categories(categories)) AS category,
    region_year, municipality_code, signal_id, revision
FROM {db}.signals;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.breakdown_revision_facts_mv
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
);

DROP VIEW IF EXISTS {db}.trend_municipality_facts_mv;
DROP VIEW IF EXISTS {db}.breakdown_municipality_facts_mv;

-- A correction that moves a signal to another week: the week it leaves is
-- counted again too.
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.touched_weeks_replaced_mv
TO {db}.touched_weeks AS
SELECT source, replaces_week_start AS week_start, max(now64(3, 'UTC')) AS touched_at
FROM {db}.signals
ARRAY JOIN ['trend', 'breakdown'] AS source
WHERE replaces_week_start != week_start
GROUP BY source, replaces_week_start;

-- The signals that have more than one revision: a later version (a correction)
-- or labels other than the classifier's (a low half of the revision above 0).
-- Few, and found by reading two narrow columns.
CREATE OR REPLACE VIEW {db}.revised_signals AS
SELECT DISTINCT signal_id
FROM {db}.signals
WHERE version > 1 OR bitAnd(revision, toUInt64(18446744073709551615)) != 0;

-- Every revision below the highest of its signal. signals is ordered by
-- signal_id, so both filters read the revised signals only.
CREATE OR REPLACE VIEW {db}.superseded_revisions AS
SELECT signal_id, revision
FROM {db}.signals
WHERE signal_id IN (SELECT signal_id FROM {db}.revised_signals)
    AND (signal_id, revision) NOT IN
        (SELECT signal_id, max(revision) FROM {db}.signals
         WHERE signal_id IN (SELECT signal_id FROM {db}.revised_signals)
         GROUP BY signal_id);

-- One row per signal: its current revision.
CREATE OR REPLACE VIEW {db}.current_signals AS
SELECT *
FROM {db}.signals FINAL
WHERE (signal_id, revision) NOT IN (SELECT signal_id, revision FROM {db}.superseded_revisions);

-- 0010's live cells, counting current revisions only.
CREATE OR REPLACE VIEW {db}.trend_live_cells AS
SELECT r.level AS level, f.category AS category, r.region_code AS region_code,
    f.week_start AS week_start,
    sum(f.signals) AS signals,
    groupBitXor(f.records) AS records
FROM
(
    SELECT week_start, category, region_year, municipality_code,
        uniqExact(signal_id) AS signals,
        groupBitXorDistinct(cityHash64(signal_id)) AS records
    FROM {db}.trend_municipality_facts
    WHERE (signal_id, revision) NOT IN
        (SELECT signal_id, revision FROM {db}.superseded_revisions)
    GROUP BY week_start, category, region_year, municipality_code
) AS f
INNER JOIN {db}.municipality_regions AS r
    ON r.year = f.region_year AND r.municipality_code = f.municipality_code
GROUP BY level, category, region_code, week_start;

CREATE OR REPLACE VIEW {db}.breakdown_live_cells AS
SELECT r.level AS level, f.dimension AS dimension, f.category AS category,
    r.region_code AS region_code, f.week_start AS week_start, f.value AS value,
    sum(f.signals) AS signals,
    groupBitXor(f.records) AS records
FROM
(
    SELECT week_start, dimension, category, value, region_year, municipality_code,
        uniqExact(signal_id) AS signals,
        groupBitXorDistinct(cityHash64(signal_id)) AS records
    FROM {db}.breakdown_municipality_facts
    WHERE (signal_id, revision) NOT IN
        (SELECT signal_id, revision FROM {db}.superseded_revisions)
    GROUP BY week_start, dimension, category, value, region_year, municipality_code
) AS f
INNER JOIN {db}.municipality_regions AS r
    ON r.year = f.region_year AND r.municipality_code = f.municipality_code
GROUP BY level, dimension, category, region_code, week_start, value;

-- A reviewed signal can leave a cell for good: the refresher then stores the
-- cell with 0 signals (storage/cells.py), and the views leave such cells out,
-- as a cell without facts never had a row.
CREATE OR REPLACE VIEW {db}.trend_week_cells AS
SELECT level, category, region_code, week_start, signals, records
FROM {db}.trend_cells FINAL
WHERE signals > 0
    AND week_start NOT IN (SELECT week_start FROM {db}.dirty_weeks WHERE source = 'trend')
UNION ALL
SELECT level, category, region_code, week_start, signals, records
FROM {db}.trend_live_cells
WHERE week_start IN (SELECT week_start FROM {db}.dirty_weeks WHERE source = 'trend');

CREATE OR REPLACE VIEW {db}.breakdown_week_cells AS
SELECT level, dimension, category, region_code, week_start, value, signals, records
FROM {db}.breakdown_cells FINAL
WHERE signals > 0
    AND week_start NOT IN (SELECT week_start FROM {db}.dirty_weeks WHERE source = 'breakdown')
UNION ALL
SELECT level, dimension, category, region_code, week_start, value, signals, records
FROM {db}.breakdown_live_cells
WHERE week_start IN (SELECT week_start FROM {db}.dirty_weeks WHERE source = 'breakdown');

-- Every decision consumed, applied or not (a lower-precedence one is kept for
-- the agreement figures). Never the text: the pseudonymous reviewer, the labels
-- and the model's labels at the time.
CREATE TABLE IF NOT EXISTS {db}.review_decisions
(
    signal_id UUID,
    decision_id UUID,
    organisation_id LowCardinality(String),
    outcome LowCardinality(String),
    labels Array(LowCardinality(String)),
    identifying_kinds Array(LowCardinality(String)),
    reviewer String,
    role LowCardinality(String),
    decided_at DateTime64(3, 'UTC'),
    reviewed_model_version LowCardinality(String),
    model_categories Array(LowCardinality(String)),
    revision UInt128 COMMENT 'The revision the decision has or would have had',
    version UInt32 COMMENT 'The version of the signal the reviewer saw',
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (signal_id, decision_id);
