-- Only on a ClickHouse server: the dashboard role may read the analytics views of
-- 0005 and 0006 (disclosed counts, rates and tests computed from them, region
-- names, the policy), and still nothing underneath.
GRANT SELECT ON {db}.suppressed_region_names TO waakhond_dashboard_reader;
GRANT SELECT ON {db}.suppressed_disclosure_policy TO waakhond_dashboard_reader;
GRANT SELECT ON {db}.suppressed_trend_monthly TO waakhond_dashboard_reader;
GRANT SELECT ON {db}.suppressed_breakdown_weekly TO waakhond_dashboard_reader;
GRANT SELECT ON {db}.suppressed_breakdown_totals TO waakhond_dashboard_reader;
GRANT SELECT ON {db}.suppressed_hard_to_place TO waakhond_dashboard_reader;
GRANT SELECT ON {db}.suppressed_trend_direction TO waakhond_dashboard_reader;
GRANT SELECT ON {db}.suppressed_trend_alerts TO waakhond_dashboard_reader;
GRANT SELECT ON {db}.suppressed_hard_to_place_direction TO waakhond_dashboard_reader;
