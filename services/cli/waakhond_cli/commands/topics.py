"""``waakhond topics``: the one-shot job that creates the pipeline's topics."""

from __future__ import annotations

import typer

app = typer.Typer(help="Kafka topics of the pipeline.", no_args_is_help=True)


@app.callback()
def topics() -> None:
    """Kafka topics of the pipeline."""


@app.command("create")
def create() -> None:
    """Create the missing topics with the configured partition count."""
    from waakhond_runtime.settings import KafkaSettings, TopicSettings
    from waakhond_runtime.topics import ensure_topics

    created = ensure_topics(KafkaSettings(), TopicSettings())
    typer.echo(f"created topics: {', '.join(created) or 'none (all exist)'}")
