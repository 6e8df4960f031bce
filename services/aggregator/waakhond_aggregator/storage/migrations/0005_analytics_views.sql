-- Disclosed analytics views for dashboards and the read API (see ANALYTICS.md).
-- Same rules as 0002: every count is uniqExact(signal_id) over a fact table
-- whose replayed rows collapse, computed exactly for the cell that is shown and
-- only then passed through waakhond_disclose with the policy in force. No view
-- sums already disclosed numbers, and no view exposes a signal_id.

-- Region names for dashboard variables and labels (no counts).
CREATE VIEW IF NOT EXISTS {db}.suppressed_region_names
DEFINER = CURRENT_USER SQL SECURITY DEFINER AS
SELECT level, region_code, region_name
FROM {db}.region_names;

-- The policy in force, so readers can tell a suppressed cell from a rounded one
-- (no counts).
CREATE VIEW IF NOT EXISTS {db}.suppressed_disclosure_policy
DEFINER = CURRENT_USER SQL SECURITY DEFINER AS
SELECT min_count, rounding_base
FROM {db}.current_disclosure_policy;

-- Monthly series per level x region x category. A month is made of whole ISO
-- weeks: a week belongs to the month of its Thursday (as an ISO week belongs to
-- the year of its Thursday), so no signal is split over two months and a month
-- agrees with its weeks. weeks (4 or 5) is there to compare months fairly.
CREATE VIEW IF NOT EXISTS {db}.suppressed_trend_monthly
DEFINER = CURRENT_USER SQL SECURITY DEFINER AS
SELECT
    m.level AS level,
    m.region_code AS region_code,
    m.category AS category,
    m.month_start AS month_start,
    toUInt8(intDiv(toDayOfMonth(toLastDayOfMonth(m.month_start)) - 1
        - ((11 - toDayOfWeek(m.month_start)) % 7), 7) + 1) AS weeks,
    waakhond_disclose(m.signals, p.min_count, p.rounding_base) AS signals
FROM
(
    SELECT
        level,
        region_code,
        category,
        toStartOfMonth(addDays(week_start, 3)) AS month_start,
        uniqExact(signal_id) AS signals
    FROM {db}.signal_facts
    GROUP BY level, region_code, category, month_start
) AS m
CROSS JOIN {db}.current_disclosure_policy AS p;

-- Weekly breakdowns per level x region x category x dimension x value.
-- dimension: law_domain (values incl. the derived 'wmo+wlz'), life_domain,
-- target_group, supporter_type, age_band.
CREATE VIEW IF NOT EXISTS {db}.suppressed_breakdown_weekly
DEFINER = CURRENT_USER SQL SECURITY DEFINER AS
SELECT
    b.level AS level,
    b.region_code AS region_code,
    b.category AS category,
    b.week_start AS week_start,
    b.dimension AS dimension,
    b.value AS value,
    waakhond_disclose(b.signals, p.min_count, p.rounding_base) AS signals
FROM
(
    SELECT level, region_code, category, week_start, dimension, value,
        uniqExact(signal_id) AS signals
    FROM {db}.signal_breakdown_facts
    GROUP BY level, region_code, category, week_start, dimension, value
) AS b
CROSS JOIN {db}.current_disclosure_policy AS p;

-- Breakdown totals over a date range, counted exactly over the whole range:
-- SELECT * FROM suppressed_breakdown_totals(date_from = ..., date_to = ...).
CREATE VIEW IF NOT EXISTS {db}.suppressed_breakdown_totals
DEFINER = CURRENT_USER SQL SECURITY DEFINER AS
SELECT
    f.level AS level,
    f.region_code AS region_code,
    f.category AS category,
    f.dimension AS dimension,
    f.value AS value,
    waakhond_disclose(uniqExact(f.signal_id), any(p.min_count), any(p.rounding_base)) AS signals
FROM {db}.signal_breakdown_facts AS f
CROSS JOIN {db}.current_disclosure_policy AS p
WHERE f.week_start BETWEEN toMonday({date_from:Date}) AND {date_to:Date}
GROUP BY f.level, f.region_code, f.category, f.dimension, f.value;

-- Hard to place ("moeilijk plaatsbaar"): signals of no suitable care per region
-- and target group, weekly. Regional coordinators read it for care-office
-- regions (level 'zorgkantoorregio'); the other levels are there too.
CREATE VIEW IF NOT EXISTS {db}.suppressed_hard_to_place
DEFINER = CURRENT_USER SQL SECURITY DEFINER AS
SELECT
    h.level AS level,
    h.region_code AS region_code,
    h.target_group AS target_group,
    h.week_start AS week_start,
    waakhond_disclose(h.signals, p.min_count, p.rounding_base) AS signals
FROM
(
    SELECT level, region_code, value AS target_group, week_start,
        uniqExact(signal_id) AS signals
    FROM {db}.signal_breakdown_facts
    WHERE dimension = 'target_group' AND category = 'no_suitable_care'
    GROUP BY level, region_code, target_group, week_start
) AS h
CROSS JOIN {db}.current_disclosure_policy AS p;
