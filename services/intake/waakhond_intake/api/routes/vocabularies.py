"""``GET /v1/vocabularies``: every closed list a submission uses, with codes and Dutch labels.

Read from the contract itself (the fields of ``SignalSubmission`` whose type is a
vocabulary, and the region map), so a list added to the contract appears here without
a change to this module. Public: the lists are no secret, and a form or a spreadsheet
template needs them before it has a key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import types
import typing
from enum import StrEnum
from functools import cache

from fastapi import APIRouter, Request, Response

from waakhond_contract.messages import SignalSubmission
from waakhond_contract.regions import load_region_reference
from waakhond_contract.vocabularies import DUTCH_LABELS
from waakhond_intake.api.models import Term, Vocabularies, Vocabulary

router = APIRouter(prefix="/v1/vocabularies", tags=["vocabularies"])

# The lists change only with a release; a day is what a form may keep them.
_CACHE_CONTROL = "public, max-age=86400"


@router.get(
    "",
    summary="Every closed list a signal uses, with codes and Dutch labels",
    response_model=Vocabularies,
    responses={304: {"description": "Unchanged since the ETag sent in If-None-Match."}},
)
async def vocabularies(request: Request, response: Response) -> Vocabularies | Response:
    body, etag = _answer(load_region_reference().map_for(dt.date.today()).year)
    headers = {"ETag": etag, "Cache-Control": _CACHE_CONTROL}
    if etag in _etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return body


def _etags(header: str) -> set[str]:
    return {part.strip().removeprefix("W/") for part in header.split(",") if part.strip()}


@cache
def _answer(map_year: int) -> tuple[Vocabularies, str]:
    body = Vocabularies(vocabularies=[*_field_vocabularies(), _municipalities(map_year)])
    digest = hashlib.sha256(body.model_dump_json().encode()).hexdigest()[:32]
    return body, f'"{digest}"'


def _field_vocabularies() -> list[Vocabulary]:
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
