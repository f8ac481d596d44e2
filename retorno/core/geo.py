"""Countries (ISO 3166-1) and their subdivisions (ISO 3166-2), named in the active language."""

import gettext
from functools import lru_cache

import pycountry
from django.utils.translation import get_language


@lru_cache(maxsize=16)
def _translator(domain: str, language: str) -> gettext.NullTranslations:
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


def _language() -> str:
    return (get_language() or "en").split("-")[0]


def is_country(code: str) -> bool:
    return bool(code) and pycountry.countries.get(alpha_2=code.upper()) is not None


def is_subdivision(code: str) -> bool:
    return bool(code) and pycountry.subdivisions.get(code=code.upper()) is not None


def country_name(code: str, language: str | None = None) -> str:
    """Return the country's name in the given (or active) language, or the code itself."""
    country = pycountry.countries.get(alpha_2=(code or "").upper())
    if country is None:
        return code or ""
    language = language or _language()
    # People say "Moldova" and "Bolivia", not "Moldova, Republic of"; the catalogues
    # translate the common names too.
    name = str(getattr(country, "common_name", None) or country.name)
    if language == "en":
        return name
    return _translator("iso3166-1", language).gettext(name)


def subdivision_name(code: str, language: str | None = None) -> str:
    sub = pycountry.subdivisions.get(code=(code or "").upper())
    if sub is None:
        return code or ""
    return _translator("iso3166-2", language or _language()).gettext(sub.name)


@lru_cache(maxsize=8)
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    pairs = [(c.alpha_2, country_name(c.alpha_2, language)) for c in pycountry.countries]
    return tuple(sorted(pairs, key=lambda p: unidecode_key(p[1])))


def country_choices() -> list[tuple[str, str]]:
    """Return (code, name) pairs for every country, sorted by name in the active language."""
    return list(_country_choices(_language()))


@lru_cache(maxsize=64)
def _subdivision_choices(country: str, language: str) -> tuple[tuple[str, str], ...]:
    subs = pycountry.subdivisions.get(country_code=country.upper()) or []
    pairs = [(s.code, subdivision_name(s.code, language)) for s in subs]
    return tuple(sorted(pairs, key=lambda p: unidecode_key(p[1])))


def subdivision_choices(country: str) -> list[tuple[str, str]]:
    return list(_subdivision_choices(country, _language()))


def unidecode_key(text: str) -> str:
    from unidecode import unidecode

    return unidecode(text).lower()
