"""Reading an organisation's signal statuses from the aggregator, which holds the store.

Intake has no store of its own (it scales out and keeps nothing); the aggregator answers
``/internal/v1/organisations/{organisation_id}/signals`` for intake only, with a bearer
token both are configured with. The organisation is always the authenticated one: intake
never asks about another organisation's signals.

The standard library's HTTP client, on a worker thread: status reads are rare next to
submissions, and an HTTP client library in intake's process would cost its memory for them
(``waakhond bench imports``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import urllib.error
import urllib.parse
import urllib.request
import uuid

from waakhond_contract.messages import SignalState, SignalStatus, SignalStatusPage


class StatusUnavailableError(Exception):
    """The aggregator did not answer, or answered with an error of its own."""


class SignalStatusClient:
    def __init__(self, base_url: str, token: str, timeout_seconds: float) -> None:
        if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
            raise ValueError(f"the status URL must be http(s), not {base_url!r}")
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout_seconds

    async def status(self, organisation_id: str, signal_id: uuid.UUID) -> SignalStatus | None:
        body = await self._get(f"{self._prefix(organisation_id)}/{signal_id}", {})
        return None if body is None else SignalStatus.model_validate_json(body)

    async def page(
        self,
        organisation_id: str,
        *,
        state: SignalState | None,
        since: dt.datetime | None,
        after: uuid.UUID | None,
        limit: int,
    ) -> SignalStatusPage:
        query: dict[str, str] = {"limit": str(limit)}
        if state is not None:
            query["status"] = state.value
        if since is not None:
            query["since"] = since.isoformat()
        if after is not None:
            query["after"] = str(after)
        body = await self._get(self._prefix(organisation_id), query)
        if body is None:
            raise StatusUnavailableError("the aggregator does not serve statuses (404)")
        return SignalStatusPage.model_validate_json(body)

    @staticmethod
    def _prefix(organisation_id: str) -> str:
        return f"/internal/v1/organisations/{urllib.parse.quote(organisation_id)}/signals"

    async def _get(self, path: str, query: dict[str, str]) -> bytes | None:
        """The body of a 200; None for a 404."""
        url = self._base_url + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        # The scheme was checked to be http(s) when the client was made.
        headers = {"Authorization": f"Bearer {self._token}"}
        request = urllib.request.Request(url, headers=headers)  # noqa: S310
        return await asyncio.to_thread(self._fetch, request)

    def _fetch(self, request: urllib.request.Request) -> bytes | None:
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise StatusUnavailableError(f"the aggregator answered {error.code}") from error
        except (urllib.error.URLError, OSError) as error:
            raise StatusUnavailableError(f"{type(error).__name__}: {error}") from error
