"""Dutch words for what redaction removes (the kinds of ``KindCount``)."""

from __future__ import annotations

KIND_LABELS: dict[str, str] = {
    "name": "naam",
    "bsn": "BSN",
    "phone": "telefoonnummer",
    "email": "e-mailadres",
    "iban": "rekeningnummer",
    "address": "adres",
    "postcode": "postcode",
    "date": "datum",
    "identifier": "dossier- of kenmerknummer",
    "url": "webadres",
    "licence_plate": "kenteken",
    "age": "leeftijd",
    "birth_year": "geboortejaar",
    "social_media": "sociale-media-account",
    "place": "plaatsnaam (algemener gemaakt)",
    "street": "straatnaam (algemener gemaakt)",
    "institution": "instelling (algemener gemaakt)",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)
