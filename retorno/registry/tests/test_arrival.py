import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client

from retorno.accounts.models import Membership, Office, Organisation
from retorno.accounts.roles import Role
from retorno.core.audit import Actor
from retorno.registry.models import Person, ReturnEvent
from retorno.registry.selectors import person_search
from retorno.registry.tests.factories import make_person


@pytest.fixture
def known(host_org: Organisation) -> list[Person]:
    return [
        make_person(
            host_org,
            given_name="Mohamed",
            family_name="Benali",
            sex="male",
            date_of_birth=datetime.date(1987, 5, 9),
        ),
        make_person(
            host_org,
            given_name="Fatima",
            family_name="Benali",
            sex="female",
            date_of_birth=datetime.date(1990, 7, 1),
        ),
        make_person(
            host_org,
            given_name="Nguyễn",
            family_name="Thị Lan",
            sex="female",
            date_of_birth=datetime.date(1979, 11, 30),
        ),
        make_person(
            host_org, given_name="Moussa", family_name="Diallo", sex="male", date_of_birth=None
        ),
    ]


@pytest.mark.parametrize(
    ("name", "dob", "expected"),
    [
        ("Muhammad Ben Ali", "1987-05-09", "Mohamed"),
        ("mohammed benali", None, "Mohamed"),
        ("Mohamad Bennali", "1987-09-05", "Mohamed"),  # day and month swapped
        ("Mohaned Benalli", "1987-05-09", "Mohamed"),  # typo that changes the key
        ("nguyen thi lan", "1979-11-30", "Nguyễn"),
        ("Lan Nguyen", None, "Nguyễn"),
        ("Musa Diallo", "1985-01-01", "Moussa"),
    ],
)
def test_person_search_finds_spelling_variants(
    known: list[Person], carla: User, name: str, dob: str | None, expected: str
) -> None:
    actor = Actor(user=carla)
    found = person_search(
        actor=actor, name=name, date_of_birth=datetime.date.fromisoformat(dob) if dob else None
    )
    assert found and found[0].person.given_name == expected


def test_person_search_prefers_matching_birth_date(known: list[Person], carla: User) -> None:
    found = person_search(
        actor=Actor(user=carla), name="Benali", date_of_birth=datetime.date(1990, 7, 1)
    )
    assert found[0].person.given_name == "Fatima"
    found = person_search(actor=Actor(user=carla), name="Benali")
    assert {c.person.given_name for c in found} == {"Fatima", "Mohamed"}


@pytest.fixture
def rita(users: dict[str, User], host_org: Organisation) -> User:
    office = Office.objects.create(
        organisation=host_org, name="Airport desk", kind="airport", country="MA"
    )
    Membership.objects.filter(user=users[Role.RECEPTION_OFFICER]).update(office=office)
    return users[Role.RECEPTION_OFFICER]


def _arrival(**changes: str) -> dict[str, str]:
    data = {
        "name": "Muhammad Benali",
        "date_of_birth": "1987-05-09",
        "person": "new",
        "sex": "male",
        "from_country": "ES",
        "to_country": "MA",
        "return_date": "2026-01-10",
        "permanence": "permanent",
        "voluntariness": "spontaneous",
        "reasons": "family",
        "intended_stay": "for_good",
        "settlement_area": "MA-04",
    }
    data.update(changes)
    return data


def test_arrival_attaches_return_to_the_chosen_person(rita: User, known: list[Person]) -> None:
    client = Client()
    client.force_login(rita)
    fragment = client.get(
        "/registry/arrival/candidates/", {"name": "Muhammad Benali", "date_of_birth": "1987-05-09"}
    )
    assert f'value="{known[0].pk}"' in fragment.content.decode()
    response = client.post("/registry/arrival/", _arrival(person=str(known[0].pk)))
    assert response.status_code == 302
    event = ReturnEvent.objects.get()
    assert event.person == known[0]
    assert event.office is not None and event.office.kind == "airport"
    assert event.source == "border_record"
    assert Person.objects.count() == len(known)


def test_arrival_creates_a_new_person(rita: User) -> None:
    client = Client()
    client.force_login(rita)
    page = client.get("/registry/arrival/")
    assert 'value="MA"' in page.content.decode()  # the desk's country is preselected
    response = client.post("/registry/arrival/", _arrival(name="Zineb Alaoui", sex="female"))
    assert response.status_code == 302
    person = Person.objects.get(family_name="Alaoui")
    assert person.given_name == "Zineb" and person.nationalities == ["MA"]
    assert person.returns.get().reasons == ["family"]


def test_arrival_errors_are_shown_and_nothing_is_saved(rita: User) -> None:
    client = Client()
    client.force_login(rita)
    response = client.post("/registry/arrival/", _arrival(to_country="ES", settlement_area="MA-04"))
    assert response.status_code == 200
    assert "different country" in response.content.decode()
    assert not ReturnEvent.objects.exists()
