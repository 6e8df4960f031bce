"""Anonymisation of free text before it leaves intake.

``Redactor().redact(text)`` returns the text with identifying details replaced
by typed placeholders (``[NAAM]``, ``[BSN]``, ...) and the findings with their
spans in the original text. See ``services/intake/PRIVACY.md``.

Importing this package is cheap; deduce is loaded when a ``Redactor`` is built.
"""

from waakhond_intake.processing.privacy.findings import (
    PLACEHOLDERS,
    Finding,
    KindCount,
    PiiKind,
    RedactionResult,
)
from waakhond_intake.processing.privacy.redactor import Redactor, shared_redactor

__all__ = [
    "PLACEHOLDERS",
    "Finding",
    "KindCount",
    "PiiKind",
    "RedactionResult",
    "Redactor",
    "shared_redactor",
]
