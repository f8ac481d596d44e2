"""Filters, paging, edits, validation, audit and languages of the registry endpoints."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from retorno.accounts.models import Organisation
from retorno.accounts.roles import Role
from retorno.api.tests.conftest import ApiClient, Registry
from retorno.core.models import AuditAction, AuditChannel, AuditEvent
from retorno.registry import choices as c
from retorno.registry.models import Household, MigrationEpisode, Person, ReturnEvent
from retorno.registry.services import person_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(users: dict[str, User], client_for: Callable[..., ApiClient]) -> ApiClient:
    return client_for(users[Role.CASEWORKER])


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# --- People ---------------------------------------------------------------------------


def test_person_filters(api: ApiClient, registry: Registry) -> None:
    assert set(_ids(api.get("/people", {"q": "Rusu"}))) == {registry.ana.pk, registry.vasile.pk}
    assert _ids(api.get("/people", {"q": "Ceban"})) == [registry.maria.pk]
    assert set(_ids(api.get("/people", {"sex": "female"}))) == {registry.ana.pk, registry.maria.pk}
    household = registry.household.pk
    assert set(_ids(api.get("/people", {"household": household}))) == {
        registry.ana.pk,
        registry.vasile.pk,
    }
    assert _ids(api.get("/people", {"sex": "female", "household": household})) == [registry.ana.pk]
    assert api.get("/people", {"sex": "nonsense"}).status_code == 422


def test_person_pagination(
    api: ApiClient,
    registry: Registry,
    host_org: Organisation,
    alice: User,
    actor_for: Callable[[User], Any],
) -> None:
    for i in range(7):
        person_create(
            actor=actor_for(alice),
            organisation_id=host_org.pk,
            given_name=f"Petru{i}",
            family_name="Zaharia",
        )
    first = api.get("/people", {"limit": 4, "offset": 0}).json()
    assert first["count"] == 10 and first["count_is_capped"] is False
    assert (first["limit"], first["offset"], len(first["items"])) == (4, 0, 4)
    rest = api.get("/people", {"limit": 4, "offset": 8}).json()
    assert len(rest["items"]) == 2
    pages = [api.get("/people", {"limit": 4, "offset": o}).json()["items"] for o in (0, 4, 8)]
    seen = [p["id"] for page in pages for p in page]
    assert len(seen) == len(set(seen)) == 10
    assert api.get("/people", {"limit": 0}).status_code == 422
    assert api.get("/people", {"limit": 500}).status_code == 422


def test_person_get_shows_labels(api: ApiClient, registry: Registry) -> None:
    body = api.get(f"/people/{registry.ana.pk}").json()
    assert body["sex"] == "female" and body["sex_label"] == "female"
    assert body["full_name"] == "Ana Rusu"
    assert body["household"] == registry.household.pk
    assert body["nationalities"] == ["MD"]
    assert body["version"] == registry.ana.version


def test_person_create_and_audit(
    api: ApiClient, users: dict[str, User], host_org: Organisation, registry: Registry
) -> None:
    response = api.post(
        "/people",
        {
            "given_name": "Elena",
            "family_name": "Munteanu",
            "sex": "female",
            "date_of_birth": "1985-07-01",
            "nationalities": ["md", "RO"],
            "household": registry.household.pk,
            "household_role": "spouse",
            "vulnerabilities": ["single_parent"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    person = Person.objects.get(pk=body["id"])
    assert person.organisation_id == host_org.pk
    assert person.nationalities == ["MD", "RO"]
    assert person.household_id == registry.household.pk
    assert person.created_by == users[Role.CASEWORKER]
    event = AuditEvent.objects.get(action=AuditAction.CREATE, entity_id=str(person.pk))
    assert event.channel == AuditChannel.API
    assert event.actor == users[Role.CASEWORKER]


def test_person_invalid_nationality_is_422(api: ApiClient, registry: Registry) -> None:
    response = api.post("/people", {"given_name": "Elena", "nationalities": ["XX", "MD"]})
    assert response.status_code == 422
    assert "XX" in response.json()["errors"]["nationalities"][0]
    assert not Person.objects.filter(given_name="Elena").exists()


def test_person_invalid_choice_is_422_per_field(api: ApiClient, registry: Registry) -> None:
    response = api.post("/people", {"given_name": "Elena", "sex": "robot"})
    assert response.status_code == 422
    assert "sex" in response.json()["errors"]


def test_person_update_changes_only_fields_sent(api: ApiClient, registry: Registry) -> None:
    ana = registry.ana
    response = api.patch(f"/people/{ana.pk}", {"version": ana.version, "family_name": "Rusu-Lungu"})
    assert response.status_code == 200, response.content
    ana.refresh_from_db()
    assert ana.family_name == "Rusu-Lungu"
    assert ana.given_name == "Ana" and ana.household_id == registry.household.pk
    assert response.json()["version"] == ana.version
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, entity_id=str(ana.pk)).first()
    assert event is not None and "family_name" in event.summary


def test_explicit_nulls_are_422_not_errors(api: ApiClient, registry: Registry) -> None:
    person = api.patch(
        f"/people/{registry.ana.pk}",
        {"version": registry.ana.version, "given_name": None, "aliases": None},
    )
    assert person.status_code == 422
    assert {"given_name", "aliases"} <= set(person.json()["errors"])
    event = registry.ana_return
    returned = api.patch(
        f"/returns/{event.pk}",
        {"version": event.version, "reasons": None, "fact_sources": None, "to_country": None},
    )
    assert returned.status_code == 422
    assert {"reasons", "fact_sources"} <= set(returned.json()["errors"])


def test_concurrent_edit_gives_409_and_keeps_the_first(
    users: dict[str, User], client_for: Callable[..., ApiClient], registry: Registry
) -> None:
    first = client_for(users[Role.CASEWORKER])
    second = client_for(users[Role.RECEPTION_OFFICER])
    ana = registry.ana
    read_version = first.get(f"/people/{ana.pk}").json()["version"]
    assert second.get(f"/people/{ana.pk}").json()["version"] == read_version
    saved = first.patch(f"/people/{ana.pk}", {"version": read_version, "languages": ["ro"]})
    assert saved.status_code == 200
    refused = second.patch(
        f"/people/{ana.pk}", {"version": read_version, "languages": ["ru"], "sex": "other"}
    )
    assert refused.status_code == 409
    body = refused.json()
    assert body["detail"] and body["current_version"] == read_version + 1
    ana.refresh_from_db()
    assert (ana.languages, ana.sex, ana.version) == (["ro"], c.Sex.FEMALE, read_version + 1)
    # Reading again and sending the current version works.
    retried = second.patch(
        f"/people/{ana.pk}", {"version": body["current_version"], "sex": "other"}
    )
    assert retried.status_code == 200
    ana.refresh_from_db()
    assert (ana.languages, ana.sex) == (["ro"], c.Sex.OTHER)


def test_person_search_returns_scored_candidates(api: ApiClient, registry: Registry) -> None:
    response = api.get("/people/search", {"name": "Ana Rusu", "date_of_birth": "1990-04-12"})
    assert response.status_code == 200
    candidates = response.json()
    assert candidates[0]["person"]["id"] == registry.ana.pk
    assert candidates[0]["score"] >= candidates[-1]["score"]
    assert 0 < candidates[0]["score"] <= 1
    misspelt = api.get("/people/search", {"name": "Anna Russu", "date_of_birth": "1990-12-04"})
    assert registry.ana.pk in [cand["person"]["id"] for cand in misspelt.json()]
    assert AuditEvent.objects.filter(action=AuditAction.SEARCH).count() == 2
    assert api.get("/people/search", {"name": "A"}).status_code == 422


# --- Audit of reads ---------------------------------------------------------------------


def test_reads_are_audited(api: ApiClient, registry: Registry, users: dict[str, User]) -> None:
    caseworker = users[Role.CASEWORKER]
    before = AuditEvent.objects.count()
    api.get(f"/people/{registry.ana.pk}")
    api.get(f"/returns/{registry.ana_return.pk}")
    api.get(f"/households/{registry.household.pk}")
    api.get(f"/episodes/{MigrationEpisode.objects.get(person=registry.ana).pk}")
    api.get("/people", {"q": "Rusu"})
    api.get("/returns", {"voluntariness": "forced"})
    api.get("/households")
    api.get(f"/people/{registry.ana.pk}/episodes")
    events = list(AuditEvent.objects.order_by("id"))[before:]
    assert all(e.actor == caseworker and e.channel == AuditChannel.API for e in events)
    views = {(e.entity_type, e.entity_id) for e in events if e.action == AuditAction.VIEW}
    assert views == {
        ("registry.person", str(registry.ana.pk)),
        ("registry.returnevent", str(registry.ana_return.pk)),
        ("registry.household", str(registry.household.pk)),
        ("registry.migrationepisode", str(MigrationEpisode.objects.get(person=registry.ana).pk)),
    }
    lists = {e.entity_type: e for e in events if e.action == AuditAction.LIST}
    assert set(lists) == {
        "registry.person",
        "registry.returnevent",
        "registry.household",
        "registry.migrationepisode",
    }
    assert lists["registry.person"].after == {"q": "Rusu", "limit": "50", "offset": "0"}
    assert lists["registry.person"].summary == "2 shown"
    assert lists["registry.returnevent"].after == {"voluntariness": "forced"}


def test_refused_reads_leave_no_view_event(
    omar: User, registry: Registry, client_for: Callable[..., ApiClient]
) -> None:
    client_for(omar).get(f"/people/{registry.ana.pk}")
    assert not AuditEvent.objects.filter(
        action=AuditAction.VIEW, entity_id=str(registry.ana.pk), actor=omar
    ).exists()


# --- Households -------------------------------------------------------------------------


def test_household_create_update_and_duplicate(api: ApiClient, registry: Registry) -> None:
    created = api.post("/households", {"reference": "H-002", "notes": "two rooms"})
    assert created.status_code == 201
    body = created.json()
    assert _ids(api.get("/households", {"q": "002"})) == [body["id"]]
    changed = api.patch(f"/households/{body['id']}", {"version": body["version"], "notes": "x"})
    assert changed.status_code == 200 and changed.json()["notes"] == "x"
    stale = api.patch(f"/households/{body['id']}", {"version": body["version"], "notes": "y"})
    assert stale.status_code == 409
    assert Household.objects.get(pk=body["id"]).notes == "x"
    duplicate = api.post("/households", {"reference": "H-001"})
    assert duplicate.status_code == 422
    assert "__all__" in duplicate.json()["errors"] or "reference" in duplicate.json()["errors"]


# --- Migration episodes -----------------------------------------------------------------


def test_episodes_list_create_update(api: ApiClient, registry: Registry) -> None:
    ana = registry.ana
    listed = api.get(f"/people/{ana.pk}/episodes").json()
    assert [e["host_country"] for e in listed] == ["BE"]
    assert listed[0]["host_country_name"] == "Belgium"
    created = api.post(
        f"/people/{ana.pk}/episodes",
        {
            "host_country": "fr",
            "started_on": "2010-01-01",
            "ended_on": "2012-06-30",
            "status_abroad": "student",
        },
    )
    assert created.status_code == 201, created.content
    episode = created.json()
    assert episode["host_country"] == "FR" and episode["status_abroad_label"] == "student"
    bad_dates = api.patch(
        f"/episodes/{episode['id']}", {"version": episode["version"], "ended_on": "2009-01-01"}
    )
    assert bad_dates.status_code == 422
    bad_country = api.post(
        f"/people/{ana.pk}/episodes", {"host_country": "QQ", "started_on": "2010-01-01"}
    )
    assert bad_country.status_code == 422
    assert "host_country" in bad_country.json()["errors"]
    ok = api.patch(
        f"/episodes/{episode['id']}", {"version": episode["version"], "occupation": "2310"}
    )
    assert ok.status_code == 200 and ok.json()["version"] == episode["version"] + 1
    stale = api.patch(
        f"/episodes/{episode['id']}", {"version": episode["version"], "occupation": "1"}
    )
    assert stale.status_code == 409
    assert MigrationEpisode.objects.get(pk=episode["id"]).occupation == "2310"


# --- Return events ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"ana_return", "vasile_return"}),
        ({"q": "Ana"}, {"ana_return"}),
        ({"from_country": "de"}, {"vasile_return"}),
        ({"to_country": "MD"}, {"ana_return", "vasile_return"}),
        ({"to_country": "RO"}, set()),
        ({"mode": "physical"}, {"ana_return", "vasile_return"}),
        ({"mode": "virtual"}, set()),
        ({"permanence": "temporary"}, {"vasile_return"}),
        ({"voluntariness": "assisted"}, {"ana_return"}),
        ({"sex": "male"}, {"vasile_return"}),
        ({"age_group": "25-34"}, {"ana_return"}),
        ({"age_group": "55-64"}, {"vasile_return"}),
        ({"region": "MD-CU"}, {"ana_return"}),
        ({"date_from": "2024-01-01"}, {"vasile_return"}),
        ({"date_to": "2023-12-31"}, {"ana_return"}),
        ({"date_from": "2023-01-01", "date_to": "2024-12-31"}, {"ana_return", "vasile_return"}),
        ({"person": "VASILE"}, {"vasile_return"}),
        ({"organisation": "HOST"}, {"ana_return", "vasile_return"}),
        ({"organisation": "OTHER"}, set()),
        ({"voluntariness": "assisted", "sex": "male"}, set()),
    ],
)
def test_return_filters(
    api: ApiClient, registry: Registry, params: dict[str, str], expected: set[str]
) -> None:
    values = {
        "VASILE": str(registry.vasile.pk),
        "HOST": str(registry.ana.organisation_id),
        "OTHER": str(registry.other_person.organisation_id),
    }
    params = {k: values.get(v, v) for k, v in params.items()}
    ids = set(_ids(api.get("/returns", params)))
    assert ids == {getattr(registry, name).pk for name in expected}


def test_return_invalid_filter_is_422(api: ApiClient, registry: Registry) -> None:
    assert api.get("/returns", {"voluntariness": "maybe"}).status_code == 422
    assert api.get("/returns", {"date_from": "yesterday"}).status_code == 422


def test_return_list_is_newest_first_and_paged(api: ApiClient, registry: Registry) -> None:
    body = api.get("/returns", {"limit": 1}).json()
    assert body["count"] == 2 and [r["id"] for r in body["items"]] == [registry.vasile_return.pk]
    assert _ids(api.get("/returns", {"limit": 1, "offset": 1})) == [registry.ana_return.pk]


def test_return_get_has_values_and_labels(api: ApiClient, registry: Registry) -> None:
    body = api.get(f"/returns/{registry.ana_return.pk}").json()
    assert body["voluntariness"] == "assisted"
    assert body["voluntariness_label"] == "assisted voluntary return"
    assert body["reasons"] == ["family"] and body["reason_labels"] == ["family"]
    assert body["to_country_name"] == "Moldova, Republic of" or body["to_country_name"]
    assert body["settlement_area_name"] == "Chișinău"
    assert body["person_name"] == "Ana Rusu"
    assert body["age_at_return"] == 33
    assert body["time_abroad_months"] == 98


def test_return_create_and_invalid_country(
    api: ApiClient, registry: Registry, users: dict[str, User]
) -> None:
    good = {
        "person": registry.maria.pk,
        "from_country": "fr",
        "to_country": "MD",
        "return_date": "2024-03-01",
        "mode": "physical",
        "permanence": "circular",
        "voluntariness": "spontaneous",
        "reasons": ["end_of_contract"],
        "fact_sources": {"return_date": "document"},
    }
    created = api.post("/returns", good)
    assert created.status_code == 201, created.content
    event = ReturnEvent.objects.get(pk=created.json()["id"])
    assert (event.from_country, event.organisation_id) == ("FR", registry.maria.organisation_id)
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE,
        entity_type="registry.returnevent",
        entity_id=str(event.pk),
        actor=users[Role.CASEWORKER],
        channel=AuditChannel.API,
    ).exists()
    bad = api.post("/returns", {**good, "from_country": "XX"})
    assert bad.status_code == 422
    body = bad.json()
    assert body["detail"] and body["errors"]["from_country"] == ["Not a known country code."]
    same = api.post("/returns", {**good, "from_country": "MD"})
    assert same.status_code == 422 and "to_country" in same.json()["errors"]
    unknown_person = api.post("/returns", {**good, "person": registry.other_person.pk})
    assert unknown_person.status_code == 422 and "person" in unknown_person.json()["errors"]
    missing = api.post("/returns", {"person": registry.maria.pk})
    assert missing.status_code == 422
    assert {"from_country", "return_date", "mode"} <= set(missing.json()["errors"])


def test_return_update_and_conflict(api: ApiClient, registry: Registry) -> None:
    event = registry.ana_return
    response = api.patch(
        f"/returns/{event.pk}", {"version": event.version, "voluntariness": "spontaneous"}
    )
    assert response.status_code == 200
    assert response.json()["voluntariness_label"] == "spontaneous voluntary return"
    stale = api.patch(f"/returns/{event.pk}", {"version": event.version, "mode": "virtual"})
    assert stale.status_code == 409
    event.refresh_from_db()
    assert (event.voluntariness, event.mode) == (c.Voluntariness.SPONTANEOUS, c.ReturnMode.PHYSICAL)


# --- Languages --------------------------------------------------------------------------


def test_accept_language_translates_labels_and_messages(api: ApiClient, registry: Registry) -> None:
    english = api.get(f"/returns/{registry.ana_return.pk}").json()
    french = api.get(f"/returns/{registry.ana_return.pk}", language="fr").json()
    # Country names come translated with pycountry; labels exist in every language.
    assert english["from_country_name"] == "Belgium"
    assert french["from_country_name"] == "Belgique"
    assert french["voluntariness_label"]
    # Django's own messages are translated too.
    invalid = api.post("/people", {"given_name": ""}, language="fr")
    assert invalid.status_code == 422
    assert invalid.json()["errors"]["given_name"] == ["Ce champ ne peut pas être vide."]
