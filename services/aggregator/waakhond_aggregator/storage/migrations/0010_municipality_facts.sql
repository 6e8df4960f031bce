-- Facts per municipality, cells per region: what an insert writes shrinks six-fold.
--
-- Until now every stored signal wrote a fact row for each region level it
-- counts in (municipality, care office, GGD, youth-care region, province,
-- national): about 13 trend rows written by the aggregator and 105 breakdown
-- rows written by the view of 0004, joined to the region map on every insert.
-- The breakdown view alone was two thirds of the insert time (bench/README.md).
--
-- A signal lies in exactly one municipality, and that municipality in one
-- region per level (per map year). So the count of a region cell is the sum of
-- its municipalities' counts, and the XOR of its signals' keys (0008) is the
-- XOR of theirs: the facts now stop at the municipality, and the other levels
-- are derived when cells are counted (*_live_cells below), which 0009 already
-- does per week. Every published number stays exactly the same (tested against
-- an oracle built from the signals themselves).
--
-- Both fact tables are now filled by materialized views on signals, so the
-- aggregator inserts one table and the facts cannot disagree with it. Keys end
-- in signal_id, as before: a replayed signal writes identical rows, which
-- collapse, and counting distinct signal ids is exact before merges.

CREATE TABLE IF NOT EXISTS {db}.trend_municipality_facts
(
    week_start Date,
    category LowCardinality(String),
    region_year UInt16,
    municipality_code LowCardinality(String),
    signal_id UUID
)
ENGINE = ReplacingMergeTree
ORDER BY (week_start, category, region_year, municipality_code, signal_id);

CREATE TABLE IF NOT EXISTS {db}.breakdown_municipality_facts
(
    week_start Date,
    dimension LowCardinality(String),
    category LowCardinality(String),
    value LowCardinality(String),
    region_year UInt16,
    municipality_code LowCardinality(String),
    signal_id UUID
)
ENGINE = ReplacingMergeTree
ORDER BY (week_start, dimension, category, value, region_year, municipality_code, signal_id);

-- category 'all' carries every signal, labelled or not (volumes).
CREATE FUNCTION IF NOT EXISTS waakhond_counted_categories AS (categories) ->
    arrayConcat(['all'], categories);

-- The breakdown values of a signal, as (dimension, value); see 0004 for 'wmo+wlz'.
CREATE FUNCTION IF NOT EXISTS waakhond_breakdowns AS
    (law_domains, life_domains, target_groups, supporter_type, age_band) ->
    arrayConcat(
        arrayMap(v -> ('law_domain', toString(v)),
            arrayConcat(law_domains,
                if(has(law_domains, 'wmo') AND has(law_domains, 'wlz'), ['wmo+wlz'], []))),
        arrayMap(v -> ('life_domain', toString(v)), life_domains),
        arrayMap(v -> ('target_group', toString(v)), target_groups),
        [('supporter_type', toString(supporter_type)), ('age_band', toString(age_band))]);

-- The new views first, then the backfill, then the old views go: a signal
-- stored by another aggregator while this runs is in the new facts either way.
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.trend_municipality_facts_mv
TO {db}.trend_municipality_facts AS
SELECT week_start, arrayJoin(waakhond_counted_categories(categories)) AS category,
    region_year, municipality_code, signal_id
FROM {db}.signals;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.breakdown_municipality_facts_mv
TO {db}.breakdown_municipality_facts AS
SELECT week_start, b.1 AS dimension, category, b.2 AS value,
    region_year, municipality_code, signal_id
FROM
(
    SELECT week_start, region_year, municipality_code, signal_id,
        arrayJoin(waakhond_counted_categories(categories)) AS category,
        arrayJoin(waakhond_breakdowns(law_domains, life_domains, target_groups,
            supporter_type, age_band)) AS b
    FROM {db}.signals
);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.touched_weeks_trend_municipality_mv
TO {db}.touched_weeks AS
SELECT 'trend' AS source, week_start, max(now64(3, 'UTC')) AS touched_at
FROM {db}.trend_municipality_facts
GROUP BY week_start;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.touched_weeks_breakdown_municipality_mv
TO {db}.touched_weeks AS
SELECT 'breakdown' AS source, week_start, max(now64(3, 'UTC')) AS touched_at
FROM {db}.breakdown_municipality_facts
GROUP BY week_start;

-- Signals stored before this migration (running it again only writes rows
-- that collapse). Their weeks are stamped as touched by the views above, so
-- they are counted live until the refresher has computed them again.
INSERT INTO {db}.trend_municipality_facts
SELECT week_start, arrayJoin(waakhond_counted_categories(categories)) AS category,
    region_year, municipality_code, signal_id
FROM {db}.signals FINAL;

INSERT INTO {db}.breakdown_municipality_facts
SELECT week_start, b.1 AS dimension, category, b.2 AS value,
    region_year, municipality_code, signal_id
FROM
(
    SELECT week_start, region_year, municipality_code, signal_id,
        arrayJoin(waakhond_counted_categories(categories)) AS category,
        arrayJoin(waakhond_breakdowns(law_domains, life_domains, target_groups,
            supporter_type, age_band)) AS b
    FROM {db}.signals FINAL
);

-- The regions each municipality counts in, per map year.
CREATE OR REPLACE VIEW {db}.municipality_regions AS
SELECT DISTINCT year, level, region_code, municipality_code
FROM {db}.region_reference;

-- Exact cells per week, counted from the facts: per municipality first, then
-- summed (counts) and XORed (keys) into every region the municipality counts
-- in. Read with a filter on week_start, which ClickHouse applies to the facts.
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
    GROUP BY week_start, dimension, category, value, region_year, municipality_code
) AS f
INNER JOIN {db}.municipality_regions AS r
    ON r.year = f.region_year AND r.municipality_code = f.municipality_code
GROUP BY level, dimension, category, region_code, week_start, value;

-- 0009's cells, now with the dirty weeks counted by the views above.
CREATE OR REPLACE VIEW {db}.trend_week_cells AS
SELECT level, category, region_code, week_start, signals, records
FROM {db}.trend_cells FINAL
WHERE week_start NOT IN (SELECT week_start FROM {db}.dirty_weeks WHERE source = 'trend')
UNION ALL
SELECT level, category, region_code, week_start, signals, records
FROM {db}.trend_live_cells
WHERE week_start IN (SELECT week_start FROM {db}.dirty_weeks WHERE source = 'trend');

CREATE OR REPLACE VIEW {db}.breakdown_week_cells AS
SELECT level, dimension, category, region_code, week_start, value, signals, records
FROM {db}.breakdown_cells FINAL
WHERE week_start NOT IN (SELECT week_start FROM {db}.dirty_weeks WHERE source = 'breakdown')
UNION ALL
SELECT level, dimension, category, region_code, week_start, value, signals, records
FROM {db}.breakdown_live_cells
WHERE week_start IN (SELECT week_start FROM {db}.dirty_weeks WHERE source = 'breakdown');

-- 0001's exact (undisclosed) weekly counts, for operators and tests.
CREATE OR REPLACE VIEW {db}.trend_weekly AS
SELECT level, region_code, category, week_start, signals
FROM {db}.trend_week_cells;

-- Nothing writes the per-level facts any more; their rows are all derivable
-- from signals, which the backfill above did.
DROP VIEW IF EXISTS {db}.signal_breakdown_facts_mv;
DROP VIEW IF EXISTS {db}.touched_weeks_trend_mv;
DROP VIEW IF EXISTS {db}.touched_weeks_breakdown_mv;
DROP TABLE IF EXISTS {db}.signal_facts;
DROP TABLE IF EXISTS {db}.signal_breakdown_facts
