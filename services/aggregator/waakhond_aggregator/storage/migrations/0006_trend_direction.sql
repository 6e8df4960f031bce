-- Direction of trends and alerts on significant rises (see ANALYTICS.md).
--
-- Per cell (region x category, or region x target group for hard-to-place):
-- the recent window is the 4 complete ISO weeks before the week of as_of, the
-- baseline the 12 weeks before those. Under "no change" each of the 16 weeks has
-- the same Poisson rate, so given the total n the recent count is
-- Binomial(n, 4/16): the exact conditional test for two Poisson rates. A rise
-- has p = P(X >= recent), a fall p = P(X <= recent), both one-sided and exact.
--
-- Everything shown is computed from disclosed counts only, never from exact
-- ones: the exact counts of both windows would follow from an exact p-value or
-- rate, and sliding as_of by a week would then give weekly counts back. The
-- p-value used is the largest one consistent with the disclosed counts (fewest
-- recent and most baseline signals their rounding allows), so a flagged rise is
-- significant whatever the hidden exact counts are.

-- P(X >= k) for X ~ Binomial(n, p), 0 < p < 1, summed exactly in log space.
-- Only terms within 20 standard deviations (+50) of the start are summed: the
-- rest is below double precision. Above the mean the upper tail is summed
-- directly, otherwise 1 - the lower tail, so no sum cancels a small p-value.
CREATE FUNCTION IF NOT EXISTS waakhond_binomial_upper_tail AS (k, n, p) ->
    if(k <= 0, 1.0,
    if(k > n, 0.0,
    if(k > n * p,
        arraySum(arrayMap(
            i -> exp(lgamma(n + 1) - lgamma(i + 1) - lgamma(n - i + 1) + i * log(p) + (n - i) * log1p(-p)),
            range(toUInt64(k), toUInt64(least(toFloat64(n), k + 50 + ceil(20 * sqrt(n * p * (1 - p))))) + 1))),
        greatest(0.0, 1.0 - arraySum(arrayMap(
            i -> exp(lgamma(n + 1) - lgamma(i + 1) - lgamma(n - i + 1) + i * log(p) + (n - i) * log1p(-p)),
            range(toUInt64(greatest(0, toInt64(k) - 50 - toInt64(ceil(20 * sqrt(n * p * (1 - p)))))), toUInt64(k)))))
    )));

-- The smallest and largest true count that waakhond_disclose shows as `shown`
-- (shown is never NULL here).
CREATE FUNCTION IF NOT EXISTS waakhond_disclosed_floor AS (shown, min_count, rounding_base) ->
    if(shown = 0, 0, toUInt64(greatest(toInt64(shown) - intDiv(rounding_base, 2), min_count)));

CREATE FUNCTION IF NOT EXISTS waakhond_disclosed_ceiling AS (shown, min_count, rounding_base) ->
    if(shown = 0 AND rounding_base - 1 - intDiv(rounding_base, 2) < min_count, 0,
       toUInt64(shown + rounding_base - 1 - intDiv(rounding_base, 2)));

-- Direction per level x region x category as of a date:
-- SELECT * FROM suppressed_trend_direction(as_of = '2025-06-02').
-- direction: rising / falling (one-sided p < 0.01), stable, or
-- insufficient_data when a window's count is suppressed. is_alert: a rise with
-- both windows at least min_count, p_rise < 0.01, Benjamini-Hochberg
-- q_rise < 0.05 over every such cell of the level, and a recent rate at least
-- 1.5 times the baseline rate.
CREATE VIEW IF NOT EXISTS {db}.suppressed_trend_direction
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
                        waakhond_disclose(c.recent, p.min_count, p.rounding_base) AS recent_signals,
                        waakhond_disclose(c.baseline, p.min_count, p.rounding_base)
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
                            uniqExactIf(signal_id, week_start < toMonday({as_of:Date}) - 28)
                                AS baseline
                        FROM {db}.signal_facts
                        WHERE week_start >= toMonday({as_of:Date}) - 112
                          AND week_start < toMonday({as_of:Date})
                        GROUP BY level, region_code, category
                    ) AS c
                    CROSS JOIN {db}.current_disclosure_policy AS p
                )
            )
        )
    )
) AS t
LEFT JOIN {db}.region_names AS n ON n.level = t.level AND n.region_code = t.region_code;

-- The alerts: significant rises only, strongest evidence first.
-- SELECT * FROM suppressed_trend_alerts(as_of = '2025-06-02').
CREATE VIEW IF NOT EXISTS {db}.suppressed_trend_alerts
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
CREATE VIEW IF NOT EXISTS {db}.suppressed_hard_to_place_direction
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
                waakhond_disclose(c.recent, p.min_count, p.rounding_base) AS recent_signals,
                waakhond_disclose(c.baseline, p.min_count, p.rounding_base) AS baseline_signals,
                p.min_count AS min_count,
                p.rounding_base AS rounding_base
            FROM
            (
                SELECT
                    level,
                    region_code,
                    value AS target_group,
                    uniqExactIf(signal_id, week_start >= toMonday({as_of:Date}) - 28) AS recent,
                    uniqExactIf(signal_id, week_start < toMonday({as_of:Date}) - 28) AS baseline
                FROM {db}.signal_breakdown_facts
                WHERE dimension = 'target_group' AND category = 'no_suitable_care'
                  AND week_start >= toMonday({as_of:Date}) - 112
                  AND week_start < toMonday({as_of:Date})
                GROUP BY level, region_code, target_group
            ) AS c
            CROSS JOIN {db}.current_disclosure_policy AS p
        )
    )
) AS t
LEFT JOIN {db}.region_names AS n ON n.level = t.level AND n.region_code = t.region_code;
