"""Property-based tests of the contract models (hypothesis)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from waakhond_contract.codec import decode, encode
from waakhond_contract.identity import derive_signal_id
from waakhond_contract.messages import SignalSubmission, SignalSubmitted
from waakhond_contract.regions import load_region_reference
from waakhond_contract.vocabularies import (
    AgeBand,
    Category,
    LawDomain,
    LifeDomain,
    SupporterType,
    TargetGroup,
)

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
