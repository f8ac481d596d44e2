"""Template filters for country names, choice labels and query strings."""

from typing import Any

from django import template
from django.http import QueryDict

from retorno.core import geo

register = template.Library()


@register.filter
def country(code: str) -> str:
    """Return the country's name in the active language."""
    return geo.country_name(code)


@register.filter
def subdivision(code: str) -> str:
    return geo.subdivision_name(code) if code else ""


@register.simple_tag
def query_with(params: QueryDict, **changes: Any) -> str:
    """Return the query string with some parameters replaced (for pagers and sorting)."""
    query = params.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def choice_hint(value: Any) -> str:
    """Return the glossary's hint for a choice value, if it has one."""
    from retorno.core.glossary import CHOICE_HINTS

    hint = CHOICE_HINTS.get(str(value))
    return str(hint) if hint else ""


@register.filter
def label_of(value: str, choices: Any) -> str:
    """Return the translated label of a stored choice value."""
    return str(dict(choices.choices).get(value, value))


@register.filter
def record_type(entity_type: str) -> str:
    """Return a record type ("registry.person") as its translated name ("person")."""
    from django.apps import apps

    try:
        return str(apps.get_model(entity_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return entity_type
