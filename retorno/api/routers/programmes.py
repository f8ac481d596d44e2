"""Programmes (with their assistance and ceilings), the partner directory and community projects."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from retorno.accounts.models import Organisation
from retorno.accounts.roles import Perm
from retorno.api.common import (
    Conflict,
    api_actor,
    countries_checked,
    nulls_refused,
    organisation_for_create,
    page,
    plain,
)
from retorno.api.schemas import ConflictOut, ErrorOut, PageParams
from retorno.api.schemas_cases import (
    CommunityProjectCreate,
    CommunityProjectOut,
    CommunityProjectPage,
    CommunityProjectUpdate,
    EligibilityOut,
    EligibilityParams,
    PartnerCreate,
    PartnerListParams,
    PartnerOut,
    PartnerPage,
    PartnerUpdate,
    ProgrammeCreate,
    ProgrammeDetailOut,
    ProgrammeOut,
    ProgrammeUpdate,
)
from retorno.cases import services
from retorno.cases.models import CommunityProject, Partner, Programme
from retorno.cases.selectors import (
    community_projects_for,
    eligibility,
    partners_for,
    programmes_for,
)
from retorno.core.errors import NotFound, StaleEdit
from retorno.registry.selectors import person_get_for

router = Router(tags=["programmes and directory"])

WRITE_ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ConflictOut, 422: ErrorOut}
MONEY_FIELDS = ("budget", "approval_threshold")


def _programme(request: HttpRequest, programme_id: int) -> Programme:
    programme = (
        programmes_for(request.user)
        .prefetch_related("assistance", "partners")
        .filter(pk=programme_id)
        .first()
    )
    if programme is None:
        raise NotFound()
    return programme


def _programme_fields(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Split request data into programme fields and the assistance catalogue, amounts as Decimal."""
    fields = plain(data)
    assistance = fields.pop("assistance", None)
    fields.pop("partners", None)
    for name in MONEY_FIELDS:
        if name in fields:
            fields[name] = services.money(fields[name], name)
    for name in ("host_countries", "origin_countries", "eligible_nationalities"):
        if fields.get(name) is not None:
            fields[name] = countries_checked(name, fields[name])
    if "currency" in fields:
        fields["currency"] = fields["currency"].upper()
    return fields, assistance


def _partners_checked(request: HttpRequest, ids: list[int] | None) -> list[Partner] | None:
    """The directory entries named, or None when the request does not change them."""
    if ids is None:
        return None
    found = list(partners_for(request.user).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({"partners": _("Unknown partner.")})
    return found


def _organisation_checked(field: str, organisation_id: int | None) -> int | None:
    if organisation_id is None:
        return None
    if not Organisation.objects.filter(pk=organisation_id, is_active=True).exists():
        raise ValidationError({field: _("Unknown organisation.")})
    return organisation_id


def _programme_checked(request: HttpRequest, programme_id: int | None) -> Programme | None:
    if programme_id is None:
        return None
    programme = programmes_for(request.user).filter(pk=programme_id).first()
    if programme is None:
        raise ValidationError({"programme": _("Unknown programme.")})
    return programme


# --- Programmes -------------------------------------------------------------------------


@router.get("/programmes", response=list[ProgrammeOut], summary="List programmes")
def programme_list(request: HttpRequest) -> QuerySet[Programme]:
    """Programmes of the caller's organisations, and those they are a partner of."""
    return programmes_for(request.user).prefetch_related("assistance", "partners")


@router.get(
    "/programmes/{int:programme_id}",
    response={200: ProgrammeDetailOut, 404: ErrorOut},
    summary="Get a programme",
)
def programme_get(request: HttpRequest, programme_id: int) -> Programme:
    """A programme with its assistance, ceilings and budget figures (committed, paid, available)."""
    return _programme(request, programme_id)


@router.post(
    "/programmes", response={201: ProgrammeDetailOut, **WRITE_ERRORS}, summary="Create a programme"
)
def programme_add(request: HttpRequest, payload: ProgrammeCreate) -> Status[Programme]:
    user = request.user
    organisation_id = organisation_for_create(user, payload.organisation, Perm.MANAGE_PROGRAMMES)
    fields, assistance = _programme_fields(payload.model_dump(exclude={"organisation"}))
    programme = Programme(organisation_id=organisation_id, **fields)
    services.programme_save(
        actor=api_actor(request),
        programme=programme,
        assistance=assistance,
        partners=_partners_checked(request, payload.partners),
    )
    return Status(201, _programme(request, programme.pk))


@router.patch(
    "/programmes/{int:programme_id}",
    response={200: ProgrammeDetailOut, **WRITE_ERRORS},
    summary="Change a programme",
)
def programme_change(
    request: HttpRequest, programme_id: int, payload: ProgrammeUpdate
) -> Programme:
    """Change the fields sent; `assistance`, when sent, replaces the whole catalogue."""
    programme = _programme(request, programme_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    assistance_sent = "assistance" in data
    fields, assistance = _programme_fields(data)
    nulls_refused(Programme, fields)
    for name, value in fields.items():
        setattr(programme, name, value)
    try:
        services.programme_save(
            actor=api_actor(request),
            programme=programme,
            version=version,
            assistance=(assistance or {}) if assistance_sent else None,
            partners=_partners_checked(request, payload.partners),
        )
    except StaleEdit as exc:
        raise Conflict.about(programme) from exc
    return _programme(request, programme_id)


@router.get(
    "/programmes/{int:programme_id}/eligibility",
    response={200: EligibilityOut, 404: ErrorOut},
    summary="Check a person's eligibility",
)
def programme_eligibility(
    request: HttpRequest, programme_id: int, params: Query[EligibilityParams]
) -> dict[str, Any]:
    """Each of the programme's rules against the person: passed or not, and why."""
    programme = _programme(request, programme_id)
    person = person_get_for(actor=api_actor(request), person_id=params.person)
    rules = eligibility(programme, person, removal_order=params.removal_order)
    return {
        "programme": programme.pk,
        "person": person.pk,
        "eligible": all(rule.passed for rule in rules),
        "rules": [
            {"rule": str(rule.rule), "passed": rule.passed, "explanation": rule.explanation}
            for rule in rules
        ],
    }


# --- Partner directory ------------------------------------------------------------------


@router.get("/partners", response=PartnerPage, summary="List the partner directory")
def partner_list(request: HttpRequest, params: Query[PartnerListParams]) -> dict[str, Any]:
    """Active service providers, by country, region and kind."""
    qs = partners_for(
        request.user,
        country=params.country,
        region=params.region,
        kind=plain(params.kind) or "",
    )
    items, meta = page(qs, params.limit, params.offset)
    return {**meta, "items": items}


@router.post("/partners", response={201: PartnerOut, **WRITE_ERRORS}, summary="List a partner")
def partner_add(request: HttpRequest, payload: PartnerCreate) -> Status[Partner]:
    organisation_id = organisation_for_create(
        request.user, payload.organisation, Perm.MANAGE_DIRECTORY
    )
    fields = plain(payload.model_dump(exclude={"organisation", "linked_organisation"}))
    fields["country"] = fields["country"].upper()
    fields["region"] = fields["region"].upper()
    partner = Partner(
        organisation_id=organisation_id,
        linked_organisation_id=_organisation_checked(
            "linked_organisation", payload.linked_organisation
        ),
        **fields,
    )
    services.partner_save(actor=api_actor(request), partner=partner)
    return Status(201, partner)


@router.patch(
    "/partners/{int:partner_id}",
    response={200: PartnerOut, **WRITE_ERRORS},
    summary="Change a partner",
)
def partner_change(request: HttpRequest, partner_id: int, payload: PartnerUpdate) -> Partner:
    """Change the fields sent (only the organisation that lists the partner may)."""
    partner = partners_for(request.user).filter(pk=partner_id).first()
    if partner is None:
        raise NotFound()
    data = plain(payload.model_dump(exclude_unset=True))
    version = data.pop("version")
    if "linked_organisation" in data:
        data["linked_organisation_id"] = _organisation_checked(
            "linked_organisation", data.pop("linked_organisation")
        )
    nulls_refused(Partner, {k: v for k, v in data.items() if k != "linked_organisation_id"})
    for name in ("country", "region"):
        if name in data:
            data[name] = data[name].upper()
    for name, value in data.items():
        setattr(partner, name, value)
    return services.partner_save(actor=api_actor(request), partner=partner, version=version)


# --- Community projects -----------------------------------------------------------------


@router.get("/community-projects", response=CommunityProjectPage, summary="List community projects")
def community_project_list(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    """Projects in areas of return run by the caller's organisations."""
    items, meta = page(community_projects_for(request.user), params.limit, params.offset)
    return {**meta, "items": items}


@router.post(
    "/community-projects",
    response={201: CommunityProjectOut, **WRITE_ERRORS},
    summary="Create a community project",
)
def community_project_add(
    request: HttpRequest, payload: CommunityProjectCreate
) -> Status[CommunityProject]:
    organisation_id = organisation_for_create(
        request.user, payload.organisation, Perm.MANAGE_PROGRAMMES
    )
    fields = plain(payload.model_dump(exclude={"organisation", "programme"}))
    fields["budget"] = services.money(fields["budget"], "budget")
    fields["country"] = fields["country"].upper()
    fields["region"] = fields["region"].upper()
    project = CommunityProject(
        organisation_id=organisation_id,
        programme=_programme_checked(request, payload.programme),
        **fields,
    )
    services.community_project_save(actor=api_actor(request), project=project)
    return Status(201, project)


@router.patch(
    "/community-projects/{int:project_id}",
    response={200: CommunityProjectOut, **WRITE_ERRORS},
    summary="Change a community project",
)
def community_project_change(
    request: HttpRequest, project_id: int, payload: CommunityProjectUpdate
) -> CommunityProject:
    project = community_projects_for(request.user).filter(pk=project_id).first()
    if project is None:
        raise NotFound()
    data = plain(payload.model_dump(exclude_unset=True))
    version = data.pop("version")
    if "programme" in data:
        project.programme = _programme_checked(request, data.pop("programme"))
    nulls_refused(CommunityProject, data)
    if "budget" in data:
        data["budget"] = services.money(data["budget"], "budget")
    for name in ("country", "region"):
        if name in data:
            data[name] = data[name].upper()
    for name, value in data.items():
        setattr(project, name, value)
    try:
        return services.community_project_save(
            actor=api_actor(request), project=project, version=version
        )
    except StaleEdit as exc:
        raise Conflict.about(project) from exc
