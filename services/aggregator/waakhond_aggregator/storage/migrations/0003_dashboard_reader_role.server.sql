-- Only on a ClickHouse server (chDB has no users or roles): the role dashboards
-- use. It reads the disclosed views and the region names, nothing else: no raw
-- signals, no facts with signal ids.
CREATE ROLE IF NOT EXISTS waakhond_dashboard_reader;
GRANT SELECT ON {db}.suppressed_trend_weekly TO waakhond_dashboard_reader;
GRANT SELECT ON {db}.suppressed_trend_totals TO waakhond_dashboard_reader;
GRANT SELECT ON {db}.region_names TO waakhond_dashboard_reader;
