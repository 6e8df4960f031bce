"""Number arrays in JSON: base64 of little-endian float32.

Float32 halves the artefact compared with float64 and is far more precise
than the model needs; everything that is saved goes through ``round_trip``
first, so the scores of a model in memory and of its loaded artefact agree.
"""

from __future__ import annotations

import base64

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def encode_array(values: npt.ArrayLike) -> str:
    array = np.asarray(values, dtype="<f4")
    return base64.b64encode(array.tobytes()).decode("ascii")


def decode_array(encoded: str) -> FloatArray:
    raw = np.frombuffer(base64.b64decode(encoded), dtype="<f4")
    return raw.astype(np.float64)


def round_trip(values: npt.ArrayLike) -> FloatArray:
    """The values exactly as they will be after saving and loading."""
    return np.asarray(values, dtype="<f4").astype(np.float64)
