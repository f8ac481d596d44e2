"""Turn the text of one row into the registry's values, or say precisely what is wrong.

Validation here is plain dictionary look-ups rather than model ``full_clean``:
a million rows must pass through in well under a minute, and the vocabularies
are small enough that every distinct text is looked up once and remembered.
"""

import datetime
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

import pycountry
from django.db import models
from django.utils.translation import gettext_noop, override

from retorno.core.geo import country_name, is_subdivision
from retorno.imports.columns import TARGET_FIELDS, fold
from retorno.registry import choices as c

# A cell starting with one of these runs as a formula when the file is opened
# in a spreadsheet, so such text is never stored and never echoed back as is.
FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")
LANGUAGES = ("en", "fr", "es")
# Each field remembers this many distinct texts; beyond that it looks them up again,
# so that a file of unique values cannot grow memory without bound.
_CACHE_LIMIT = 50_000

CHOICE_FIELDS: dict[str, type[models.TextChoices]] = {
    "sex": c.Sex,
    "mode": c.ReturnMode,
    "permanence": c.Permanence,
    "voluntariness": c.Voluntariness,
    "intended_stay": c.IntendedStay,
    "assets_bracket": c.AssetsBracket,
    "reasons": c.ReturnReason,
}
DEFAULTS: dict[str, Any] = {
    "person_ref": "",
    "family_name": "",
    "sex": c.Sex.UNKNOWN.value,
    "date_of_birth": None,
    "nationality": "",
    "reasons": (),
    "intended_stay": c.IntendedStay.UNDECIDED.value,
    "settlement_area": "",
    "assets_bracket": c.AssetsBracket.NOT_DECLARED.value,
}
TEXT_LIMITS = {"person_ref": 80, "given_name": 120, "family_name": 120}

# Short words officers type instead of the full labels, in the three languages (folded).
_SYNONYMS: dict[str, dict[str, str]] = {
    "sex": {
        "f": "female",
        "m": "male",
        "woman": "female",
        "man": "male",
        "femme": "female",
        "homme": "male",
        "h": "male",
        "mujer": "female",
        "hombre": "male",
        "femenino": "female",
        "masculino": "male",
        "feminin": "female",
        "masculin": "male",
        "autre": "other",
        "otro": "other",
        "inconnu": "unknown",
        "desconocido": "unknown",
    },
    "mode": {
        "physique": "physical",
        "fisico": "physical",
        "virtuel": "virtual",
    },
    "permanence": {
        "permanente": "permanent",
        "temporaire": "temporary",
        "temporal": "temporary",
        "circulaire": "circular",
    },
    "voluntariness": {
        "spontane": "spontaneous",
        "espontaneo": "spontaneous",
        "assiste": "assisted",
        "asistido": "assisted",
        "avrr": "assisted",
        "force": "forced",
        "forzoso": "forced",
        "forzado": "forced",
        "deportation": "forced",
        "expulsion": "forced",
    },
    "reasons": {
        "famille": "family",
        "familia": "family",
        "sante": "health",
        "salud": "health",
        "retraite": "retirement",
        "jubilacion": "retirement",
        "autre": "other",
        "otro": "other",
    },
}


class Invalid(Exception):
    """A value cannot be used: args are the problem (a catalogue entry) and its values."""

    def __init__(self, problem: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(problem, params or {})
        self.problem = problem
        self.params = params or {}


def looks_like_formula(text: str) -> bool:
    return bool(text) and text.startswith(FORMULA_CHARS)


def neutralise(text: str) -> str:
    """Return text that a spreadsheet shows as text instead of running it as a formula."""
    return "'" + text if looks_like_formula(text) else text


@cache
def choice_lookup(field: str) -> dict[str, str]:
    """Return folded value or label (in every language) → stored value, for one field."""
    choices = CHOICE_FIELDS[field]
    lookup: dict[str, str] = {}
    for language in LANGUAGES:
        with override(language):
            for value, label in choices.choices:
                lookup.setdefault(fold(str(label)), value)
    for value in choices.values:
        lookup[fold(value)] = value
    for word, value in _SYNONYMS.get(field, {}).items():
        lookup.setdefault(word, value)
    return lookup


@lru_cache(maxsize=1)
def country_lookup() -> dict[str, str]:
    """Return alpha-2 and alpha-3 codes and folded country names → alpha-2 code."""
    lookup: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        names = {
            country.name,
            getattr(country, "common_name", ""),
            getattr(country, "official_name", ""),
        }
        names |= {country_name(code, language) for language in LANGUAGES}
        for name in names:
            if name:
                lookup.setdefault(fold(name), code)
        lookup[code.lower()] = code
        lookup[country.alpha_3.lower()] = code
    return lookup


def parse_country(text: str) -> str:
    code = country_lookup().get(fold(text))
    if code is None:
        raise Invalid(
            gettext_noop("not a known country (use an ISO code such as MA or MAR, or its name)")
        )
    return code


def parse_date(text: str) -> datetime.date:
    try:
        if len(text) == 10 and text[4] == "-":
            return datetime.date.fromisoformat(text)
        day, month, year = text.split("/")
        if len(year) == 4:
            return datetime.date(int(year), int(month), int(day))
    except ValueError:
        pass
    raise Invalid(gettext_noop("not a date (write YYYY-MM-DD or DD/MM/YYYY)"))


def _choice_parser(field: str) -> Callable[[str], str]:
    lookup = choice_lookup(field)

    def parse(text: str) -> str:
        value = lookup.get(fold(text))
        if value is None:
            choices = ", ".join(CHOICE_FIELDS[field].values)
            raise Invalid(
                gettext_noop("not one of the accepted values (%(values)s)"), {"values": choices}
            )
        return value

    return parse


def _reasons_parser() -> Callable[[str], tuple[str, ...]]:
    one = _choice_parser("reasons")

    def parse(text: str) -> tuple[str, ...]:
        parts = [p.strip() for p in text.replace("|", ";").split(";")]
        return tuple(sorted({one(p) for p in parts if p}))

    return parse


def parse_subdivision(text: str) -> str:
    code = text.upper()
    if not is_subdivision(code):
        raise Invalid(gettext_noop("not a known region code (ISO 3166-2, such as MA-05)"))
    return code


def _parsers() -> dict[str, Callable[[str], Any]]:
    parsers: dict[str, Callable[[str], Any]] = {
        field: _choice_parser(field) for field in CHOICE_FIELDS if field != "reasons"
    }
    parsers["reasons"] = _reasons_parser()
    for field in ("from_country", "to_country", "nationality"):
        parsers[field] = parse_country
    parsers["return_date"] = parse_date
    parsers["date_of_birth"] = parse_date
    parsers["settlement_area"] = parse_subdivision
    return parsers


# Column header, value as found (neutralised), problem (a catalogue entry, worded in
# the reader's language when shown: models.row_problem_text) and its values.
RowError = tuple[str, str, str, dict[str, Any]]


class _Problem(tuple[str, dict[str, Any]]):
    """A remembered verdict that a text is not a valid value: the problem and its values."""


_MISSING = object()


class RowParser:
    """Validate and normalise rows for one column mapping."""

    def __init__(self, mapping: dict[str, int], headers: list[str]) -> None:
        self.headers = headers
        self.mapping = mapping
        required = frozenset(f.name for f in TARGET_FIELDS if f.required)
        self.required = required
        self.text_columns = [
            (f, i, TEXT_LIMITS[f], f in required) for f, i in mapping.items() if f in TEXT_LIMITS
        ]
        parsers = _parsers()
        self.coded_columns: list[tuple[str, int, Callable[[str], Any], dict[str, Any]]] = [
            (f, i, parsers[f], {}) for f, i in mapping.items() if f not in TEXT_LIMITS
        ]
        self.width = max(mapping.values(), default=-1) + 1
        self.defaults = {
            f.name: DEFAULTS.get(f.name) for f in TARGET_FIELDS if f.name not in mapping
        }
        self.latest_return = datetime.date.today() + datetime.timedelta(days=366)

    def _error(
        self, field: str, index: int | None, text: str, problem: str, params: dict[str, Any]
    ) -> RowError:
        column = self.headers[index] if index is not None and index < len(self.headers) else field
        return column, neutralise(text), problem, params

    def parse(self, cells: list[str]) -> tuple[dict[str, Any], list[RowError]]:
        """Return the row's values and its problems (the values are unusable if any)."""
        # The hot loop of every import: kept to look-ups in remembered verdicts.
        values = self.defaults.copy()
        errors: list[RowError] = []
        if len(cells) < self.width:
            cells = cells + [""] * (self.width - len(cells))
        for field, index, limit, required in self.text_columns:
            text = cells[index].strip()
            if text and len(text) <= limit and not text.startswith(FORMULA_CHARS):
                values[field] = text
            elif text or required:
                errors.append(self._error(field, index, text, *self._text_problem(text, limit)))
            else:
                values[field] = ""
        for field, index, parse, verdicts in self.coded_columns:
            text = cells[index]
            value = verdicts.get(text, _MISSING)
            if value is _MISSING:
                value = self._parse_value(field, text, parse)
                if len(verdicts) < _CACHE_LIMIT:
                    verdicts[text] = value
            if value.__class__ is _Problem:
                errors.append(self._error(field, index, text.strip(), *value))
            else:
                values[field] = value
        if not errors:
            self._check_together(values, errors)
        return values, errors

    @staticmethod
    def _text_problem(text: str, limit: int) -> tuple[str, dict[str, Any]]:
        if not text:
            return gettext_noop("a value is required"), {}
        if text.startswith(FORMULA_CHARS):
            return gettext_noop("looks like a spreadsheet formula"), {}
        return gettext_noop("longer than %(limit)s characters"), {"limit": limit}

    def _parse_value(self, field: str, text: str, parse: Callable[[str], Any]) -> Any:
        stripped = text.strip()
        if not stripped:
            if field in self.required:
                return _Problem((gettext_noop("a value is required"), {}))
            return DEFAULTS.get(field)
        if text.startswith(FORMULA_CHARS):
            return _Problem((gettext_noop("looks like a spreadsheet formula"), {}))
        try:
            return parse(stripped)
        except Invalid as error:
            return _Problem((error.problem, error.params))

    def _check_together(self, values: dict[str, Any], errors: list[RowError]) -> None:
        returned = values["return_date"]
        born = values["date_of_birth"]
        area = values["settlement_area"]
        if (
            values["from_country"] != values["to_country"]
            and returned <= self.latest_return
            and (born is None or born <= returned)
            and (not area or area.startswith(values["to_country"] + "-"))
        ):
            return

        def add(field: str, problem: str) -> None:
            value = values.get(field)
            text = value.isoformat() if isinstance(value, datetime.date) else str(value or "")
            errors.append(self._error(field, self.mapping.get(field), text, problem, {}))

        if values["from_country"] == values["to_country"]:
            add(
                "to_country", gettext_noop("a return goes to a different country from the one left")
            )
        if returned > self.latest_return:
            add("return_date", gettext_noop("the date of return is too far in the future"))
        if born is not None and born > returned:
            add("date_of_birth", gettext_noop("the date of birth is after the date of return"))
        if area and not area.startswith(values["to_country"] + "-"):
            add("settlement_area", gettext_noop("the region is not in the country of return"))
