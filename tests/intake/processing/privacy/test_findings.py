"""The kinds of identifying detail: placeholders, precedence, and the documents that list them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from waakhond_intake.processing.privacy.findings import KIND_PRECEDENCE, PLACEHOLDERS, PiiKind

ROOT = Path(__file__).parents[4]


def test_every_kind_has_its_own_placeholder() -> None:
    assert set(PLACEHOLDERS) == set(PiiKind)
    assert len(set(PLACEHOLDERS.values())) == len(PLACEHOLDERS)
    # Dutch, upper case, in brackets, and free of digits and "@" so that no
    # detector finds anything in a placeholder.
    assert all(re.fullmatch(r"\[[A-Z]+\]", p) for p in PLACEHOLDERS.values())


def test_precedence_names_every_kind_once() -> None:
    assert sorted(KIND_PRECEDENCE) == sorted(PiiKind)
    assert len(KIND_PRECEDENCE) == len(set(KIND_PRECEDENCE))


@pytest.mark.parametrize("document", ["README.md", "services/intake/PRIVACY.md"])
def test_documents_name_every_placeholder(document: str) -> None:
    text = (ROOT / document).read_text(encoding="utf-8")
    assert [p for p in PLACEHOLDERS.values() if f"`{p}`" not in text] == []


def test_privacy_document_names_every_kind() -> None:
    text = (ROOT / "services/intake/PRIVACY.md").read_text(encoding="utf-8")
    assert [kind.value for kind in PiiKind if f"`{kind.value}`" not in text] == []
