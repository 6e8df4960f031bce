"""The classifier's entry point: model processes, the faust worker, then run until stopped.

How the worker reads, classifies and delivers, and what it guarantees:
``waakhond_classifier.streaming.worker``.
"""

from __future__ import annotations

from waakhond_classifier.core.config import ClassifierSettings
from waakhond_classifier.model.base import SignalClassifier
from waakhond_classifier.processing.offload import ClassifierProcesses
from waakhond_classifier.streaming.faust_app import new_worker
from waakhond_classifier.streaming.worker import create_app
from waakhond_runtime.collector import settle_after_startup
from waakhond_runtime.settings import KafkaSettings, TopicSettings


def run(
    classifier: SignalClassifier,
    settings: ClassifierSettings | None = None,
    kafka: KafkaSettings | None = None,
    topics: TopicSettings | None = None,
) -> None:
    """Run the worker until SIGTERM/SIGINT; faust stops the agent and commits what was acked."""
    settings = settings or ClassifierSettings()
    with ClassifierProcesses(classifier, settings.processes) as processes:
        app = create_app(processes, settings, kafka, topics)
        worker = new_worker(app)
        settle_after_startup()
        worker.execute_from_commandline()
