import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from retorno.accounts.models import Organisation
from retorno.accounts.roles import Role
from retorno.core.audit import Actor
from retorno.core.errors import StaleEdit
from retorno.core.models import AuditAction, AuditEvent
from retorno.registry import choices as c
from retorno.registry import services
from retorno.registry.models import Person, PersonNameKey, ReturnEvent

ActorFor = Callable[[User], Actor]


def _return_fields(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "from_country": "BE",
        "to_country": "MA",
        "return_date": datetime.date(2025, 6, 1),
        "mode": c.ReturnMode.PHYSICAL,
        "permanence": c.Permanence.PERMANENT,
        "voluntariness": c.Voluntariness.ASSISTED,
        "reasons": [c.ReturnReason.FAMILY],
        "settlement_area": "MA-04",
    }
    fields.update(changes)
    return fields


@pytest.fixture
def person(carla: User, host_org: Organisation, actor_for: ActorFor) -> Person:
    return services.person_create(
        actor=actor_for(carla),
        organisation_id=host_org.pk,
        given_name="Youssef",
        family_name="El Amrani",
        sex=c.Sex.MALE,
        date_of_birth=datetime.date(1988, 2, 3),
        aliases=["Yusuf Amrani"],
    )


def test_person_create_writes_keys_and_audit(person: Person, carla: User) -> None:
    assert set(PersonNameKey.objects.filter(person=person).values_list("key", flat=True)) >= {
        "asf",
        "amrn",
    }
    event = AuditEvent.objects.get(action=AuditAction.CREATE, entity_type="registry.person")
    assert event.actor == carla and event.person_id == person.pk
    assert event.after is not None and event.after["given_name"] == "Youssef"
    assert event.ip_address == "127.0.0.1"


def test_person_create_refused_outside_own_organisation(
    omar: User, host_org: Organisation, actor_for: ActorFor
) -> None:
    with pytest.raises(PermissionDenied):
        services.person_create(actor=actor_for(omar), organisation_id=host_org.pk, given_name="X")
    assert not Person.objects.exists()


def test_person_update_records_before_and_after(
    person: Person, carla: User, actor_for: ActorFor
) -> None:
    services.person_update(
        actor=actor_for(carla), person=person, version=person.version, family_name="Amrani"
    )
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE).get()
    assert event.before is not None and event.before["family_name"] == "El Amrani"
    assert event.after is not None and event.after["family_name"] == "Amrani"
    assert event.summary == "family_name, updated_at, version"
    person.refresh_from_db()
    assert person.version == 2


def test_concurrent_edit_is_refused_and_loses_nothing(
    person: Person, carla: User, actor_for: ActorFor
) -> None:
    first = Person.objects.get(pk=person.pk)
    second = Person.objects.get(pk=person.pk)
    services.person_update(
        actor=actor_for(carla), person=first, version=first.version, given_name="Yusuf"
    )
    with pytest.raises(StaleEdit):
        services.person_update(
            actor=actor_for(carla), person=second, version=second.version, given_name="Joseph"
        )
    person.refresh_from_db()
    assert person.given_name == "Yusuf"
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE).count() == 1


def test_return_event_derives_time_abroad_and_age(
    person: Person, carla: User, actor_for: ActorFor
) -> None:
    actor = actor_for(carla)
    services.episode_create(
        actor=actor,
        person=person,
        host_country="BE",
        started_on=datetime.date(2019, 1, 15),
        ended_on=datetime.date(2025, 5, 20),
        status_abroad=c.StatusAbroad.REGULAR_WORKER,
    )
    event = services.return_event_create(actor=actor, person=person, **_return_fields())
    assert event.time_abroad_months == 76
    assert event.age_at_return == 37
    # Editing the episode updates the derived figure of existing returns.
    episode = person.episodes.get()
    services.episode_update(
        actor=actor, episode=episode, version=episode.version, started_on=datetime.date(2020, 1, 15)
    )
    event.refresh_from_db()
    assert event.time_abroad_months == 64


def test_overlapping_episodes_count_once() -> None:
    from retorno.registry.models import MigrationEpisode

    episodes = [
        MigrationEpisode(
            host_country="ES",
            started_on=datetime.date(2010, 1, 1),
            ended_on=datetime.date(2012, 1, 1),
        ),
        MigrationEpisode(
            host_country="FR",
            started_on=datetime.date(2011, 1, 1),
            ended_on=datetime.date(2013, 1, 1),
        ),
        MigrationEpisode(host_country="IT", started_on=datetime.date(2020, 1, 1), ended_on=None),
    ]
    assert services.time_abroad_months(episodes, datetime.date(2021, 1, 1)) == 48
    assert services.time_abroad_months([], datetime.date(2021, 1, 1)) is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"to_country": "ZZ"}, "to_country"),
        ({"to_country": "BE"}, "to_country"),
        ({"settlement_area": "SV-SS"}, "settlement_area"),
        ({"mode": "teleport"}, "mode"),
        ({"reasons": ["boredom"]}, "reasons"),
        ({"return_date": datetime.date.today() + datetime.timedelta(days=800)}, "return_date"),
    ],
)
def test_invalid_return_is_refused_with_field_error(
    person: Person, carla: User, actor_for: ActorFor, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        services.return_event_create(
            actor=actor_for(carla), person=person, **_return_fields(**changes)
        )
    assert field in error.value.message_dict
    assert not ReturnEvent.objects.exists()


def test_return_update_conflict(person: Person, carla: User, actor_for: ActorFor) -> None:
    actor = actor_for(carla)
    event = services.return_event_create(actor=actor, person=person, **_return_fields())
    services.return_event_update(
        actor=actor, event=event, version=1, intended_stay=c.IntendedStay.FOR_GOOD
    )
    stale = ReturnEvent.objects.get(pk=event.pk)
    with pytest.raises(StaleEdit):
        services.return_event_update(
            actor=actor, event=stale, version=1, intended_stay=c.IntendedStay.UNDECIDED
        )
    assert ReturnEvent.objects.get(pk=event.pk).intended_stay == c.IntendedStay.FOR_GOOD


def test_consent_history_keeps_every_decision(
    person: Person, carla: User, actor_for: ActorFor
) -> None:
    actor = actor_for(carla)
    services.consent_record(
        actor=actor,
        person=person,
        purpose=c.ConsentPurpose.REFERRAL,
        status=c.ConsentStatus.GIVEN,
        channel=c.ConsentChannel.WRITTEN,
    )
    services.consent_record(
        actor=actor,
        person=person,
        purpose=c.ConsentPurpose.REFERRAL,
        status=c.ConsentStatus.WITHDRAWN,
        channel=c.ConsentChannel.ORAL,
    )
    assert list(person.consents.values_list("status", flat=True)) == ["withdrawn", "given"]


def test_person_delete_only_by_administrator(
    person: Person, users: dict[str, User], actor_for: ActorFor
) -> None:
    with pytest.raises(PermissionDenied):
        services.person_delete(actor=actor_for(users[Role.SUPERVISOR]), person=person)
    services.person_delete(actor=actor_for(users[Role.ADMINISTRATOR]), person=person)
    assert not Person.objects.exists()
    deleted = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert deleted.before is not None and deleted.before["given_name"] == "Youssef"


def test_audit_trail_cannot_be_changed(person: Person) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    event.summary = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(summary="x")


def test_database_refuses_to_rewrite_the_audit_trail_on_postgresql(person: Person) -> None:
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET summary = 'x'")


def test_returns_follow_a_correction_of_sex(
    person: Person, carla: User, actor_for: ActorFor
) -> None:
    actor = actor_for(carla)
    event = services.return_event_create(actor=actor, person=person, **_return_fields())
    assert event.sex == c.Sex.MALE
    services.person_update(actor=actor, person=person, version=person.version, sex=c.Sex.FEMALE)
    event.refresh_from_db()
    assert event.sex == c.Sex.FEMALE
