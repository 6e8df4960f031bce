"""deduce_internals mirrors private parts of one deduce and one docdeid release."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

from waakhond_intake.processing.privacy import deduce_internals

REQUIREMENTS = Path(__file__).parents[4] / "requirements-runtime.txt"


@pytest.mark.parametrize(("name", "mirrored"), sorted(deduce_internals.UPSTREAM_VERSIONS.items()))
def test_installed_version_is_the_one_the_mirror_was_taken_from(name: str, mirrored: str) -> None:
    recheck = (
        "waakhond_intake/processing/privacy/deduce_internals.py mirrors private functions of "
        f"{name} {mirrored}: re-check every item its header lists against the new release, "
        "then move UPSTREAM_VERSIONS (and the header) with the pin"
    )
    installed = importlib.metadata.version(name)
    assert installed == mirrored, f"{name} {installed} is installed. {recheck}"
    pins = [
        line.split("#")[0].strip() for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines()
    ]
    assert f"{name}=={mirrored}" in pins, f"{REQUIREMENTS.name} pins another {name}. {recheck}"
    assert f"{name} {mirrored}" in (deduce_internals.__doc__ or "")


def test_the_mirror_names_deduce_and_docdeid() -> None:
    # deduce pins docdeid exactly, so both move together; the mirror depends on both.
    assert set(deduce_internals.UPSTREAM_VERSIONS) == {"deduce", "docdeid"}
