"""Write audit events; every service calls this inside its own transaction."""

import datetime
import decimal
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.http import HttpRequest

from retorno.core.models import AuditAction, AuditChannel, AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who is acting, through which channel and from where."""

    user: Any
    channel: str = AuditChannel.WEB
    ip_address: str | None = None
    user_agent: str = ""

    @property
    def user_id(self) -> int | None:
        return getattr(self.user, "pk", None)


def actor_from_request(request: HttpRequest, *, channel: str = AuditChannel.WEB) -> Actor:
    """Build the Actor for a web or API request."""
    user = getattr(request, "user", None)
    if isinstance(user, AnonymousUser):
        user = None
    return Actor(
        user=user,
        channel=channel,
        ip_address=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )


def command_actor(user: AbstractBaseUser | None = None) -> Actor:
    """Return the Actor for work started from the command line."""
    return Actor(user=user, channel=AuditChannel.COMMAND)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """Return the concrete field values of a model instance as JSON-safe data."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        data[field.attname] = _json_value(getattr(instance, field.attname))
    return data


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Return only the keys whose values differ, as {key: [before, after]}."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def audit_record(
    *,
    actor: Actor,
    action: str,
    entity: models.Model | None = None,
    entity_type: str = "",
    entity_id: Any = "",
    organisation_id: int | None = None,
    person_id: int | None = None,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event."""
    if entity is not None:
        entity_type = entity_type or entity._meta.label_lower
        entity_id = entity_id or entity.pk
        organisation_id = organisation_id or getattr(entity, "organisation_id", None)
    user = actor.user
    return AuditEvent.objects.create(
        actor=user if getattr(user, "pk", None) else None,
        actor_label=(user.get_username() if getattr(user, "pk", None) else "")[:150],
        action=action,
        channel=actor.channel,
        ip_address=actor.ip_address,
        user_agent=actor.user_agent,
        organisation_id=organisation_id,
        entity_type=entity_type,
        entity_id=str(entity_id or ""),
        person_id=person_id,
        summary=summary[:300],
        before=before,
        after=after,
    )


def audit_login(*, actor: Actor, username: str, success: bool) -> None:
    """Record a login attempt, successful or not."""
    AuditEvent.objects.create(
        actor=actor.user if success and getattr(actor.user, "pk", None) else None,
        actor_label=username[:150],
        action=AuditAction.LOGIN if success else AuditAction.LOGIN_FAILED,
        channel=actor.channel,
        ip_address=actor.ip_address,
        user_agent=actor.user_agent,
    )
