"""Personal API tokens: the services, the command and the page."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from retorno.accounts.models import ApiToken
from retorno.accounts.services import api_token_create, api_token_revoke
from retorno.api.tests.conftest import ApiClient
from retorno.core.audit import Actor
from retorno.core.models import AuditAction, AuditChannel, AuditEvent

pytestmark = pytest.mark.django_db


def test_create_stores_only_the_hash_and_audits(alice: User) -> None:
    actor = Actor(user=alice, ip_address="10.0.0.1")
    token, secret = api_token_create(actor=actor, user=alice, name="  reporting script ")
    assert secret.startswith("rt_") and len(secret) > 40
    assert token.name == "reporting script"
    assert token.prefix == secret[: ApiToken.PREFIX_LENGTH]
    assert token.key_hash == ApiToken.hash_key(secret) and secret not in token.key_hash
    event = AuditEvent.objects.get(action=AuditAction.CREATE, entity_type="accounts.apitoken")
    assert event.actor == alice and event.entity_id == str(token.pk)
    assert token.key_hash not in str(event.after) and secret not in str(event.after)


def test_create_refuses_blank_names_and_other_users(alice: User, carla: User) -> None:
    with pytest.raises(ValidationError):
        api_token_create(actor=Actor(user=alice), user=alice, name="   ")
    with pytest.raises(PermissionDenied):
        api_token_create(actor=Actor(user=alice), user=carla, name="not mine")
    assert not ApiToken.objects.exists()


def test_revoke_is_audited_once(alice: User, carla: User) -> None:
    token, _secret = api_token_create(actor=Actor(user=alice), user=alice, name="laptop")
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=Actor(user=carla), token=token)
    api_token_revoke(actor=Actor(user=alice), token=token)
    api_token_revoke(actor=Actor(user=alice), token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.UPDATE, entity_type="accounts.apitoken", entity_id=str(token.pk)
        ).count()
        == 1
    )


def test_command_creates_lists_and_revokes(alice: User) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", "create", "alice", "--name", "nightly export", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert ApiClient(secret).get("/organisations").status_code == 200
    token = ApiToken.objects.get(user=alice)
    assert AuditEvent.objects.get(entity_type="accounts.apitoken").channel == AuditChannel.COMMAND
    listing = io.StringIO()
    call_command("api_token", "list", "alice", stdout=listing)
    assert "nightly export" in listing.getvalue() and secret not in listing.getvalue()
    call_command("api_token", "revoke", str(token.pk), stdout=io.StringIO())
    assert ApiClient(secret).get("/organisations").status_code == 401
    with pytest.raises(CommandError):
        call_command("api_token", "create", "nobody", stdout=io.StringIO())


def test_page_lists_creates_shows_once_and_revokes(alice: User, carla: User) -> None:
    _other, _ = api_token_create(actor=Actor(user=carla), user=carla, name="carla's token")
    client = Client()
    client.force_login(alice)
    url = reverse("accounts:tokens")
    page = client.get(url)
    assert page.status_code == 200
    assert "carla's token" not in page.content.decode()

    created = client.post(url, {"name": "statistics export"})
    assert created.status_code == 200
    assert created["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=alice)
    secret = created.context["new_secret"]
    assert ApiToken.hash_key(secret) == token.key_hash
    assert secret in created.content.decode()
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, entity_id=str(token.pk), channel=AuditChannel.WEB
    ).exists()

    again = client.get(url).content.decode()
    assert "statistics export" in again and token.prefix in again
    assert secret not in again

    assert client.post(url, {"name": ""}).status_code == 400

    # Somebody else's token cannot be revoked from here.
    assert client.post(reverse("accounts:token_revoke", args=[_other.pk])).status_code == 404
    revoked = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert revoked.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405


def test_template_translates_every_string() -> None:
    """Check that the page's text sits inside translate tags (no bare words between tags)."""
    import re

    source = (Path(settings.BASE_DIR) / "templates/accounts/tokens.html").read_text()
    source = re.sub(r"{% blocktranslate.*?{% endblocktranslate %}", " ", source, flags=re.S)
    stripped = re.sub(r"{%.*?%}|{{.*?}}|<[^>]+>", " ", source, flags=re.S)
    leftovers = [word for word in stripped.split() if re.search(r"[A-Za-z]{2,}", word)]
    assert leftovers == []
