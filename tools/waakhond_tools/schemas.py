"""JSON Schema files generated from the contract models (never written by hand)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from waakhond_contract.messages import (
    ContractModel,
    DeadLetter,
    SignalClassified,
    SignalReviewed,
    SignalSubmission,
    SignalSubmitted,
    SignalWithdrawn,
)


@dataclass(frozen=True, slots=True)
class PublishedSchema:
    name: str
    version: int
    model: type[ContractModel]

    @property
    def filename(self) -> str:
        return f"{self.name}.v{self.version}.json"

    def document(self) -> dict[str, Any]:
        schema = self.model.model_json_schema(mode="validation")
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://waakhond.nl/schemas/{self.filename}",
            **schema,
        }

    def render(self) -> str:
        return json.dumps(self.document(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


PUBLISHED_SCHEMAS: tuple[PublishedSchema, ...] = (
    PublishedSchema("signal_submission", 1, SignalSubmission),
    PublishedSchema("signals.submitted", 1, SignalSubmitted),
    PublishedSchema("signals.classified", 1, SignalClassified),
    PublishedSchema("signals.reviewed", 1, SignalReviewed),
    PublishedSchema("signals.withdrawn", 1, SignalWithdrawn),
    PublishedSchema("signals.deadletter", 1, DeadLetter),
)


def write_schemas(folder: Path) -> list[Path]:
    """Write every published schema into ``folder``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for published in PUBLISHED_SCHEMAS:
        path = folder / published.filename
        path.write_text(published.render(), encoding="utf-8")
        written.append(path)
    return written
