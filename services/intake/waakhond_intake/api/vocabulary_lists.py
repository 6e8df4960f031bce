"""Every closed list a submission uses, with codes and Dutch labels: the answer of
``GET /v1/vocabularies``, and what an import reads Dutch labels with.

Read from the contract itself (the fields of ``SignalSubmission`` whose type is a
vocabulary, and the region map), so a list added to the contract appears here without
a change to this module.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import types
import typing
from enum import StrEnum
from functools import cache

from waakhond_contract.messages import SignalSubmission
from waakhond_contract.regions import load_region_reference
from waakhond_contract.vocabularies import DUTCH_LABELS
from waakhond_intake.api.models import Term, Vocabularies, Vocabulary


@cache
def vocabularies_answer(map_year: int) -> tuple[Vocabularies, str]:
    body = Vocabularies(vocabularies=[*field_vocabularies(), _municipalities(map_year)])
    digest = hashlib.sha256(body.model_dump_json().encode()).hexdigest()[:32]
    return body, f'"{digest}"'


def field_vocabularies() -> list[Vocabulary]:
    by_enum: dict[type[StrEnum], list[str]] = {}
    for name, info in SignalSubmission.model_fields.items():
        enum = _vocabulary_of(info.annotation)
        if enum is not None:
            by_enum.setdefault(enum, []).append(name)
    return [
        Vocabulary(
            name=_snake(enum.__name__),
            fields=fields,
            terms=[Term(code=member.value, label=DUTCH_LABELS[member]) for member in enum],
        )
        for enum, fields in by_enum.items()
    ]


def _vocabulary_of(annotation: object) -> type[StrEnum] | None:
    """The StrEnum a field holds (alone, in a list, or optional), if any."""
    if isinstance(annotation, type) and issubclass(annotation, StrEnum):
        return annotation
    if typing.get_origin(annotation) in (list, typing.Union, types.UnionType, typing.Annotated):
        for argument in typing.get_args(annotation):
            found = _vocabulary_of(argument)
            if found is not None:
                return found
    return None


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def _municipalities(map_year: int) -> Vocabulary:
    region_map = load_region_reference().maps[map_year]
    return Vocabulary(
        name="municipality",
        fields=["municipality_code"],
        terms=[
            Term(code=code, label=region_map.municipalities[code].name)
            for code in sorted(region_map.municipalities)
        ],
        valid_from=dt.date(region_map.year, 1, 1),
    )
