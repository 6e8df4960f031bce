"""Property-based tests of the contract models (hypothesis)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from waakhond_contract.identity import derive_signal_id
from waakhond_contract.messages import (
    Classification,
    ContractModel,
    SignalClassified,
    SignalSubmission,
    SignalSubmitted,
)
from waakhond_contract.regions import load_region_reference
from waakhond_contract.vocabularies import (
    AgeBand,
    Category,
    LawDomain,
    LifeDomain,
    SupporterType,
    TargetGroup,
)
from waakhond_runtime.codec import DecodeError, decode, decode_stepwise, encode

MUNICIPALITIES = sorted(load_region_reference().maps[2025].municipalities)


def unique_list(values: type[Any]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from([str(v) for v in values]), min_size=1, unique=True)


descriptions = st.text(min_size=10, max_size=2000).filter(lambda t: len(t.strip()) >= 10)
submissions = st.fixed_dictionaries(
    {
        "client_ref": st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,40}", fullmatch=True),
        "observed_on": st.dates(dt.date(2015, 1, 1), dt.date.today()).map(dt.date.isoformat),
        "municipality_code": st.sampled_from(MUNICIPALITIES),
        "law_domains": unique_list(LawDomain),
        "life_domains": unique_list(LifeDomain),
        "target_groups": unique_list(TargetGroup),
        "age_band": st.sampled_from([str(v) for v in AgeBand]),
        "supporter_type": st.sampled_from([str(v) for v in SupporterType]),
        "description": descriptions,
    },
    optional={"suggested_categories": st.lists(st.sampled_from(list(Category)), unique=True)},
)


@settings(max_examples=200, deadline=None)
@given(body=submissions)
def test_every_valid_submission_survives_the_trip_over_kafka(body: dict[str, Any]) -> None:
    submission = SignalSubmission.model_validate(json.loads(json.dumps(body, default=str)))
    message = SignalSubmitted(
        signal_id=derive_signal_id("mee-noord", submission.client_ref),
        organisation_id="mee-noord",
        submitted_at=dt.datetime.now(dt.UTC),
        **submission.model_dump(exclude={"client_ref"}),
    )
    assert decode(SignalSubmitted, encode(message)) == message


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=15), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    body=st.dictionaries(
        st.sampled_from([*SignalSubmission.model_fields, "other"]), json_values, max_size=12
    )
)
def test_any_json_object_is_accepted_or_refused_with_field_errors(body: dict[str, Any]) -> None:
    errors: list[Any] = []
    try:
        SignalSubmission.model_validate(body)
    except ValidationError as error:  # anything else escapes and fails the test
        errors = list(error.errors())
        assert errors
    assert all(e["msg"] and e["loc"] is not None for e in errors)


@given(
    first=st.tuples(st.from_regex(r"[a-z0-9][a-z0-9-]{1,20}", fullmatch=True), st.text(min_size=1)),
    second=st.tuples(
        st.from_regex(r"[a-z0-9][a-z0-9-]{1,20}", fullmatch=True), st.text(min_size=1)
    ),
)
def test_signal_ids_are_stable_and_distinct(
    first: tuple[str, str], second: tuple[str, str]
) -> None:
    assert derive_signal_id(*first) == derive_signal_id(*first)
    assert isinstance(derive_signal_id(*first), uuid.UUID)
    if first != second:
        assert derive_signal_id(*first) != derive_signal_id(*second)


def _submitted(body: dict[str, Any]) -> SignalSubmitted:
    submission = SignalSubmission.model_validate(json.loads(json.dumps(body, default=str)))
    return SignalSubmitted(
        signal_id=derive_signal_id("mee-noord", submission.client_ref),
        organisation_id="mee-noord",
        submitted_at=dt.datetime.now(dt.UTC),
        **submission.model_dump(exclude={"client_ref"}),
    )


def _classified(body: dict[str, Any]) -> SignalClassified:
    return SignalClassified(
        **_submitted(body).model_dump(),
        classification=Classification(
            labels=[Category.MISSED_RIGHTS],
            scores=dict.fromkeys(Category, 0.5),
            needs_review=False,
            model_version="v",
            classified_at=dt.datetime.now(dt.UTC),
            explanations={Category.MISSED_RIGHTS: ["toeslag"]},
        ),
    )


def _outcome(decoder: Any, model: type[ContractModel], raw: bytes) -> bytes | str:
    """What a stage does with the message: the bytes it would pass on, or the refusal reason."""
    try:
        return encode(decoder(model, raw))
    except DecodeError as error:
        return str(error.reason)


@st.composite
def messages(draw: st.DrawFn) -> tuple[type[ContractModel], bytes]:
    """A valid message of either topic, often broken in one way a producer could break it."""
    body = draw(submissions)
    message: ContractModel = draw(st.sampled_from([_submitted, _classified]))(body)
    model = type(message)
    document: Any = json.loads(encode(message))
    field = draw(st.sampled_from(sorted(document)))
    change = draw(
        st.sampled_from(["none", "replace", "delete", "extra", "version", "not-an-object"])
    )
    if change == "replace":
        document[field] = draw(json_values)
    elif change == "delete":
        del document[field]
    elif change == "extra":
        document["other"] = draw(json_values)
    elif change == "version":
        document["schema_version"] = draw(
            st.sampled_from([1, 1.0, True, "1", 0, 2, None, [1]]) | json_values
        )
    elif change == "not-an-object":
        document = [document]
    raw = json.dumps(document, ensure_ascii=draw(st.booleans())).encode()
    cut = draw(st.none() | st.integers(0, len(raw)))
    return model, raw if cut is None else raw[:cut]


@settings(max_examples=400, deadline=None)
@given(message=messages())
def test_the_one_pass_decoder_agrees_with_every_check_in_turn(
    message: tuple[type[ContractModel], bytes],
) -> None:
    """``decode`` takes pydantic's JSON parser for valid messages; whatever it accepts,
    the stepwise checks must accept as the same message, and it may refuse nothing they
    accept (a message without schema_version, which has a default, included)."""
    model, raw = message
    assert _outcome(decode, model, raw) == _outcome(decode_stepwise, model, raw)
