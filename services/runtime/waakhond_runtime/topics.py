"""Creating the pipeline's topics explicitly, before any client touches them.

Brokers that auto-create topics would otherwise make them on the first
metadata request, with a partition count nobody chose.
"""

from __future__ import annotations

import contextlib

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from waakhond_runtime.settings import KafkaSettings, TopicSettings


def ensure_topics(kafka: KafkaSettings, topics: TopicSettings) -> list[str]:
    """Create the missing topics; returns the names created now."""
    admin = KafkaAdminClient(
        bootstrap_servers=kafka.bootstrap_list, client_id=f"{kafka.client_id}-admin"
    )
    try:
        existing = set(admin.list_topics())
        missing = [name for name in topics.all if name not in existing]
        if missing:
            # Another instance may create one between our list and create: that is fine.
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(
                    [
                        NewTopic(name, topics.partitions, topics.replication_factor)
                        for name in missing
                    ]
                )
        return missing
    finally:
        admin.close()
