"""Stopping child processes: SIGTERM first, so they finish their work, SIGKILL after a grace."""

from __future__ import annotations

import signal
import subprocess


def terminate_gracefully(process: subprocess.Popen[bytes] | None, timeout: float) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
