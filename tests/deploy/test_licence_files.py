"""LICENSE is the EUPL v1.2, and NOTICE points at third-party parts that exist and say so."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
LICENSE = ROOT / "LICENSE"
NOTICE = ROOT / "NOTICE"

# The English text as the European Commission publishes it, taken byte for byte from a
# public repository that carries it and checked word for word against other copies; the
# digest keeps it from being re-wrapped or edited by accident.
LICENSE_SHA256 = "6fc9e709ccbfe0d77fbffa2427a983282be2eb88e47b1cdb49f21a83b4d1e665"


def _entries() -> list[dict[str, list[str]]]:
    """NOTICE's numbered sections, each as its ``Key: value`` fields (a key may repeat)."""
    entries: list[dict[str, list[str]]] = []
    for line in NOTICE.read_text(encoding="utf-8").splitlines():
        if re.match(r"\d+\. ", line):
            entries.append({})
        field = re.match(r"   ([A-Z][A-Za-z]*):\s+(\S.*)$", line)
        if field and entries:
            entries[-1].setdefault(field.group(1), []).append(field.group(2).strip())
    return entries


def _modules() -> list[tuple[str, list[str], list[str]]]:
    """Each listed module, with the SPDX ids of its upstream licences and its notice lines."""
    return [
        (module, entry.get("SPDX", [""])[0].split(" AND "), entry.get("Notice", []))
        for entry in _entries()
        for module in entry.get("Module", [])
    ]


def test_license_is_the_eupl_v1_2() -> None:
    text = LICENSE.read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines()]
    assert lines[:2] == [
        "EUROPEAN UNION PUBLIC LICENCE v. 1.2",
        "EUPL © the European Union 2007, 2016",
    ]
    # Complete: the last article and the Appendix of compatible licences.
    assert "15. Applicable Law" in lines
    assert "Appendix" in lines
    assert text.rstrip().endswith("EUPL version.")
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == LICENSE_SHA256


def test_notice_names_the_project_and_its_licence() -> None:
    head = NOTICE.read_text(encoding="utf-8").split("\n\n\n")[0]
    assert "Copyright (c) 2025-2026 Waakhond contributors" in head
    assert "SPDX-License-Identifier: EUPL-1.2" in head


def test_notice_lists_the_third_party_modules() -> None:
    assert {module.rsplit("/", 1)[-1] for module, _, _ in _modules()} == {
        "faust_fetch_loop.py",
        "deduce_internals.py",
    }


@pytest.mark.parametrize(
    ("module", "licences", "notices"),
    [pytest.param(*listed, id=listed[0].rsplit("/", 1)[-1]) for listed in _modules()],
)
def test_each_listed_module_exists_and_carries_its_licence_notice(
    module: str, licences: list[str], notices: list[str]
) -> None:
    path = ROOT / module
    assert path.is_file(), f"NOTICE lists {module}, which does not exist"
    text = path.read_text(encoding="utf-8")
    licence_lines = [line for line in text.splitlines() if line.startswith("Upstream licence:")]
    assert licence_lines, f"{module} has no 'Upstream licence:' line"
    assert all(licences), f"NOTICE gives no SPDX line for {module}"
    for licence in licences:
        assert licence in licence_lines[0], f"{module} does not name {licence}"
    for notice in notices:
        assert notice in text, f"{module} lacks the upstream notice {notice!r}"


def test_each_listed_data_path_exists() -> None:
    paths = [path for entry in _entries() for path in entry.get("Data", [])]
    attributions = [path for entry in _entries() for path in entry.get("Attribution", [])]
    assert paths
    assert attributions
    missing = [path for path in [*paths, *attributions] if not (ROOT / path).exists()]
    assert missing == []


def test_the_images_carry_the_licence_and_the_notices() -> None:
    """The build stage copies both files before it builds the package, so setuptools puts them
    in the installed distribution's metadata, which the final stage copies."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    copy = re.search(r"^COPY pyproject\.toml (.+) \./$", dockerfile, re.MULTILINE)
    assert copy is not None
    assert {"LICENSE", "NOTICE"} <= set(copy.group(1).split())
    assert dockerfile.index(copy.group(0)) < dockerfile.index("RUN pip install --no-deps")
    allowed = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert {"!LICENSE", "!NOTICE"} <= set(allowed)
