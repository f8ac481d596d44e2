"""Return events: list with the list page's filters, read, record and change."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from retorno.accounts.access import require
from retorno.accounts.roles import Perm
from retorno.api.common import Conflict, api_actor, nulls_refused, office_checked, page, plain
from retorno.api.schemas import (
    ConflictOut,
    ErrorOut,
    ReturnCreate,
    ReturnListParams,
    ReturnOut,
    ReturnPage,
    ReturnUpdate,
)
from retorno.core.errors import NotFound, StaleEdit
from retorno.registry.models import ReturnEvent
from retorno.registry.selectors import (
    ReturnFilters,
    audit_list,
    person_get_for,
    return_event_get_for,
    return_event_list_for,
)
from retorno.registry.services import return_event_create, return_event_update

router = Router(tags=["return events"])

WRITE_ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ConflictOut, 422: ErrorOut}


def _fields(user: Any, data: dict[str, Any], organisation_id: int) -> dict[str, Any]:
    fields = {name: plain(value) for name, value in data.items()}
    for name in ("from_country", "to_country", "settlement_area"):
        if name in fields:
            fields[name] = (fields[name] or "").strip().upper()
    if "settlement_locality" in fields:
        fields["settlement_locality"] = fields["settlement_locality"] or ""
    if "office" in fields:
        fields["office"] = office_checked(user, fields["office"], organisation_id)
    return fields


@router.get("", response=ReturnPage, summary="List return events")
def return_list(request: HttpRequest, params: Query[ReturnListParams]) -> dict[str, Any]:
    """List the return events the caller may see, newest first, filtered and paged."""
    values = plain(params.model_dump(exclude={"limit", "offset"}))
    filters = ReturnFilters.from_params({k: v for k, v in values.items() if v is not None})
    qs = return_event_list_for(user=request.user, filters=filters)
    items, meta = page(qs, params.limit, params.offset)
    audit_list(
        actor=api_actor(request),
        entity_type="registry.returnevent",
        filters=filters.active(),
        shown=len(items),
    )
    return {**meta, "items": items}


@router.get(
    "/{int:event_id}", response={200: ReturnOut, 404: ErrorOut}, summary="Get a return event"
)
def return_get(request: HttpRequest, event_id: int) -> ReturnEvent:
    """Return one return event (the read is audited)."""
    return return_event_get_for(actor=api_actor(request), event_id=event_id)


@router.post("", response={201: ReturnOut, **WRITE_ERRORS}, summary="Record a return")
def return_add(request: HttpRequest, payload: ReturnCreate) -> Status[ReturnEvent]:
    """Record a return of a person the caller may see, in that person's organisation."""
    actor = api_actor(request)
    try:
        person = person_get_for(actor=actor, person_id=payload.person, audit=False)
    except NotFound as exc:
        raise ValidationError({"person": _("Unknown person.")}) from exc
    require(request.user, Perm.CREATE_RETURN, person.organisation_id)
    fields = _fields(request.user, payload.model_dump(exclude={"person"}), person.organisation_id)
    event = return_event_create(actor=actor, person=person, **fields)
    return Status(201, event)


@router.patch(
    "/{int:event_id}", response={200: ReturnOut, **WRITE_ERRORS}, summary="Change a return event"
)
def return_change(request: HttpRequest, event_id: int, payload: ReturnUpdate) -> ReturnEvent:
    """Change the fields sent; refuse with 409 if the record changed since `version`."""
    actor = api_actor(request)
    event = return_event_get_for(actor=actor, event_id=event_id, audit=False)
    require(request.user, Perm.CHANGE_RETURN, event.organisation_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    nulls_refused(ReturnEvent, data)
    fields = _fields(request.user, data, event.organisation_id)
    try:
        return return_event_update(actor=actor, event=event, version=version, **fields)
    except StaleEdit as exc:
        raise Conflict.about(event) from exc
