"""Named test users: one per role in a host-country NGO, and outsiders elsewhere.

``alice`` the administrator and ``carla`` the caseworker work for the
Brussels return office; ``omar`` is a reception officer at an origin-country
ministry that shares nothing with it. Tests use them to assert, role by role,
what may and may not be seen or done.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from retorno.accounts.models import Membership, Office, Organisation, OrganisationKind
from retorno.accounts.roles import Role
from retorno.core.audit import Actor

PASSWORD = "correct-horse-battery-staple"

ROLE_USERS = {
    Role.ADMINISTRATOR: "alice",
    Role.SUPERVISOR: "sam",
    Role.CASEWORKER: "carla",
    Role.RECEPTION_OFFICER: "rita",
    Role.REINTEGRATION_OFFICER: "rene",
    Role.SKILLS_OFFICER: "sofia",
    Role.PROGRAMME_MANAGER: "pablo",
    Role.ME_OFFICER: "mei",
    Role.STATISTICIAN: "stan",
    Role.CONTENT_EDITOR: "cleo",
    Role.PARTNER: "parker",
}


@pytest.fixture
def host_org(db: Any) -> Organisation:
    return Organisation.objects.create(
        name="Brussels Return Office", kind=OrganisationKind.NGO, country="BE"
    )


@pytest.fixture
def origin_org(db: Any) -> Organisation:
    return Organisation.objects.create(
        name="Ministry of Foreign Affairs of Moldova",
        kind=OrganisationKind.GOVERNMENT,
        country="MD",
    )


@pytest.fixture
def host_office(host_org: Organisation) -> Office:
    return Office.objects.create(organisation=host_org, name="Brussels", country="BE")


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(
        username: str, role: str | None = None, organisation: Organisation | None = None
    ) -> User:
        user = User.objects.create_user(username=username, password=PASSWORD)
        if role and organisation:
            Membership.objects.create(user=user, organisation=organisation, role=role)
        return user

    return make


@pytest.fixture
def users(make_user: Callable[..., User], host_org: Organisation) -> dict[str, User]:
    """One user per role in host_org, keyed by role value."""
    return {str(role): make_user(name, role, host_org) for role, name in ROLE_USERS.items()}


@pytest.fixture
def alice(users: dict[str, User]) -> User:
    return users[Role.ADMINISTRATOR]


@pytest.fixture
def carla(users: dict[str, User]) -> User:
    return users[Role.CASEWORKER]


@pytest.fixture
def omar(make_user: Callable[..., User], origin_org: Organisation) -> User:
    return make_user("omar", Role.RECEPTION_OFFICER, origin_org)


@pytest.fixture
def actor_for() -> Callable[[User], Actor]:
    def make(user: User) -> Actor:
        return Actor(user=user, ip_address="127.0.0.1")

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Hash test passwords cheaply: dozens of users are made per test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_unless_asked() -> Any:
    """Start every test in English; a request in another language must not leak into the next."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
