"""The subscriber file: valid entries load; a bad one is refused naming entry and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from waakhond_aggregator.digest.subscriptions import SubscriberError, load_subscribers


def write(tmp_path: Path, entries: Any) -> Path:
    path = tmp_path / "abonnees.json"
    path.write_text(json.dumps(entries), encoding="utf-8")
    return path


def test_loads_addresses_names_and_regions_of_any_level(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [
            {"email": "anna@example.nl", "name": "Anna", "regions": ["PV27", "JZ13"]},
            {"email": "bram@example.nl", "regions": ["NL", "GM0363", "ZK09"]},
        ],
    )
    loaded = load_subscribers(path)
    assert [s.email for s in loaded] == ["anna@example.nl", "bram@example.nl"]
    assert loaded[0].name == "Anna"
    assert loaded[1].name is None
    assert loaded[1].regions == ["NL", "GM0363", "ZK09"]


@pytest.mark.parametrize(
    ("second", "named"),
    [
        ({"email": "geen-adres", "regions": ["PV27"]}, "entry 2 (geen-adres), field 'email'"),
        ({"email": "b@example.nl", "regions": []}, "entry 2 (b@example.nl), field 'regions'"),
        ({"email": "b@example.nl"}, "entry 2 (b@example.nl), field 'regions'"),
        (
            {"email": "b@example.nl", "regions": ["PV27", "XX99"]},
            "entry 2 (b@example.nl), field 'regions.1'",
        ),
        (
            {"email": "b@example.nl", "regions": ["PV27"], "regio": "PV27"},
            "entry 2 (b@example.nl), field 'regio'",
        ),
        (
            {"email": "anna@example.nl", "regions": ["PV26"]},
            "entry 2 (anna@example.nl), field 'email'",
        ),
    ],
)
def test_a_bad_entry_is_named_with_its_field(
    tmp_path: Path, second: dict[str, Any], named: str
) -> None:
    path = write(tmp_path, [{"email": "anna@example.nl", "regions": ["PV27"]}, second])
    with pytest.raises(SubscriberError) as raised:
        load_subscribers(path)
    assert named in str(raised.value)


def test_a_file_that_is_no_list_or_no_json_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SubscriberError, match="must be a list"):
        load_subscribers(write(tmp_path, {"email": "a@example.nl"}))
    broken = tmp_path / "kapot.json"
    broken.write_text("[{", encoding="utf-8")
    with pytest.raises(SubscriberError, match="not JSON"):
        load_subscribers(broken)
    with pytest.raises(SubscriberError, match="cannot be read"):
        load_subscribers(tmp_path / "ontbreekt.json")


def test_a_yaml_file_is_read_as_yaml(tmp_path: Path) -> None:
    path = tmp_path / "abonnees.yaml"
    path.write_text(
        "- email: anna@example.nl\n  name: Anna\n  regions: [PV27, ZK09]\n"
        "- email: bram@example.nl\n  regions:\n    - NL\n",
        encoding="utf-8",
    )
    assert [(s.email, s.regions) for s in load_subscribers(path)] == [
        ("anna@example.nl", ["PV27", "ZK09"]),
        ("bram@example.nl", ["NL"]),
    ]
    path.write_text("- email: anna@example.nl\n  regions: [PV27, PV00]\n", encoding="utf-8")
    with pytest.raises(SubscriberError, match=r"entry 1 \(anna@example.nl\), field 'regions.1'"):
        load_subscribers(path)
    path.write_text("- email: [\n", encoding="utf-8")
    with pytest.raises(SubscriberError, match="not YAML"):
        load_subscribers(path)
