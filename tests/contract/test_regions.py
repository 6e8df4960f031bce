from __future__ import annotations

import datetime as dt

import pytest

from waakhond_contract.regions import (
    RegionLevel,
    UnknownMunicipalityError,
    load_region_reference,
)


def test_2025_map_has_every_municipality_and_region() -> None:
    region_map = load_region_reference().maps[2025]
    assert len(region_map.municipalities) == 342
    expected = {
        RegionLevel.PROVINCE: 12,
        RegionLevel.ZORGKANTOORREGIO: 31,
        RegionLevel.GGDREGIO: 25,
        RegionLevel.JEUGDREGIO: 42,
        RegionLevel.NATIONAL: 1,
    }
    for level, count in expected.items():
        assert len(region_map.regions(level)) == count, level


@pytest.mark.parametrize(
    ("code", "level", "region_name"),
    [
        pytest.param("GM0034", RegionLevel.ZORGKANTOORREGIO, "'t Gooi", id="almere-in-gooi"),
        pytest.param("GM0267", RegionLevel.ZORGKANTOORREGIO, "Utrecht", id="nijkerk-in-utrecht"),
        pytest.param("GM0363", RegionLevel.PROVINCE, "Noord-Holland", id="amsterdam"),
        pytest.param("GM0363", RegionLevel.NATIONAL, "Nederland", id="national"),
    ],
)
def test_known_memberships(code: str, level: RegionLevel, region_name: str) -> None:
    municipality = load_region_reference().resolve(code, dt.date(2025, 6, 1))
    assert municipality.region(level).name == region_name


def test_dates_use_the_latest_map_not_after_them_or_the_oldest() -> None:
    reference = load_region_reference()
    assert reference.map_for(dt.date(2031, 1, 1)).year == max(reference.years)
    assert reference.map_for(dt.date(2016, 1, 1)).year == min(reference.years)


def test_unknown_code_is_refused() -> None:
    with pytest.raises(UnknownMunicipalityError):
        load_region_reference().resolve("GM0000", dt.date(2025, 1, 1))
