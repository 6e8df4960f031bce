"""Who may import whom: the layering CONTRIBUTING.md describes, checked on the source.

Static: every ``import`` and ``from ... import`` in the packages, module level or not, is
read with ``ast`` and checked against the rules below. Dynamic: each service's entry point
is imported in a fresh interpreter and must not load the tooling or its libraries.
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from waakhond_tools import TOOLING_LIBRARIES

REPO_ROOT = Path(__file__).resolve().parents[2]

PACKAGE_DIRS = {
    "waakhond_contract": REPO_ROOT / "services/contract/waakhond_contract",
    "waakhond_runtime": REPO_ROOT / "services/runtime/waakhond_runtime",
    "waakhond_intake": REPO_ROOT / "services/intake/waakhond_intake",
    "waakhond_classifier": REPO_ROOT / "services/classifier/waakhond_classifier",
    "waakhond_aggregator": REPO_ROOT / "services/aggregator/waakhond_aggregator",
    "waakhond_cli": REPO_ROOT / "services/cli/waakhond_cli",
    "waakhond_tools": REPO_ROOT / "tools/waakhond_tools",
}
SERVICES = ("waakhond_intake", "waakhond_classifier", "waakhond_aggregator")

# First-party packages each package may import (besides itself).
ALLOWED_FIRST_PARTY = {
    "waakhond_contract": set(),
    "waakhond_runtime": {"waakhond_contract"},
    **{service: {"waakhond_contract", "waakhond_runtime"} for service in SERVICES},
    "waakhond_cli": {"waakhond_contract", "waakhond_runtime", *SERVICES},
    "waakhond_tools": {"waakhond_contract", "waakhond_runtime", "waakhond_cli", *SERVICES},
}


# Libraries a pure processing step must not touch: no broker, no database, no HTTP.
TRANSPORT_LIBRARIES = {"kafka", "aiokafka", "faust", "mode", "clickhouse_connect", "fastapi"}


@dataclass(frozen=True, slots=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the imported module, dotted
    line: int


def module_name(package: str, path: Path) -> str:
    relative = path.relative_to(PACKAGE_DIRS[package]).with_suffix("")
    parts = [package, *relative.parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@functools.cache
def imports_of(package: str) -> tuple[Import, ...]:
    found: list[Import] = []
    for path in sorted(PACKAGE_DIRS[package].rglob("*.py")):
        module = module_name(package, path)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [Import(module, alias.name, node.lineno) for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                assert node.level == 0, f"{module}:{node.lineno}: relative import"
                found.append(Import(module, node.module, node.lineno))
                found += [
                    Import(module, f"{node.module}.{alias.name}", node.lineno)
                    for alias in node.names
                ]
    return tuple(found)


def top(name: str) -> str:
    return name.split(".")[0]


def test_every_package_has_modules() -> None:
    # Guards the scan itself: an empty package would make every rule below vacuous.
    for package in PACKAGE_DIRS:
        assert imports_of(package), package


@pytest.mark.parametrize("package", sorted(ALLOWED_FIRST_PARTY))
def test_package_imports_only_what_its_layer_allows(package: str) -> None:
    allowed = ALLOWED_FIRST_PARTY[package] | {package}
    wrong = sorted(
        f"{i.module}:{i.line} imports {i.target}"
        for i in imports_of(package)
        if top(i.target).startswith("waakhond_") and top(i.target) not in allowed
    )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "package", ["waakhond_contract", "waakhond_runtime", *SERVICES, "waakhond_cli"]
)
def test_production_code_never_imports_the_tooling_libraries(package: str) -> None:
    wrong = sorted(
        f"{i.module}:{i.line} imports {i.target}"
        for i in imports_of(package)
        if top(i.target) in TOOLING_LIBRARIES
    )
    assert not wrong, "\n".join(wrong)


def test_the_contract_is_shapes_vocabularies_regions_and_identity_only() -> None:
    modules = {p.stem for p in PACKAGE_DIRS["waakhond_contract"].glob("*.py")}
    assert modules == {"__init__", "messages", "vocabularies", "regions", "identity"}


@pytest.mark.parametrize("service", SERVICES)
def test_service_has_the_common_layout(service: str) -> None:
    """The same names for the same roles in every service (CONTRIBUTING.md)."""
    root = PACKAGE_DIRS[service]
    for role in ("main.py", "metrics.py", "core/config.py", "api/routes", "processing"):
        assert (root / role).exists(), f"{service} has no {role}"


@pytest.mark.parametrize("service", SERVICES)
def test_processing_steps_are_pure(service: str) -> None:
    """A processor takes a message and returns output or a rejection: no broker, database or
    HTTP in it, and nothing of the service's streaming, storage or API layers."""
    layers = {f"{service}.{layer}" for layer in ("streaming", "storage", "api", "main")}
    wrong = sorted(
        f"{i.module}:{i.line} imports {i.target}"
        for i in imports_of(service)
        if i.module.startswith(f"{service}.processing")
        and (
            top(i.target) in TRANSPORT_LIBRARIES
            or any(i.target == layer or i.target.startswith(layer + ".") for layer in layers)
        )
    )
    assert not wrong, "\n".join(wrong)


# The aggregator's steps in the order a message passes them; a step never imports a later one.
AGGREGATOR_STEPS = (
    "rows",
    "ledger",
    "revisions",
    "decode",
    "transform",
    "decisions",
    "withdrawals",
    "reclassification",
    "processor",
    "batching",
    "dedup",
)


def test_aggregator_steps_never_import_backwards() -> None:
    prefix = "waakhond_aggregator.processing."
    steps = {f"{prefix}{name}": order for order, name in enumerate(AGGREGATOR_STEPS)}
    on_disk = {
        f"{prefix}{p.stem}"
        for p in (PACKAGE_DIRS["waakhond_aggregator"] / "processing").glob("*.py")
        if p.stem != "__init__"
    }
    assert on_disk == set(steps), "a step was added or removed; place it in AGGREGATOR_STEPS"
    wrong = sorted(
        f"{i.module} (step {steps[i.module]}) imports {i.target}"
        for i in imports_of("waakhond_aggregator")
        if i.module in steps and i.target in steps and steps[i.target] >= steps[i.module]
    )
    assert not wrong, "\n".join(wrong)


def test_the_read_api_never_imports_the_pipeline() -> None:
    wrong = sorted(
        f"{i.module}:{i.line} imports {i.target}"
        for i in imports_of("waakhond_aggregator")
        if i.module.startswith("waakhond_aggregator.api")
        and i.target.startswith(("waakhond_aggregator.processing", "waakhond_aggregator.streaming"))
    )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "entry_point",
    [
        "waakhond_intake.main",
        "waakhond_classifier.main",
        "waakhond_aggregator.main",
        "waakhond_cli.main",
    ],
)
def test_starting_a_service_loads_no_tooling(entry_point: str) -> None:
    """Imported in a fresh interpreter, as the service's command does at start."""
    probe = (
        "import importlib, sys\n"
        f"importlib.import_module({entry_point!r})\n"
        "tops = {m.split('.')[0] for m in sys.modules}\n"
        f"print(','.join(sorted(tops & set({sorted(TOOLING_LIBRARIES)!r}))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "", f"{entry_point} loads {result.stdout.strip()}"


@pytest.mark.parametrize(
    ("command", "service", "others"),
    [
        ("intake", "waakhond_intake", ("waakhond_classifier", "waakhond_aggregator")),
        ("classifier", "waakhond_classifier", ("waakhond_intake", "waakhond_aggregator")),
        ("aggregator", "waakhond_aggregator", ("waakhond_intake", "waakhond_classifier")),
    ],
)
def test_a_service_command_loads_only_its_own_service(
    command: str, service: str, others: tuple[str, ...]
) -> None:
    """`waakhond <service>` resolves its command without importing the other services."""
    probe = (
        "import sys\n"
        "from typer.main import get_command\n"
        "from waakhond_cli.main import app\n"
        "group = get_command(app)\n"
        f"group.get_command(None, {command!r})\n"
        "tops = {m.split('.')[0] for m in sys.modules}\n"
        "print(','.join(sorted(t for t in tops if t.startswith('waakhond_'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = set(result.stdout.strip().split(","))
    assert not loaded & set(others), f"`waakhond {command}` loads {sorted(loaded)}"
