"""Exports of the disclosed counts: open data as CSV and Parquet with a Data Package.

``open_data`` reads the disclosed views and writes the tables, ``datapackage`` describes
and validates them; ``waakhond export open-data`` (``waakhond_tools.cli.export``) runs it.
"""
