"""Migration episodes: the periods a person lived abroad."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status

from retorno.accounts.access import orgs_with, require
from retorno.accounts.roles import Perm
from retorno.api.common import Conflict, api_actor, countries_checked, nulls_refused, plain
from retorno.api.schemas import ConflictOut, EpisodeCreate, EpisodeOut, EpisodeUpdate, ErrorOut
from retorno.core.audit import Actor, audit_record
from retorno.core.errors import NotFound, StaleEdit
from retorno.core.models import AuditAction
from retorno.registry.models import MigrationEpisode
from retorno.registry.selectors import audit_list, person_get_for
from retorno.registry.services import episode_create, episode_update

router = Router(tags=["migration episodes"])

WRITE_ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ConflictOut, 422: ErrorOut}


def _episodes_for(user: Any) -> QuerySet[MigrationEpisode]:
    """Return the episodes of the people the user may see."""
    return MigrationEpisode.objects.filter(
        person__organisation_id__in=orgs_with(user, Perm.VIEW_PERSON)
    ).select_related("person")


def _episode_get(actor: Actor, episode_id: int, *, audit: bool) -> MigrationEpisode:
    episode = _episodes_for(actor.user).filter(pk=episode_id).first()
    if episode is None:
        raise NotFound()
    if audit:
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            entity=episode,
            organisation_id=episode.person.organisation_id,
            person_id=episode.person_id,
            summary=str(episode),
        )
    return episode


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    fields = {name: plain(value) for name, value in data.items()}
    if "host_country" in fields:
        fields["host_country"] = countries_checked("host_country", [fields["host_country"] or ""])[
            0
        ]
    return fields


@router.get(
    "/people/{int:person_id}/episodes",
    response={200: list[EpisodeOut], 404: ErrorOut},
    summary="List a person's migration episodes",
)
def episode_list(request: HttpRequest, person_id: int) -> list[MigrationEpisode]:
    """List the periods abroad of one person, oldest first."""
    actor = api_actor(request)
    person = person_get_for(actor=actor, person_id=person_id, audit=False)
    episodes = list(person.episodes.order_by("started_on", "id"))
    audit_list(
        actor=actor,
        entity_type="registry.migrationepisode",
        filters={"person": person.pk},
        shown=len(episodes),
    )
    return episodes


@router.post(
    "/people/{int:person_id}/episodes",
    response={201: EpisodeOut, **WRITE_ERRORS},
    summary="Add a migration episode",
)
def episode_add(
    request: HttpRequest, person_id: int, payload: EpisodeCreate
) -> Status[MigrationEpisode]:
    """Add a period abroad to a person's history."""
    actor = api_actor(request)
    person = person_get_for(actor=actor, person_id=person_id, audit=False)
    require(request.user, Perm.CHANGE_PERSON, person.organisation_id)
    episode = episode_create(actor=actor, person=person, **_fields(payload.model_dump()))
    return Status(201, episode)


@router.get(
    "/episodes/{int:episode_id}",
    response={200: EpisodeOut, 404: ErrorOut},
    summary="Get a migration episode",
)
def episode_get(request: HttpRequest, episode_id: int) -> MigrationEpisode:
    """Return one period abroad (the read is audited)."""
    return _episode_get(api_actor(request), episode_id, audit=True)


@router.patch(
    "/episodes/{int:episode_id}",
    response={200: EpisodeOut, **WRITE_ERRORS},
    summary="Change a migration episode",
)
def episode_change(
    request: HttpRequest, episode_id: int, payload: EpisodeUpdate
) -> MigrationEpisode:
    """Change the fields sent; refuse with 409 if the record changed since `version`."""
    actor = api_actor(request)
    episode = _episode_get(actor, episode_id, audit=False)
    require(request.user, Perm.CHANGE_PERSON, episode.person.organisation_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    nulls_refused(MigrationEpisode, data)
    try:
        return episode_update(actor=actor, episode=episode, version=version, **_fields(data))
    except StaleEdit as exc:
        raise Conflict.about(episode) from exc
