"""Dutch texts of the review page that the aggregator's ``labels.py`` does not carry: the
category definitions reviewers decide by (from the domain brief), the kinds of identifying
detail, and why a signal is in the queue."""

from __future__ import annotations

from waakhond_contract.messages import ReviewReason
from waakhond_contract.vocabularies import Category, PiiKind

CATEGORY_DEFINITIONS: dict[str, str] = {
    Category.POLICY_GAP: (
        "De regels zelf schieten tekort: er is geen regeling voor de situatie, regels botsen, "
        "de knip tussen wetten (Wmo en Wlz, of 18-/18+ van Jeugdwet naar Wmo), budgetplafonds "
        "en urennormen van financiers, rollen die de onafhankelijkheid aantasten."
    ),
    Category.MISSED_RIGHTS: (
        "Een regel of recht bestaat, maar de uitvoering schiet tekort, zodat iemand niet krijgt "
        "waar hij recht op heeft: niet geïnformeerd, geen of een veel te late beschikking, "
        "aanvraag kwijt, ten onrechte afgewezen, indicatie verlaagd zonder onderzoek, bezwaar "
        "geblokkeerd, toeslag of pgb niet aangevraagd."
    ),
    Category.UNREACHABLE_GROUPS: (
        "Groepen die gemeenten of aanbieders niet bereiken: laaggeletterden, mensen zonder "
        "DigiD of digitale vaardigheden, taalbarrières, migranten en statushouders, dak- en "
        "thuislozen, zorgmijders, doven en blinden, jongeren die de jeugdzorg verlaten, "
        "bewoners van het platteland."
    ),
    Category.NO_SUITABLE_CARE: (
        "De nodige zorg of ondersteuning is er niet of past niet: wachtlijsten, geen plek "
        "(moeilijk plaatsbaar), aanbieders die complexe situaties weigeren, aanbod dat niet "
        "past bij leeftijd, beperking, cultuur of taal, personeelstekort."
    ),
}
BORDERLINE_NOTE = (
    "Rechten mislopen: een bestaande regel wordt niet goed uitgevoerd. Beleidslacune: de regel "
    "ontbreekt, botst of is slecht ontworpen. Een wachtlijst is geen passend aanbod; komt die "
    "door een budgetplafond, dan ook een beleidslacune. Een signaal kan meer categorieën hebben."
)
PII_KIND_LABELS: dict[str, str] = {
    PiiKind.NAME: "Naam",
    PiiKind.BSN: "BSN",
    PiiKind.PHONE: "Telefoonnummer",
    PiiKind.EMAIL: "E-mailadres",
    PiiKind.IBAN: "IBAN (rekeningnummer)",
    PiiKind.ADDRESS: "Adres",
    PiiKind.POSTCODE: "Postcode",
    PiiKind.DATE: "Datum (bijvoorbeeld geboortedatum)",
    PiiKind.IDENTIFIER: "Cliënt- of dossiernummer",
    PiiKind.URL: "Internetadres",
    PiiKind.LICENCE_PLATE: "Kenteken",
    PiiKind.AGE: "Exacte leeftijd",
    PiiKind.BIRTH_YEAR: "Geboortejaar",
    PiiKind.SOCIAL_MEDIA: "Account op sociale media",
}
REVIEW_REASON_LABELS: dict[str, str] = {
    ReviewReason.UNCERTAIN: "Het model twijfelt",
    ReviewReason.POSSIBLE_QUASI_IDENTIFIER: "Mogelijk herleidbaar tot een persoon",
}
SAMPLE_REASON = "Steekproef van zekere labels"
LABEL_SOURCE_LABELS = {"model": "Model", "review": "Beoordeeld"}
ROLE_LABELS = {"reviewer": "Beoordelaar", "coordinator": "Coördinator"}
OUTCOME_LABELS = {
    "labelled": "Gelabeld",
    "contains_identifying_details": "Bevat identificerende gegevens",
}
