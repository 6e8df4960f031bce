"""Child processes of the embedded stack: one per service, started as `waakhond <service>`."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import httpx

from waakhond_tools.stack.child import terminate_gracefully


class ServiceProcess:
    """``program`` runs with ``args``; the program is `python -m waakhond_cli` unless given."""

    def __init__(
        self,
        name: str,
        args: list[str],
        env: dict[str, str],
        log_file: Path,
        program: Sequence[str] = (sys.executable, "-m", "waakhond_cli"),
    ) -> None:
        self.name = name
        self.args = args
        self.program = tuple(program)
        self.env = env
        self.log_file = log_file
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> None:
        self._close_log()  # a restart after kill() reopens it
        self._log = self.log_file.open("ab")
        self._process = subprocess.Popen(
            [*self.program, *self.args],
            env={**os.environ, **self.env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def wait_ready(self, url: str, timeout: float, poll: float = 0.25) -> float:
        """Polls ``url`` every ``poll`` seconds until it answers 200; returns that moment
        (``time.monotonic()``). Fails as soon as the process exits."""
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=1.0) as client:
            while time.monotonic() < deadline:
                if not self.alive():
                    raise RuntimeError(f"{self.name} exited; see {self.log_file}")
                try:
                    if client.get(url).status_code == 200:
                        return time.monotonic()
                except httpx.HTTPError:
                    pass
                time.sleep(poll)
        raise TimeoutError(f"{self.name} not ready at {url} after {timeout}s; see {self.log_file}")

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM first, so the service finishes its batch and commits."""
        terminate_gracefully(self._process, timeout)
        self._process = None
        self._close_log()

    def kill(self) -> None:
        """SIGKILL: no chance to finish anything (fault tests)."""
        if self._process is not None:
            self._process.kill()
            self._process.wait()
        self._process = None
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
