"""The subscribers of the digest: a YAML or JSON list (by the file's suffix) of e-mail
address, optional name and region codes at any level (``NL`` for the whole country)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from waakhond_contract.regions import NATIONAL_CODE, RegionLevel, load_region_reference

# Enough to catch a mistyped address; the SMTP server has the last word.
_EMAIL = r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$"


class SubscriberError(ValueError):
    """The subscriber file cannot be used; the message names the entry and the field."""


class Subscriber(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    email: Annotated[str, StringConstraints(strip_whitespace=True, pattern=_EMAIL)]
    name: str | None = None
    regions: Annotated[list[str], Field(min_length=1)]


def known_region_codes() -> frozenset[str]:
    """Every region code of every level on any year's map, and ``NL``."""
    reference = load_region_reference()
    codes = {
        region.code
        for year in reference.years
        for level in RegionLevel
        for region in reference.maps[year].regions(level)
    }
    return frozenset(codes | {NATIONAL_CODE})


def _where(location: tuple[int | str, ...], entries: list[object]) -> str:
    if not location or not isinstance(location[0], int):
        return "the file"
    index = location[0]
    entry = entries[index] if index < len(entries) else None
    email = entry.get("email") if isinstance(entry, dict) else None
    label = f"entry {index + 1}" + (f" ({email})" if isinstance(email, str) else "")
    field = ".".join(str(part) for part in location[1:])
    return f"{label}, field {field!r}" if field else label


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SubscriberError(f"{path}: cannot be read ({error.strerror})") from None
    if path.suffix.lower() in {".yaml", ".yml"}:
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise SubscriberError(f"{path}: not YAML ({error})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise SubscriberError(f"{path}: not JSON ({error})") from None


def load_subscribers(path: Path) -> list[Subscriber]:
    raw = _read(path)
    if not isinstance(raw, list):
        raise SubscriberError(f"{path}: must be a list of subscribers")
    try:
        subscribers = TypeAdapter(list[Subscriber]).validate_python(raw)
    except ValidationError as error:
        first = error.errors()[0]
        raise SubscriberError(
            f"{path}: {_where(tuple(first['loc']), raw)}: {first['msg']}"
        ) from None
    known = known_region_codes()
    seen: dict[str, int] = {}
    for index, subscriber in enumerate(subscribers):
        for position, code in enumerate(subscriber.regions):
            if code not in known:
                raise SubscriberError(
                    f"{path}: {_where((index, 'regions', position), raw)}: "
                    f"{code!r} is no region code at any level"
                )
        key = subscriber.email.lower()
        if key in seen:
            raise SubscriberError(
                f"{path}: {_where((index, 'email'), raw)}: also subscribed in entry "
                f"{seen[key] + 1}; list each address once, with all its regions"
            )
        seen[key] = index
    return subscribers
