"""What each role may list, read, create and change, derived from ROLE_PERMISSIONS."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from retorno.accounts.models import Organisation
from retorno.accounts.roles import ROLE_PERMISSIONS, Perm, Role
from retorno.api.tests.conftest import ApiClient, Registry
from retorno.registry.models import Household, MigrationEpisode, Person, ReturnEvent

pytestmark = pytest.mark.django_db

ROLES = [str(role) for role in Role]


def _denied(perms: frozenset[Perm], may_see: Perm) -> int:
    """Return the status for a write the role may not make: 403 if it sees the record, else 404."""
    return 403 if may_see in perms else 404


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    body = response.json()
    items = body["items"] if isinstance(body, dict) else body
    return {item["id"] for item in items}


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(
    role: str,
    users: dict[str, User],
    registry: Registry,
    host_org: Organisation,
    client_for: Callable[..., ApiClient],
) -> None:
    perms = ROLE_PERMISSIONS[role]
    api = client_for(users[role])
    ana, ana_return = registry.ana, registry.ana_return
    sees_people = Perm.VIEW_PERSON in perms
    sees_returns = Perm.VIEW_RETURN in perms

    # Organisations: everyone with a role sees their own, with their permissions there.
    organisations = api.get("/organisations").json()
    assert [o["id"] for o in organisations] == (
        [host_org.pk] if Perm.VIEW_ORGANISATION in perms else []
    )
    if organisations:
        assert set(organisations[0]["permissions"]) == {str(p) for p in perms}

    # People.
    assert (ana.pk in _ids(api.get("/people"))) is sees_people
    assert api.get(f"/people/{ana.pk}").status_code == (200 if sees_people else 404)
    created = api.post("/people", {"given_name": "Nadia", "family_name": "Popa"})
    assert created.status_code == (201 if Perm.CREATE_PERSON in perms else 403), created.content
    version = Person.objects.get(pk=ana.pk).version
    changed = api.patch(f"/people/{ana.pk}", {"version": version, "languages": ["ro"]})
    assert changed.status_code == (
        200 if Perm.CHANGE_PERSON in perms else _denied(perms, Perm.VIEW_PERSON)
    ), changed.content
    found = api.get("/people/search", {"name": "Ana Rusu", "date_of_birth": "1990-04-12"})
    assert found.status_code == 200
    assert (ana.pk in {c["person"]["id"] for c in found.json()}) is sees_people

    # Households.
    household = registry.household
    assert (household.pk in _ids(api.get("/households"))) is sees_people
    assert api.get(f"/households/{household.pk}").status_code == (200 if sees_people else 404)
    created = api.post("/households", {"reference": f"H-{role}"})
    assert created.status_code == (201 if Perm.CREATE_PERSON in perms else 403), created.content
    version = Household.objects.get(pk=household.pk).version
    changed = api.patch(f"/households/{household.pk}", {"version": version, "notes": "seen"})
    assert changed.status_code == (
        200 if Perm.CHANGE_PERSON in perms else _denied(perms, Perm.VIEW_PERSON)
    )

    # Migration episodes.
    episodes = api.get(f"/people/{ana.pk}/episodes")
    assert episodes.status_code == (200 if sees_people else 404)
    episode = MigrationEpisode.objects.get(person=ana)
    assert api.get(f"/episodes/{episode.pk}").status_code == (200 if sees_people else 404)
    created = api.post(
        f"/people/{ana.pk}/episodes", {"host_country": "FR", "started_on": "2010-01-01"}
    )
    assert created.status_code == (
        201 if Perm.CHANGE_PERSON in perms else _denied(perms, Perm.VIEW_PERSON)
    ), created.content
    version = MigrationEpisode.objects.get(pk=episode.pk).version
    changed = api.patch(f"/episodes/{episode.pk}", {"version": version, "occupation": "7126"})
    assert changed.status_code == (
        200 if Perm.CHANGE_PERSON in perms else _denied(perms, Perm.VIEW_PERSON)
    )

    # Return events.
    assert (ana_return.pk in _ids(api.get("/returns"))) is sees_returns
    assert api.get(f"/returns/{ana_return.pk}").status_code == (200 if sees_returns else 404)
    created = api.post(
        "/returns",
        {
            "person": registry.maria.pk,
            "from_country": "FR",
            "to_country": "MD",
            "return_date": datetime.date(2024, 3, 1),
            "mode": "physical",
            "permanence": "permanent",
            "voluntariness": "spontaneous",
        },
    )
    # A person the caller cannot see is an unknown reference in the body (422).
    expected = 201 if Perm.CREATE_RETURN in perms else (403 if sees_people else 422)
    assert created.status_code == expected, created.content
    version = ReturnEvent.objects.get(pk=ana_return.pk).version
    changed = api.patch(
        f"/returns/{ana_return.pk}", {"version": version, "settlement_locality": "Chișinău"}
    )
    assert changed.status_code == (
        200 if Perm.CHANGE_RETURN in perms else _denied(perms, Perm.VIEW_RETURN)
    )


def test_matrix_covers_expected_roles() -> None:
    """Keep the matrix honest: the roles the brief singles out behave as described."""
    assert Perm.VIEW_PERSON not in ROLE_PERMISSIONS[Role.STATISTICIAN]
    assert Perm.VIEW_PERSON not in ROLE_PERMISSIONS[Role.CONTENT_EDITOR]
    assert Perm.VIEW_PERSON not in ROLE_PERMISSIONS[Role.PARTNER]
    assert Perm.CREATE_PERSON in ROLE_PERMISSIONS[Role.RECEPTION_OFFICER]
    skills = ROLE_PERMISSIONS[Role.SKILLS_OFFICER]
    assert Perm.VIEW_PERSON in skills and Perm.CREATE_PERSON not in skills


def test_other_organisation_sees_nothing_of_host_records(
    omar: User, registry: Registry, client_for: Callable[..., ApiClient]
) -> None:
    api = client_for(omar)
    for path in (
        f"/people/{registry.ana.pk}",
        f"/households/{registry.household.pk}",
        f"/returns/{registry.ana_return.pk}",
        f"/people/{registry.ana.pk}/episodes",
        f"/episodes/{MigrationEpisode.objects.get(person=registry.ana).pk}",
        f"/organisations/{registry.ana.organisation_id}",
    ):
        response = api.get(path)
        assert response.status_code == 404, path
    # Not found looks the same as a record that never existed.
    assert api.get("/people/999999").json() == api.get(f"/people/{registry.ana.pk}").json()
    version = registry.ana.version
    assert (
        api.patch(f"/people/{registry.ana.pk}", {"version": version, "sex": "male"}).status_code
        == 404
    )
    assert _ids(api.get("/people")) == {registry.other_person.pk}
    assert _ids(api.get("/households")) == {registry.other_household.pk}
    assert _ids(api.get("/returns")) == {registry.other_return.pk}
    assert _ids(api.get("/returns", {"organisation": registry.ana.organisation_id})) == set()
    found = api.get("/people/search", {"name": "Ana Rusu", "date_of_birth": "1990-04-12"}).json()
    assert {c["person"]["id"] for c in found} == {registry.other_person.pk}
    # Referencing host records in a write reveals nothing either.
    response = api.post("/people", {"given_name": "X", "household": registry.household.pk})
    assert response.status_code == 422
    assert "household" in response.json()["errors"]
