"""Writes to accounts: personal API tokens, each with its audit event."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retorno.accounts.models import ApiToken
from retorno.core.audit import Actor, audit_record
from retorno.core.models import AuditAction, AuditChannel

API_TOKEN_NAME_MAX = ApiToken._meta.get_field("name").max_length or 100


def _token_snapshot(token: ApiToken) -> dict[str, Any]:
    """Return what the audit trail keeps of a token: never its hash."""
    return {
        "user_id": token.user_id,
        "name": token.name,
        "prefix": token.prefix,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


def _check_owner(actor: Actor, owner_id: int) -> None:
    """Refuse unless the actor works on their own tokens (the command line may act for anyone)."""
    if actor.channel == AuditChannel.COMMAND:
        return
    if actor.user_id is None or actor.user_id != owner_id:
        raise PermissionDenied(_("You may only manage your own API tokens."))


@transaction.atomic
def api_token_create(*, actor: Actor, user: Any, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token for a user and return it with its secret (shown once)."""
    _check_owner(actor, user.pk)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, to recognise it later.")})
    if len(name) > API_TOKEN_NAME_MAX:
        raise ValidationError(
            {
                "name": _("The name is too long (at most %(n)d characters).")
                % {"n": API_TOKEN_NAME_MAX}
            }
        )
    if not user.is_active:
        raise ValidationError(_("This user account is not active."))
    secret = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[: ApiToken.PREFIX_LENGTH],
        key_hash=ApiToken.hash_key(secret),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        entity=token,
        summary=f"{token.name} ({token.prefix}…) for {user.get_username()}",
        after=_token_snapshot(token),
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke a token so that it no longer opens the API; revoking twice changes nothing."""
    _check_owner(actor, token.user_id)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    before = _token_snapshot(token)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        entity=token,
        summary=f"revoked {token.name} ({token.prefix}…)",
        before=before,
        after=_token_snapshot(token),
    )
    return token
