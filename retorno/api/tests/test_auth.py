"""Who gets in: bearer tokens, the web session with CSRF, and nobody else."""

import datetime
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from retorno.accounts.models import ApiToken
from retorno.accounts.services import api_token_revoke
from retorno.api.tests.conftest import API, ApiClient
from retorno.core.audit import command_actor

pytestmark = pytest.mark.django_db


def test_valid_token_opens_the_api(alice: User, token_for: Callable[[User], str]) -> None:
    secret = token_for(alice)
    response = ApiClient(secret).get("/organisations")
    assert response.status_code == 200
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(secret))
    assert token.last_used_at is not None


def test_last_used_is_written_at_most_once_a_minute(
    alice: User, token_for: Callable[[User], str]
) -> None:
    secret = token_for(alice)
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(secret))
    recent = timezone.now() - datetime.timedelta(seconds=20)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    ApiClient(secret).get("/organisations")
    token.refresh_from_db()
    assert token.last_used_at == recent
    old = timezone.now() - datetime.timedelta(minutes=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    ApiClient(secret).get("/organisations")
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > old


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer rt_not-a-real-token",
        "Bearer ",
        "Token rt_something",
        "Basic YWxpY2U6cGFzc3dvcmQ=",
    ],
)
def test_missing_or_unknown_credentials_give_401_json(alice: User, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = Client(headers=headers).get(f"{API}/people")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_revoked_token_gives_401(alice: User, token_for: Callable[[User], str]) -> None:
    secret = token_for(alice)
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(secret))
    api_token_revoke(actor=command_actor(), token=token)
    assert ApiClient(secret).get("/people").status_code == 401


def test_token_of_inactive_user_gives_401(alice: User, token_for: Callable[[User], str]) -> None:
    secret = token_for(alice)
    alice.is_active = False
    alice.save()
    assert ApiClient(secret).get("/people").status_code == 401


def test_token_needs_no_csrf(alice: User, token_for: Callable[[User], str]) -> None:
    client = Client(
        enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token_for(alice)}"}
    )
    response = client.post(
        f"{API}/people", {"given_name": "Lidia"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content


def test_session_reads_and_writes_with_csrf(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get(f"{API}/people").status_code == 200
    refused = client.post(f"{API}/people", {"given_name": "Lidia"}, content_type="application/json")
    assert refused.status_code == 403
    # The docs page hands out the CSRF token the Swagger UI sends back.
    client.get(f"{API}/docs")
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(
        f"{API}/people",
        {"given_name": "Lidia"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert accepted.status_code == 201, accepted.content


def test_unauthenticated_write_is_401_not_a_csrf_error() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"{API}/people", {"given_name": "X"}, content_type="application/json")
    assert response.status_code == 401
