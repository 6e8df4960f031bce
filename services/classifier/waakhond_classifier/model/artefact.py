"""The trained model as one JSON document, shipped as package data.

JSON instead of a pickle: loading runs no code from the file, does not depend
on the scikit-learn version that trained it, and a diff shows what changed.
Number arrays are stored as in ``arrays``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from waakhond_classifier.model.arrays import FloatArray, decode_array, encode_array
from waakhond_classifier.model.features import Featurizer
from waakhond_contract.vocabularies import Category

FORMAT = "waakhond-linear/1"
ARTEFACT_PACKAGE = "waakhond_classifier.model.artefacts"
ARTEFACT_NAME = "signal_classifier.json"


@dataclass(frozen=True, slots=True)
class Calibration:
    """Platt scaling of a decision value: p = 1 / (1 + exp(-(slope * d + offset)))."""

    slope: float
    offset: float


@dataclass(frozen=True, slots=True)
class LinearArtefact:
    model_version: str
    categories: tuple[Category, ...]
    featurizer: Featurizer
    # One row of weights per category, over the featurizer's columns.
    coef: FloatArray
    intercept: FloatArray
    calibration: tuple[Calibration, ...]
    thresholds: tuple[float, ...]
    suggestion_margin: float
    provenance: dict[str, Any]
    # A signal whose label set is correct with a calibrated probability below
    # this goes to review (UNCERTAIN); 0 sends nothing to review for that reason.
    review_confidence: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "model_version": self.model_version,
            "categories": [c.value for c in self.categories],
            "thresholds": list(self.thresholds),
            "calibration": [[c.slope, c.offset] for c in self.calibration],
            "suggestion_margin": self.suggestion_margin,
            "review_confidence": self.review_confidence,
            "intercept": [float(v) for v in self.intercept],
            "coef": [encode_array(row) for row in self.coef],
            "provenance": self.provenance,
            "featurizer": self.featurizer.to_json(),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> LinearArtefact:
        if raw.get("format") != FORMAT:
            raise ValueError(
                f"unsupported artefact format {raw.get('format')!r}, expected {FORMAT}"
            )
        return cls(
            model_version=str(raw["model_version"]),
            categories=tuple(Category(c) for c in raw["categories"]),
            featurizer=Featurizer.from_json(raw["featurizer"]),
            coef=np.vstack([decode_array(row) for row in raw["coef"]]),
            intercept=np.asarray(raw["intercept"], dtype=np.float64),
            calibration=tuple(Calibration(float(a), float(b)) for a, b in raw["calibration"]),
            thresholds=tuple(float(t) for t in raw["thresholds"]),
            suggestion_margin=float(raw["suggestion_margin"]),
            provenance=dict(raw["provenance"]),
            review_confidence=float(raw.get("review_confidence", 0.0)),
        )

    def dumps(self) -> str:
        # Sorted keys and a fixed layout: the same model is the same bytes.
        return json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True, indent=1) + "\n"

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.dumps(), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> LinearArtefact:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def load_packaged(cls) -> LinearArtefact:
        resource = resources.files(ARTEFACT_PACKAGE).joinpath(ARTEFACT_NAME)
        return cls.from_json(json.loads(resource.read_text(encoding="utf-8")))


def packaged_artefact_path() -> Path:
    """Where ``waakhond train`` writes the artefact in a source checkout."""
    return Path(__file__).resolve().parent / "artefacts" / ARTEFACT_NAME
