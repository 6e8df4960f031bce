"""Loads the demo signals into the Compose stack's intake, once per data volume.

Run by the one-shot ``demo`` service of docker-compose.yml after intake is healthy: the
same seeded generator and submitter as ``waakhond stack --demo``
(``waakhond_tools.stack.demo``), through intake's batch endpoint, so the signals take the
real path (redaction, Kafka, classifier, aggregator) and the dashboards open filled.

Settings (environment): ``WAAKHOND_DEMO_API_KEY`` an intake key (``waakhond keys create
--org demo``; without it the demo is skipped), ``WAAKHOND_DEMO_INTAKE_URL``,
``WAAKHOND_DEMO_SIGNALS``, ``WAAKHOND_DEMO_SEED`` and ``WAAKHOND_DEMO_STATE_DIR``, where a
marker records that this seed was loaded, so a second ``docker compose up`` loads nothing
twice.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> int:
    token = os.environ.get("WAAKHOND_DEMO_API_KEY", "").strip()
    if not token:
        print(
            "demo: geen WAAKHOND_DEMO_API_KEY gezet, er worden geen demosignalen geladen "
            "(zie deploy/README.md, Demo data)."
        )
        return 0
    url = os.environ.get("WAAKHOND_DEMO_INTAKE_URL", "http://intake:8000")
    try:
        count = int(os.environ.get("WAAKHOND_DEMO_SIGNALS", "5000"))
        seed = int(os.environ.get("WAAKHOND_DEMO_SEED", "2025"))
    except ValueError as error:
        print(f"demo: WAAKHOND_DEMO_SIGNALS en WAAKHOND_DEMO_SEED zijn gehele getallen: {error}")
        return 2
    marker = Path(os.environ.get("WAAKHOND_DEMO_STATE_DIR", "/var/lib/waakhond-demo"))
    marker = marker / f"loaded-seed-{seed}"
    if marker.exists():
        print(f"demo: de demosignalen (seed {seed}) zijn al eerder geladen; niets te doen.")
        return 0

    import httpx

    from waakhond_tools.stack.demo import DEMO_ORGANISATIONS, generate_signals, load_signals

    # One intake key for all demo organisations: intake counts the signals under the
    # key's organisation; the demo's regions and texts still vary per organisation.
    tokens = {organisation.organisation_id: token for organisation in DEMO_ORGANISATIONS}
    signals = list(generate_signals(count, seed=seed))
    try:
        report = load_signals(url, tokens, signals)
    except (httpx.HTTPError, RuntimeError, ValueError) as error:
        # One clear line instead of a traceback: intake unreachable or refusing the key.
        print(f"demo: laden via {url} mislukt: {error}", file=sys.stderr)
        return 1
    print(
        f"demo: {report.submitted} signalen aangeboden, {report.accepted} aangenomen, "
        f"{report.rejected} geweigerd."
    )
    if report.accepted == 0:
        return 1
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(f"{report.accepted}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
