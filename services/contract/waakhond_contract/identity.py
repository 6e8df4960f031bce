"""Deterministic signal identity: a retried submission gets the same id."""

from __future__ import annotations

import uuid

# Fixed forever: changing it would give every resubmitted signal a new identity.
SIGNAL_ID_NAMESPACE = uuid.UUID("6f1d3c5e-2a4b-5c8d-9e0f-7a6b5c4d3e2f")


def derive_signal_id(organisation_id: str, client_ref: str) -> uuid.UUID:
    """UUIDv5 of (organisation, client_ref).

    The unit separator keeps ("a", "b:c") and ("a:b", "c") apart.
    """
    return uuid.uuid5(SIGNAL_ID_NAMESPACE, f"{organisation_id}\x1f{client_ref}")
