"""Classifier: signals/s through the real worker vs a pass-through faust agent.

Both read the same backlog on ``signals.submitted`` (what real intake produced
in the intake stage) in their own consumer group and write to their own
output topic. Each is timed by the broker timestamps of its output records
(first to last), so faust start-up, group join and model loading are outside
the rate, and the two are timed the same way although the pass-through agent
keeps no metrics of its own.
"""

from __future__ import annotations

from pathlib import Path

from waakhond_runtime.settings import KafkaSettings, TopicSettings
from waakhond_tools.bench.pipeline_common import (
    HOST,
    Drain,
    ModuleProcess,
    StageRatio,
    drain_by_timestamps,
    ratio,
)
from waakhond_tools.stack.broker import free_port
from waakhond_tools.stack.environments import classifier_environment
from waakhond_tools.stack.processes import ServiceProcess


def classifier_env(
    kafka: KafkaSettings, topics: TopicSettings, app_id: str, port: int, data_dir: Path
) -> dict[str, str]:
    return classifier_environment(
        kafka,
        topics,
        app_id=app_id,
        host=HOST,
        port=port,
        data_dir=data_dir,
        log_level="WARNING",
    )


def _drain(
    process: ServiceProcess, kafka: KafkaSettings, output: str, backlog: int, timeout: float
) -> Drain:
    process.start()
    try:
        return drain_by_timestamps(kafka, output, backlog, timeout)
    finally:
        process.stop()


def measure_classifier(
    kafka: KafkaSettings,
    topics: TopicSettings,
    passthrough_topic: str,
    backlog: int,
    folder: Path,
    timeout: float,
) -> StageRatio:
    """The real worker writes to ``topics.classified`` (read by the aggregator stage)."""
    limit_port, real_port = free_port(), free_port()
    # One at a time: on two cores the two workers would otherwise take CPU from each other.
    limit = _drain(
        ModuleProcess(
            "pass-through",
            "waakhond_tools.bench.pipeline_passthrough",
            classifier_env(
                kafka,
                topics.model_copy(update={"classified": passthrough_topic}),
                "bench-passthrough",
                limit_port,
                folder / "passthrough",
            ),
            folder / "passthrough.log",
        ),
        kafka,
        passthrough_topic,
        backlog,
        timeout,
    )
    measured = _drain(
        ServiceProcess(
            "classifier",
            ["classifier"],
            classifier_env(kafka, topics, "bench-classifier", real_port, folder / "classifier"),
            folder / "classifier.log",
        ),
        kafka,
        topics.classified,
        backlog,
        timeout,
    )
    return StageRatio(
        stage="classifier",
        unit="signals/s",
        rate=measured.rate,
        limit=limit.rate,
        ratio=ratio(measured.rate, limit.rate),
        detail={
            "backlog": backlog,
            "seconds": round(measured.seconds, 2),
            "limit_seconds": round(limit.seconds, 2),
        },
    )
