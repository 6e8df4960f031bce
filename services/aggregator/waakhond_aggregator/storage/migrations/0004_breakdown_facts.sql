-- Breakdowns of signals by what they say: law domain, life domain, target group,
-- supporter type and age band, per region level x category x week.
--
-- One row per (signal, level, category, dimension, value). The sorting key holds
-- every column and ends in signal_id, so a replayed signal writes rows identical
-- to its first ones, which ReplacingMergeTree collapses, and counting distinct
-- signal_id is exact even before merges. category 'all' carries every signal.
-- law_domain gets one derived value, 'wmo+wlz', for signals that name both laws
-- (the gap between municipal support and long-term care, "de knip"), besides
-- their plain 'wmo' and 'wlz' rows. The dimensions are multi-label: the values of
-- one dimension do not add up to the total.
CREATE TABLE IF NOT EXISTS {db}.signal_breakdown_facts
(
    level LowCardinality(String),
    dimension LowCardinality(String),
    category LowCardinality(String),
    region_code LowCardinality(String),
    week_start Date,
    value LowCardinality(String),
    signal_id UUID
)
ENGINE = ReplacingMergeTree
ORDER BY (level, dimension, category, region_code, week_start, value, signal_id);

-- Fed from every insert into signals, so the aggregator needs no change: the
-- region of each level comes from the region map the signal was placed with
-- (region_year), which the aggregator loads before it consumes.
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.signal_breakdown_facts_mv
TO {db}.signal_breakdown_facts AS
SELECT
    r.level AS level,
    s.breakdown.1 AS dimension,
    s.category AS category,
    r.region_code AS region_code,
    s.week_start AS week_start,
    s.breakdown.2 AS value,
    s.signal_id AS signal_id
FROM
(
    SELECT
        signal_id,
        week_start,
        municipality_code,
        region_year,
        arrayJoin(arrayConcat(['all'], categories)) AS category,
        arrayJoin(arrayConcat(
            arrayMap(v -> ('law_domain', toString(v)),
                arrayConcat(law_domains,
                    if(has(law_domains, 'wmo') AND has(law_domains, 'wlz'), ['wmo+wlz'], []))),
            arrayMap(v -> ('life_domain', toString(v)), life_domains),
            arrayMap(v -> ('target_group', toString(v)), target_groups),
            [('supporter_type', toString(supporter_type)), ('age_band', toString(age_band))]
        )) AS breakdown
    FROM {db}.signals
) AS s
INNER JOIN
(
    SELECT DISTINCT year, level, region_code, municipality_code FROM {db}.region_reference
) AS r
    ON r.year = s.region_year AND r.municipality_code = s.municipality_code;

-- Signals stored before this migration: the same rows the view would have
-- written. Running it again only writes duplicates, which collapse.
INSERT INTO {db}.signal_breakdown_facts
SELECT
    r.level AS level,
    s.breakdown.1 AS dimension,
    s.category AS category,
    r.region_code AS region_code,
    s.week_start AS week_start,
    s.breakdown.2 AS value,
    s.signal_id AS signal_id
FROM
(
    SELECT
        signal_id,
        week_start,
        municipality_code,
        region_year,
        arrayJoin(arrayConcat(['all'], categories)) AS category,
        arrayJoin(arrayConcat(
            arrayMap(v -> ('law_domain', toString(v)),
                arrayConcat(law_domains,
                    if(has(law_domains, 'wmo') AND has(law_domains, 'wlz'), ['wmo+wlz'], []))),
            arrayMap(v -> ('life_domain', toString(v)), life_domains),
            arrayMap(v -> ('target_group', toString(v)), target_groups),
            [('supporter_type', toString(supporter_type)), ('age_band', toString(age_band))]
        )) AS breakdown
    FROM {db}.signals FINAL
) AS s
INNER JOIN
(
    SELECT DISTINCT year, level, region_code, municipality_code FROM {db}.region_reference
) AS r
    ON r.year = s.region_year AND r.municipality_code = s.municipality_code;
