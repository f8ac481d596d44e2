"""People: list, search for the arrival desk, read, register and change."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from retorno.accounts.access import require
from retorno.accounts.roles import Perm
from retorno.api.common import (
    Conflict,
    api_actor,
    countries_checked,
    household_checked,
    nulls_refused,
    office_checked,
    organisation_for_create,
    page,
    plain,
)
from retorno.api.schemas import (
    CandidateOut,
    ConflictOut,
    ErrorOut,
    PersonCreate,
    PersonListParams,
    PersonOut,
    PersonPage,
    PersonUpdate,
    SearchParams,
)
from retorno.core.errors import StaleEdit
from retorno.registry.models import Person
from retorno.registry.selectors import (
    audit_list,
    person_get_for,
    person_list_for,
    person_search,
)
from retorno.registry.services import person_create, person_update

router = Router(tags=["people"])

WRITE_ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ConflictOut, 422: ErrorOut}


def _fields(user: Any, data: dict[str, Any], organisation_id: int) -> dict[str, Any]:
    """Turn request data into service arguments, resolving and checking references."""
    fields = {name: plain(value) for name, value in data.items()}
    if fields.get("nationalities") is not None:
        fields["nationalities"] = countries_checked("nationalities", fields["nationalities"])
    if "household" in fields:
        fields["household"] = household_checked(user, fields["household"], organisation_id)
    if "office" in fields:
        fields["office"] = office_checked(user, fields["office"], organisation_id)
    return fields


@router.get("", response=PersonPage, summary="List people")
def person_list(request: HttpRequest, params: Query[PersonListParams]) -> dict[str, Any]:
    """List the people the caller may see, by name, sex or household, a page at a time."""
    qs = person_list_for(
        user=request.user, q=params.q, sex=plain(params.sex) or "", household=params.household
    )
    items, meta = page(qs, params.limit, params.offset)
    filters = {k: v for k, v in plain(params.model_dump()).items() if v not in ("", None)}
    audit_list(
        actor=api_actor(request), entity_type="registry.person", filters=filters, shown=len(items)
    )
    return {**meta, "items": items}


@router.get("/search", response=list[CandidateOut], summary="Search for a person (arrival desk)")
def person_find(request: HttpRequest, params: Query[SearchParams]) -> list[dict[str, Any]]:
    """Return the people a typed name and birth date most likely refer to, best first."""
    candidates = person_search(
        actor=api_actor(request),
        name=params.name,
        date_of_birth=params.date_of_birth,
        limit=params.limit,
    )
    return [
        {
            "person": cand.person,
            "score": cand.score,
            "name_score": cand.name_score,
            "birth_score": cand.birth_score,
        }
        for cand in candidates
    ]


@router.get("/{int:person_id}", response={200: PersonOut, 404: ErrorOut}, summary="Get a person")
def person_get(request: HttpRequest, person_id: int) -> Person:
    """Return one person's record (the read is audited)."""
    return person_get_for(actor=api_actor(request), person_id=person_id)


@router.post("", response={201: PersonOut, **WRITE_ERRORS}, summary="Register a person")
def person_add(request: HttpRequest, payload: PersonCreate) -> Status[Person]:
    """Register a new person in the given organisation (or the caller's only one)."""
    user = request.user
    organisation_id = organisation_for_create(user, payload.organisation, Perm.CREATE_PERSON)
    require(user, Perm.CREATE_PERSON, organisation_id)
    fields = _fields(user, payload.model_dump(exclude={"organisation"}), organisation_id)
    person = person_create(actor=api_actor(request), organisation_id=organisation_id, **fields)
    return Status(201, person)


@router.patch(
    "/{int:person_id}", response={200: PersonOut, **WRITE_ERRORS}, summary="Change a person"
)
def person_change(request: HttpRequest, person_id: int, payload: PersonUpdate) -> Person:
    """Change the fields sent; refuse with 409 if the record changed since `version`."""
    actor = api_actor(request)
    person = person_get_for(actor=actor, person_id=person_id, audit=False)
    require(request.user, Perm.CHANGE_PERSON, person.organisation_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    nulls_refused(Person, data)
    fields = _fields(request.user, data, person.organisation_id)
    try:
        return person_update(actor=actor, person=person, version=version, **fields)
    except StaleEdit as exc:
        raise Conflict.about(person) from exc
