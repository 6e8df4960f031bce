"""What several command modules share."""

from __future__ import annotations

import os


def log_level() -> str:
    return os.environ.get("WAAKHOND_LOG_LEVEL", "INFO")
