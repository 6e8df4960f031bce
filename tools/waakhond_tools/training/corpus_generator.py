# ruff: noqa: E501  (the Dutch phrasings are data; wrapping them would only hurt reading them)
"""Seeded generator of the training split (``corpus/train.jsonl``).

There is no public labelled set of client-support signals, so the training
material is composed: a signal is built from situations (each with the
categories it implies), optional context that carries no category, and the
habits of supporters' notes (abbreviations, terse style, typos, missing
accents). The labels come from the situations that were composed, never from
keywords, so a text that mentions a "beschikking" in passing is not labelled
``missed_rights``.

This module was written after the held-out split (``corpus/test.jsonl``) was
frozen, and only ``train.jsonl`` is ever produced by it; see
``corpus/README.md`` for how the separation is kept and checked.

Run ``python -m waakhond_tools.training.corpus_generator`` to rewrite
``train.jsonl``; the output is byte-identical for the same seed and size.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

from waakhond_contract.vocabularies import Category
from waakhond_tools.training.corpus import (
    CorpusRecord,
    Source,
    Split,
    default_corpus_dir,
    ordered_labels,
    split_path,
    write_records,
)

P = Category.POLICY_GAP
M = Category.MISSED_RIGHTS
U = Category.UNREACHABLE_GROUPS
N = Category.NO_SUITABLE_CARE


@dataclass(frozen=True, slots=True)
class GeneratorConfig:
    seed: int = 20250611
    size: int = 2000
    # Shares of the kinds of signal; the rest are single-category signals.
    share_without_label: float = 0.09
    share_fixed_combination: float = 0.17
    share_free_combination: float = 0.12


@dataclass(frozen=True, slots=True)
class Situation:
    labels: frozenset[Category]
    phrasings: tuple[str, ...]


def _s(labels: set[Category], *phrasings: str) -> Situation:
    return Situation(frozenset(labels), phrasings)


# --- slot banks -------------------------------------------------------------

SLOTS: dict[str, tuple[str, ...]] = {
    "condition": (
        "met NAH",
        "met een LVB",
        "met beginnende dementie",
        "met een psychische aandoening",
        "met autisme",
        "met MS",
        "met een visuele beperking",
        "die slechthorend is",
        "met een dwarslaesie",
        "met COPD",
        "met Parkinson",
        "met een verslaving",
        "met een verstandelijke beperking",
        "met een bipolaire stoornis",
        "met reuma",
        "na een herseninfarct",
        "met ernstige angstklachten",
        "met schizofrenie",
        "met ALS",
        "met chronische vermoeidheid",
        "met een spierziekte",
        "met GGZ-problematiek",
    ),
    "svc": (
        "hulp bij het huishouden",
        "huishoudelijke ondersteuning",
        "individuele begeleiding",
        "begeleiding thuis",
        "dagbesteding",
        "een woningaanpassing",
        "een traplift",
        "een scootmobiel",
        "een rolstoel",
        "vervoer met de regiotaxi",
        "beschermd wonen",
        "kortdurend verblijf",
        "een douchestoel en aanpassing van de badkamer",
        "een aangepaste fiets",
        "begeleiding naar werk",
        "een pgb voor begeleiding",
        "respijtzorg voor de mantelzorger",
        "een verhuiskostenvergoeding",
        "een tillift",
        "ondersteuning bij de administratie",
    ),
    "actor": (
        "de gemeente",
        "het wijkteam",
        "het Wmo-loket",
        "de consulent",
        "het sociaal team",
        "de afdeling Wmo",
        "het zorgloket",
        "gemeente",
        "het team toegang",
        "de Wmo-consulent",
    ),
    "wlzactor": ("het zorgkantoor", "het CIZ", "de zorgverzekeraar", "het CAK", "de SVB"),
    "dur": (
        "drie maanden",
        "ruim tien weken",
        "vier maanden",
        "bijna een half jaar",
        "twaalf weken",
        "negen weken",
        "vijf maanden",
        "ruim twee maanden",
        "14 weken",
        "7 mnd",
        "20 weken",
        "meer dan drie maanden",
    ),
    "wait": (
        "een half jaar",
        "negen maanden",
        "meer dan een jaar",
        "anderhalf jaar",
        "acht maanden",
        "zeker 6 maanden",
        "12 tot 18 maanden",
        "26 weken",
        "onbekend lang",
        "4 maanden",
        "minstens een jaar",
        "twee jaar",
    ),
    "right": (
        "bijzondere bijstand",
        "kwijtschelding van de gemeentelijke belastingen",
        "de individuele inkomenstoeslag",
        "huurtoeslag",
        "zorgtoeslag",
        "een vergoeding voor meerkosten",
        "de mantelzorgwaardering",
        "de gemeentepolis (collectieve zorgverzekering)",
        "een pgb",
        "vervoer via de regiotaxi",
        "een gehandicaptenparkeerkaart",
        "de energietoeslag",
        "een tegemoetkoming in de eigen bijdrage",
        "kinderbijslag voor een thuiswonend kind met een beperking",
        "een vergoeding voor een tolk",
    ),
    "care": (
        "beschermd wonen",
        "dagbesteding",
        "een logeerplek",
        "begeleid wonen",
        "een verpleeghuisplek",
        "ambulante begeleiding",
        "een ggz-behandeling",
        "kortdurend verblijf",
        "een plek in een kleinschalige woonvorm",
        "specialistische jeugdhulp",
        "thuisbegeleiding",
        "een crisisplek",
        "respijtzorg",
        "een plek op een zorgboerderij",
        "intensieve ambulante ggz",
        "een revalidatieplek",
        "psychomotorische therapie",
        "behandeling voor NAH",
        "een woonplek met toezicht",
        "een plek in een gezinshuis",
    ),
    "complex": (
        "een LVB in combinatie met verslaving",
        "agressief gedrag",
        "autisme en een eetstoornis",
        "NAH en fors alcoholgebruik",
        "psychiatrie én een verstandelijke beperking",
        "een forse gedragsstoornis",
        "een trauma en zelfbeschadiging",
        "een forensische achtergrond",
        "dementie met ontremd gedrag",
        "een complexe zorgvraag met veel nachtzorg",
    ),
    "provider": (
        "de aanbieder",
        "de zorgaanbieder",
        "de instelling",
        "de woonlocatie",
        "het verpleeghuis",
        "de ggz-instelling",
        "de dagbestedingslocatie",
        "de thuiszorgorganisatie",
        "de gehandicaptenzorginstelling",
    ),
    "region": (
        "in de regio",
        "in onze gemeente",
        "in de wijde omtrek",
        "binnen 50 kilometer",
        "in de hele provincie",
        "in deze zorgkantoorregio",
        "in de buurgemeenten ook niet",
        "hier in de buurt",
    ),
    "n": ("3", "4", "5", "6", "8", "10"),
    "m": ("1", "2", "1,5", "2,5"),
}

# A resident as first mentioned, and how a note refers back to them.
PERSONS: tuple[tuple[str, str], ...] = (
    # The back-reference is a noun, not a pronoun: it has to fit as subject
    # ("meneer haakt af") and as object ("niemand neemt meneer aan").
    ("mevrouw", "mevrouw"),
    ("meneer", "meneer"),
    ("mw.", "mw."),
    ("dhr.", "dhr."),
    ("cliënt", "cliënt"),
    ("client", "client"),
    ("clt", "clt"),
    ("mijn cliënt", "cliënt"),
    ("de inwoner", "de inwoner"),
    ("een alleenstaande moeder", "moeder"),
    ("een oudere man", "meneer"),
    ("een weduwe", "mevrouw"),
    ("een jonge vader", "vader"),
    ("een jongvolwassene", "de jongvolwassene"),
    ("een jongen van 19", "de jongen"),
    ("een meid van 20", "de jonge vrouw"),
    ("een vrouw van middelbare leeftijd", "mevrouw"),
    ("een man van rond de 60", "meneer"),
    ("een bewoner van de flat", "de bewoner"),
    ("een oud-verpleegkundige", "mevrouw"),
    ("een vrouw van in de 80", "mevrouw"),
    ("een meneer van 72", "meneer"),
    ("de moeder", "moeder"),
    ("een student", "de student"),
)

# Groups the system does not reach, each with the barrier that keeps them out.
GROUPS: tuple[tuple[str, str], ...] = (
    ("laaggeletterde inwoners", "de brieven en formulieren niet kunnen lezen"),
    ("ouderen zonder computer", "niets kunnen met het digitale aanvraagportaal"),
    ("mensen zonder DigiD", "niet kunnen inloggen op de website van de gemeente"),
    ("statushouders", "de weg in het Nederlandse zorgstelsel nog niet kennen"),
    ("arbeidsmigranten", "nergens ingeschreven staan en de taal niet spreken"),
    ("nieuwkomers", "geen Nederlands spreken en de folders niet begrijpen"),
    ("dak- en thuislozen", "geen postadres hebben"),
    ("zorgmijders", "de deur niet opendoen voor hulpverleners"),
    ("dove inwoners", "het loket alleen telefonisch kunnen bereiken"),
    ("blinde en slechtziende mensen", "de ontoegankelijke pdf's niet kunnen lezen"),
    ("jongeren die net uit de jeugdzorg komen", "na hun 18e door niemand meer gevolgd worden"),
    ("bewoners van het buitengebied", "geen vervoer hebben naar het loket in de stad"),
    ("alleenwonende ouderen", "nauwelijks contact hebben met wie dan ook"),
    ("mantelzorgers", "zichzelf niet als mantelzorger zien"),
    ("ouders met een LVB", "de ingewikkelde brieven niet snappen"),
    ("mensen met psychische problemen", "hun post ongeopend laten liggen"),
    ("oudere migranten", "alleen hun moedertaal goed spreken"),
    ("mensen die de overheid wantrouwen", "niemand van de gemeente binnenlaten"),
    ("jongeren met een LVB", "geen mail lezen en niet bellen"),
    ("bewoners van vakantieparken", "op geen enkel adres geregistreerd zijn"),
    ("doofblinde mensen", "zonder tolk-begeleider met niemand kunnen communiceren"),
    ("jonge mantelzorgers", "op school en bij de gemeente onopgemerkt blijven"),
)

# --- situations per category ------------------------------------------------

SITUATIONS: dict[str, tuple[Situation, ...]] = {
    "missed": (
        # An official or body telling something contrary to a rule that exists:
        # execution fails, so missed_rights and not policy_gap (LABELLING.md).
        _s(
            {M},
            "{actor} vertelde {person} dat een pgb voor {svc} 'hier niet kan'. Onjuist: de Wmo kent het pgb gewoon.",
            "volgens {actor} kan er geen bezwaar worden gemaakt tegen dit besluit. klopt niet, er staat zelfs een bezwaarclausule onder",
            "{person} hoorde van {actor} dat {svc} alleen voor 75-plussers is. Zo'n leeftijdsgrens staat nergens, het is gewoon fout advies.",
            "{wlzactor} beweert dat {care} buiten de Wlz valt. Het is wel degelijk een aanspraak, {person} loopt het zo mis.",
            "Aan de telefoon kreeg {person} te horen: 'daar heeft u geen recht op'. Dat is niet waar, de regeling is er en {person} voldoet eraan.",
            "consulent zei: eerst je spaargeld opmaken, dan pas {svc}. die eis bestaat niet in de wet",
            "{actor} stelde dat je met een Wlz-indicatie geen cliëntondersteuner meer mag hebben. Ten onrechte: het zorgkantoor moet die juist bieden.",
            "Vraag: mag {actor} zeggen dat {person} 'te jong' is voor {svc}? Nergens in de verordening staat een leeftijd. Fout dus.",
            "{actor} telt de hulp van de buren mee als gebruikelijke zorg, terwijl dat alleen voor huisgenoten geldt. Daarop afgewezen.",
            "wmo-consulent: 'wij doen dat niet'. maar het recht bestaat gewoon, {person} had {svc} moeten krijgen",
        ),
        _s(
            {M},
            "Is het normaal dat {actor} na {dur} nog geen besluit heeft genomen over {svc}? De termijn is toch 8 weken?",
            "hoe kan het dat er na {dur} nog geen indicatiebesluit is? {person} belt elke week, niemand weet iets",
            "Waarom krijgt {person} geen beschikking op papier? Alleen een telefoontje dat {svc} 'niet nodig' is.",
            "Mag de indicatie zomaar omlaag zonder dat iemand thuis is geweest? {person} kreeg alleen een brief.",
        ),
        _s(
            {M},
            "{svc} is toegekend, maar de levering komt na {dur} nog steeds niet. {actor} laat klachten liggen.",
            "De zorg uit de beschikking wordt niet geleverd en {actor} doet er niets aan. Al {dur}.",
            "Herindicatie niet op tijd gestart, de oude indicatie liep af en de zorg stopte. Niemand had {person} gewaarschuwd.",
            "Na de verhuizing is {svc} stopgezet; de nieuwe gemeente past de overgangsregeling niet toe.",
        ),
        _s(
            {M},
            "{person} heeft {dur} geleden {svc} aangevraagd en nog altijd geen beschikking gekregen.",
            "Aanvraag voor {svc} loopt nu {dur}. Geen besluit, terwijl de beslistermijn allang verstreken is.",
            "besluit op de aanvraag {svc} blijft uit, {dur} verder en nog niks op papier",
            "De wettelijke termijn voor het besluit over {svc} is ruim overschreden. {actor} reageert niet op mails.",
            "Nog steeds wachten op de beschikking voor {svc}. Volgens {actor} 'komt hij eraan', dat horen we al {dur}.",
            "{dur} na de melding is er nog geen onderzoek gestart en geen besluit genomen over {svc}.",
        ),
        _s(
            {M},
            "{actor} zegt de aanvraag voor {svc} nooit te hebben ontvangen, terwijl we hem samen hebben ingediend.",
            "De formulieren voor {svc} zijn zoekgeraakt bij {actor}. We moeten helemaal opnieuw beginnen.",
            "melding nergens geregistreerd. ik heb de verzendbevestiging nog, maar {actor} kan niks terugvinden",
            "Het dossier is 'kwijt' bij {actor}. Aanvraag {svc} moet dus nog een keer, en de termijn begint opnieuw.",
        ),
        _s(
            {M},
            "{svc} is afgewezen zonder dat er een gesprek is geweest.",
            "De afwijzing kwam per brief: geen huisbezoek, geen onderzoek naar de situatie thuis.",
            "{actor} heeft de aanvraag afgewezen zonder naar het medisch advies te kijken.",
            "Afgewezen op basis van een telefoontje van vijf minuten. Er is nooit een keukentafelgesprek geweest.",
            "aanvraag {svc} afgewezen, 'u kunt het zelf oplossen'. er is niet gekeken naar wat {person} echt kan",
            "{actor} weigerde de melding aan te nemen en zei dat {person} 'toch niet in aanmerking komt'.",
        ),
        _s(
            {M},
            "Uren {svc} teruggebracht van {n} naar {m} per week, zonder herindicatiegesprek.",
            "Bij de verlenging is de indicatie zomaar verlaagd. Niemand is komen kijken hoe het thuis gaat.",
            "indicatie ineens gehalveerd, geen onderbouwing, geen gesprek, alleen een nieuwe beschikking in de bus",
            "De zorg is afgeschaald na een 'administratieve herbeoordeling'. Met {person} zelf is niet gesproken.",
        ),
        _s(
            {M},
            "Het bezwaar is niet-ontvankelijk verklaard omdat het te laat zou zijn, terwijl de brief pas weken later binnenkwam.",
            "{actor} wilde het bezwaar niet in behandeling nemen en zei dat het 'geen zin' had.",
            "Op het bezwaarschrift is na {dur} nog geen reactie gekomen, ook geen hoorzitting.",
            "bezwaar ingediend, ontvangstbevestiging nooit gehad. na {dur} nog steeds radiostilte",
            "In de afwijzing stond niet hoe je bezwaar kunt maken. {person} dacht dat er niets meer aan te doen was.",
            "De klacht over de gang van zaken is nooit beantwoord, de klachtentermijn is ruim voorbij.",
        ),
        _s(
            {M},
            "Niemand heeft {person} verteld dat er onafhankelijke cliëntondersteuning bestaat. Het gesprek met {actor} deed {person} alleen.",
            "In de uitnodiging voor het keukentafelgesprek stond niets over het recht op een onafhankelijke ondersteuner.",
            "{actor} noemde cliëntondersteuning niet, terwijl dat wettelijk verplicht is. Pas via de buurvrouw bij ons terechtgekomen.",
            "OCO niet aangeboden. {person} wist niet dat je iemand mee mag nemen naar het gesprek.",
        ),
        _s(
            {M},
            "{actor} heeft alleen zorg in natura aangeboden, over een pgb is met geen woord gesproken.",
            "Het zorgkantoor heeft niet uitgelegd dat er ook een Volledig Pakket Thuis mogelijk was.",
            "pgb als optie nooit genoemd, terwijl {person} dat heel goed had kunnen beheren",
            "Bij de Wlz-indicatie is alleen een opname besproken; de mogelijkheid van een MPT is niet genoemd.",
        ),
        _s(
            {M},
            "{person} had al jaren recht op {right}, maar niemand heeft het ooit genoemd.",
            "{right} is zonder enige uitleg stopgezet. Navraag levert niets op.",
            "Pas nu blijkt dat {person} recht had op {right}. Met terugwerkende kracht kan het niet meer.",
            "De aanvraag voor {right} ligt {dur} bij {actor}, geen reactie.",
            "{right} afgewezen met een standaardbrief, zonder te kijken naar de echte situatie.",
        ),
        _s(
            {M},
            "De SVB betaalt de zorgverlener al {dur} niet uit. De zorgverlener wil stoppen.",
            "pgb-declaraties worden niet uitbetaald, 'er ontbreekt een handtekening', maar niemand zegt welke",
            "Het pgb is toegekend, maar de SVB heeft het zorgcontract na {dur} nog niet goedgekeurd.",
            "Door een fout bij de SVB is het budget van {person} geblokkeerd. De zorg gaat door, maar wordt niet betaald.",
        ),
        _s(
            {M},
            "Het CAK rekent een eigen bijdrage over maanden waarin er helemaal geen zorg was.",
            "Er wordt een te hoge eigen bijdrage gerekend; de gemeente heeft de verkeerde startdatum doorgegeven.",
            "eigen bijdrage dubbel in rekening gebracht, terugbetaling laat al {dur} op zich wachten",
        ),
        _s(
            {M},
            "Het verslag van het gesprek is nooit toegestuurd. De beschikking wijkt af van wat er is afgesproken.",
            "In het verslag staan dingen die niet gezegd zijn, en {person} kreeg geen kans om te reageren voor het besluit viel.",
            "Geen ondersteuningsplan opgesteld, terwijl {actor} dat had moeten doen.",
        ),
        _s(
            {M},
            "Het CIZ doet er al {dur} over om een indicatiebesluit af te geven.",
            "Herindicatie bij het CIZ aangevraagd wegens achteruitgang; na {dur} nog steeds geen besluit.",
            "CIZ wees de Wlz-aanvraag af zonder ooit met {person} of de huisarts te spreken.",
            "Wlz-indicatie vertraagd omdat het CIZ een aanvullend formulier 'vergeten was' op te vragen.",
        ),
        _s(
            {M},
            "De indicatie liep af terwijl de verlenging op tijd was aangevraagd. {actor} heeft niets gedaan en nu is er geen zorg.",
            "Beschikking verlopen door traagheid van {actor}. De aanbieder kan niet meer factureren en beëindigt de zorg.",
            "verlenging {svc} tijdig aangevraagd, toch een gat van {dur} zonder geldige beschikking",
        ),
    ),
    "policy": (
        # The rule itself is the cause: executed perfectly, the problem stays.
        _s(
            {P},
            "Niemand heeft hier een fout gemaakt, {actor} voert de regels precies uit. Maar voor {person} werken die regels niet.",
            "zo is het beleid, geen vergissing: {svc} valt buiten elke regeling en {person} staat met lege handen",
            "Welke regeling geldt voor mensen zoals {person}? Wmo niet, Wlz niet, Zvw niet. Er bestaat er geen.",
            "Wie draait op voor {svc} als iemand precies tussen twee wetten in zit? Volgens mij niemand.",
            "De verordening beperkt {svc} tot zelfredzaamheid thuis. Werk en school vallen erbuiten, dus levensbreed ondersteunen kan niet.",
            "De tarieven die {actor} vaststelt zijn zo laag dat het beleid zelf de zorg onmogelijk maakt.",
            "Woont {person} net over de gemeentegrens, dan mag {person} niet naar de dichtstbijzijnde dagbesteding: niet gecontracteerd.",
        ),
        _s(
            {P},
            "Wmo en Wlz zijn gescheiden werelden: met een Wlz-indicatie op zak moet {person} afscheid nemen van de vertrouwde ondersteuner.",
            "Door de harde scheiding tussen Wmo en Wlz valt {person} tussen twee loketten. Elk loket wijst naar het andere.",
            "Wmo/Wlz-knip: de gemeente zegt dat het zorgkantoor moet betalen, het zorgkantoor zegt de gemeente.",
            "knip wmo-wlz. gemeente trekt zich terug, zorgkantoor is nog niet aan zet. niemand neemt verantwoordelijkheid",
            "Voor dezelfde vraag gelden onder de Wmo en de Wlz andere regels. Wie er tussenin zit, heeft pech.",
        ),
        _s(
            {P},
            "Bij het 18e jaar stopt de jeugdhulp en de Wmo kent geen vergelijkbare vorm. Er is geen overgangsregeling.",
            "18-/18+: de jeugdhulp eindigt op de verjaardag, de Wmo-aanvraag kan pas daarna. Het gat wordt door niemand gedicht.",
            "De overgang van Jeugdwet naar Wmo is niet geregeld; de begeleiding valt stil zodra hij 18 wordt.",
            "bij 18 jaar andere wet, andere criteria, andere aanbieders. alles wat werkte moet opnieuw, daar is geen regeling voor",
        ),
        _s(
            {P},
            "De zorgverzekeraar verwijst naar de Wmo, de gemeente vindt het Zvw. Niemand voelt zich verantwoordelijk.",
            "Tussen Zvw en Wmo zit een gat: de wijkverpleging betaalt de verzorging, maar de begeleiding ertussen valt onder geen van beide.",
            "Geen wet dekt dit. Iedereen is het eens dat er iets moet gebeuren, maar er is geen potje voor.",
            "Door de regels is niemand verantwoordelijk. {person} valt tussen wal en schip omdat de wetten niet op elkaar aansluiten.",
        ),
        _s(
            {P},
            "De gemeente heeft een budgetplafond ingesteld voor {svc}. Als het geld op is, stopt het.",
            "Het zorgkantoor hanteert een productieplafond per aanbieder. Aanbieders mogen niet meer leveren dan afgesproken, hoeveel vraag er ook is.",
            "door het plafond in de contracten moeten aanbieders nee verkopen aan nieuwe clienten",
        ),
        _s(
            {P},
            "De financier legt een urennorm op voor cliëntondersteuning: maximaal {n} uur per traject. Complexe vragen passen daar niet in.",
            "OCO is gemaximeerd op een vast aantal uren per inwoner. Bij meervoudige problematiek is dat na een paar weken op.",
            "urennorm voor OCO door de gemeente opgelegd. daarna moet ik de inwoner loslaten, klaar of niet",
            "We mogen per cliënt maar {n} contacten registreren. Meer is niet gefinancierd, dus de ondersteuning stopt halverwege.",
        ),
        _s(
            {P},
            "De cliëntondersteuner zit in hetzelfde team dat de indicaties stelt. Zo is de onafhankelijkheid weg.",
            "Onze OCO is ondergebracht bij de aanbieder die ook de zorg levert. Die dubbele pet maakt onafhankelijk advies onmogelijk.",
            "De gemeente belt de ondersteuner als een aanvraag te duur uitvalt. De opdrachtgever stuurt op kosten, dat past niet bij een onafhankelijke rol.",
            "vermenging van rollen: de consulent doet zowel het gesprek als de cliëntondersteuning als het besluit",
        ),
        _s(
            {P},
            "Volgens de subsidieafspraken mag de OCO alleen Wmo-vragen oppakken. Vragen over werk, school of schulden vallen erbuiten.",
            "Levensbreed werken kan niet: de financiering is alleen voor zorgvragen. Wonen en werk mogen we niet meenemen.",
            "de opdracht van de gemeente beperkt ons tot de Wmo. alles rond inkomen en onderwijs moet ik laten liggen",
        ),
        _s(
            {P},
            "Twee gemeenten zijn het oneens over het woonplaatsbeginsel. Zolang dat niet is beslecht, betaalt niemand.",
            "Na de verhuizing wijzen de oude en de nieuwe gemeente naar elkaar. De regels over wie verantwoordelijk is, laten ruimte voor die discussie.",
        ),
        _s(
            {P},
            "Ligt {person} in het ziekenhuis, dan stopt de Wmo-ondersteuning en de Zvw neemt het niet over. Dat is nergens ondergebracht.",
            "Tolkkosten bij gesprekken met de gemeente worden niet meer vergoed. De kinderen vertalen maar, of er wordt niks vertaald.",
            "Vervoer naar de dagbesteding is uit de regeling gehaald. Wie geen familie met een auto heeft, kan niet meer gaan.",
            "Er bestaat geen regeling voor ouders met een beperking die hulp nodig hebben bij de opvoeding: de Wmo verwijst naar de Jeugdwet en andersom.",
            "Nergens geregeld wie begeleiding biedt tijdens re-integratie: UWV en gemeente wijzen naar elkaar.",
        ),
        _s(
            {P},
            "Trekt de zoon bij zijn moeder in om voor haar te zorgen, dan verlaagt de kostendelersnorm haar bijstand. Mantelzorg wordt zo afgestraft.",
            "Het bestemmingsplan staat geen mantelzorgwoning toe, terwijl het beleid wil dat mensen langer thuis wonen. Regels die elkaar tegenspreken.",
            "De Participatiewet eist sollicitaties die de behandeling in de weg zitten. Twee wetten, twee tegengestelde doelen.",
            "Als {person} meer gaat werken, vervalt de toeslag en stijgt de eigen bijdrage. Werken wordt door de regels afgestraft.",
        ),
        _s(
            {P},
            "De beleidsregels schrijven {m} uur per week voor, voor elk huishouden gelijk.",
            "De verordening sluit mensen boven de 75 uit van deze voorziening. Een harde leeftijdsgrens, ongeacht de situatie.",
            "Het beleid gaat ervan uit dat een huisgenoot altijd de zorg overneemt. Voor gezinnen waar dat niet kan, is geen uitzondering.",
            "Maatwerk is afgeschaft in de nieuwe verordening; alleen nog een algemene voorziening die voor deze doelgroep niet werkt.",
        ),
        _s(
            {P},
            "Elke gemeente heeft eigen regels. Dezelfde zorgvraag levert in de buurgemeente iets heel anders op. Rechtsongelijkheid door het systeem.",
            "Het pgb-tarief voor familie verschilt per gemeente, van niets tot een normaal uurloon. Dat is geen uitvoering meer, dat is willekeur in het beleid.",
        ),
        _s(
            {P},
            "De toegangscriteria van de Wlz sluiten mensen met wisselende psychische problemen feitelijk uit. Ze zijn nooit 'blijvend' genoeg.",
            "Mensen met NAH op middelbare leeftijd passen in geen enkel kader: te jong voor de ouderenzorg, niet blijvend genoeg voor de Wlz.",
            "De eigen-vermogensregels voor de Wlz zorgen ervoor dat mensen zorg weigeren. Het systeem houdt geen rekening met hun situatie.",
        ),
        _s(
            {P},
            "Het pgb-tarief voor informele zorg is zo laag vastgesteld dat niemand er zijn werk voor kan minderen.",
            "Het abonnementstarief maakt de Wmo aantrekkelijk voor iedereen; de gemeente compenseert door strengere regels voor de mensen die het echt nodig hebben.",
            "Voor toeleiding naar werk vanuit een Wlz-woonvorm is geen budget. Bewoners die graag aan de slag willen, komen niet verder.",
        ),
    ),
    "care": (
        _s(
            {N},
            "Wachtlijst {care} {region}: {wait}.",
            "{person} staat op de wachtlijst voor {care}. Verwachte wachttijd: {wait}.",
            "Voor {care} is de wachttijd {wait}. Tot die tijd is er niks.",
            "wachtlijst {care} {wait}, in de tussentijd geen alternatief",
            "Eerstvolgende plek voor {care} komt pas over {wait} vrij.",
        ),
        _s(
            {N},
            "Geen plek voor {care} {region}. Alle aanbieders zitten vol.",
            "Cliëntenstop bij alle aanbieders van {care}. 'Probeer het over een paar maanden nog eens.'",
            "{provider} heeft een opnamestop. Er is {region} geen andere plek.",
            "nergens plek. {care} zit overal vol, ook bij de kleine aanbieders",
            "Aanmeldstop voor nieuwe cliënten bij {provider}, en er is geen alternatief {region}.",
        ),
        _s(
            {N},
            "{provider} weigert {person} vanwege {complex}. 'Te zwaar voor ons.'",
            "Drie aanbieders hebben nee gezegd: {complex} past niet in hun profiel. Moeilijk plaatsbaar.",
            "Niemand wil de zorg leveren voor iemand met {complex}. Zelfs de specialistische instellingen haken af.",
            "afgewezen door weer een aanbieder ivm {complex}. de lijst met 'nee' wordt steeds langer",
            "{person} met {complex} is uitgeplaatst en geen enkele instelling neemt hem op.",
        ),
        _s(
            {N},
            "De enige beschikbare plek is in een verpleeghuis tussen hoogbejaarden, terwijl {person} pas begin 40 is.",
            "Het aanbod is volledig ingericht op ouderen. Voor een jongere {condition} past het niet.",
            "Dagbesteding is er alleen in grote groepen met veel prikkels. Voor iemand met autisme werkt dat niet.",
            "Het aanbod sluit niet aan: groepen voor mensen met dementie, terwijl {person} {condition} iets heel anders nodig heeft.",
            "wat er is past niet: te groot, te druk, te ver van wat {person} aankan",
        ),
        _s(
            {N},
            "Er is geen hulpverlener die de taal van het gezin spreekt, en een tolk is er niet bij de behandeling.",
            "Het aanbod houdt geen rekening met de cultuur van de cliënt. De begeleiding gaat volledig langs haar heen.",
            "Geen begeleider beschikbaar die met gebarentaal kan werken.",
        ),
        _s(
            {N},
            "Door personeelstekort komt de thuiszorg pas laat in de ochtend. Eerder kan echt niet, zegt {provider}.",
            "Steeds andere gezichten bij de begeleiding door het personeelstekort. Voor {person} {condition} is dat funest.",
            "{provider} stopt tijdelijk met {care} wegens gebrek aan personeel.",
            "HH komt al weken niet, 'geen personeel'. Vervanging is er niet.",
            "De zorg wordt niet geleverd: te weinig mensen op de planning. {person} krijgt de helft van de geïndiceerde uren.",
        ),
        _s(
            {N},
            "Geen crisisbed beschikbaar {region}. De politie moest {person} uiteindelijk meenemen.",
            "Bij een crisis is er nergens een bed. De crisisdienst heeft {person} naar huis gestuurd.",
            "crisisplek gezocht voor een jongere, na een dag bellen niks gevonden",
        ),
        _s(
            {N},
            "De mantelzorger is overbelast, maar er is geen respijtzorg of logeeropvang beschikbaar {region}.",
            "Logeerhuizen zitten vol; de ouders hebben al twee jaar geen weekend vrij gehad.",
            "dagopvang om de mantelzorger te ontlasten: wachtlijst van {wait}",
        ),
        _s(
            {N},
            "Het dichtstbijzijnde passende aanbod is anderhalf uur reizen. Dat is voor {person} niet op te brengen.",
            "{care} bestaat alleen in de grote stad. Vanuit het dorp is het niet te doen.",
            "passende behandeling pas op 80 km afstand, geen vervoer mogelijk",
        ),
        _s(
            {N},
            "Er is geen geschikte woning: de wachttijd voor een rolstoeltoegankelijke huurwoning is {wait}.",
            "Voor {person} {condition} is geen aangepaste woning te vinden. De corporatie heeft niets.",
            "Zoektocht naar een woonplek met begeleiding levert niets op. Overal wachtlijsten.",
        ),
        _s(
            {N},
            "De ggz verwijst naar de verslavingszorg, de verslavingszorg terug naar de ggz. Met beide problemen kan {person} nergens terecht.",
            "De gehandicaptenzorg zegt dat het psychiatrie is, de ggz zegt dat het de beperking is. Geen van beide neemt {person} aan.",
        ),
        _s(
            {N},
            "{svc} is toegekend, maar de leverancier meldt een levertijd van {wait}.",
            "Beschikking is binnen, alleen kan geen enkele aanbieder de zorg leveren.",
            "indicatie rond, nu nog een aanbieder vinden. niemand heeft capaciteit",
        ),
    ),
    "reach": (
        _s(
            {U},
            "{group} bereiken we nauwelijks, omdat ze {barrier}.",
            "Veel {group} komen nooit bij het loket, omdat ze {barrier}.",
            "{group} zijn voor de gemeente onzichtbaar, doordat ze {barrier}. Niemand gaat naar hen toe.",
            "wat ik zie: {group} vallen buiten beeld omdat ze {barrier}",
            "De gemeente heeft geen idee hoeveel {group} er zijn die {barrier}.",
            "Voorlichting bereikt {group} niet, omdat ze {barrier}.",
            "Het wijkteam bereikt {group} niet, omdat ze {barrier}. Outreachend werk is er niet.",
        ),
        _s(
            {U},
            "Aanvragen kan alleen nog online met DigiD. Wie dat niet heeft of niet kan, doet geen aanvraag.",
            "Alles gaat via het digitale portaal. {person} heeft geen computer en haakt af.",
            "alleen online, geen papieren formulier meer. ouderen en laaggeletterden komen er niet doorheen",
            "Het loket is dicht, er is alleen een website en een keuzemenu aan de telefoon.",
        ),
        _s(
            {U},
            "De brieven van {actor} zijn alleen in het Nederlands en vol ambtelijke taal. {person} begrijpt er niets van.",
            "Informatie over de Wmo is er alleen in het Nederlands. Nieuwkomers weten niet wat er bestaat.",
            "Geen folder, geen uitleg in een andere taal dan Nederlands. Een groot deel van de wijk bereiken ze zo niet.",
        ),
        _s(
            {U},
            "{person} is doof en kan het Wmo-loket alleen bellen. Er is geen chat en geen tolk bij het gesprek.",
            "Voor slechtziende inwoners is de website niet toegankelijk. Ze missen alle informatie.",
            "Bij informatieavonden is geen schrijftolk of ringleiding. Slechthorenden blijven weg.",
        ),
        _s(
            {U},
            "{person} heeft geen vast adres en is nergens geregistreerd. Daardoor kent geen enkele organisatie hem.",
            "Wie op straat of bij kennissen slaapt, valt buiten elke wijkaanpak. Ze horen bij geen wijk.",
        ),
        _s(
            {U},
            "Na de jeugdzorg is {person} uit beeld geraakt. Niemand houdt contact na het 18e jaar.",
            "Jongeren die uit een instelling komen, verdwijnen op hun 18e van de radar. Er is niemand die ze opzoekt.",
        ),
        _s(
            {U},
            "In het buitengebied komt het wijkteam bijna niet. Mensen met een zorgvraag worden daar pas gezien als het misgaat.",
            "Spreekuren zijn er alleen nog in de hoofdkern en er gaat geen bus meer. De kleine kernen zijn uit beeld.",
        ),
        _s(
            {U},
            "{person} woont alleen, heeft geen netwerk en is bij niemand bekend. Pas toen de buren aan de bel trokken, kwam er iemand.",
            "Eenzame ouderen zonder familie vallen niemand op. Huisarts noch gemeente weet van hun bestaan.",
        ),
        _s(
            {U},
            "{person} zorgt al jaren voor een zieke partner, maar wist niet dat er een steunpunt mantelzorg is. Pas na een burn-out kwam ze bij ons.",
            "Mantelzorgers vinden de weg naar ondersteuning niet. Niemand vraagt naar hen bij de huisarts of in het gesprek.",
        ),
        _s(
            {U},
            "{person} durft de post niet meer open te maken. Alles van de gemeente komt per brief, dus er komt niets aan.",
            "Na alles wat er met de toeslagen is gebeurd, laat {person} niemand van de overheid meer binnen. Hulp komt er zo niet.",
            "Zorgmijders worden pas gezien bij een crisis. Er is niemand meer die outreachend werkt.",
        ),
        _s(
            {U},
            "{person} {condition} snapt de brieven niet en niemand checkt of de boodschap aankomt.",
            "Bij {actor} gaan ze ervan uit dat iedereen alles leest en begrijpt. Voor mensen met een LVB klopt dat niet.",
        ),
    ),
    "none": (
        _s(
            set(),
            "Geen wachtlijst, {svc} binnen een paar weken geregeld. {person} is tevreden.",
            "geen problemen met de beschikking, kwam op tijd en klopt. dossier dicht",
            "Bezwaar gegrond verklaard, {person} krijgt de uren terug. Goed opgelost.",
            "Niet afgewezen, gewoon toegekend na een goed gesprek met {actor}.",
            "Indicatie in orde; {person} zocht enkel toelichting op het zorgplan.",
            "{actor} wees zelf op de mogelijkheid van OCO. Zo hoort het.",
            "Positief: {actor} belt inwoners na een melding zelf terug en biedt een ondersteuner aan.",
            "Geen wachttijd bij de aanbieder, {person} kan volgende week al starten.",
        ),
        _s(
            set(),
            "Vraag van {person}: hoe werkt het eigen risico van de zorgverzekering? Uitgelegd.",
            "Hoe lang duurt een aanvraag bij het CIZ meestal? {person} wil zich voorbereiden.",
            "{person} vroeg hoe je een parkeerkaart aanvraagt, doorverwezen naar de website.",
            "vraag over de eigen bijdrage beantwoord, verder niks",
            "Casusoverleg gepland met de huisarts en {actor}.",
            "{person} is verhuisd, dossier overgedragen.",
        ),
        _s(
            set(),
            "Kennismakingsgesprek gehad, de hulpvraag is nog niet helder.",
            "Telefonisch contact met {person}, volgende week een afspraak.",
            "Doorverwezen naar {actor} voor een vraag over {svc}.",
            "Evaluatie: alles loopt naar wens, geen actie nodig.",
            "Samen met {person} de opties voor {svc} op een rij gezet. {person} denkt erover na.",
            "Afspraak verzet, {person} was ziek.",
            "Overdracht gedaan aan een collega ivm vakantie.",
            "Vraag beantwoord over hoe het keukentafelgesprek werkt.",
            "{person} wil eerst met de familie overleggen.",
            "Intern overleg over de werkwijze, geen casus.",
        ),
        _s(
            set(),
            "Goed voorbeeld: {actor} reageerde binnen een week en het besluit was snel rond.",
            "Positief: de consulent nam echt de tijd en keek naar het hele plaatje.",
            "{svc} is snel geregeld, {person} is er blij mee.",
            "De samenwerking met {actor} loopt goed sinds er een vast aanspreekpunt is.",
            "Het gesprek verliep prettig, de beschikking kwam binnen de termijn.",
        ),
    ),
}

# Combinations whose reason ties two categories together (see LABELLING.md).
COMBINATIONS: tuple[Situation, ...] = (
    # A budget cap that stops applications: the rule falls short (policy_gap)
    # and people entitled to the support do not get it (missed_rights).
    _s(
        {P, M},
        "{actor} neemt geen nieuwe aanvragen voor {svc} meer in behandeling: het budget voor dit jaar is op. Ook wie er duidelijk recht op heeft, krijgt niets.",
        "budget op, dus aanvragen {svc} worden 'aangehouden' tot januari. {person} heeft er recht op maar krijgt het niet",
        "Het budgetplafond voor cliëntondersteuning is bereikt; nieuwe aanmeldingen worden geweigerd, ook van mensen met recht op OCO.",
        "Sinds de zomer geeft {actor} geen indicaties voor {svc} meer af omdat het geld op is. Een positief advies na het gesprek helpt {person} niets.",
        "aanvragen {svc} liggen stil ivm budgettekort bij de gemeente. niet eens in behandeling genomen, terwijl {person} aan alle voorwaarden voldoet",
        "Door het plafond op woningaanpassingen worden aanvragen niet meer beoordeeld. {person} heeft recht op de aanpassing, maar er gebeurt niets.",
    ),
    _s(
        {U, M},
        "Informatie over {right} staat alleen op de website en alleen in het Nederlands. {group} vragen het dus nooit aan.",
        "{right} blijft voor {group} onbekend terrein: geen mens legt het uit, dus het geld blijft op de plank liggen.",
        "Voor {group} is de cliëntondersteuning onvindbaar: alleen een link op de gemeentesite. Ze zitten alleen aan tafel en halen minder binnen dan de wet ze geeft.",
        "aanvragen kan alleen met DigiD, {person} heeft dat niet en miste de termijn voor {right}",
        "Huisartsen en wijkteams verwijzen {group} niet naar de gespecialiseerde cliëntondersteuning. Ze weten niet dat het bestaat en gebruiken hun recht niet.",
        "Zonder inschrijving op een adres krijgen {group} geen bijstand en geen verzekering; alles waar ze aanspraak op maken, gaat langs ze heen.",
    ),
    _s(
        {N, P},
        "Voor {care} wacht je nu {wait}: de gemeente heeft een budgetplafond ingesteld en de aanbieders zitten aan hun max.",
        "Door het budgetplafond mogen aanbieders geen nieuwe cliënten meer aannemen. {person} moet wachten tot het nieuwe jaar.",
        "Het zorgkantoor heeft te weinig ingekocht; de productieafspraak van {provider} is op en er komt niemand meer bij.",
        "cliëntenstop bij {provider} omdat het budget van de gemeente voor dit jaar op is. wachten tot januari",
        "Het tarief dat de gemeente betaalt is zo laag dat aanbieders geen personeel kunnen vinden. Wie nu een indicatie krijgt, krijgt er geen zorg bij.",
        "Door bezuinigingen in het contract is er alleen nog lichte begeleiding. Voor {person} is dat ruim onvoldoende, meer is niet ingekocht.",
    ),
    _s(
        {U, M},
        "{group} hebben geen idee dat er {right} bestaat, omdat ze {barrier}. Ze lopen het dus mis.",
        "Veel {group} vragen {right} nooit aan, omdat ze {barrier}. Geld waar ze recht op hebben, blijft liggen.",
        "Omdat aanvragen alleen online kan, heeft {person} de termijn gemist. Geen computer, geen DigiD, en nu geen {svc}.",
        "{person} kan niet goed lezen, begreep de brief over de herindicatie niet en reageerde niet. De zorg is daarop gestopt.",
        "De beschikking is naar een adres gestuurd waar {person} niet meer woont; zonder vast adres was de bezwaartermijn voorbij voor hij het wist.",
        "{group} krijgen nooit te horen dat ze een onafhankelijke cliëntondersteuner mogen meenemen, zeker als ze {barrier}.",
        "Doordat {person} geen Nederlands leest, is de brief over {right} blijven liggen. De aanvraagtermijn is verstreken.",
    ),
    _s(
        {P, U},
        "Sinds tolkkosten bij de gemeente niet meer vergoed worden, komen {group} niet meer bij het loket.",
        "De jeugdhulp stopt op 18 en de Wmo sluit niet aan. Veel jongeren haken af en zijn daarna voor niemand meer in beeld.",
        "Landelijk is besloten dat post alleen nog digitaal komt. {group} missen daardoor alles, zeker als ze {barrier}.",
        "Er is geen regeling voor wie de eerste maanden verantwoordelijk is voor nieuwkomers met een zorgvraag. Ze vallen tussen de instanties en niemand ziet ze.",
    ),
    _s(
        {M, P},
        "Volgens de eigen beleidsregel wijst de gemeente {svc} af zodra er een partner in huis woont, zonder te onderzoeken of die het kan.",
        "De gemeente houdt vast aan het standaardaantal van {m} uur, zonder individueel onderzoek, terwijl de wet maatwerk vraagt.",
        "Het pgb wordt geweigerd omdat 'zorg in natura voorgaat' volgens de beleidsregels. Naar de motivatie van {person} is niet gekeken.",
        "De regel sluit iedereen boven een leeftijdsgrens uit, en bij {person} is niet eens gekeken naar de eigen situatie.",
    ),
    _s(
        {N, U},
        "{group} worden slecht bereikt, en als ze al in beeld komen, is er geen aanbod in hun taal.",
        "Voor {group} is er geen passend aanbod: niemand die hun taal spreekt of hun situatie kent. Ze komen ook nergens in beeld.",
        "In de dorpen is geen dagbesteding en geen vervoer, en het wijkteam komt er niet. Die mensen zijn vergeten.",
        "Wie 18 wordt en uit de jeugdzorg komt, raakt snel uit zicht; trainingshuizen voor zelfstandig wonen hebben bovendien een wachttijd van {wait}.",
    ),
    _s(
        {N, M},
        "Eerst {dur} gewacht op een beschikking die veel te laat kwam, en nu is er ook nog een wachtlijst van {wait} bij de aanbieders.",
        "Het zorgkantoor heeft de keuze voor een pgb nooit genoemd, en met zorg in natura is er {region} geen plek.",
    ),
    _s(
        {N, P, M},
        "De gemeente hanteert een budgetplafond, wijst daarom nieuwe aanvragen voor {svc} af zonder onderzoek, en de aanbieders hebben toch al een wachtlijst.",
    ),
)

# Context that mentions category words without carrying the category: it keeps
# the labels honest about "a word occurs" versus "the text says so".
HARD_NEGATIVES: dict[Category, tuple[str, ...]] = {
    M: (
        "De beschikking is inmiddels binnen, daar ligt het niet aan.",
        "De indicatie is netjes en op tijd afgegeven.",
        "Het keukentafelgesprek verliep goed en de consulent deed wat ze moest doen.",
        "Aanvraag is toegekend.",
        "De gemeente heeft snel besloten.",
        "besch. is rond",
    ),
    U: (
        "{person} heeft een DigiD en de dochter helpt met de post.",
        "{person} spreekt goed Nederlands en weet de weg.",
        "Het contact met het wijkteam is goed.",
        "Ze kwam zelf naar het inloopspreekuur.",
        "{person} kan prima lezen en schrijven.",
    ),
    N: (
        "Er is wel een aanbieder gevonden.",
        "De zorg zelf is goed, daar gaat het niet om.",
        "De begeleider is prima.",
        "De plek in de woonvorm bevalt goed.",
    ),
    P: (
        "De regels zijn op zich duidelijk.",
        "Volgens de verordening kan het gewoon.",
        "Het is keurig geregeld in de wet.",
    ),
}

CONTEXT: tuple[str, ...] = (
    "{person} {condition}.",
    "Het gaat om {person} {condition}.",
    "{person}, {condition}, woont zelfstandig.",
    "Casus: {person} {condition}, woont met partner.",
    "{person} {condition}, alleenwonend.",
    "betreft {person} {condition}",
    "{person} {condition} woont nog thuis, met hulp van familie.",
    "Bij {person} {condition} loopt al langer van alles.",
)

CONSEQUENCES: tuple[str, ...] = (
    "De mantelzorger is op.",
    "De situatie thuis escaleert.",
    "Ondertussen gaat {person} hard achteruit.",
    "Zo blijft {person} in een onhoudbare situatie zitten.",
    "De familie vangt het op, maar dat houdt niet lang meer.",
    "Intussen lopen de schulden op.",
    "{person} zit de hele dag binnen.",
    "Het vertrouwen in hulpverlening is weg.",
    "de stress loopt op",
    "Het gezin zit met de handen in het haar.",
)

OPENERS: tuple[str, ...] = (
    "Signaal: ",
    "Casus: ",
    "Opvallend: ",
    "Ter info: ",
    "Wat ik steeds vaker zie: ",
    "Melding vanuit het team: ",
    "Weer zo'n situatie. ",
    "Vandaag: ",
    "Nogmaals: ",
    "Even laten weten: ",
    "Vanuit de praktijk: ",
)

CLOSERS: tuple[str, ...] = (
    "Graag aandacht voor.",
    "Dit is geen incident.",
    "Zien jullie dit ook?",
    "Hoe lossen we dit op?",
    "Wordt vervolgd.",
    "Dit zien we vaker in de regio.",
    "Echt schrijnend.",
    "Niet uit te leggen aan de cliënt.",
    "Ik heb het voorgelegd aan de coördinator.",
    "zucht.",
    "Dit moet anders!",
    "Heel frustrerend voor iedereen.",
)

CONNECTIVES: tuple[str, ...] = (
    "Daarnaast: ",
    "En dan nog: ",
    "Ook speelt: ",
    "Verder: ",
    "Plus: ",
    "Tweede punt: ",
    "",
)

# Supporters' abbreviations, applied to whole words in terse notes.
ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("cliënt", "clt"),
    ("mevrouw", "mw."),
    ("meneer", "dhr."),
    ("begeleiding", "bgl"),
    ("hulp bij het huishouden", "HH"),
    ("maanden", "mnd"),
    ("weken", "wkn"),
    ("in verband met", "ivm"),
    ("gemeente", "gem."),
    ("indicatie", "ind."),
    ("per week", "p/w"),
    ("ongeveer", "ong."),
    ("onafhankelijke cliëntondersteuning", "OCO"),
    ("zorg in natura", "ZIN"),
    ("persoonsgebonden budget", "pgb"),
    ("beschikking", "besch."),
)

ACCENTS = str.maketrans("ëéèïöüáó", "eeeiouao")


def _fill(template: str, rng: random.Random, chosen: dict[str, str]) -> str:
    def pick(match: re.Match[str]) -> str:
        key = match.group(1)
        if key == "person":
            # A note names the resident once and refers back to them after that.
            if "person" in chosen:
                return chosen["ref"]
            chosen["person"], chosen["ref"] = rng.choice(PERSONS)
            return chosen["person"]
        if key not in chosen:
            if key in {"group", "barrier"}:
                group, barrier = rng.choice(GROUPS)
                chosen.setdefault("group", group)
                chosen.setdefault("barrier", barrier)
            else:
                chosen[key] = rng.choice(SLOTS[key])
        return chosen[key]

    return re.sub(r"\{(\w+)\}", pick, template)


def _sentence_case(text: str) -> str:
    """Capitalise each sentence start, the way a careful writer would."""
    return re.sub(
        r"(^|(?<!mw)(?<!dhr)(?<!gem)(?<!ind)(?<!besch)[.!?]\s+)([a-zë])",
        lambda m: m.group(1) + m.group(2).upper(),
        text,
    )


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 2)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    return word.replace("ij", "y", 1) if "ij" in word else word[:i] + word[i + 1 :]


def _noisy(text: str, rng: random.Random, rate: float) -> str:
    words = text.split(" ")
    return " ".join(_typo(w, rng) if rng.random() < rate else w for w in words)


def _terse(text: str, rng: random.Random) -> str:
    for long, short in ABBREVIATIONS:
        if rng.random() < 0.7:
            text = re.sub(rf"\b{re.escape(long)}\b", short, text, flags=re.IGNORECASE)
    text = re.sub(
        r"\b(De|de|Het|het|Een|een) (?=\w)",
        lambda m: "" if rng.random() < 0.5 else m.group(0),
        text,
    )
    separator = rng.choice([". ", ", ", "; ", " - ", ". "])
    text = re.sub(r"(?<!mw)(?<!dhr)(?<!gem)(?<!ind)(?<!besch)(?<!ong)\. ", separator, text)
    return text[0].lower() + text[1:] if rng.random() < 0.6 else text


def _compose(rng: random.Random, situations: list[Situation], labels: set[Category]) -> str:
    chosen: dict[str, str] = {}
    parts: list[str] = []
    if rng.random() < 0.18:
        parts.append(rng.choice(OPENERS).strip())
    if rng.random() < 0.35:
        parts.append(_fill(rng.choice(CONTEXT), rng, chosen))
    for index, situation in enumerate(situations):
        sentence = _fill(rng.choice(situation.phrasings), rng, chosen)
        if index > 0:
            sentence = rng.choice(CONNECTIVES) + sentence
        parts.append(sentence)
    spare = [c for c in HARD_NEGATIVES if c not in labels]
    if spare and rng.random() < 0.25:
        parts.insert(
            rng.randrange(1, len(parts) + 1),
            _fill(rng.choice(HARD_NEGATIVES[rng.choice(spare)]), rng, chosen),
        )
    if labels and rng.random() < 0.3:
        parts.append(_fill(rng.choice(CONSEQUENCES), rng, chosen))
    if rng.random() < 0.2:
        parts.append(rng.choice(CLOSERS))
    text = " ".join(p if p.endswith((".", "!", "?", ":", ".'", "?'")) else p + "." for p in parts)
    return re.sub(r":\.", ":", text)


def _style(text: str, rng: random.Random) -> str:
    roll = rng.random()
    text = _sentence_case(text)
    if roll < 0.3:
        text = _terse(text, rng)
    elif roll < 0.4:
        text = text.replace("!", "!!").rstrip(".") + rng.choice(["!", "...", " :(", ""])
    if rng.random() < 0.3:
        text = text.translate(ACCENTS)
    rate = rng.choice([0.0, 0.0, 0.01, 0.03, 0.06])
    return _noisy(text, rng, rate) if rate else text


_KINDS: dict[Category, str] = {M: "missed", P: "policy", N: "care", U: "reach"}


def _plan(rng: random.Random, config: GeneratorConfig) -> list[Situation]:
    roll = rng.random()
    if roll < config.share_without_label:
        return [rng.choice(SITUATIONS["none"])]
    roll -= config.share_without_label
    if roll < config.share_fixed_combination:
        return [rng.choice(COMBINATIONS)]
    roll -= config.share_fixed_combination
    if roll < config.share_free_combination:
        first, second = rng.sample(list(_KINDS.values()), 2)
        return [rng.choice(SITUATIONS[first]), rng.choice(SITUATIONS[second])]
    return [rng.choice(SITUATIONS[rng.choice(list(_KINDS.values()))])]


def generate(config: GeneratorConfig = GeneratorConfig()) -> list[CorpusRecord]:
    """The training split for ``config``, identical for identical configs."""
    rng = random.Random(config.seed)  # noqa: S311 - seeded text generation, not cryptography
    records: list[CorpusRecord] = []
    seen: set[str] = set()
    while len(records) < config.size:
        situations = _plan(rng, config)
        labels: set[Category] = set().union(*(s.labels for s in situations))
        text = _style(_compose(rng, situations, labels), rng)
        key = re.sub(r"\W+", " ", text.lower()).strip()
        if key in seen:
            continue
        seen.add(key)
        records.append(
            CorpusRecord(
                id=f"gen-{len(records) + 1:04d}",
                text=text,
                labels=ordered_labels(labels),
                source=Source.GENERATED,
            )
        )
    return records


def write_training_split(
    corpus_dir: Path | None = None, config: GeneratorConfig = GeneratorConfig()
) -> Path:
    path = split_path(corpus_dir or default_corpus_dir(), Split.TRAIN)
    write_records(path, generate(config))
    return path


if __name__ == "__main__":
    print(write_training_split())
