-- Disclosure control: what dashboards and the API may read.
--
-- Method (threshold rule + rounding, as statistics offices publish small-area
-- counts): a count of 1 .. min_count-1 is never shown (NULL, "suppressed");
-- every other count is rounded to the nearest multiple of rounding_base
-- (half up), totals included, each on its own. Differencing published numbers
-- then mostly only bounds a hidden count; it does not always: when every hidden
-- count under a total sits at an edge of its range, linked totals can pin it
-- (tests/aggregator/storage/test_disclosure.py shows such cases). Secondary
-- suppression across the linked tables is still to come.
-- The views run with their definer's rights, so a dashboard role needs SELECT
-- on them and on nothing underneath.
CREATE FUNCTION IF NOT EXISTS waakhond_disclose AS (n, min_count, rounding_base) ->
    if(n = 0 OR n >= min_count,
       toNullable(toUInt64(intDiv(n + intDiv(rounding_base, 2), rounding_base) * rounding_base)),
       CAST(NULL AS Nullable(UInt64)));

-- The policy in force: written by the aggregator at start-up from its settings.
CREATE TABLE IF NOT EXISTS {db}.disclosure_policy
(
    id UInt8 DEFAULT 1,
    min_count UInt32,
    rounding_base UInt32,
    updated_at DateTime64(3, 'UTC') DEFAULT now64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY id;

CREATE VIEW IF NOT EXISTS {db}.current_disclosure_policy AS
SELECT argMax(min_count, updated_at) AS min_count, argMax(rounding_base, updated_at) AS rounding_base
FROM {db}.disclosure_policy;

-- Weekly series per level x region x category, disclosed.
CREATE VIEW IF NOT EXISTS {db}.suppressed_trend_weekly
DEFINER = CURRENT_USER SQL SECURITY DEFINER AS
SELECT
    t.level AS level,
    t.region_code AS region_code,
    t.category AS category,
    t.week_start AS week_start,
    waakhond_disclose(t.signals, p.min_count, p.rounding_base) AS signals
FROM {db}.trend_weekly AS t
CROSS JOIN {db}.current_disclosure_policy AS p;

-- Totals over a date range, disclosed: SELECT * FROM suppressed_trend_totals(date_from=..., date_to=...).
CREATE VIEW IF NOT EXISTS {db}.suppressed_trend_totals
DEFINER = CURRENT_USER SQL SECURITY DEFINER AS
SELECT
    f.level AS level,
    f.region_code AS region_code,
    f.category AS category,
    waakhond_disclose(uniqExact(f.signal_id), any(p.min_count), any(p.rounding_base)) AS signals
FROM {db}.signal_facts AS f
CROSS JOIN {db}.current_disclosure_policy AS p
WHERE f.week_start BETWEEN toMonday({date_from:Date}) AND {date_to:Date}
GROUP BY f.level, f.region_code, f.category;
