"""`waakhond stack`, as `make run` starts it: every service as its own process, demo data in,
a summary out, everything stopped again."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from waakhond_tools.stack.broker import free_port


def test_stack_loads_demo_data_and_prints_a_summary(tmp_path: Path) -> None:
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
            str(tmp_path / "data"),
            "--broker-port",
            ports[0],
            "--intake-port",
            ports[1],
            "--classifier-port",
            ports[2],
            "--aggregator-port",
            ports[3],
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    logs = "\n".join(p.read_text()[-3000:] for p in (tmp_path / "data" / "logs").glob("*.log"))
    assert result.returncode == 0, result.stdout + result.stderr + logs
    assert "accepted 400 of 400" in result.stdout
    national = re.search(r"Landelijk\n\s+Totaal\s+(\d+)", result.stdout)
    assert national is not None
    # Shown with disclosure noise (standard deviation 2), then rounded to 5: only a draw of
    # 18 or more either way (probability 2^-17 * 2/3, about 5e-6) lands outside 385..415.
    shown = int(national.group(1))
    assert shown % 5 == 0
    assert abs(shown - 400) <= 15, shown
    assert "Per zorgkantoorregio" in result.stdout
    assert (tmp_path / "data" / "chdb").is_dir()
