"""Grafana dashboards as code for the three audiences, and publishing them.

``build`` generates the dashboard JSON under ``deploy/grafana/dashboards/`` (and
the region map Grafana serves), ``publish`` pushes data source and dashboards
to a running Grafana over its HTTP API, ``commands`` are the CLI entry points.
"""
