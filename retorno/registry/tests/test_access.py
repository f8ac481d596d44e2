"""What each role may see and do on the registry pages, derived from the role table."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client

from retorno.accounts.models import Organisation
from retorno.accounts.roles import ROLE_PERMISSIONS, Perm, Role
from retorno.core.models import AuditAction, AuditEvent
from retorno.registry.models import Person
from retorno.registry.tests.factories import make_person, make_return
from retorno.stats.views import suppress

ALL_ROLES = [str(role) for role in Role]


@pytest.fixture
def person(host_org: Organisation) -> Person:
    person = make_person(host_org)
    make_return(person)
    return person


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ALL_ROLES)
def test_registry_pages_follow_the_role_table(
    role: str, users: dict[str, User], person: Person
) -> None:
    perms = ROLE_PERMISSIONS[role]
    client = _client(users[role])
    expectations = {
        "/registry/people/": 200 if Perm.VIEW_PERSON in perms else 403,
        f"/registry/people/{person.pk}/": 200 if Perm.VIEW_PERSON in perms else 404,
        f"/registry/people/{person.pk}/edit/": 200 if Perm.CHANGE_PERSON in perms else 404,
        f"/registry/people/{person.pk}/erase/": 200 if Perm.DELETE_PERSON in perms else 404,
        "/registry/people/new/": 200 if Perm.CREATE_PERSON in perms else 403,
        "/registry/returns/": 200 if Perm.VIEW_RETURN in perms else 403,
        "/registry/arrival/": 200 if Perm.REGISTER_ARRIVAL in perms else 403,
        "/statistics/": 200 if Perm.VIEW_AGGREGATES in perms else 403,
        "/audit/": 200 if Perm.VIEW_AUDIT in perms else 403,
        "/accounts/organisations/": 200,
    }
    for url, status in expectations.items():
        assert client.get(url).status_code == status, (role, url)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_creating_a_person_follows_the_role_table(role: str, users: dict[str, User]) -> None:
    client = _client(users[role])
    response = client.post(
        "/registry/people/new/",
        {
            "given_name": "Ion",
            "family_name": "Rusu",
            "sex": "male",
            "birth_precision": "exact",
            "education_level": "isced3",
            "family_status": "single",
        },
    )
    allowed = Perm.CREATE_PERSON in ROLE_PERMISSIONS[role]
    assert response.status_code == (302 if allowed else 403)
    assert Person.objects.filter(family_name="Rusu").exists() is allowed


def test_other_organisations_records_are_invisible(omar: User, person: Person) -> None:
    client = _client(omar)
    assert client.get(f"/registry/people/{person.pk}/").status_code == 404
    assert person.full_name not in client.get("/registry/people/").content.decode()
    assert "Kamara" not in client.get("/registry/returns/").content.decode()
    assert (
        client.get("/registry/arrival/candidates/?name=Amina+Kamara&date_of_birth=1990-04-12")
        .content.decode()
        .count("Kamara")
        == 0
    )


def test_statistician_sees_figures_not_names(users: dict[str, User], person: Person) -> None:
    client = _client(users[Role.STATISTICIAN])
    page = client.get("/statistics/").content.decode()
    assert "Kamara" not in page
    assert client.get(f"/registry/people/{person.pk}/").status_code == 404


def test_small_cells_are_suppressed() -> None:
    assert suppress(0) == 0
    assert suppress(3) is None
    assert suppress(5) == 5


def test_viewing_a_person_is_audited(carla: User, person: Person) -> None:
    _client(carla).get(f"/registry/people/{person.pk}/", REMOTE_ADDR="10.1.2.3")
    view = AuditEvent.objects.get(action=AuditAction.VIEW, person_id=person.pk)
    assert view.actor == carla and view.ip_address == "10.1.2.3"


def test_lists_are_audited_with_their_filters(carla: User, person: Person) -> None:
    _client(carla).get("/registry/returns/?voluntariness=spontaneous&to_country=SL")
    listed = AuditEvent.objects.get(action=AuditAction.LIST, entity_type="registry.returnevent")
    assert listed.after == {"to_country": "SL", "voluntariness": "spontaneous", "page": "1"}


def test_audit_trail_page_shows_changes_to_administrators(
    alice: User, carla: User, person: Person
) -> None:
    _client(carla).get(f"/registry/people/{person.pk}/")
    page = _client(alice).get("/audit/?action=view").content.decode()
    assert "carla" in page


def test_return_list_filters(carla: User, host_org: Organisation) -> None:
    woman = make_person(
        host_org,
        given_name="Rosa",
        family_name="Hernández",
        sex="female",
        date_of_birth=datetime.date(1985, 1, 1),
    )
    man = make_person(
        host_org,
        given_name="Carlos",
        family_name="Mejía",
        sex="male",
        date_of_birth=datetime.date(2010, 1, 1),
    )
    make_return(
        woman,
        from_country="US",
        to_country="SV",
        voluntariness="forced",
        age_at_return=39,
        return_date=datetime.date(2024, 5, 1),
        settlement_area="SV-SS",
    )
    make_return(
        man,
        from_country="ES",
        to_country="SV",
        voluntariness="assisted",
        age_at_return=14,
        return_date=datetime.date(2022, 5, 1),
    )
    client = _client(carla)

    def names(query: str) -> set[str]:
        page = client.get(f"/registry/returns/?{query}").content.decode()
        return {n for n in ("Hernández", "Mejía") if n.upper() in page}

    assert names("to_country=SV") == {"Hernández", "Mejía"}
    assert names("voluntariness=forced") == {"Hernández"}
    assert names("sex=male") == {"Mejía"}
    assert names("age_group=0-17") == {"Mejía"}
    assert names("date_from=2023-01-01") == {"Hernández"}
    assert names("region=SV-SS") == {"Hernández"}
    assert names("from_country=ES&permanence=permanent") == {"Mejía"}
    assert names("q=hernandez") == {"Hernández"}
    assert names("voluntariness=nonsense") == {"Hernández", "Mejía"}


def test_edit_conflict_shows_message_and_keeps_entries(carla: User, person: Person) -> None:
    client = _client(carla)
    base = {
        "given_name": "Aminata",
        "family_name": "Kamara",
        "sex": "female",
        "birth_precision": "exact",
        "education_level": "unknown",
        "family_status": "unknown",
        "version": person.version,
    }
    assert client.post(f"/registry/people/{person.pk}/edit/", base).status_code == 302
    response = client.post(f"/registry/people/{person.pk}/edit/", {**base, "given_name": "Ami"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Somebody else changed this record" in page
    assert 'value="Ami"' in page
    person.refresh_from_db()
    assert person.given_name == "Aminata"


def test_documents_and_contacts_are_added_and_removed_with_audit(
    carla: User, omar: User, person: Person
) -> None:
    client = _client(carla)
    url = f"/registry/people/{person.pk}/document/new/"
    bad = client.post(url, {"kind": "passport", "number": "", "issuing_country": "SL"})
    assert bad.status_code == 200 and not person.documents.exists()
    assert (
        client.post(
            url, {"kind": "passport", "number": "P123", "issuing_country": "SL"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/registry/people/{person.pk}/contact/new/",
            {"kind": "phone", "value": "+232 76 000000"},
        ).status_code
        == 302
    )
    document = person.documents.get()
    assert (
        _client(omar)
        .post(f"/registry/people/{person.pk}/document/{document.pk}/remove/")
        .status_code
        == 404
    )
    assert (
        client.post(f"/registry/people/{person.pk}/document/{document.pk}/remove/").status_code
        == 302
    )
    assert not person.documents.exists() and person.contacts.count() == 1
    kinds = set(AuditEvent.objects.filter(person_id=person.pk).values_list("entity_type", "action"))
    assert {
        ("registry.identitydocument", "create"),
        ("registry.identitydocument", "delete"),
        ("registry.contact", "create"),
    } <= kinds
    assert client.get(f"/registry/people/{person.pk}/nonsense/new/").status_code == 404


def test_text_search_resolves_rare_and_common_names(
    carla: User, host_org: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    from retorno.registry import selectors

    people = [
        make_person(host_org, given_name=g, family_name=f)
        for g, f in (
            ("Mariam", "Diallo"),
            ("Mariama", "Sow"),
            ("Moussa", "Diallo"),
            ("Mariam", "Bah"),
        )
    ]
    for person in people:
        make_return(person)

    def found(query: str) -> set[str]:
        qs = selectors.return_event_list_for(user=carla, filters=selectors.ReturnFilters(q=query))
        return {f"{e.person.given_name} {e.person.family_name}" for e in qs}

    expected = {"Mariam Diallo"}
    assert found("mariam diallo") == expected
    assert found("Mariyam Dialo") == expected  # spelled as heard
    assert found("mari diall") == expected  # the beginnings of names are enough
    assert found("mariam") == {"Mariam Diallo", "Mariama Sow", "Mariam Bah"}
    # The same answers when every name counts as common and records are checked one by one.
    monkeypatch.setattr(selectors, "_FEW_PEOPLE", 0)
    assert found("mariam diallo") == expected
    monkeypatch.setattr(selectors, "_FETCH_PEOPLE", 0)
    assert found("mariam diallo") == expected
    assert found("nobody") == set()
