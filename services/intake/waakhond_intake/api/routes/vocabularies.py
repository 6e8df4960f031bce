"""``GET /v1/vocabularies``: every closed list a submission uses, with codes and Dutch labels
(``api/vocabulary_lists.py``). Public: the lists are no secret, and a form or a spreadsheet
template needs them before it has a key.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request, Response

from waakhond_contract.regions import load_region_reference
from waakhond_intake.api.models import Vocabularies
from waakhond_intake.api.vocabulary_lists import vocabularies_answer

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
    body, etag = vocabularies_answer(load_region_reference().map_for(dt.date.today()).year)
    headers = {"ETag": etag, "Cache-Control": _CACHE_CONTROL}
    if etag in _etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return body


def _etags(header: str) -> set[str]:
    return {part.strip().removeprefix("W/") for part in header.split(",") if part.strip()}
