"""Helpers shared by the API's routers: the actor, paging, and checks of referenced records."""

import enum
from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Field, Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from retorno.accounts.access import default_organisation, orgs_with
from retorno.accounts.models import Office
from retorno.accounts.roles import Perm
from retorno.core.audit import Actor, actor_from_request
from retorno.core.geo import is_country
from retorno.core.models import AuditChannel
from retorno.registry.models import Household
from retorno.registry.selectors import count_capped, household_list_for

M = TypeVar("M", bound=Model)


class Conflict(Exception):
    """An edit was made on an older version of a record."""

    def __init__(self, current_version: int | None) -> None:
        super().__init__(current_version)
        self.current_version = current_version

    @classmethod
    def about(cls, record: Any) -> "Conflict":
        """Return the conflict for a record, carrying the version now saved."""
        current = (
            type(record)
            ._default_manager.filter(pk=record.pk)
            .values_list("version", flat=True)
            .first()
        )
        return cls(current)


def api_actor(request: HttpRequest) -> Actor:
    """Return the Actor of an API request (token or session user)."""
    return actor_from_request(request, channel=AuditChannel.API)


def plain(value: Any) -> Any:
    """Turn enum members (also inside lists and dicts) into their stored values."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def nulls_refused(model: type[Model], data: dict[str, Any]) -> None:
    """Raise ValidationError for fields sent as null that the record cannot leave empty."""
    errors: dict[str, Any] = {}
    for name, value in data.items():
        if value is None:
            field = model._meta.get_field(name)
            if isinstance(field, Field) and not field.null:
                errors[name] = field.error_messages["null"]
    if errors:
        raise ValidationError(errors)


def page(qs: QuerySet[M], limit: int, offset: int) -> tuple[list[M], dict[str, Any]]:
    """Return one page of a queryset and the paging facts, with a capped count."""
    count, capped = count_capped(qs)
    items = list(qs[offset : offset + limit])
    return items, {"count": count, "count_is_capped": capped, "limit": limit, "offset": offset}


def organisation_for_create(user: Any, requested: int | None, perm: Perm) -> int:
    """Return the organisation to create in: the one asked for, or the user's only one."""
    if requested is not None:
        return requested
    organisation_id = default_organisation(user, perm)
    if organisation_id is None:
        raise PermissionDenied(perm)
    if len(orgs_with(user, perm)) > 1:
        raise ValidationError(
            {"organisation": _("You work for several organisations: say which one.")}
        )
    return organisation_id


def countries_checked(field: str, codes: Iterable[str]) -> list[str]:
    """Return the codes in capitals, or raise ValidationError naming the unknown ones."""
    upper = [str(code).strip().upper() for code in codes]
    unknown = [code for code in upper if not is_country(code)]
    if unknown:
        raise ValidationError(
            {field: _("Not a known country code: %(codes)s") % {"codes": ", ".join(unknown)}}
        )
    return upper


def household_checked(
    user: Any, household_id: int | None, organisation_id: int
) -> Household | None:
    """Return the household a record points at, if the user sees it in the same organisation."""
    if household_id is None:
        return None
    household = (
        household_list_for(user=user)
        .filter(pk=household_id, organisation_id=organisation_id)
        .first()
    )
    if household is None:
        raise ValidationError({"household": _("Unknown household.")})
    return household


def office_checked(user: Any, office_id: int | None, organisation_id: int) -> Office | None:
    """Return the office a record points at, if it belongs to the record's organisation."""
    if office_id is None:
        return None
    office = Office.objects.filter(
        pk=office_id,
        organisation_id=organisation_id,
        organisation_id__in=orgs_with(user, Perm.VIEW_ORGANISATION),
    ).first()
    if office is None:
        raise ValidationError({"office": _("Unknown office.")})
    return office
