-- Exact weekly cells: what every disclosed view reads, so a trend query reads
-- one row per cell and week instead of every fact (a 10-million-signal history
-- has about 150 million fact rows).
--
-- A signal lies in exactly one week, so the count of any range of weeks is the
-- sum of its weeks' counts and the XOR of the signals' keys (the record part
-- of the cell key of 0008) is the XOR of its weeks' XORs: every number the
-- views of 0008 published stays exactly the same.
--
-- How the cells stay exact through replays and late signals:
-- - touched_weeks: every insert into a fact table stamps the weeks it wrote
--   (a materialized view, so no writer can forget it);
-- - the aggregator's refresher (storage/cells.py) recomputes a week's cells
--   from its facts (uniqExact, groupBitXorDistinct: replays collapse) once the
--   week has been quiet for a while, and records up to which stamp they are
--   complete (cells_refreshed);
-- - *_week_cells take the stored cells of complete weeks and count the other
--   weeks ("dirty": touched after their last refresh, or never refreshed) live
--   from the facts. A signal is therefore counted the moment its facts are
--   stored, exactly once, whether or not its week was refreshed.

CREATE TABLE IF NOT EXISTS {db}.touched_weeks
(
    source LowCardinality(String) COMMENT 'trend or breakdown',
    week_start Date,
    touched_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(touched_at)
ORDER BY (source, week_start);

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.touched_weeks_trend_mv
TO {db}.touched_weeks AS
SELECT 'trend' AS source, week_start, max(now64(3, 'UTC')) AS touched_at
FROM {db}.signal_facts
GROUP BY week_start;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.touched_weeks_breakdown_mv
TO {db}.touched_weeks AS
SELECT 'breakdown' AS source, week_start, max(now64(3, 'UTC')) AS touched_at
FROM {db}.signal_breakdown_facts
GROUP BY week_start;

-- Facts stored before this migration: their weeks count as touched, so they are
-- counted live until the refresher has computed them.
INSERT INTO {db}.touched_weeks (source, week_start, touched_at)
SELECT 'trend', week_start, now64(3, 'UTC') FROM {db}.signal_facts GROUP BY week_start;

INSERT INTO {db}.touched_weeks (source, week_start, touched_at)
SELECT 'breakdown', week_start, now64(3, 'UTC') FROM {db}.signal_breakdown_facts
GROUP BY week_start;

-- complete_up_to: every fact of the week stamped at or before it is in the cells.
CREATE TABLE IF NOT EXISTS {db}.cells_refreshed
(
    source LowCardinality(String),
    week_start Date,
    complete_up_to DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(complete_up_to)
ORDER BY (source, week_start);

CREATE TABLE IF NOT EXISTS {db}.trend_cells
(
    level LowCardinality(String),
    category LowCardinality(String),
    region_code LowCardinality(String),
    week_start Date,
    signals UInt64,
    records UInt64,
    computed_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(computed_at)
ORDER BY (level, category, region_code, week_start);

CREATE TABLE IF NOT EXISTS {db}.breakdown_cells
(
    level LowCardinality(String),
    dimension LowCardinality(String),
    category LowCardinality(String),
    region_code LowCardinality(String),
    week_start Date,
    value LowCardinality(String),
    signals UInt64,
    records UInt64,
    computed_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(computed_at)
ORDER BY (level, dimension, category, region_code, week_start, value);

-- Weeks whose stored cells are not complete.
CREATE OR REPLACE VIEW {db}.dirty_weeks AS
SELECT t.source AS source, t.week_start AS week_start, t.touched_at AS touched_at
FROM
(
    SELECT source, week_start, max(touched_at) AS touched_at
    FROM {db}.touched_weeks
    GROUP BY source, week_start
) AS t
LEFT JOIN
(
    SELECT source, week_start, max(complete_up_to) AS complete_up_to
    FROM {db}.cells_refreshed
    GROUP BY source, week_start
) AS r ON r.source = t.source AND r.week_start = t.week_start
-- A week never refreshed joins no row: its complete_up_to is the epoch, or NULL
-- where a server profile sets join_use_nulls.
WHERE t.touched_at > ifNull(r.complete_up_to, toDateTime64(0, 3, 'UTC'));

CREATE OR REPLACE VIEW {db}.trend_week_cells AS
SELECT level, category, region_code, week_start, signals, records
FROM {db}.trend_cells FINAL
WHERE week_start NOT IN (SELECT week_start FROM {db}.dirty_weeks WHERE source = 'trend')
UNION ALL
SELECT level, category, region_code, week_start,
    uniqExact(signal_id) AS signals,
    groupBitXorDistinct(cityHash64(signal_id)) AS records
FROM {db}.signal_facts
WHERE week_start IN (SELECT week_start FROM {db}.dirty_weeks WHERE source = 'trend')
GROUP BY level, category, region_code, week_start;

CREATE OR REPLACE VIEW {db}.breakdown_week_cells AS
SELECT level, dimension, category, region_code, week_start, value, signals, records
FROM {db}.breakdown_cells FINAL
WHERE week_start NOT IN (SELECT week_start FROM {db}.dirty_weeks WHERE source = 'breakdown')
UNION ALL
SELECT level, dimension, category, region_code, week_start, value,
    uniqExact(signal_id) AS signals,
    groupBitXorDistinct(cityHash64(signal_id)) AS records
FROM {db}.signal_breakdown_facts
WHERE week_start IN (SELECT week_start FROM {db}.dirty_weeks WHERE source = 'breakdown')
GROUP BY level, dimension, category, region_code, week_start, value;

-- The disclosed views, replacing those of 0002, 0005 and 0006 (migrations are
-- append-only): counts from the weekly cells, each passed through
-- waakhond_publish (0008) with the cell's own noise.
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
        sum(signals) AS signals,
        groupBitXor(records) AS records
    FROM {db}.trend_week_cells
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
        sum(signals) AS signals,
        groupBitXor(records) AS records
    FROM {db}.trend_week_cells
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
        sum(signals) AS signals,
        groupBitXor(records) AS records
    FROM {db}.trend_week_cells
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
        sum(signals) AS signals,
        groupBitXor(records) AS records
    FROM {db}.breakdown_week_cells
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
        sum(signals) AS signals,
        groupBitXor(records) AS records
    FROM {db}.breakdown_week_cells
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
        sum(signals) AS signals,
        groupBitXor(records) AS records
    FROM {db}.breakdown_week_cells
    WHERE dimension = 'target_group' AND category = 'no_suitable_care'
    GROUP BY level, region_code, target_group, week_start
) AS h
CROSS JOIN {db}.disclosure_parameters AS p;

-- Direction and alerts (0006, 0008), from the weekly cells.
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
                            sumIf(signals, week_start >= toMonday({as_of:Date}) - 28)
                                AS recent,
                            groupBitXorIf(records,
                                week_start >= toMonday({as_of:Date}) - 28) AS recent_records,
                            sumIf(signals, week_start < toMonday({as_of:Date}) - 28)
                                AS baseline,
                            groupBitXorIf(records,
                                week_start < toMonday({as_of:Date}) - 28) AS baseline_records
                        FROM {db}.trend_week_cells
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
                    sumIf(signals, week_start >= toMonday({as_of:Date}) - 28) AS recent,
                    groupBitXorIf(records,
                        week_start >= toMonday({as_of:Date}) - 28) AS recent_records,
                    sumIf(signals, week_start < toMonday({as_of:Date}) - 28) AS baseline,
                    groupBitXorIf(records,
                        week_start < toMonday({as_of:Date}) - 28) AS baseline_records
                FROM {db}.breakdown_week_cells
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
