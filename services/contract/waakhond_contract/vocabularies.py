"""Closed vocabularies of a signal, with the Dutch label shown to users.

Keys are stable English identifiers used in the API, on Kafka and in
ClickHouse; the Dutch labels are for dashboards and reports.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    """What a signal says about the system (multi-label)."""

    POLICY_GAP = "policy_gap"
    MISSED_RIGHTS = "missed_rights"
    UNREACHABLE_GROUPS = "unreachable_groups"
    NO_SUITABLE_CARE = "no_suitable_care"


class LawDomain(StrEnum):
    WMO = "wmo"
    WLZ = "wlz"
    JEUGDWET = "jeugdwet"
    ZVW = "zvw"
    PARTICIPATIEWET = "participatiewet"
    OTHER = "other"


class LifeDomain(StrEnum):
    HOUSING = "housing"
    CARE = "care"
    WORK_DAYTIME_ACTIVITIES = "work_daytime_activities"
    EDUCATION = "education"
    TRANSPORT = "transport"
    FINANCES = "finances"
    SOCIAL_CONTACTS = "social_contacts"
    SAFETY = "safety"
    OTHER = "other"


class TargetGroup(StrEnum):
    INTELLECTUAL_DISABILITY = "intellectual_disability"
    MENTAL_HEALTH = "mental_health"
    ACQUIRED_BRAIN_INJURY = "acquired_brain_injury"
    PHYSICAL_DISABILITY = "physical_disability"
    SENSORY_IMPAIRMENT = "sensory_impairment"
    AUTISM = "autism"
    ELDERLY_DEMENTIA = "elderly_dementia"
    YOUTH = "youth"
    INFORMAL_CARERS = "informal_carers"
    OTHER = "other"


class AgeBand(StrEnum):
    """Coarse on purpose: 18-26 marks the move from youth care to adult care."""

    AGE_0_17 = "0-17"
    AGE_18_26 = "18-26"
    AGE_27_64 = "27-64"
    AGE_65_79 = "65-79"
    AGE_80_PLUS = "80+"
    UNKNOWN = "unknown"


class SupporterType(StrEnum):
    FORMAL = "formal"
    INFORMAL = "informal"


DUTCH_LABELS: dict[StrEnum, str] = {
    Category.POLICY_GAP: "Beleidslacune",
    Category.MISSED_RIGHTS: "Rechten mislopen",
    Category.UNREACHABLE_GROUPS: "Niet bereikte groepen",
    Category.NO_SUITABLE_CARE: "Geen passend aanbod",
    LawDomain.WMO: "Wmo",
    LawDomain.WLZ: "Wlz",
    LawDomain.JEUGDWET: "Jeugdwet",
    LawDomain.ZVW: "Zvw",
    LawDomain.PARTICIPATIEWET: "Participatiewet",
    LawDomain.OTHER: "Overig",
    LifeDomain.HOUSING: "Wonen",
    LifeDomain.CARE: "Zorg",
    LifeDomain.WORK_DAYTIME_ACTIVITIES: "Werk en dagbesteding",
    LifeDomain.EDUCATION: "Onderwijs",
    LifeDomain.TRANSPORT: "Vervoer",
    LifeDomain.FINANCES: "Financiën",
    LifeDomain.SOCIAL_CONTACTS: "Sociale contacten",
    LifeDomain.SAFETY: "Veiligheid",
    LifeDomain.OTHER: "Overig",
    TargetGroup.INTELLECTUAL_DISABILITY: "Verstandelijke beperking (incl. LVB)",
    TargetGroup.MENTAL_HEALTH: "Psychische aandoening (GGZ)",
    TargetGroup.ACQUIRED_BRAIN_INJURY: "Niet-aangeboren hersenletsel (NAH)",
    TargetGroup.PHYSICAL_DISABILITY: "Lichamelijke beperking",
    TargetGroup.SENSORY_IMPAIRMENT: "Zintuiglijke beperking",
    TargetGroup.AUTISM: "Autisme",
    TargetGroup.ELDERLY_DEMENTIA: "Ouderen en dementie",
    TargetGroup.YOUTH: "Jeugd",
    TargetGroup.INFORMAL_CARERS: "Mantelzorgers",
    TargetGroup.OTHER: "Overig",
    AgeBand.AGE_0_17: "0-17 jaar",
    AgeBand.AGE_18_26: "18-26 jaar",
    AgeBand.AGE_27_64: "27-64 jaar",
    AgeBand.AGE_65_79: "65-79 jaar",
    AgeBand.AGE_80_PLUS: "80 jaar en ouder",
    AgeBand.UNKNOWN: "Onbekend",
    SupporterType.FORMAL: "Formele cliëntondersteuner",
    SupporterType.INFORMAL: "Informele cliëntondersteuner",
}


class PiiKind(StrEnum):
    """A kind of identifying detail: what intake redacts, and what a reviewer reports when a
    text still contains one. Values are stable: they appear in API responses and on Kafka."""

    NAME = "name"
    BSN = "bsn"
    PHONE = "phone"
    EMAIL = "email"
    IBAN = "iban"
    ADDRESS = "address"
    POSTCODE = "postcode"
    DATE = "date"
    IDENTIFIER = "identifier"
    URL = "url"
    LICENCE_PLATE = "licence_plate"
    AGE = "age"
    BIRTH_YEAR = "birth_year"
    SOCIAL_MEDIA = "social_media"
