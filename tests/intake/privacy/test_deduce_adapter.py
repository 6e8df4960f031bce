"""deduce's prescreen: skipping the pipeline must never change what deduce finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from waakhond_intake.privacy import Redactor, shared_redactor
from waakhond_intake.privacy.deduce_adapter import Annotation, DeduceEngine
from waakhond_intake.privacy.evaluation import concatenate, load_cases
from waakhond_stack.demo import CONTEXT, SITUATIONS, generate_signals

CASES_FILE = Path(__file__).parent / "data" / "pii_cases.jsonl"


@pytest.fixture(scope="module")
def engine() -> DeduceEngine:
    return shared_redactor().engine


def _adversarial_texts() -> list[str]:
    cases = load_cases(CASES_FILE)
    return [case.text for case in cases] + [case.text for case in concatenate(cases)]


def _demo_texts() -> list[str]:
    generated = {body["description"] for _, body in generate_signals(3000, seed=2025)}
    parts = {text for texts in SITUATIONS.values() for text in texts} | set(CONTEXT)
    return sorted(generated | {part for part in parts if part})


def _key(annotations: list[Annotation]) -> list[tuple[str, int, int]]:
    return sorted((str(a.category), a.start, a.end) for a in annotations)


@pytest.mark.parametrize(
    "texts", [_adversarial_texts(), _demo_texts()], ids=["adversarial", "demo"]
)
def test_prescreen_gives_the_same_annotations_as_the_full_pipeline(
    engine: DeduceEngine, texts: list[str]
) -> None:
    differing = [
        text
        for text in texts
        if _key(engine.annotate(text)) != _key(engine.annotate(text, prescreen=False))
    ]
    assert differing == []


@pytest.mark.parametrize(
    "text",
    [
        "Mevrouw Jansen woont aan de Kerkstraat 12 in Utrecht.",
        "Dhr. P. de Vries kreeg geen beschikking.",
        "Haar zoon Kevin Bakker belde op 3 april 2024.",
        "Bel 06-12345678 of mail naar jan@example.nl.",
        "Opgenomen in het Antonius Ziekenhuis.",
    ],
)
def test_prescreen_runs_deduce_on_texts_with_details(engine: DeduceEngine, text: str) -> None:
    assert engine.may_annotate(text)
    assert engine.annotate(text) == engine.annotate(text, prescreen=False)


def test_prescreen_skips_most_plain_signal_texts(engine: DeduceEngine) -> None:
    texts = _demo_texts()
    skipped = [text for text in texts if not engine.may_annotate(text)]
    # The fast path must actually be taken, or the comparison above proves nothing.
    assert len(skipped) > 0.8 * len(texts)
    # A street name alone ("Signaal", "Wachtlijst") is removed again by deduce.
    assert not engine.may_annotate("Signaal besproken in het teamoverleg.")


def test_redact_many_equals_redact_per_text(engine: DeduceEngine) -> None:
    redactor = Redactor(engine)
    texts = [*_adversarial_texts()[:20], "Cliënt woont alleen.", "Cliënt woont alleen."]
    assert redactor.redact_many(texts) == [redactor.redact(text) for text in texts]
