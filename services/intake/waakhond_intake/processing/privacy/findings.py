"""The kinds of identifying detail intake redacts, and what a redaction reports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from waakhond_contract.vocabularies import PiiKind
from waakhond_intake.processing.privacy.quasi_identifiers import Generalisation, QuasiKind

if TYPE_CHECKING:
    from waakhond_contract.messages import PrivacyFlag

__all__ = [
    "KIND_PRECEDENCE",
    "PLACEHOLDERS",
    "Finding",
    "KindCount",
    "PiiKind",
    "RedactionResult",
]

# The Dutch placeholder that replaces a detail of each kind in redacted text.
PLACEHOLDERS: dict[PiiKind, str] = {
    PiiKind.NAME: "[NAAM]",
    PiiKind.BSN: "[BSN]",
    PiiKind.PHONE: "[TELEFOON]",
    PiiKind.EMAIL: "[EMAIL]",
    PiiKind.IBAN: "[IBAN]",
    PiiKind.ADDRESS: "[ADRES]",
    PiiKind.POSTCODE: "[POSTCODE]",
    PiiKind.DATE: "[DATUM]",
    PiiKind.IDENTIFIER: "[NUMMER]",
    PiiKind.URL: "[URL]",
    PiiKind.LICENCE_PLATE: "[KENTEKEN]",
    PiiKind.AGE: "[LEEFTIJD]",
    PiiKind.BIRTH_YEAR: "[GEBOORTEJAAR]",
    PiiKind.SOCIAL_MEDIA: "[PROFIEL]",
}

# When detections of different kinds overlap, the longest wins; on equal length
# the kind listed first here wins. Checksum-validated kinds come first because a
# passing 11-proef or mod-97 is the strongest evidence any detector gives. A
# social-media profile is a URL too; its own kind says more, so it comes first.
KIND_PRECEDENCE: tuple[PiiKind, ...] = (
    PiiKind.BSN,
    PiiKind.IBAN,
    PiiKind.EMAIL,
    PiiKind.SOCIAL_MEDIA,
    PiiKind.URL,
    PiiKind.PHONE,
    PiiKind.LICENCE_PLATE,
    PiiKind.POSTCODE,
    PiiKind.ADDRESS,
    PiiKind.DATE,
    PiiKind.BIRTH_YEAR,
    PiiKind.AGE,
    PiiKind.IDENTIFIER,
    PiiKind.NAME,
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One identifying detail: its kind and its span ``[start, end)`` in the original text."""

    kind: PiiKind
    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"invalid span [{self.start}, {self.end})")


@dataclass(frozen=True, slots=True)
class KindCount:
    """How many details of one kind were redacted or generalised (never the details)."""

    kind: PiiKind | QuasiKind
    count: int


@dataclass(frozen=True, slots=True)
class RedactionResult:
    """The redacted text and what was found, with spans in the original text.

    ``findings`` are sorted by ``start`` and never overlap. Each finding became
    exactly one placeholder in ``text``. ``generalisations`` (the second pass:
    places, streets and institutions made coarser) are sorted, overlap neither
    each other nor a finding, and each became its ``replacement``.
    ``privacy_flags`` ask for a person's eye (a rare condition was named).
    """

    text: str
    findings: tuple[Finding, ...]
    generalisations: tuple[Generalisation, ...] = ()
    privacy_flags: tuple[PrivacyFlag, ...] = ()

    def counts(self) -> dict[PiiKind, int]:
        """Number of findings per kind, in ``PiiKind`` declaration order."""
        tally = Counter(finding.kind for finding in self.findings)
        return {kind: tally[kind] for kind in PiiKind if tally[kind]}

    def generalisation_counts(self) -> dict[QuasiKind, int]:
        """Number of generalisations per kind, in ``QuasiKind`` declaration order."""
        tally = Counter(generalisation.kind for generalisation in self.generalisations)
        return {kind: tally[kind] for kind in QuasiKind if tally[kind]}

    def kind_counts(self) -> tuple[KindCount, ...]:
        """Redactions, then generalisations, as records: ready for a 202 response."""
        redactions = [KindCount(kind, count) for kind, count in self.counts().items()]
        generalisations = [
            KindCount(kind, count) for kind, count in self.generalisation_counts().items()
        ]
        return (*redactions, *generalisations)

    @property
    def redacted(self) -> bool:
        """True when any identifying detail was replaced (generalisations not counted)."""
        return bool(self.findings)
