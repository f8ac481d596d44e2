"""Households: list, read, create and change."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from retorno.accounts.access import require
from retorno.accounts.roles import Perm
from retorno.api.common import Conflict, api_actor, nulls_refused, organisation_for_create, page
from retorno.api.schemas import (
    ConflictOut,
    ErrorOut,
    HouseholdCreate,
    HouseholdListParams,
    HouseholdOut,
    HouseholdPage,
    HouseholdUpdate,
)
from retorno.core.errors import NotFound, StaleEdit
from retorno.registry.models import Household
from retorno.registry.selectors import audit_list, household_get_for, household_list_for
from retorno.registry.services import household_create, household_update

router = Router(tags=["households"])

WRITE_ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ConflictOut, 422: ErrorOut}


@router.get("", response=HouseholdPage, summary="List households")
def household_list(request: HttpRequest, params: Query[HouseholdListParams]) -> dict[str, Any]:
    """List the households the caller may see, optionally by part of their reference."""
    qs = household_list_for(user=request.user)
    if params.q:
        qs = qs.filter(reference__icontains=params.q.strip())
    items, meta = page(qs.order_by("reference", "id"), params.limit, params.offset)
    filters = {k: v for k, v in params.model_dump().items() if v not in ("", None)}
    audit_list(
        actor=api_actor(request),
        entity_type="registry.household",
        filters=filters,
        shown=len(items),
    )
    return {**meta, "items": items}


@router.get(
    "/{int:household_id}", response={200: HouseholdOut, 404: ErrorOut}, summary="Get a household"
)
def household_get(request: HttpRequest, household_id: int) -> Household:
    """Return one household (the read is audited)."""
    return household_get_for(actor=api_actor(request), household_id=household_id)


@router.post("", response={201: HouseholdOut, **WRITE_ERRORS}, summary="Create a household")
def household_add(request: HttpRequest, payload: HouseholdCreate) -> Status[Household]:
    """Create a household in the given organisation (or the caller's only one)."""
    organisation_id = organisation_for_create(
        request.user, payload.organisation, Perm.CREATE_PERSON
    )
    household = household_create(
        actor=api_actor(request),
        organisation_id=organisation_id,
        reference=payload.reference.strip(),
        notes=payload.notes,
    )
    return Status(201, household)


@router.patch(
    "/{int:household_id}",
    response={200: HouseholdOut, **WRITE_ERRORS},
    summary="Change a household",
)
def household_change(
    request: HttpRequest, household_id: int, payload: HouseholdUpdate
) -> Household:
    """Change the fields sent; refuse with 409 if the record changed since `version`."""
    household = household_list_for(user=request.user).filter(pk=household_id).first()
    if household is None:
        raise NotFound()
    require(request.user, Perm.CHANGE_PERSON, household.organisation_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    nulls_refused(Household, data)
    fields = dict(data)
    if "reference" in fields:
        fields["reference"] = fields["reference"].strip()
    try:
        return household_update(
            actor=api_actor(request), household=household, version=version, **fields
        )
    except StaleEdit as exc:
        raise Conflict.about(household) from exc
