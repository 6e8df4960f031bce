"""`waakhond stack` stopped as systemd, Docker, CI or a closed terminal stop it: every child
goes, intake first and the broker last, and none is left holding ports or the chDB folder."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from waakhond_tools.stack.broker import free_port

SERVICES = ("intake", "classifier", "aggregator")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def descendants(pid: int) -> list[int]:
    found = []
    for child in children(pid):
        found += [child, *descendants(child)]
    return found


def alive(pid: int) -> bool:
    """Running or sleeping; a zombie has let go of its ports and files."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    state = next(line for line in status.splitlines() if line.startswith("State:"))
    return "zombie" not in state


def role(pid: int) -> str:
    arguments = Path(f"/proc/{pid}/cmdline").read_text().split("\0")
    return next((name for name in SERVICES if name in arguments), "broker")


@pytest.mark.e2e
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGHUP], ids=["term", "hup"])
def test_a_stop_signal_stops_every_child_in_order(tmp_path: Path, stop_signal: int) -> None:
    ports = [str(free_port()) for _ in range(4)]
    command = [sys.executable, "-m", "waakhond_cli", "stack", "--no-demo"]
    command += ["--data-dir", str(tmp_path / "data"), "--broker-port", ports[0]]
    command += ["--intake-port", ports[1], "--classifier-port", ports[2]]
    command += ["--aggregator-port", ports[3]]
    stack = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    output: list[str] = []
    try:
        assert stack.stdout is not None
        for line in stack.stdout:
            output.append(line)
            if line.startswith("serving"):
                break
        assert stack.poll() is None, "".join(output)
        direct = {pid: role(pid) for pid in children(stack.pid)}
        assert sorted(direct.values()) == ["aggregator", "broker", "classifier", "intake"]
        everything = descendants(stack.pid)

        stack.send_signal(stop_signal)
        # Which sweep first saw each child gone. Two children can go between two sweeps
        # (the broker stops within milliseconds of the aggregator), so a sweep is the
        # finest order the test can tell, and children seen in one sweep are a tie.
        gone_in: dict[str, int] = {}
        deadline = time.monotonic() + 120
        sweep = 0
        while len(gone_in) < len(direct) and time.monotonic() < deadline:
            sweep += 1
            for pid, name in direct.items():
                if name not in gone_in and not alive(pid):
                    gone_in[name] = sweep
            time.sleep(0.002)
        output.append(stack.stdout.read())
        assert stack.wait(timeout=60) == 0, "".join(output)
    finally:
        # The stack leads its own process group: whatever a failure left behind goes with it.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(stack.pid, signal.SIGKILL)

    left = [pid for pid in everything if alive(pid)]
    assert not left, f"left running: {[(pid, role(pid)) for pid in left]}"
    assert "stopping" in "".join(output)
    assert sorted(gone_in) == sorted(direct.values()), gone_in
    assert gone_in["intake"] == min(gone_in.values()), gone_in
    assert gone_in["broker"] == max(gone_in.values()), gone_in
    # The services go one after another, each after the one before has exited.
    assert gone_in["intake"] <= gone_in["classifier"] <= gone_in["aggregator"], gone_in
