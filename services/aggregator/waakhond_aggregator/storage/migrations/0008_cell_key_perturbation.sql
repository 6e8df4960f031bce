-- Disclosure control, second version: cell-key perturbation before the
-- threshold and the rounding of 0002. Supersedes every disclosed view of 0002,
-- 0005 and 0006 (migrations are append-only, so they are replaced here).
--
-- Why: threshold and rounding alone can be undone. Linked published numbers (a
-- region and the regions inside it, a date range and the weeks inside it) pin a
-- hidden count when the hidden cells under a total sit at the edges of their
-- ranges: 9 and 9 under a national 20 can only be 9 and 9.
--
-- Method: the cell key method (ABS TableBuilder, the ONS flexible tables of
-- census 2021, Eurostat's recommendation for the census 2021 hypercubes). Every
-- disclosed count n gets integer noise drawn from a key that depends on the cell
-- and on the exact set of signals in it; the threshold and the rounding then
-- apply to n + noise. See docs in ANALYTICS.md ("Disclosure control").
-- - The noise is two-sided geometric, P(x) = 2^-|x| / 3 (mean 0, standard
--   deviation 2): the difference of two geometric counts, each the number of
--   trailing zero bits of a 64-bit key. Every neighbouring true count stays
--   possible, so no set of published numbers recovers a hidden cell, and
--   P(x) / P(x+1) <= 2 bounds what one published number tells about one signal
--   more or less.
-- - Consistent: the same signals in the same cell (level, region, category, and
--   dimension and value for breakdowns) always get the same noise, whichever
--   view or date range asks, so asking again does not average the noise away.
--   One signal more or less gives a new, independent draw.
-- - The key mixes in a secret that lives in this database and that the
--   dashboard role cannot read, so knowing signal ids does not give the noise.
-- - A true zero stays 0 (nothing to protect); a count of 1 or more is never
--   shown as 0: it is shown as NULL ("hidden") or at least min_count.

-- Drawn once, when this migration first runs; never rotate it: a new secret
-- redraws every cell's noise, and two draws of the same cell average out.
CREATE TABLE IF NOT EXISTS {db}.disclosure_secret
(
    id UInt8,
    secret UInt64
)
ENGINE = MergeTree
ORDER BY id;

INSERT INTO {db}.disclosure_secret (id, secret)
SELECT 1, sipHash64(generateUUIDv4(), generateUUIDv4(), rand64(), now64(9))
FROM system.one
WHERE (SELECT count() FROM {db}.disclosure_secret) = 0;

-- noise = false switches the perturbation off: only for checking exact counts
-- in tests; the aggregator's default is on.
ALTER TABLE {db}.disclosure_policy ADD COLUMN IF NOT EXISTS noise Bool DEFAULT true;

CREATE OR REPLACE VIEW {db}.current_disclosure_policy AS
SELECT
    argMax(min_count, updated_at) AS min_count,
    argMax(rounding_base, updated_at) AS rounding_base,
    argMax(noise, updated_at) AS noise
FROM {db}.disclosure_policy;

-- The policy and the secret, for the disclosed views only (never granted).
CREATE OR REPLACE VIEW {db}.disclosure_parameters AS
SELECT p.min_count AS min_count, p.rounding_base AS rounding_base, p.noise AS noise,
    (SELECT min(secret) FROM {db}.disclosure_secret) AS secret
FROM {db}.current_disclosure_policy AS p;

CREATE OR REPLACE VIEW {db}.suppressed_disclosure_policy
DEFINER = CURRENT_USER SQL SECURITY DEFINER AS
SELECT min_count, rounding_base, noise
FROM {db}.current_disclosure_policy;

-- The number of trailing zero bits of a uniform 64-bit key is geometric with
-- p = 1/2; the difference of two independent ones is two-sided geometric.
CREATE FUNCTION IF NOT EXISTS waakhond_noise AS (key_up, key_down) ->
    toInt64(if(key_up = 0, 64, bitPositionsToArray(key_up)[1]))
    - toInt64(if(key_down = 0, 64, bitPositionsToArray(key_down)[1]));

-- cell: cityHash64 of the cell's coordinates; records: the XOR of
-- cityHash64(signal_id) over its distinct signals (groupBitXorDistinct), which
-- identifies the set of signals and ignores replayed rows.
CREATE FUNCTION IF NOT EXISTS waakhond_cell_noise AS (secret, cell, records) ->
    waakhond_noise(sipHash64(secret, 1, cell, records), sipHash64(secret, 2, cell, records));

-- What may be shown of a true count n: 0 for 0, NULL when n + noise is below
-- min_count, otherwise n + noise rounded to rounding_base (half up).
CREATE FUNCTION IF NOT EXISTS waakhond_publish AS
    (n, cell, records, min_count, rounding_base, noise, secret) ->
    if(n = 0, toNullable(toUInt64(0)),
       if(toInt64(n) + if(noise, waakhond_cell_noise(secret, cell, records), 0) < min_count,
          CAST(NULL AS Nullable(UInt64)),
          toNullable(toUInt64(intDiv(
              toInt64(n) + if(noise, waakhond_cell_noise(secret, cell, records), 0)
                  + intDiv(rounding_base, 2),
              rounding_base) * rounding_base))));

-- Weekly series per level x region x category.
CREATE OR REPLACE VIEW {db}.suppressed_trend_weekly
DEFINER = CURRENT_USER SQL SECURITY DEFINER AS
SELECT
    t.level AS level,
    t.region_code AS region_code,
    t.category AS category,
    t.week_start AS week_start,
    waakhond_publish(t.signals, cityHash64(t.level, t.region_code, t.category), t.records,
        p.min_count, p.rounding_base, p.noise, p.secret) AS signals
FROM
(
    SELECT level, region_code, category, week_start,
        uniqExact(signal_id) AS signals,
        groupBitXorDistinct(cityHash64(signal_id)) AS records
    FROM {db}.signal_facts
    GROUP BY level, region_code, category, week_start
) AS t
CROSS JOIN {db}.disclosure_parameters AS p;

-- Totals over a date range: SELECT * FROM suppressed_trend_totals(date_from=..., date_to=...).
CREATE OR REPLACE VIEW {db}.suppressed_trend_totals
DEFINER = CURRENT_USER SQL SECURITY DEFINER AS
SELECT
    t.level AS level,
    t.region_code AS region_code,
    t.category AS category,
    waakhond_publish(t.signals, cityHash64(t.level, t.region_code, t.category), t.records,
        p.min_count, p.rounding_base, p.noise, p.secret) AS signals
FROM
(
    SELECT level, region_code, category,
        uniqExact(signal_id) AS signals,
        groupBitXorDistinct(cityHash64(signal_id)) AS records
    FROM {db}.signal_facts
    WHERE week_start BETWEEN toMonday({date_from:Date}) AND {date_to:Date}
    GROUP BY level, region_code, category
) AS t
CROSS JOIN {db}.disclosure_parameters AS p;

-- Monthly series (a week belongs to the month of its Thursday; see 0005).
CREATE OR REPLACE VIEW {db}.suppressed_trend_monthly
DEFINER = CURRENT_USER SQL SECURITY DEFINER AS
SELECT
    m.level AS level,
    m.region_code AS region_code,
    m.category AS category,
    m.month_start AS month_start,
    toUInt8(intDiv(toDayOfMonth(toLastDayOfMonth(m.month_start)) - 1
        - ((11 - toDayOfWeek(m.month_start)) % 7), 7) + 1) AS weeks,
    waakhond_publish(m.signals, cityHash64(m.level, m.region_code, m.category), m.records,
        p.min_count, p.rounding_base, p.noise, p.secret) AS signals
FROM
(
    SELECT
        level,
        region_code,
        category,
        toStartOfMonth(addDays(week_start, 3)) AS month_start,
        uniqExact(signal_id) AS signals,
        groupBitXorDistinct(cityHash64(signal_id)) AS records
    FROM {db}.signal_facts
    GROUP BY level, region_code, category, month_start
) AS m
CROSS JOIN {db}.disclosure_parameters AS p;

-- Weekly breakdowns per level x region x category x dimension x value.
CREATE OR REPLACE VIEW {db}.suppressed_breakdown_weekly
DEFINER = CURRENT_USER SQL SECURITY DEFINER AS
SELECT
    b.level AS level,
    b.region_code AS region_code,
    b.category AS category,
    b.week_start AS week_start,
    b.dimension AS dimension,
    b.value AS value,
    waakhond_publish(b.signals,
        cityHash64(b.level, b.region_code, b.category, b.dimension, b.value), b.records,
        p.min_count, p.rounding_base, p.noise, p.secret) AS signals
FROM
(
    SELECT level, region_code, category, week_start, dimension, value,
        uniqExact(signal_id) AS signals,
        groupBitXorDistinct(cityHash64(signal_id)) AS records
    FROM {db}.signal_breakdown_facts
    GROUP BY level, region_code, category, week_start, dimension, value
) AS b
CROSS JOIN {db}.disclosure_parameters AS p;

-- Breakdown totals over a date range:
-- SELECT * FROM suppressed_breakdown_totals(date_from = ..., date_to = ...).
CREATE OR REPLACE VIEW {db}.suppressed_breakdown_totals
DEFINER = CURRENT_USER SQL SECURITY DEFINER AS
SELECT
    b.level AS level,
    b.region_code AS region_code,
    b.category AS category,
    b.dimension AS dimension,
    b.value AS value,
    waakhond_publish(b.signals,
        cityHash64(b.level, b.region_code, b.category, b.dimension, b.value), b.records,
        p.min_count, p.rounding_base, p.noise, p.secret) AS signals
FROM
(
    SELECT level, region_code, category, dimension, value,
        uniqExact(signal_id) AS signals,
        groupBitXorDistinct(cityHash64(signal_id)) AS records
    FROM {db}.signal_breakdown_facts
    WHERE week_start BETWEEN toMonday({date_from:Date}) AND {date_to:Date}
    GROUP BY level, region_code, category, dimension, value
) AS b
CROSS JOIN {db}.disclosure_parameters AS p;

-- Hard to place: the breakdown cells of no suitable care by target group, so
-- they show exactly what suppressed_breakdown_weekly shows for them.
CREATE OR REPLACE VIEW {db}.suppressed_hard_to_place
DEFINER = CURRENT_USER SQL SECURITY DEFINER AS
SELECT
    h.level AS level,
    h.region_code AS region_code,
    h.target_group AS target_group,
    h.week_start AS week_start,
    waakhond_publish(h.signals,
        cityHash64(h.level, h.region_code, 'no_suitable_care', 'target_group', h.target_group),
        h.records, p.min_count, p.rounding_base, p.noise, p.secret) AS signals
FROM
(
    SELECT level, region_code, value AS target_group, week_start,
        uniqExact(signal_id) AS signals,
        groupBitXorDistinct(cityHash64(signal_id)) AS records
    FROM {db}.signal_breakdown_facts
    WHERE dimension = 'target_group' AND category = 'no_suitable_care'
    GROUP BY level, region_code, target_group, week_start
) AS h
CROSS JOIN {db}.disclosure_parameters AS p;

-- Direction and alerts (0006), on perturbed window counts. The p-value is the
-- largest one consistent with the rounding of the published counts; the noise
-- (standard deviation 2 per window) is not bounded, so a flag is significant
-- for the perturbed counts, which sit within a few signals of the true ones.
CREATE OR REPLACE VIEW {db}.suppressed_trend_direction
DEFINER = CURRENT_USER SQL SECURITY DEFINER AS
SELECT
    t.as_of AS as_of,
    t.recent_from AS recent_from,
    t.recent_from + 27 AS recent_to,
    t.recent_from - 84 AS baseline_from,
    t.recent_from - 1 AS baseline_to,
    t.level AS level,
    t.region_code AS region_code,
    n.region_name AS region_name,
    t.category AS category,
    t.baseline_signals AS baseline_signals,
    t.recent_signals AS recent_signals,
    t.baseline_signals / 12 AS baseline_rate,
    t.recent_signals / 4 AS recent_rate,
    if(t.baseline_signals > 0, (t.recent_signals / 4) / (t.baseline_signals / 12), NULL)
        AS rate_ratio,
    t.recent_signals / 4 - t.baseline_signals / 12 AS rise_per_week,
    t.p_rise AS p_rise,
    t.p_fall AS p_fall,
    if(t.alert_tested, t.q_rise, NULL) AS q_rise,
    multiIf(NOT t.tested, 'insufficient_data',
            t.p_rise < 0.01, 'rising',
            t.p_fall < 0.01, 'falling',
            'stable') AS direction,
    toBool(t.alert_tested AND t.p_rise < 0.01 AND t.q_rise < 0.05
        AND t.recent_signals / 4 >= 1.5 * (t.baseline_signals / 12)) AS is_alert
FROM
(
    -- Benjamini-Hochberg: q of the i-th smallest of m p-values is the smallest
    -- p_(j) * m / j over j >= i.
    SELECT
        *,
        least(1.0, min(p_rise * family_size / family_rank) OVER (
            PARTITION BY level, alert_tested ORDER BY p_rise DESC, family_rank DESC
            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS q_rise
    FROM
    (
        SELECT
            *,
            row_number() OVER (PARTITION BY level, alert_tested ORDER BY p_rise ASC)
                AS family_rank,
            count() OVER (PARTITION BY level, alert_tested) AS family_size
        FROM
        (
            SELECT
                *,
                if(tested, waakhond_binomial_upper_tail(
                    recent_low, recent_low + baseline_high, 0.25), NULL) AS p_rise,
                if(tested, waakhond_binomial_upper_tail(
                    baseline_low, baseline_low + recent_high, 0.75), NULL) AS p_fall
            FROM
            (
                SELECT
                    *,
                    recent_signals IS NOT NULL AND baseline_signals IS NOT NULL AS tested,
                    ifNull(recent_signals > 0 AND baseline_signals > 0, false) AS alert_tested,
                    waakhond_disclosed_floor(ifNull(recent_signals, 0), min_count, rounding_base)
                        AS recent_low,
                    waakhond_disclosed_ceiling(ifNull(recent_signals, 0), min_count, rounding_base)
                        AS recent_high,
                    waakhond_disclosed_floor(ifNull(baseline_signals, 0), min_count, rounding_base)
                        AS baseline_low,
                    waakhond_disclosed_ceiling(ifNull(baseline_signals, 0), min_count, rounding_base)
                        AS baseline_high
                FROM
                (
                    SELECT
                        {as_of:Date} AS as_of,
                        toMonday({as_of:Date}) - 28 AS recent_from,
                        c.level AS level,
                        c.region_code AS region_code,
                        c.category AS category,
                        waakhond_publish(c.recent, cityHash64(c.level, c.region_code, c.category),
                            c.recent_records, p.min_count, p.rounding_base, p.noise, p.secret)
                            AS recent_signals,
                        waakhond_publish(c.baseline, cityHash64(c.level, c.region_code, c.category),
                            c.baseline_records, p.min_count, p.rounding_base, p.noise, p.secret)
                            AS baseline_signals,
                        p.min_count AS min_count,
                        p.rounding_base AS rounding_base
                    FROM
                    (
                        SELECT
                            level,
                            region_code,
                            category,
                            uniqExactIf(signal_id, week_start >= toMonday({as_of:Date}) - 28)
                                AS recent,
                            groupBitXorDistinctIf(cityHash64(signal_id),
                                week_start >= toMonday({as_of:Date}) - 28) AS recent_records,
                            uniqExactIf(signal_id, week_start < toMonday({as_of:Date}) - 28)
                                AS baseline,
                            groupBitXorDistinctIf(cityHash64(signal_id),
                                week_start < toMonday({as_of:Date}) - 28) AS baseline_records
                        FROM {db}.signal_facts
                        WHERE week_start >= toMonday({as_of:Date}) - 112
                          AND week_start < toMonday({as_of:Date})
                        GROUP BY level, region_code, category
                    ) AS c
                    CROSS JOIN {db}.disclosure_parameters AS p
                )
            )
        )
    )
) AS t
LEFT JOIN {db}.region_names AS n ON n.level = t.level AND n.region_code = t.region_code;

-- The alerts: significant rises only, strongest evidence first.
-- SELECT * FROM suppressed_trend_alerts(as_of = '2025-06-02').
CREATE OR REPLACE VIEW {db}.suppressed_trend_alerts
DEFINER = CURRENT_USER SQL SECURITY DEFINER AS
SELECT
    as_of, recent_from, recent_to, baseline_from, baseline_to,
    level, region_code, region_name, category,
    baseline_signals, recent_signals, baseline_rate, recent_rate, rate_ratio, rise_per_week,
    p_rise AS p_value, q_rise AS q_value
FROM {db}.suppressed_trend_direction(as_of = {as_of:Date})
WHERE is_alert
ORDER BY p_value ASC, rate_ratio DESC, level, region_code, category;

-- Hard-to-place direction per region x target group (no suitable care), with
-- the same windows and test; no alerts, the cells are small by nature:
-- SELECT * FROM suppressed_hard_to_place_direction(as_of = '2025-06-02').
CREATE OR REPLACE VIEW {db}.suppressed_hard_to_place_direction
DEFINER = CURRENT_USER SQL SECURITY DEFINER AS
SELECT
    t.as_of AS as_of,
    t.recent_from AS recent_from,
    t.recent_from + 27 AS recent_to,
    t.recent_from - 84 AS baseline_from,
    t.recent_from - 1 AS baseline_to,
    t.level AS level,
    t.region_code AS region_code,
    n.region_name AS region_name,
    t.target_group AS target_group,
    t.baseline_signals AS baseline_signals,
    t.recent_signals AS recent_signals,
    t.baseline_signals / 12 AS baseline_rate,
    t.recent_signals / 4 AS recent_rate,
    if(t.baseline_signals > 0, (t.recent_signals / 4) / (t.baseline_signals / 12), NULL)
        AS rate_ratio,
    t.recent_signals / 4 - t.baseline_signals / 12 AS rise_per_week,
    t.p_rise AS p_rise,
    t.p_fall AS p_fall,
    multiIf(NOT t.tested, 'insufficient_data',
            t.p_rise < 0.01, 'rising',
            t.p_fall < 0.01, 'falling',
            'stable') AS direction
FROM
(
    SELECT
        *,
        if(tested, waakhond_binomial_upper_tail(
            recent_low, recent_low + baseline_high, 0.25), NULL) AS p_rise,
        if(tested, waakhond_binomial_upper_tail(
            baseline_low, baseline_low + recent_high, 0.75), NULL) AS p_fall
    FROM
    (
        SELECT
            *,
            recent_signals IS NOT NULL AND baseline_signals IS NOT NULL AS tested,
            waakhond_disclosed_floor(ifNull(recent_signals, 0), min_count, rounding_base)
                AS recent_low,
            waakhond_disclosed_ceiling(ifNull(recent_signals, 0), min_count, rounding_base)
                AS recent_high,
            waakhond_disclosed_floor(ifNull(baseline_signals, 0), min_count, rounding_base)
                AS baseline_low,
            waakhond_disclosed_ceiling(ifNull(baseline_signals, 0), min_count, rounding_base)
                AS baseline_high
        FROM
        (
            SELECT
                {as_of:Date} AS as_of,
                toMonday({as_of:Date}) - 28 AS recent_from,
                c.level AS level,
                c.region_code AS region_code,
                c.target_group AS target_group,
                waakhond_publish(c.recent,
                    cityHash64(c.level, c.region_code, 'no_suitable_care', 'target_group', c.target_group),
                    c.recent_records, p.min_count, p.rounding_base, p.noise, p.secret) AS recent_signals,
                waakhond_publish(c.baseline,
                    cityHash64(c.level, c.region_code, 'no_suitable_care', 'target_group', c.target_group),
                    c.baseline_records, p.min_count, p.rounding_base, p.noise, p.secret)
                    AS baseline_signals,
                p.min_count AS min_count,
                p.rounding_base AS rounding_base
            FROM
            (
                SELECT
                    level,
                    region_code,
                    value AS target_group,
                    uniqExactIf(signal_id, week_start >= toMonday({as_of:Date}) - 28) AS recent,
                    groupBitXorDistinctIf(cityHash64(signal_id),
                        week_start >= toMonday({as_of:Date}) - 28) AS recent_records,
                    uniqExactIf(signal_id, week_start < toMonday({as_of:Date}) - 28) AS baseline,
                    groupBitXorDistinctIf(cityHash64(signal_id),
                        week_start < toMonday({as_of:Date}) - 28) AS baseline_records
                FROM {db}.signal_breakdown_facts
                WHERE dimension = 'target_group' AND category = 'no_suitable_care'
                  AND week_start >= toMonday({as_of:Date}) - 112
                  AND week_start < toMonday({as_of:Date})
                GROUP BY level, region_code, target_group
            ) AS c
            CROSS JOIN {db}.disclosure_parameters AS p
        )
    )
) AS t
LEFT JOIN {db}.region_names AS n ON n.level = t.level AND n.region_code = t.region_code;
