"""The classifier's refused deliveries are exported at 0 from the start: the alert on
dropped dead letters takes increase() of them, and a series that first appears at 1 shows
none."""

from __future__ import annotations

from waakhond_classifier.metrics import DELIVERY_REFUSED


def test_both_kinds_of_refused_record_are_exported_from_the_start() -> None:
    (family,) = DELIVERY_REFUSED.collect()
    exported = {s.labels["record"] for s in family.samples if s.name.endswith("_total")}
    assert exported == {"classified", "dead_letter"}
