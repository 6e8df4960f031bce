"""A seeded generator of realistic demo signals, and loading them through intake.

Signals come from several fictional client-support organisations, each active
in a few provinces, spread over the last weeks. Texts are composed from
situations per category, so the classifier has something real to tag; the
demo is not training material.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from waakhond_contract.regions import RegionLevel, load_region_reference
from waakhond_contract.vocabularies import (
    AgeBand,
    Category,
    LawDomain,
    LifeDomain,
    SupporterType,
    TargetGroup,
)


@dataclass(frozen=True, slots=True)
class DemoOrganisation:
    organisation_id: str
    provinces: tuple[str, ...]
    share_informal: float


DEMO_ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    DemoOrganisation("mee-noordoost", ("PV20", "PV21", "PV22"), 0.1),
    DemoOrganisation("zorgbelang-midden", ("PV26", "PV27", "PV25"), 0.2),
    DemoOrganisation("welzijn-zuid", ("PV30", "PV31"), 0.3),
    DemoOrganisation("oco-randstad", ("PV28", "PV27", "PV24"), 0.15),
    DemoOrganisation("ondersteuners-oost", ("PV23", "PV25"), 0.5),
)

SITUATIONS: dict[Category, tuple[str, ...]] = {
    Category.MISSED_RIGHTS: (
        "Na drie maanden nog steeds geen beschikking van de gemeente op de Wmo-aanvraag, "
        "terwijl de wettelijke termijn allang verstreken is.",
        "Cliënt is niet geïnformeerd over het recht op onafhankelijke cliëntondersteuning "
        "bij het keukentafelgesprek.",
        "Indicatie voor huishoudelijke hulp is verlaagd zonder nieuw onderzoek of gesprek.",
        "Aanvraag pgb is zoekgeraakt bij de gemeente, cliënt moest alles opnieuw indienen.",
        "Bezwaar tegen de afwijzing werd niet in behandeling genomen omdat het formulier "
        "alleen digitaal kon worden ingediend.",
        "Zorgtoeslag en bijzondere bijstand nooit aangevraagd, niemand heeft gezinsleden "
        "erop gewezen.",
        "CIZ-indicatie Wlz afgewezen zonder dat de situatie thuis is bekeken.",
    ),
    Category.NO_SUITABLE_CARE: (
        "Wachtlijst voor beschermd wonen is ruim een jaar, in de tussentijd geen passende "
        "plek beschikbaar.",
        "Geen enkele aanbieder in de regio wil de cliënt opnemen vanwege de complexe "
        "combinatie van LVB en verslaving.",
        "Dagbesteding past niet bij de leeftijd: jongvolwassene zit tussen tachtigjarigen.",
        "Cliëntenstop bij alle thuiszorgaanbieders, mantelzorger is overbelast.",
        "Crisisbed niet beschikbaar, cliënt met NAH moest terug naar huis.",
        "Geen behandelaar GGZ beschikbaar die Arabisch spreekt of met tolk werkt.",
        "Moeilijk plaatsbaar: zorgkantoor vindt al maanden geen verpleeghuisplek.",
    ),
    Category.UNREACHABLE_GROUPS: (
        "Laaggeletterde inwoners weten niet dat ze een aanvraag kunnen doen, informatie "
        "staat alleen online.",
        "Statushouders komen niet in beeld bij het wijkteam door de taalbarrière.",
        "Dove cliënt kan het Wmo-loket niet bereiken, alleen telefonisch contact mogelijk.",
        "Ouderen zonder DigiD lukt het niet om de aanvraag in te dienen.",
        "Dak- en thuisloze jongeren na jeugdzorg zijn volledig uit beeld geraakt.",
        "Zorgmijders in het buitengebied worden door niemand bereikt.",
    ),
    Category.POLICY_GAP: (
        "Cliënt valt tussen Wmo en Wlz: gemeente en zorgkantoor wijzen naar elkaar, "
        "niemand voelt zich verantwoordelijk.",
        "Bij 18 jaar stopt de jeugdhulp en is er geen aansluitende regeling in de Wmo.",
        "Budgetplafond van de gemeente betekent dat aanbieders na september niemand meer aannemen.",
        "De urennorm voor cliëntondersteuning is te krap voor complexe situaties.",
        "Regels van Participatiewet en Wmo spreken elkaar tegen bij begeleiding naar werk.",
        "Geen regeling voor vervoer naar dagbesteding buiten de gemeentegrens.",
    ),
}
# Phrases that add context without pointing at a category.
CONTEXT: tuple[str, ...] = (
    "Signaal besproken in het teamoverleg.",
    "Mantelzorger is uitgeput.",
    "Situatie speelt al langer.",
    "Vergelijkbare situaties vaker gezien deze maand.",
    "Cliënt woont alleen.",
    "Ook het netwerk kon niet helpen.",
    "",
)
_CATEGORY_WEIGHTS = {
    Category.MISSED_RIGHTS: 0.35,
    Category.NO_SUITABLE_CARE: 0.35,
    Category.UNREACHABLE_GROUPS: 0.15,
    Category.POLICY_GAP: 0.15,
}


def generate_signals(
    count: int, seed: int = 2025, weeks: int = 26, today: dt.date | None = None
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yields (organisation_id, submission body) pairs, the same for the same seed and date."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    today = today or dt.date.today()
    region_map = load_region_reference().map_for(today)
    by_province: dict[str, list[str]] = {}
    for municipality in region_map.municipalities.values():
        province = municipality.region(RegionLevel.PROVINCE).code
        by_province.setdefault(province, []).append(municipality.code)
    categories = list(_CATEGORY_WEIGHTS)
    weights = list(_CATEGORY_WEIGHTS.values())
    for number in range(count):
        organisation = rng.choice(DEMO_ORGANISATIONS)
        municipality_code = rng.choice(by_province[rng.choice(organisation.provinces)])
        chosen = {rng.choices(categories, weights)[0]}
        if rng.random() < 0.25:
            chosen.add(rng.choices(categories, weights)[0])
        parts = [rng.choice(SITUATIONS[category]) for category in sorted(chosen)]
        parts.append(rng.choice(CONTEXT))
        body = {
            # The date keeps one day's demo apart from another's in the same data folder:
            # with the same references a later day's demo would correct the earlier one.
            "client_ref": f"demo-{today:%Y%m%d}-{seed}-{number:06d}",
            "observed_on": (today - dt.timedelta(days=rng.randrange(weeks * 7))).isoformat(),
            "municipality_code": municipality_code,
            "law_domains": sorted(
                {str(d) for d in rng.sample(_LAW_DOMAINS, rng.choice((1, 1, 1, 2)))}
            ),
            "life_domains": sorted(
                {str(d) for d in rng.sample(_LIFE_DOMAINS, rng.choice((1, 1, 2, 3)))}
            ),
            "target_groups": sorted(
                {str(d) for d in rng.sample(_TARGET_GROUPS, rng.choice((1, 1, 2)))}
            ),
            "age_band": str(rng.choice(_AGE_BANDS)),
            "supporter_type": str(
                SupporterType.INFORMAL
                if rng.random() < organisation.share_informal
                else SupporterType.FORMAL
            ),
            "description": " ".join(part for part in parts if part),
        }
        yield organisation.organisation_id, body


_LAW_DOMAINS: list[LawDomain] = [
    LawDomain.WMO,
    LawDomain.WMO,
    LawDomain.WMO,
    LawDomain.WLZ,
    LawDomain.WLZ,
    LawDomain.JEUGDWET,
    LawDomain.ZVW,
    LawDomain.PARTICIPATIEWET,
]
_LIFE_DOMAINS: list[LifeDomain] = list(LifeDomain)
_TARGET_GROUPS: list[TargetGroup] = list(TargetGroup)
_AGE_BANDS: list[AgeBand] = [b for b in AgeBand if b is not AgeBand.UNKNOWN]


@dataclass(frozen=True, slots=True)
class LoadReport:
    submitted: int
    accepted: int
    rejected: int


def load_signals(
    intake_url: str,
    tokens: dict[str, str],
    signals: Sequence[tuple[str, dict[str, Any]]],
    batch_size: int = 250,
    timeout: float = 30.0,
) -> LoadReport:
    """Posts the signals per organisation through the batch endpoint."""
    accepted = rejected = 0
    by_organisation: dict[str, list[dict[str, Any]]] = {}
    for organisation_id, body in signals:
        by_organisation.setdefault(organisation_id, []).append(body)
    with httpx.Client(base_url=intake_url, timeout=timeout) as http:
        for organisation_id, bodies in by_organisation.items():
            headers = {"Authorization": f"Bearer {tokens[organisation_id]}"}
            for start in range(0, len(bodies), batch_size):
                chunk = bodies[start : start + batch_size]
                response = http.post("/v1/signals/batch", json={"signals": chunk}, headers=headers)
                if response.status_code not in (202, 207):
                    raise RuntimeError(
                        f"intake answered {response.status_code}: {response.text[:500]}"
                    )
                result = response.json()
                accepted += result["accepted"]
                rejected += result["rejected"] + result["unavailable"]
    return LoadReport(submitted=len(signals), accepted=accepted, rejected=rejected)
