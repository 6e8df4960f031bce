"""Offline checks of the Dockerfiles: base image, user, command, health check, context.

Nothing is built here (there is no Docker engine in CI); the Dockerfiles are parsed and
the properties the deployment relies on are asserted. The service images are targets of
one multi-stage Dockerfile at the repository root (`docker build --target intake .`):
a shared build stage, a shared `base` and one stage per service.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO_ROOT / "Dockerfile"
GRAFANA_DIR = REPO_ROOT / "deploy" / "grafana"


@dataclass(frozen=True)
class ServiceImage:
    name: str
    port: int
    port_env: str
    host_env: str


SERVICES = [
    ServiceImage("intake", 8000, "WAAKHOND_INTAKE_PORT", "WAAKHOND_INTAKE_HOST"),
    ServiceImage(
        "classifier", 8001, "WAAKHOND_CLASSIFIER_WEB_PORT", "WAAKHOND_CLASSIFIER_WEB_HOST"
    ),
    ServiceImage("aggregator", 8002, "WAAKHOND_AGGREGATOR_PORT", "WAAKHOND_AGGREGATOR_HOST"),
]
SERVICE_IDS = [service.name for service in SERVICES]


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


@dataclass(frozen=True)
class Stage:
    image: str
    name: str | None
    instructions: tuple[Instruction, ...]

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> Instruction:
        found = self.all(keyword)
        assert found, f"stage FROM {self.image} has no {keyword}"
        return found[-1]


def parse_dockerfile(path: Path) -> list[Stage]:
    """Split a Dockerfile into stages of instructions (comments and continuations resolved)."""
    logical: list[str] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    assert not pending, f"{path}: dangling line continuation"

    stages: list[Stage] = []
    image: str = ""
    name: str | None = None
    instructions: list[Instruction] = []
    for line in logical:
        keyword, _, arguments = line.partition(" ")
        keyword, arguments = keyword.upper(), arguments.strip()
        if keyword == "FROM":
            if image:
                stages.append(Stage(image, name, tuple(instructions)))
            words = [w for w in arguments.split() if not w.startswith("--")]
            image = words[0]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            instructions = []
        else:
            assert image, f"{path}: {keyword} before FROM"
            instructions.append(Instruction(keyword, arguments))
    stages.append(Stage(image, name, tuple(instructions)))
    return stages


def target_chain(stages: list[Stage], target: str) -> list[Stage]:
    """The stages an image built with --target consists of, outermost base first."""
    named = {stage.name: stage for stage in stages if stage.name}
    assert target in named, f"no stage named {target}"
    chain = [named[target]]
    while chain[0].image in named:
        chain.insert(0, named[chain[0].image])
        assert len(chain) <= len(stages), "cyclic FROM"
    return chain


def flatten(chain: list[Stage]) -> Stage:
    """One stage with the chain's instructions in order: ENV, USER, CMD, ... are inherited."""
    instructions = tuple(i for stage in chain for i in stage.instructions)
    return Stage(chain[0].image, chain[-1].name, instructions)


def copied_from(stage: Stage) -> list[str]:
    """The stages a stage copies from (COPY --from=NAME)."""
    return [
        match.group(1)
        for copy in stage.all("COPY")
        if (match := re.match(r"--from=(\S+)", copy.arguments))
    ]


def exec_form(instruction: Instruction) -> list[str]:
    """The JSON array of CMD/ENTRYPOINT/HEALTHCHECK CMD; shell form is rejected."""
    arguments = instruction.arguments
    if instruction.keyword == "HEALTHCHECK":
        arguments = arguments[arguments.index("CMD ") + len("CMD ") :]
    value = json.loads(arguments)
    assert isinstance(value, list), f"{instruction.keyword} is not in exec (JSON) form"
    assert all(isinstance(item, str) for item in value)
    return [str(item) for item in value]


def env_values(stage: Stage) -> dict[str, str]:
    values: dict[str, str] = {}
    for instruction in stage.all("ENV"):
        for match in re.finditer(r"(\w+)=(\S+)", instruction.arguments):
            values[match.group(1)] = match.group(2)
    return values


def assert_non_root(stage: Stage) -> None:
    user = stage.last("USER").arguments
    uid = user.split(":")[0]
    # Numeric, so that Kubernetes can verify runAsNonRoot against the image.
    assert uid.isdigit(), f"USER {user} is not numeric"
    assert int(uid) != 0, "the image runs as root"


@pytest.fixture(params=SERVICES, ids=SERVICE_IDS)
def service(request: pytest.FixtureRequest) -> ServiceImage:
    image: ServiceImage = request.param
    return image


@pytest.fixture
def stages() -> list[Stage]:
    return parse_dockerfile(DOCKERFILE)


@pytest.fixture
def chain(stages: list[Stage], service: ServiceImage) -> list[Stage]:
    return target_chain(stages, service.name)


@pytest.fixture
def final(chain: list[Stage]) -> Stage:
    """The service image as built with --target: its stage and the stages it derives from."""
    return flatten(chain)


def test_every_stage_starts_from_python_311_slim(stages: list[Stage]) -> None:
    earlier: set[str] = set()
    for stage in stages:
        if stage.image not in earlier:
            assert re.fullmatch(
                r"python:3\.11(\.\d+)?-slim(-\w+)?(@sha256:[0-9a-f]{64})?", stage.image
            ), stage.image
        if stage.name:
            earlier.add(stage.name)


def test_runs_as_a_numeric_non_root_user(final: Stage) -> None:
    assert_non_root(final)


def test_cmd_starts_the_service_subcommand(final: Stage, service: ServiceImage) -> None:
    assert final.all("ENTRYPOINT") == [], "an ENTRYPOINT would turn CMD into its arguments"
    assert exec_form(final.last("CMD")) == ["waakhond", service.name]


def test_listens_on_the_exposed_port_on_all_interfaces(final: Stage, service: ServiceImage) -> None:
    assert final.last("EXPOSE").arguments.split() == [str(service.port)]
    environment = env_values(final)
    assert environment[service.port_env] == str(service.port)
    # The services bind 127.0.0.1 by default, which no port mapping or Service can reach.
    assert environment[service.host_env] == "0.0.0.0"


def test_healthcheck_probes_healthz_with_python_urllib(final: Stage, service: ServiceImage) -> None:
    healthcheck = final.last("HEALTHCHECK")
    command = exec_form(healthcheck)
    assert command[:2] == ["python", "-c"]
    script = command[2]
    assert "urllib.request.urlopen(" in script
    assert not {"curl", "wget"} & set(re.findall(r"\w+", script))
    assert "/healthz" in script
    assert f"os.environ.get('{service.port_env}', '{service.port}')" in script
    for option in ("--interval=", "--timeout=", "--start-period="):
        assert option in healthcheck.arguments


def test_every_service_has_its_own_target(stages: list[Stage]) -> None:
    names = [stage.name for stage in stages]
    for service in SERVICES:
        assert names.count(service.name) == 1, f"no single stage named {service.name}"


def build_stage(stages: list[Stage], chain: list[Stage]) -> Stage:
    """The one stage the image copies its environment from."""
    sources = {source for stage in chain for source in copied_from(stage)}
    assert len(sources) == 1, f"expected one build stage to copy from, got {sources}"
    (build,) = [stage for stage in stages if stage.name in sources]
    return build


def test_targets_share_one_base_and_one_build_stage(stages: list[Stage]) -> None:
    chains = {service.name: target_chain(stages, service.name) for service in SERVICES}
    bases = {name: [stage.name for stage in chain[:-1]] for name, chain in chains.items()}
    assert all(base == ["base"] for base in bases.values()), bases
    builds = {name: build_stage(stages, chain).name for name, chain in chains.items()}
    assert set(builds.values()) == {"build"}, builds
    # Shared, not copied: the file installs the dependencies exactly once.
    installs = [
        i.arguments
        for stage in stages
        for i in stage.all("RUN")
        if re.search(r"\bpip install -r ", i.arguments)
    ]
    assert installs == ["pip install -r requirements-runtime.txt"]


def test_service_stages_hold_only_what_differs(chain: list[Stage], service: ServiceImage) -> None:
    own = chain[-1]
    assert not copied_from(own), "the environment comes from base"
    runs = [i.arguments for i in own.all("RUN")]
    expected = (
        ["python -m waakhond_intake.processing.privacy.warmup"] if service.name == "intake" else []
    )
    assert runs == expected


def test_installs_runtime_requirements_then_the_project_without_deps(
    stages: list[Stage], chain: list[Stage]
) -> None:
    build = build_stage(stages, chain)
    steps = [f"{i.keyword} {i.arguments}" for i in build.instructions]

    def position(pattern: str) -> int:
        matches = [n for n, step in enumerate(steps) if re.search(pattern, step)]
        assert len(matches) == 1, f"expected one step matching {pattern!r}"
        return matches[0]

    # Only the run-time pins: requirements.txt adds the development and test tools.
    copy_requirements = position(r"^COPY requirements-runtime\.txt ")
    install_requirements = position(r"^RUN pip install -r requirements-runtime\.txt$")
    copy_sources = position(r"^COPY services ")
    install_project = position(r"^RUN pip install --no-deps .*\.$")
    # Sources are copied after the dependency layer, so code changes reuse that layer.
    assert copy_requirements < install_requirements < copy_sources < install_project


def test_final_stage_copies_only_the_built_environment(final: Stage) -> None:
    for copy in final.all("COPY"):
        assert copy.arguments.startswith("--from="), f"COPY {copy.arguments}"


# The system libraries WeasyPrint needs for the report's PDF, and the font the report names:
# the one thing the shared base installs from Debian.
REPORT_SYSTEM_PACKAGES = {"libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core"}
APT_INSTALL = re.compile(
    r"^apt-get update\s+&& apt-get install -y --no-install-recommends"
    r"\s+(?P<packages>[a-z0-9.+\-\s]+?)\s+&& rm -rf /var/lib/apt/lists/\*$"
)


def test_image_installs_nothing_at_run_time(final: Stage) -> None:
    # pip runs in the build stage only; the image's own steps fetch nothing but the report's
    # system libraries, once, in the shared base (checked below).
    for run in final.all("RUN"):
        if APT_INSTALL.match(run.arguments):
            continue
        assert not re.search(r"\b(pip|apt-get|curl|wget)\b", run.arguments), run.arguments


def test_base_installs_only_the_reports_system_libraries(stages: list[Stage]) -> None:
    installs = [
        (stage.name, APT_INSTALL.match(run.arguments))
        for stage in stages
        for run in stage.all("RUN")
        if "apt-get" in run.arguments
    ]
    assert [name for name, _ in installs] == ["base"], installs
    match = installs[0][1]
    assert match is not None, "apt-get only as update, install without recommends, clean up"
    assert set(match["packages"].split()) == REPORT_SYSTEM_PACKAGES


def test_intake_image_builds_the_deduce_cache(stages: list[Stage]) -> None:
    final = flatten(target_chain(stages, "intake"))
    runs = [i.arguments for i in final.instructions if i.keyword == "RUN"]
    assert "python -m waakhond_intake.processing.privacy.warmup" in runs
    # As root: the cache is written into the installed package, which the service user
    # cannot write. The service user is set again afterwards.
    warmup = next(n for n, i in enumerate(final.instructions) if "privacy.warmup" in i.arguments)
    users_before = [i.arguments for i in final.instructions[:warmup] if i.keyword == "USER"]
    users_after = [i.arguments for i in final.instructions[warmup:] if i.keyword == "USER"]
    assert users_before[-1:] in ([], ["root"], ["0"], ["0:0"]), users_before
    assert users_after, "no USER after the warmup: the image would run as root"


# --- build context ----------------------------------------------------------------------


def dockerignore_regex(pattern: str) -> re.Pattern[str]:
    """Docker's pattern syntax: `*` and `?` stay within a path segment, `**` crosses them."""
    parts = []
    for token in re.split(r"(\*\*|\*|\?)", pattern.strip("/")):
        if token == "**":
            parts.append(".*")
        elif token == "*":
            parts.append("[^/]*")
        elif token == "?":
            parts.append("[^/]")
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts).replace(".*/", "(.*/)?"))


def excluded_by_dockerignore(path: str, dockerignore: Path) -> bool:
    """Whether the build context leaves out path (relative to the context root)."""
    rules = [
        line.strip()
        for line in dockerignore.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    excluded = False
    for rule in rules:
        negated = rule.startswith("!")
        regex = dockerignore_regex(rule.lstrip("!"))
        # A pattern that matches a parent directory applies to everything below it.
        if any(regex.fullmatch(candidate) for candidate in candidates):
            excluded = not negated
    return excluded


def test_copied_sources_are_in_the_build_context(stages: list[Stage]) -> None:
    dockerignore = REPO_ROOT / ".dockerignore"
    for stage in stages:
        for copy in stage.all("COPY"):
            if copy.arguments.startswith("--from="):
                continue
            for source in copy.arguments.split()[:-1]:
                path = REPO_ROOT / source
                files = [path] if path.is_file() else sorted(p for p in path.rglob("*.py"))
                assert files, f"COPY {source}: nothing to copy"
                for file in files:
                    relative = file.relative_to(REPO_ROOT).as_posix()
                    assert not excluded_by_dockerignore(relative, dockerignore), relative


@pytest.mark.parametrize(
    "path",
    [
        "deploy/local/api-keys.json",
        "deploy/local/.env",
        ".env",
        ".venv/bin/python",
        ".git/config",
        "services/intake/waakhond_intake/__pycache__/app.cpython-311.pyc",
        "tests/deploy/test_dockerfiles.py",
        # The images install the run-time pins only.
        "requirements.txt",
        # ... and the services only: the tooling is a distribution of its own.
        "tools/pyproject.toml",
        "tools/waakhond_tools/stack/embedded.py",
        "tools/waakhond_tools/training/corpus/train.jsonl",
    ],
)
def test_build_context_leaves_out(path: str) -> None:
    assert excluded_by_dockerignore(path, REPO_ROOT / ".dockerignore")


# --- Grafana image for Kubernetes -------------------------------------------------------


def test_grafana_image_matches_the_compose_version_and_runs_as_grafana() -> None:
    (stage,) = parse_dockerfile(GRAFANA_DIR / "Dockerfile")
    compose = (REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    compose_images = re.findall(r"image:\s*(grafana/grafana:\S+)", compose)
    assert re.fullmatch(r"grafana/grafana:11\.6\.\d+", stage.image)
    assert compose_images == [stage.image]
    assert_non_root(stage)


def test_grafana_image_bakes_in_plugin_provisioning_and_dashboards() -> None:
    (stage,) = parse_dockerfile(GRAFANA_DIR / "Dockerfile")
    plugins_dir = env_values(stage)["GF_PATHS_PLUGINS"]
    # /var/lib/grafana is a volume in the cluster and would hide a plugin installed there.
    assert not plugins_dir.startswith("/var/lib/grafana")
    assert any(
        "plugins install grafana-clickhouse-datasource" in i.arguments for i in stage.all("RUN")
    )
    copies = {tuple(i.arguments.split()) for i in stage.all("COPY")}
    assert copies == {
        ("provisioning/datasources/", "/etc/grafana/provisioning/datasources/"),
        ("provisioning/dashboards/", "/etc/grafana/provisioning/dashboards/"),
        ("provisioning/alerting/", "/etc/grafana/provisioning/alerting/"),
        ("dashboards/", "/etc/grafana/dashboards/"),
        ("maps/", "/usr/share/grafana/public/maps/waakhond/"),
    }
    for source, _ in copies:
        assert (GRAFANA_DIR / source).is_dir()
        assert not excluded_by_dockerignore(
            source.rstrip("/") + "/x", GRAFANA_DIR / ".dockerignore"
        )
