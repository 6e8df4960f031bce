"""Every code the page can show has its Dutch text."""

from __future__ import annotations

from waakhond_aggregator.labels import CATEGORY_LABELS
from waakhond_aggregator.review import texts
from waakhond_aggregator.review.web import CATEGORY_KEYS
from waakhond_contract.messages import ReviewerRole, ReviewOutcome, ReviewReason
from waakhond_contract.vocabularies import Category, PiiKind


def test_every_code_on_the_page_has_a_dutch_text() -> None:
    assert set(texts.CATEGORY_DEFINITIONS) == set(Category) == set(CATEGORY_LABELS)
    assert set(texts.PII_KIND_LABELS) == set(PiiKind)
    assert set(texts.REVIEW_REASON_LABELS) == set(ReviewReason)
    assert set(texts.ROLE_LABELS) == {role.value for role in ReviewerRole}
    assert set(texts.OUTCOME_LABELS) == {outcome.value for outcome in ReviewOutcome}


def test_one_key_per_category_from_1() -> None:
    assert list(CATEGORY_KEYS) == [str(n) for n in range(1, len(Category) + 1)]
    assert set(CATEGORY_KEYS.values()) == {c.value for c in Category}
