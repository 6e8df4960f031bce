"""`waakhond stack`, as `make run` starts it: every service as its own process, demo data in,
a summary out, everything stopped again."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from waakhond_aggregator.review.accounts import AccountRegistry
from waakhond_contract.messages import ReviewerRole
from waakhond_tools.stack.broker import free_port


def _run_stack(data: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    ports = [str(free_port()) for _ in range(4)]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "waakhond_cli",
            "stack",
            "--signals",
            "400",
            "--no-serve",
            "--data-dir",
            str(data),
            "--broker-port",
            ports[0],
            "--intake-port",
            ports[1],
            "--classifier-port",
            ports[2],
            "--aggregator-port",
            ports[3],
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    logs = "\n".join(p.read_text()[-3000:] for p in (data / "logs").glob("*.log"))
    assert result.returncode == 0, result.stdout + result.stderr + logs
    return result


def _national_total(stdout: str) -> int:
    national = re.search(r"Landelijk\n\s+Totaal\s+(\d+)", stdout)
    assert national is not None, stdout
    return int(national.group(1))


def test_stack_loads_demo_data_and_prints_a_summary(tmp_path: Path) -> None:
    result = _run_stack(tmp_path / "data")
    assert "accepted 400 of 400" in result.stdout
    # Shown with disclosure noise (standard deviation 2), then rounded to 5: only a draw of
    # 18 or more either way (probability 2^-17 * 2/3, about 5e-6) lands outside 385..415.
    shown = _national_total(result.stdout)
    assert shown % 5 == 0
    assert abs(shown - 400) <= 15, shown
    assert "Per zorgkantoorregio" in result.stdout
    assert (tmp_path / "data" / "chdb").is_dir()
    # The review page's demo account: the printed password signs in to the accounts file.
    login = re.search(r"sign in as (\S+) \(coordinator\), password (\S+)", result.stdout)
    assert login is not None, result.stdout
    registry = AccountRegistry(tmp_path / "data" / "review-accounts.json")
    reviewer = registry.authenticate(login.group(1), login.group(2))
    assert reviewer is not None
    assert reviewer.role is ReviewerRole.COORDINATOR


def test_a_second_day_on_the_same_data_folder_adds_that_days_demo(tmp_path: Path) -> None:
    # Each day's demo has client references of its own (they carry the date), so a second
    # day on the same data folder adds its signals beside the first day's.
    data = tmp_path / "data"
    _run_stack(data, "--demo-date", "2026-11-01")
    second = _run_stack(data, "--demo-date", "2026-11-02")
    assert "accepted 400 of 400" in second.stdout
    assert "not counted" not in second.stdout
    assert abs(_national_total(second.stdout) - 800) <= 20
