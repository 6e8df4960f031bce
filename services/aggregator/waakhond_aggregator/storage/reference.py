"""Loads the project's dated region maps into ClickHouse (idempotent)."""

from __future__ import annotations

from clickhouse_connect.driver.client import Client

from waakhond_contract.regions import RegionReference


def store_region_reference(client: Client, database: str, reference: RegionReference) -> int:
    """Insert every (year, level, municipality) row; replayed rows collapse. Returns rows."""
    rows = [
        [region_map.year, str(region.level), region.code, region.name, municipality.code]
        for region_map in reference.maps.values()
        for municipality in region_map.municipalities.values()
        for region in municipality.regions
    ]
    client.insert(
        f"{database}.region_reference",
        rows,
        column_names=["year", "level", "region_code", "region_name", "municipality_code"],
    )
    client.command(f"OPTIMIZE TABLE {database}.region_reference FINAL")
    return len(rows)
