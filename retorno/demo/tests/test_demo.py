"""The demo command: deterministic, realistic, complete, and idempotent."""

import datetime
import io
from collections import Counter
from typing import Any

import pycountry
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from retorno.accounts.models import Membership, Office, OfficeKind, Organisation
from retorno.accounts.roles import Role
from retorno.core.audit import command_actor
from retorno.core.models import AuditEvent
from retorno.demo import data
from retorno.demo.generate import DEMO_LOGINS, DEMO_PASSWORD, logins_table
from retorno.registry import choices as c
from retorno.registry.models import (
    Consent,
    Household,
    MigrationEpisode,
    Person,
    PersonNameKey,
    ReturnEvent,
)
from retorno.registry.names import name_keys
from retorno.registry.selectors import person_search
from retorno.registry.services import time_abroad_months

pytestmark = pytest.mark.django_db


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def people_summary() -> list[tuple[Any, ...]]:
    return list(
        Person.objects.order_by("id").values_list(
            "given_name", "family_name", "sex", "date_of_birth", "household_role"
        )
    )


@pytest.fixture
def demo(db: Any) -> str:
    return run_demo("--seed", "1", "--people", "600")


def test_same_seed_gives_the_same_people() -> None:
    run_demo("--seed", "5", "--people", "150")
    first = people_summary()
    first_returns = list(
        ReturnEvent.objects.order_by("id").values_list("return_date", "voluntariness", "to_country")
    )
    Person.objects.all().delete()
    Household.objects.all().delete()
    run_demo("--seed", "5", "--people", "150")
    assert people_summary() == first
    assert len(first) == 150
    assert (
        list(
            ReturnEvent.objects.order_by("id").values_list(
                "return_date", "voluntariness", "to_country"
            )
        )
        == first_returns
    )


def test_another_seed_gives_other_people() -> None:
    run_demo("--seed", "5", "--people", "100")
    first = people_summary()
    Person.objects.all().delete()
    Household.objects.all().delete()
    run_demo("--seed", "6", "--people", "100")
    assert people_summary() != first


def test_proportions_look_real(demo: str) -> None:
    events = list(ReturnEvent.objects.values_list("voluntariness", "mode", "permanence", "reasons"))
    voluntariness = Counter(v for v, *_ in events)
    total = len(events)
    assert voluntariness[c.Voluntariness.SPONTANEOUS] / total > 0.55
    assert voluntariness.most_common(1)[0][0] == c.Voluntariness.SPONTANEOUS
    assert voluntariness[c.Voluntariness.ASSISTED] > 0
    assert voluntariness[c.Voluntariness.FORCED] > 0
    # Forced returns are, by definition, under an order to leave.
    assert all(c.ReturnReason.ORDER_TO_LEAVE in r for v, _, _, r in events if v == "forced")
    assert Counter(m for _, m, _, _ in events)[c.ReturnMode.PHYSICAL] / total > 0.9
    assert Counter(p for _, _, p, _ in events)[c.Permanence.PERMANENT] / total > 0.45
    sexes = Counter(Person.objects.values_list("sex", flat=True))
    assert sexes[c.Sex.MALE] > 0 and sexes[c.Sex.FEMALE] > 0
    assert 0.45 < sexes[c.Sex.MALE] / sum(sexes.values()) < 0.7
    in_households = Person.objects.exclude(household=None).count() / Person.objects.count()
    assert 0.2 < in_households < 0.5
    months = sorted(
        m for m in ReturnEvent.objects.values_list("time_abroad_months", flat=True) if m
    )
    assert 24 <= months[len(months) // 2] <= 60


def test_records_are_consistent(demo: str) -> None:
    today = datetime.date.today()
    for event in ReturnEvent.objects.select_related("person")[:150]:
        person = event.person
        assert event.organisation_id == person.organisation_id
        assert event.age_at_return == person.age_on(event.return_date)
        assert event.time_abroad_months == time_abroad_months(
            person.episodes.all(), event.return_date
        )
        assert datetime.date(2015, 1, 1) <= event.return_date <= today
        assert event.from_country != event.to_country
        if event.settlement_area:
            assert event.settlement_area.startswith(event.to_country + "-")
            assert pycountry.subdivisions.get(code=event.settlement_area) is not None
    for episode in MigrationEpisode.objects.all()[:300]:
        assert episode.ended_on is None or episode.ended_on >= episode.started_on
    # Every person can be found by the arrival desk's keys.
    first = Person.objects.order_by("id").first()
    assert first is not None
    stored = set(PersonNameKey.objects.filter(person=first).values_list("key", flat=True))
    assert stored == name_keys(
        first.given_name, first.family_name, first.name_original_script, *first.aliases
    )
    assert Consent.objects.filter(purpose=c.ConsentPurpose.REGISTRATION).count() == 600


def test_original_script_for_arabic_names(demo: str) -> None:
    moroccans = Person.objects.filter(returns__to_country__in=["MA", "IQ"]).distinct()
    assert moroccans.exists()
    assert all(p.name_original_script for p in moroccans[:30])


def test_every_role_has_a_login_that_works(demo: str) -> None:
    main = Organisation.objects.get(name=data.MAIN_ORGANISATION)
    client = Client()
    for username, role in DEMO_LOGINS:
        user = User.objects.get(username=username)
        assert Membership.objects.filter(user=user, organisation=main, role=role).exists()
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()
    assert {role for _, role in DEMO_LOGINS} == set(Role.values)
    assert "retorno-demo" in logins_table()


def test_organisations_and_offices(demo: str) -> None:
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert {"government", "consulate", "international", "ngo", "diaspora", "employer"} <= kinds
    assert {"training", "microfinance"} <= kinds
    assert Office.objects.filter(kind=OfficeKind.AIRPORT).exists()
    for office in Office.objects.exclude(subdivision=""):
        assert pycountry.subdivisions.get(code=office.subdivision) is not None, office


def test_second_run_adds_nothing(demo: str) -> None:
    people, returns = Person.objects.count(), ReturnEvent.objects.count()
    out = run_demo("--seed", "2", "--people", "50")
    assert "already has people" in out
    assert (Person.objects.count(), ReturnEvent.objects.count()) == (people, returns)


def test_append_adds_other_people(demo: str) -> None:
    before = set(people_summary())
    run_demo("--seed", "1", "--people", "40", "--append")
    assert Person.objects.count() == 640
    assert len(set(people_summary()) - before) > 30


def test_the_load_is_audited_once(demo: str) -> None:
    events = AuditEvent.objects.filter(entity_type="demo.load")
    assert events.count() == 1
    assert events.get().actor_label == "admin"


def test_demo_people_are_searchable(demo: str) -> None:
    admin = User.objects.get(username="admin")
    person = Person.objects.filter(organisation__name=data.MAIN_ORGANISATION).order_by("id")[3]
    found = person_search(
        actor=command_actor(admin),
        name=person.full_name,
        date_of_birth=person.date_of_birth,
        audit=False,
    )
    assert person.pk in [candidate.person.pk for candidate in found]


def test_rows_added_after_the_load_get_fresh_ids(demo: str) -> None:
    # The load gives people and households explicit ids; PostgreSQL's sequences must follow.
    main = Organisation.objects.get(name=data.MAIN_ORGANISATION)
    household = Household.objects.create(organisation=main, reference="after-demo")
    person = Person.objects.create(organisation=main, given_name="Nueva", household=household)
    assert person.pk > 600
    assert household.pk > Household.objects.exclude(pk=household.pk).count()
