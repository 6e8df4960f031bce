"""A local S3 endpoint (moto) so a Tansu broker can keep its data across restarts.

Tansu's ``memory://`` storage forgets everything when the broker stops; with
``s3://`` it stores topics, offsets and groups as objects. Tests that stop and
restart the broker use this; production runs Apache Kafka.
"""

from __future__ import annotations

from types import TracebackType

import httpx
from moto.server import ThreadedMotoServer

from waakhond_tools.stack.broker import free_port


class LocalS3:
    def __init__(self, bucket: str = "tansu", host: str = "127.0.0.1") -> None:
        self.bucket = bucket
        self.host = host
        self.port = free_port(host)
        self._server = ThreadedMotoServer(ip_address=host, port=self.port, verbose=False)

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def storage_url(self) -> str:
        return f"s3://{self.bucket}/"

    def broker_environment(self) -> dict[str, str]:
        """What Tansu's S3 client reads; the credentials are moto's placeholders."""
        return {
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_ENDPOINT": self.endpoint,
            "AWS_ALLOW_HTTP": "true",
        }

    def start(self) -> LocalS3:
        self._server.start()
        httpx.put(f"{self.endpoint}/{self.bucket}", timeout=10).raise_for_status()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> LocalS3:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
