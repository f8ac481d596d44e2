"""The fields an import fills, and a first guess of which column holds each."""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class TargetField:
    name: str
    label: Promise
    required: bool = False
    help: Promise | str = ""


TARGET_FIELDS: tuple[TargetField, ...] = (
    TargetField(
        "person_ref",
        _("person's reference"),
        help=_(
            "The identifier the source gives the person; without it, people are "
            "recognised by name, birth date and sex."
        ),
    ),
    TargetField("given_name", _("given name"), required=True),
    TargetField("family_name", _("family name")),
    TargetField("sex", _("sex")),
    TargetField("date_of_birth", _("date of birth")),
    TargetField("nationality", _("nationality")),
    TargetField("from_country", _("returned from"), required=True),
    TargetField("to_country", _("returned to"), required=True),
    TargetField("return_date", _("date of return"), required=True),
    TargetField("mode", _("mode"), required=True),
    TargetField("permanence", _("permanence"), required=True),
    TargetField("voluntariness", _("voluntariness"), required=True),
    TargetField("reasons", _("reasons for return"), help=_("Several, separated by ; or |")),
    TargetField("intended_stay", _("intended length of stay")),
    TargetField("settlement_area", _("settlement area"), help=_("ISO 3166-2 code")),
    TargetField("assets_bracket", _("declared savings and assets")),
)
FIELD_NAMES = tuple(f.name for f in TARGET_FIELDS)
REQUIRED_FIELDS = frozenset(f.name for f in TARGET_FIELDS if f.required)

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Return text lower-cased, without accents, words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", bare.lower()).strip()


# Header words seen in agencies' files, in English, French and Spanish (folded).
# Field names and their English labels are added below.
_HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "person_ref": (
        "id",
        "ref",
        "reference",
        "person id",
        "person reference",
        "case number",
        "file number",
        "identifiant",
        "numero de dossier",
        "dossier",
        "referencia",
        "expediente",
        "numero de expediente",
    ),
    "given_name": (
        "first name",
        "given names",
        "forename",
        "prenom",
        "prenoms",
        "nombre",
        "nombres",
    ),
    "family_name": (
        "last name",
        "surname",
        "nom",
        "nom de famille",
        "apellido",
        "apellidos",
    ),
    "sex": ("gender", "sexe", "genre", "sexo", "genero"),
    "date_of_birth": (
        "dob",
        "birth date",
        "born",
        "date de naissance",
        "fecha de nacimiento",
    ),
    "nationality": ("citizenship", "nationalite", "nacionalidad"),
    "from_country": (
        "from",
        "country of return from",
        "host country",
        "destination country",
        "pays de provenance",
        "pays d accueil",
        "pais de procedencia",
        "pais de acogida",
    ),
    "to_country": (
        "to",
        "country of origin",
        "origin country",
        "origin",
        "pays d origine",
        "pays de retour",
        "pais de origen",
        "pais de retorno",
    ),
    "return_date": (
        "date",
        "date of return",
        "returned on",
        "date de retour",
        "fecha de retorno",
        "fecha de regreso",
    ),
    "mode": ("return mode", "mode de retour", "modo", "modalidad"),
    "permanence": ("permanence du retour", "permanencia"),
    "voluntariness": (
        "type of return",
        "return type",
        "voluntary",
        "type de retour",
        "caractere volontaire",
        "tipo de retorno",
        "voluntariedad",
    ),
    "reasons": (
        "reason",
        "reasons",
        "motif",
        "motifs",
        "raisons",
        "motivo",
        "motivos",
        "razones",
    ),
    "intended_stay": (
        "length of stay",
        "intended stay",
        "duree de sejour",
        "duree prevue",
        "duracion prevista",
        "duracion de estancia",
    ),
    "settlement_area": (
        "region",
        "province",
        "area",
        "zone d installation",
        "zona de asentamiento",
    ),
    "assets_bracket": (
        "assets",
        "savings",
        "epargne",
        "avoirs",
        "ahorros",
        "bienes",
    ),
}


def _header_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for target in TARGET_FIELDS:
        lookup[fold(target.name)] = target.name
        lookup[fold(str(target.label))] = target.name
        for word in _HEADER_WORDS.get(target.name, ()):
            lookup.setdefault(word, target.name)
    return lookup


def suggest_mapping(headers: list[str]) -> dict[str, int]:
    """Return, for each target field recognised in the headers, the index of its column."""
    lookup = _header_lookup()
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        field = lookup.get(fold(header))
        if field and field not in mapping:
            mapping[field] = index
    return mapping
