"""Pydantic models of every message Waakhond exchanges, versioned.

``SignalSubmission`` is the body an organisation posts. Intake turns it into a
``SignalSubmitted`` on ``signals.submitted``; the classifier adds a
``Classification`` and produces a ``SignalClassified`` on
``signals.classified``; a person's decision on a classified signal (the review
page) is a ``SignalReviewed`` on ``signals.reviewed``; an organisation's (or an
operator's) withdrawal is a ``SignalWithdrawn`` on ``signals.withdrawn``; anything a stage
cannot process becomes a ``DeadLetter`` on ``signals.deadletter``. ``SignalStatus`` is what
``GET /v1/signals/{signal_id}`` answers. ``schemas/*.json`` are generated from
these classes (``waakhond schemas write``) and a test keeps them in sync.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated, Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from waakhond_contract.regions import UnknownMunicipalityError, load_region_reference
from waakhond_contract.vocabularies import (
    AgeBand,
    Category,
    LawDomain,
    LifeDomain,
    PiiKind,
    SupporterType,
    TargetGroup,
)

SCHEMA_VERSION: Literal[1] = 1
DESCRIPTION_MIN_CHARS = 10
DESCRIPTION_MAX_CHARS = 2000
# Client support in its current legal form starts with the Wmo 2015.
EARLIEST_OBSERVED_ON = dt.date(2015, 1, 1)
DUTCH_TIME = ZoneInfo("Europe/Amsterdam")

ClientRef = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$"),
    Field(
        description=(
            "The organisation's own unique reference for this signal. Retrying with the same "
            "client_ref is safe: the signal gets the same signal_id and is stored once. "
            "Submitting it again with other content corrects the signal: the new version "
            "replaces the old one in every count. Never a client's name, BSN or dossier number."
        ),
        examples=["2025-000123"],
    ),
]
OrganisationId = Annotated[
    str,
    StringConstraints(min_length=2, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$"),
    Field(description="The submitting organisation, taken from its credentials."),
]
MunicipalityCode = Annotated[
    str,
    StringConstraints(pattern=r"^GM[0-9]{4}$"),
    Field(
        description="CBS municipality code, valid in the region map of the observation year.",
        examples=["GM0363"],
    ),
]


T = TypeVar("T")


def _unique(values: list[T]) -> list[T]:
    if len(set(values)) != len(values):
        raise PydanticCustomError("duplicate_value", "values must be unique")
    return values


class ContractModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SignalFacts(ContractModel):
    """What a signal says: coarse dimensions and the anonymised free text."""

    observed_on: dt.date = Field(
        description="The day the supporter observed the situation (not a birth date)."
    )
    municipality_code: MunicipalityCode
    law_domains: list[LawDomain] = Field(min_length=1, max_length=len(LawDomain))
    life_domains: list[LifeDomain] = Field(min_length=1, max_length=len(LifeDomain))
    target_groups: list[TargetGroup] = Field(min_length=1, max_length=len(TargetGroup))
    age_band: AgeBand
    supporter_type: SupporterType
    description: str = Field(
        min_length=DESCRIPTION_MIN_CHARS,
        max_length=DESCRIPTION_MAX_CHARS,
        description="Dutch free text describing the signal, without identifying details.",
    )
    suggested_categories: list[Category] = Field(
        default_factory=list,
        max_length=len(Category),
        description="The supporter's own tags; they inform the classifier but never override it.",
    )

    @field_validator("law_domains", "life_domains", "target_groups", "suggested_categories")
    @classmethod
    def _no_duplicates(cls, values: list[T]) -> list[T]:
        return _unique(values)

    @field_validator("description")
    @classmethod
    def _meaningful_description(cls, value: str) -> str:
        if len(value.strip()) < DESCRIPTION_MIN_CHARS:
            raise PydanticCustomError(
                "description_too_short",
                "description needs at least {min} characters besides white space",
                {"min": DESCRIPTION_MIN_CHARS},
            )
        return value

    @field_validator("observed_on")
    @classmethod
    def _not_before_wmo_2015(cls, value: dt.date) -> dt.date:
        if value < EARLIEST_OBSERVED_ON:
            raise PydanticCustomError(
                "observed_on_too_early",
                "observed_on must be on or after {earliest}",
                {"earliest": EARLIEST_OBSERVED_ON.isoformat()},
            )
        return value

    @field_validator("municipality_code")
    @classmethod
    def _known_municipality(cls, value: str, info: ValidationInfo) -> str:
        # A field validator, so that the error names municipality_code. observed_on is
        # declared first; when it is invalid itself, the map year is unknown and only
        # observed_on's own error is reported.
        observed_on = info.data.get("observed_on")
        if observed_on is None:
            return value
        try:
            load_region_reference().resolve(value, observed_on)
        except UnknownMunicipalityError as error:
            raise PydanticCustomError(
                "unknown_municipality",
                "municipality_code {code} is not in the {year} region map",
                {"code": error.code, "year": error.year},
            ) from None
        return value


class SignalSubmission(SignalFacts):
    """Body of ``POST /v1/signals``: one signal as an organisation submits it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "client_ref": "2025-000123",
                    "observed_on": "2025-03-03",
                    "municipality_code": "GM0363",
                    "law_domains": ["wmo", "wlz"],
                    "life_domains": ["housing", "care"],
                    "target_groups": ["elderly_dementia"],
                    "age_band": "80+",
                    "supporter_type": "formal",
                    "description": "Gemeente en zorgkantoor wijzen naar elkaar: Wmo of Wlz? "
                    "Intussen krijgt mevrouw geen zorg thuis.",
                    "suggested_categories": ["policy_gap"],
                }
            ]
        }
    )

    client_ref: ClientRef

    @field_validator("observed_on")
    @classmethod
    def _not_in_the_future(cls, value: dt.date) -> dt.date:
        today = dt.datetime.now(DUTCH_TIME).date()
        if value > today:
            raise PydanticCustomError(
                "observed_on_in_future",
                "observed_on {value} is after today ({today}, Dutch time)",
                {"value": value.isoformat(), "today": today.isoformat()},
            )
        return value


class SignalSubmitted(SignalFacts):
    """A signal accepted by intake, on ``signals.submitted``.

    The organisation's ``client_ref`` stays at intake: only the derived
    ``signal_id`` travels on.
    """

    schema_version: Literal[1] = SCHEMA_VERSION
    signal_id: uuid.UUID = Field(description="UUIDv5 of (organisation_id, client_ref).")
    organisation_id: OrganisationId
    submitted_at: AwareDatetime
    privacy_flags: list[PrivacyFlag] = Field(
        default_factory=list,
        description="What intake's redaction could not settle on its own; a person looks.",
    )


class PrivacyFlag(StrEnum):
    """Why intake asks for a person's eye on a redacted text."""

    # Details that name nobody but may point at one person together (a rare condition).
    POSSIBLE_QUASI_IDENTIFIER = "possible_quasi_identifier"


class ReviewReason(StrEnum):
    """Why a classified signal is in the review queue before any random sample."""

    UNCERTAIN = "uncertain"
    POSSIBLE_QUASI_IDENTIFIER = "possible_quasi_identifier"


class Classification(ContractModel):
    labels: list[Category] = Field(description="The categories the signal is tagged with.")
    scores: dict[Category, Annotated[float, Field(ge=0.0, le=1.0)]] = Field(
        description="A score per category in [0, 1]."
    )
    needs_review: bool = Field(description="True when a person should look (review_reasons).")
    review_reasons: list[ReviewReason] = Field(
        default_factory=list, description="Why needs_review is set; empty when it is not."
    )
    model_version: str = Field(min_length=1, max_length=64)
    classified_at: AwareDatetime
    explanations: dict[Category, list[str]] = Field(
        default_factory=dict, description="Per label, the terms that drove it."
    )

    @field_validator("labels")
    @classmethod
    def _unique_labels(cls, values: list[Category]) -> list[Category]:
        return _unique(values)


class SignalClassified(SignalSubmitted):
    """A classified signal, on ``signals.classified``."""

    classification: Classification


class ReviewerRole(StrEnum):
    """A reviewer sees the signals of its own organisations; a coordinator sees all, and its
    decision stands over a reviewer's."""

    REVIEWER = "reviewer"
    COORDINATOR = "coordinator"


class ReviewOutcome(StrEnum):
    LABELLED = "labelled"
    # The redacted text still identifies someone: it is erased everywhere and counted as a
    # redaction miss; the labels of the decision still apply.
    CONTAINS_IDENTIFYING_DETAILS = "contains_identifying_details"


PseudonymousReviewer = Annotated[
    str,
    StringConstraints(pattern=r"^rv-[0-9a-f]{16}$"),
    Field(description="A reviewer's pseudonymous id: never a name or an e-mail address."),
]


class SignalReviewed(ContractModel):
    """A person's decision on a classified signal, on ``signals.reviewed``.

    The aggregator applies it in every count: a coordinator's decision stands over a
    reviewer's, and otherwise the latest ``decided_at`` wins (``decision_id`` breaks ties),
    so replaying or redelivering decisions in any order gives the same labels.
    """

    schema_version: Literal[1] = SCHEMA_VERSION
    decision_id: uuid.UUID = Field(description="Unique per decision; a redelivery repeats it.")
    signal_id: uuid.UUID
    organisation_id: OrganisationId = Field(description="The organisation the signal came from.")
    version: int = Field(
        default=1,
        ge=1,
        description="The version of the signal the reviewer saw; a decision on a version "
        "the organisation has since corrected is kept but not applied.",
    )
    outcome: ReviewOutcome
    labels: list[Category] = Field(
        max_length=len(Category),
        description="The categories the reviewer gives the signal; empty when none applies.",
    )
    identifying_kinds: list[PiiKind] = Field(
        default_factory=list,
        max_length=len(PiiKind),
        description="For contains_identifying_details: the kinds of detail left in the text.",
    )
    reviewer: PseudonymousReviewer
    role: ReviewerRole
    decided_at: AwareDatetime
    reviewed_model_version: str = Field(
        min_length=1, max_length=64, description="The model version whose labels were shown."
    )

    @field_validator("labels", "identifying_kinds")
    @classmethod
    def _unique_values(cls, values: list[T]) -> list[T]:
        return _unique(values)


class WithdrawalRequester(StrEnum):
    """Who asked: the organisation itself (``DELETE /v1/signals/{signal_id}``), or an
    operator for a request under the AVG's right to erasure (``waakhond signals erase``)."""

    ORGANISATION = "organisation"
    OPERATOR = "operator"


class SignalWithdrawn(ContractModel):
    """A signal taken back, on ``signals.withdrawn``.

    The aggregator removes every version submitted before ``withdrawn_at`` from every count,
    erases their text, and keeps a tombstone, so the status answers ``withdrawn``. The same
    ``client_ref`` submitted after ``withdrawn_at`` is a new version and counts again.
    Replaying or redelivering a withdrawal changes nothing.
    """

    schema_version: Literal[1] = SCHEMA_VERSION
    withdrawal_id: uuid.UUID = Field(description="Unique per withdrawal; a redelivery repeats it.")
    signal_id: uuid.UUID
    organisation_id: OrganisationId = Field(description="The organisation the signal came from.")
    requested_by: WithdrawalRequester
    withdrawn_at: AwareDatetime


class DeadLetterStage(StrEnum):
    CLASSIFIER = "classifier"
    AGGREGATOR = "aggregator"


class DeadLetterReason(StrEnum):
    NOT_JSON = "not_json"
    UNSUPPORTED_SCHEMA_VERSION = "unsupported_schema_version"
    INVALID_MESSAGE = "invalid_message"
    UNKNOWN_MUNICIPALITY = "unknown_municipality"
    TOO_LARGE = "too_large"
    CONFLICTING_RESUBMISSION = "conflicting_resubmission"
    UNKNOWN_SIGNAL = "unknown_signal"
    PROCESSING_FAILED = "processing_failed"


class DeadLetter(ContractModel):
    """A message a stage could not process, with its original bytes, on ``signals.deadletter``."""

    schema_version: Literal[1] = SCHEMA_VERSION
    stage: DeadLetterStage
    reason: DeadLetterReason
    detail: str = Field(max_length=4000, description="Why, for the person who fixes it.")
    source_topic: str
    source_partition: int = Field(ge=0)
    source_offset: int = Field(ge=0)
    key_base64: str | None = None
    value_base64: str = Field(description="The original message bytes, base64.")
    signal_id: uuid.UUID | None = None
    failed_at: AwareDatetime


class SignalState(StrEnum):
    """Where a signal is, as ``GET /v1/signals/{signal_id}`` reports it."""

    # In the order a submission goes through them: a later one stands over an earlier one
    # (a conflicting copy of a counted submission is dead-lettered, and it stays counted).
    ACCEPTED = "accepted"  # intake put it on signals.submitted; not yet classified
    CLASSIFIED = "classified"  # the classifier labelled it; not yet in the trends
    DEAD_LETTERED = "dead_lettered"  # a stage could not process it: see dead_letter
    COUNTED = "counted"  # stored and in every count
    WITHDRAWN = "withdrawn"  # taken back: in no count, its text erased


class LabelOrigin(StrEnum):
    MODEL = "model"
    REVIEW = "review"


class StatusDeadLetter(ContractModel):
    stage: DeadLetterStage
    reason: DeadLetterReason
    detail: str
    failed_at: AwareDatetime


class StoredSignalView(ContractModel):
    """The signal as it is counted: the redacted description and the dimensions."""

    observed_on: dt.date
    municipality_code: str
    region_year: int
    law_domains: list[str]
    life_domains: list[str]
    target_groups: list[str]
    age_band: str
    supporter_type: str
    description: str = Field(description="The redacted text; empty once it was erased.")
    text_erased: bool


class SignalStatus(ContractModel):
    """An organisation's view of one of its own signals. Answered by intake's
    ``GET /v1/signals/{signal_id}`` from the aggregator's store, so it survives restarts."""

    signal_id: uuid.UUID
    status: SignalState
    version: int = Field(ge=1, description="1, then one more per correction.")
    submitted_at: AwareDatetime = Field(description="When intake accepted this version.")
    updated_at: AwareDatetime = Field(description="When the status last changed.")
    labels: list[Category] = Field(
        default_factory=list, description="The categories it is counted under."
    )
    labels_from: LabelOrigin | None = Field(
        default=None, description="model, or review when a person decided; null until counted."
    )
    model_version: str | None = None
    signal: StoredSignalView | None = Field(
        default=None, description="For counted and withdrawn: the stored signal."
    )
    dead_letter: StatusDeadLetter | None = Field(
        default=None, description="For dead_lettered: the stage and the reason."
    )


class SignalStatusPage(ContractModel):
    """``GET /v1/signals``: the organisation's signals in signal_id order (the store's
    order of ids), a page at a time."""

    items: list[SignalStatus]
    next_cursor: str | None = Field(
        default=None, description="Pass as ?cursor= for the next page; null on the last."
    )
