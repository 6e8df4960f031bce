"""One place that turns a user's mistake into a message and an exit code, never a traceback.

A mistake is input the user can correct: a setting in the environment that does not parse,
a file that is missing, unreadable or not what it should be, a value a service refuses
(``ValueError``), a broker or database that does not answer at the configured address.
Anything else is a fault of ours and keeps its traceback. ``WAAKHOND_TRACEBACK=1`` shows
the traceback of a mistake too, for whoever debugs the command.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_settings import BaseSettings

EXIT_BAD_INPUT = 2
EXIT_UNREACHABLE = 1
# Connection failures, by the class names the clients raise them under.
_UNREACHABLE = {
    "kafka": ("NoBrokersAvailable", "KafkaTimeoutError", "KafkaConnectionError"),
    "clickhouse_connect": ("OperationalError",),
}


@dataclass(frozen=True, slots=True)
class Explained:
    message: str
    exit_code: int


def show_tracebacks() -> bool:
    return os.environ.get("WAAKHOND_TRACEBACK", "") not in ("", "0")


def _settings_classes(base: type[BaseSettings] = BaseSettings) -> dict[str, type[BaseSettings]]:
    found: dict[str, type[BaseSettings]] = {}
    for subclass in base.__subclasses__():
        found[subclass.__name__] = subclass
        found |= _settings_classes(subclass)
    return found


def _validation_message(error: ValidationError) -> str:
    settings = _settings_classes().get(error.title)
    parts = []
    for detail in error.errors(include_url=False):
        location = ".".join(str(part) for part in detail["loc"])
        if settings is not None and detail["loc"]:
            prefix = str(settings.model_config.get("env_prefix", ""))
            location = f"{prefix}{detail['loc'][0]}".upper()
        parts.append(f"{location}: {detail['msg']}" if location else str(detail["msg"]))
    what = "invalid setting" if settings is not None else f"invalid {error.title}"
    return f"{what}: " + "; ".join(parts)


def explain(error: BaseException) -> Explained | None:
    """The message and exit code of a user's mistake; ``None`` for anything else."""
    module = type(error).__module__.split(".")[0]
    if type(error).__name__ in _UNREACHABLE.get(module, ()):
        service = "Kafka" if module == "kafka" else "ClickHouse"
        return Explained(
            f"{service} is not reachable: {error}. Check the WAAKHOND_* settings of its "
            "address and that it runs.",
            EXIT_UNREACHABLE,
        )
    if isinstance(error, ValidationError):
        return Explained(_validation_message(error), EXIT_BAD_INPUT)
    if isinstance(error, OSError) and error.filename is not None:
        return Explained(f"{error.strerror or error}: {error.filename}", EXIT_BAD_INPUT)
    if isinstance(error, ValueError):
        return Explained(str(error), EXIT_BAD_INPUT)
    return None
