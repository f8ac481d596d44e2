"""Fixtures for the API tests: a small registry in two organisations and API clients."""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from retorno.accounts.models import Organisation
from retorno.accounts.services import api_token_create
from retorno.core.audit import Actor, command_actor
from retorno.registry import choices as c
from retorno.registry.models import Household, Person, ReturnEvent
from retorno.registry.services import (
    episode_create,
    household_create,
    person_create,
    return_event_create,
)

API = "/api/v1"


class ApiClient:
    """A test client that sends a bearer token and JSON bodies."""

    def __init__(self, secret: str | None = None, **headers: str) -> None:
        if secret:
            headers["Authorization"] = f"Bearer {secret}"
        self.client = Client(headers=headers)

    def get(self, path: str, params: dict[str, Any] | None = None, language: str = "") -> Any:
        return self.client.get(API + path, params or {}, headers=_language(language))

    def post(self, path: str, body: dict[str, Any], language: str = "") -> Any:
        return self.client.post(
            API + path,
            json.dumps(body, default=str),
            content_type="application/json",
            headers=_language(language),
        )

    def patch(self, path: str, body: dict[str, Any], language: str = "") -> Any:
        return self.client.patch(
            API + path,
            json.dumps(body, default=str),
            content_type="application/json",
            headers=_language(language),
        )


def _language(language: str) -> dict[str, str]:
    return {"Accept-Language": language} if language else {}


@pytest.fixture
def token_for() -> Callable[[User], str]:
    def make(user: User) -> str:
        _token, secret = api_token_create(actor=command_actor(), user=user, name="tests")
        return secret

    return make


@pytest.fixture
def client_for(token_for: Callable[[User], str]) -> Callable[..., ApiClient]:
    def make(user: User, **headers: str) -> ApiClient:
        return ApiClient(token_for(user), **headers)

    return make


@dataclass
class Registry:
    """What the API tests read and change."""

    household: Household
    ana: Person
    vasile: Person
    maria: Person
    ana_return: ReturnEvent
    vasile_return: ReturnEvent
    other_household: Household
    other_person: Person
    other_return: ReturnEvent


@pytest.fixture
def registry(
    users: dict[str, User],
    omar: User,
    host_org: Organisation,
    origin_org: Organisation,
    actor_for: Callable[[User], Actor],
) -> Registry:
    """Three people of host_org (two in one household, with returns) and one of origin_org."""
    alice = actor_for(users["administrator"])
    household = household_create(actor=alice, organisation_id=host_org.pk, reference="H-001")
    ana = person_create(
        actor=alice,
        organisation_id=host_org.pk,
        given_name="Ana",
        family_name="Rusu",
        sex=c.Sex.FEMALE,
        date_of_birth=datetime.date(1990, 4, 12),
        household=household,
        nationalities=["MD"],
    )
    vasile = person_create(
        actor=alice,
        organisation_id=host_org.pk,
        given_name="Vasile",
        family_name="Rusu",
        sex=c.Sex.MALE,
        date_of_birth=datetime.date(1960, 1, 3),
        household=household,
    )
    maria = person_create(
        actor=alice,
        organisation_id=host_org.pk,
        given_name="Maria",
        family_name="Ceban",
        sex=c.Sex.FEMALE,
        date_of_birth=datetime.date(2001, 9, 30),
    )
    episode_create(
        actor=alice,
        person=ana,
        host_country="BE",
        started_on=datetime.date(2015, 3, 1),
        ended_on=datetime.date(2023, 5, 1),
    )
    ana_return = return_event_create(
        actor=alice,
        person=ana,
        from_country="BE",
        to_country="MD",
        return_date=datetime.date(2023, 5, 2),
        mode=c.ReturnMode.PHYSICAL,
        permanence=c.Permanence.PERMANENT,
        voluntariness=c.Voluntariness.ASSISTED,
        settlement_area="MD-CU",
        reasons=[c.ReturnReason.FAMILY],
    )
    vasile_return = return_event_create(
        actor=alice,
        person=vasile,
        from_country="DE",
        to_country="MD",
        return_date=datetime.date(2024, 2, 10),
        mode=c.ReturnMode.PHYSICAL,
        permanence=c.Permanence.TEMPORARY,
        voluntariness=c.Voluntariness.FORCED,
    )
    outsider = actor_for(omar)
    other_household = household_create(
        actor=outsider, organisation_id=origin_org.pk, reference="MD-77"
    )
    other_person = person_create(
        actor=outsider,
        organisation_id=origin_org.pk,
        given_name="Ana",
        family_name="Rusu",
        sex=c.Sex.FEMALE,
        date_of_birth=datetime.date(1990, 4, 12),
        household=other_household,
    )
    other_return = return_event_create(
        actor=outsider,
        person=other_person,
        from_country="IT",
        to_country="MD",
        return_date=datetime.date(2024, 6, 1),
        mode=c.ReturnMode.PHYSICAL,
        permanence=c.Permanence.PERMANENT,
        voluntariness=c.Voluntariness.SPONTANEOUS,
    )
    return Registry(
        household=household,
        ana=ana,
        vasile=vasile,
        maria=maria,
        ana_return=ana_return,
        vasile_return=vasile_return,
        other_household=other_household,
        other_person=other_person,
        other_return=other_return,
    )
