"""Organisations, read-only.

A user sees only the organisations they work for (where they hold any role),
with what they may do in each; other organisations are not listed, and asking
for one gives 404, as for any record out of reach.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router

from retorno.accounts.access import can, orgs_with
from retorno.accounts.models import Organisation
from retorno.accounts.roles import Perm
from retorno.api.schemas import ErrorOut, OrganisationOut
from retorno.core.errors import NotFound

router = Router(tags=["organisations"])


def _visible(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=orgs_with(user, Perm.VIEW_ORGANISATION))


def _with_permissions(user: Any, organisation: Organisation) -> Organisation:
    """Attach what the user may do in the organisation, for OrganisationOut."""
    organisation.permissions = sorted(  # type: ignore[attr-defined]
        str(p) for p in Perm if can(user, p, organisation.pk)
    )
    return organisation


@router.get("", response=list[OrganisationOut], summary="List my organisations")
def organisation_list(request: HttpRequest) -> list[Organisation]:
    """List the organisations the caller works for, with what they may do in each."""
    return [_with_permissions(request.user, org) for org in _visible(request.user).order_by("name")]


@router.get(
    "/{int:organisation_id}",
    response={200: OrganisationOut, 404: ErrorOut},
    summary="Get one of my organisations",
)
def organisation_get(request: HttpRequest, organisation_id: int) -> Organisation:
    """Return one organisation the caller works for."""
    organisation = _visible(request.user).filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFound()
    return _with_permissions(request.user, organisation)
