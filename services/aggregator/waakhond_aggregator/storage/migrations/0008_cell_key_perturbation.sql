-- Disclosure control, second version: cell-key perturbation before the
-- threshold and the rounding of 0002. This migration holds the rule
-- (waakhond_publish) and its secret; 0009 replaces every disclosed view of
-- 0002, 0005 and 0006 by one that applies it.
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
