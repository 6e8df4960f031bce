-- Classified signals, one row per signal_id. The first stored version of a
-- signal stands (the aggregator refuses conflicting resubmissions), so a
-- replayed row is identical and ReplacingMergeTree collapses it.
CREATE TABLE IF NOT EXISTS {db}.signals
(
    signal_id UUID,
    organisation_id LowCardinality(String),
    submitted_at DateTime64(3, 'UTC'),
    observed_on Date,
    week_start Date COMMENT 'Monday of the ISO week of observed_on',
    municipality_code LowCardinality(String),
    region_year UInt16 COMMENT 'Year of the region map the signal was placed with',
    law_domains Array(LowCardinality(String)),
    life_domains Array(LowCardinality(String)),
    target_groups Array(LowCardinality(String)),
    age_band LowCardinality(String),
    supporter_type LowCardinality(String),
    description String,
    suggested_categories Array(LowCardinality(String)),
    categories Array(LowCardinality(String)),
    scores Map(LowCardinality(String), Float32),
    needs_review Bool,
    model_version LowCardinality(String),
    classified_at DateTime64(3, 'UTC'),
    content_fingerprint FixedString(32),
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY signal_id;

-- One row per (signal, region level, category): what the trends count.
-- Keyed with signal_id last, so a replayed signal collapses onto its own row
-- and counting distinct signal_id is exact even before merges.
-- category 'all' carries every signal, labelled or not (volumes).
CREATE TABLE IF NOT EXISTS {db}.signal_facts
(
    level LowCardinality(String),
    category LowCardinality(String),
    region_code LowCardinality(String),
    week_start Date,
    signal_id UUID
)
ENGINE = ReplacingMergeTree
ORDER BY (level, category, region_code, week_start, signal_id);

-- The dated region maps the project carries (CBS / PDOK, CC-BY 4.0).
CREATE TABLE IF NOT EXISTS {db}.region_reference
(
    year UInt16,
    level LowCardinality(String),
    region_code LowCardinality(String),
    region_name String,
    municipality_code LowCardinality(String)
)
ENGINE = ReplacingMergeTree
ORDER BY (year, level, municipality_code);

-- Region names by code, from the newest map that has the code.
CREATE VIEW IF NOT EXISTS {db}.region_names AS
SELECT level, region_code, argMax(region_name, year) AS region_name
FROM {db}.region_reference
GROUP BY level, region_code;

-- Weekly counts per region level x region x category, exact: distinct signal_id.
CREATE VIEW IF NOT EXISTS {db}.trend_weekly AS
SELECT level, region_code, category, week_start, uniqExact(signal_id) AS signals
FROM {db}.signal_facts
GROUP BY level, region_code, category, week_start;
