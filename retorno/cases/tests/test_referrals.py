"""Referrals: consent first, a supervisor's reasoned override, and only the shared parts cross."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from retorno.accounts.models import Organisation, OrganisationKind
from retorno.accounts.roles import Role
from retorno.cases import choices as c
from retorno.cases import selectors, services
from retorno.cases.models import Case, CaseEvent, Partner, Referral
from retorno.core.audit import Actor
from retorno.core.errors import NotFound
from retorno.core.models import AuditAction, AuditEvent
from retorno.registry.choices import ConsentChannel, ConsentPurpose, ConsentStatus, ContactKind
from retorno.registry.models import Contact
from retorno.registry.services import consent_record

pytestmark = pytest.mark.django_db

NO_CONSENT = "has not consented to referral"


@pytest.fixture
def receiver(make_user: Callable[..., User], origin_org: Organisation) -> User:
    """A caseworker of the organisation cases are referred to."""
    return make_user("rosa", Role.CASEWORKER, origin_org)


@pytest.fixture
def stranger(make_user: Callable[..., User]) -> User:
    third = Organisation.objects.create(name="Third NGO", kind=OrganisationKind.NGO, country="FR")
    return make_user("tom", Role.ADMINISTRATOR, third)


def _consent(case: Case, user: User, status: str) -> None:
    consent_record(
        actor=Actor(user=user),
        person=case.person,
        purpose=ConsentPurpose.REFERRAL,
        status=status,
        channel=ConsentChannel.WRITTEN,
    )


def _refer(case: Case, user: User, to: Organisation, **kwargs: Any) -> Referral:
    values: dict[str, Any] = {"shared_fields": ["identity"], "message": "Housing support"}
    values.update(kwargs)
    return services.referral_create(
        actor=Actor(user=user), case=case, to_organisation_id=to.pk, **values
    )


def test_without_consent_a_referral_is_refused_with_the_reason(
    open_case: Case, carla: User, origin_org: Organisation
) -> None:
    with pytest.raises(ValidationError, match=NO_CONSENT):
        _refer(open_case, carla, origin_org)
    # A refused or a consent for another purpose does not count either.
    _consent(open_case, carla, ConsentStatus.REFUSED)
    consent_record(
        actor=Actor(user=carla),
        person=open_case.person,
        purpose=ConsentPurpose.CASE_MANAGEMENT,
        status=ConsentStatus.GIVEN,
        channel=ConsentChannel.ORAL,
    )
    with pytest.raises(ValidationError, match=NO_CONSENT):
        _refer(open_case, carla, origin_org)
    assert not Referral.objects.exists()


def test_with_consent_given_the_referral_is_made_and_recorded(
    open_case: Case, carla: User, origin_org: Organisation
) -> None:
    _consent(open_case, carla, ConsentStatus.GIVEN)
    referral = _refer(open_case, carla, origin_org, shared_fields=["identity", "return"])
    assert referral.status == c.ReferralStatus.PENDING
    assert referral.shared_fields == ["identity", "return"]
    assert referral.consent_override_reason == "" and referral.consent_overridden_by is None
    assert CaseEvent.objects.filter(case=open_case, kind=c.EventKind.REFERRAL).count() == 1
    audit = AuditEvent.objects.get(entity_type="cases.referral")
    assert audit.action == AuditAction.CREATE and audit.person_id == open_case.person_id


def test_consent_withdrawn_after_being_given_refuses_again(
    open_case: Case, carla: User, origin_org: Organisation
) -> None:
    _consent(open_case, carla, ConsentStatus.GIVEN)
    _refer(open_case, carla, origin_org)
    _consent(open_case, carla, ConsentStatus.WITHDRAWN)
    with pytest.raises(ValidationError, match=NO_CONSENT):
        _refer(open_case, carla, origin_org)
    assert Referral.objects.count() == 1


def test_a_caseworker_cannot_override_consent_even_with_a_reason(
    open_case: Case, carla: User, origin_org: Organisation
) -> None:
    with pytest.raises(PermissionDenied):
        _refer(open_case, carla, origin_org, override_reason="Urgent medical need")
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.OVERRIDE).exists()


def test_a_supervisor_overrides_with_a_reason_and_the_override_is_audited(
    open_case: Case, users: dict[str, User], origin_org: Organisation
) -> None:
    sam = users[Role.SUPERVISOR]
    with pytest.raises(ValidationError, match=NO_CONSENT):
        _refer(open_case, sam, origin_org, override_reason="   ")
    referral = _refer(open_case, sam, origin_org, override_reason=" Urgent medical need ")
    assert referral.consent_override_reason == "Urgent medical need"
    assert referral.consent_overridden_by == sam
    override = AuditEvent.objects.get(action=AuditAction.OVERRIDE)
    assert override.actor == sam and override.entity_type == "cases.referral"
    assert override.entity_id == str(referral.pk) and "Urgent medical need" in override.summary


def test_a_referral_goes_to_one_other_receiver_and_shares_named_parts_only(
    open_case: Case, carla: User, host_org: Organisation, origin_org: Organisation
) -> None:
    _consent(open_case, carla, ConsentStatus.GIVEN)
    with pytest.raises(ValidationError, match="its own organisation"):
        _refer(open_case, carla, host_org)
    with pytest.raises(ValidationError):
        _refer(open_case, carla, origin_org, shared_fields=[])
    with pytest.raises(ValidationError):
        _refer(open_case, carla, origin_org, shared_fields=["identity", "bank_account"])
    with pytest.raises(ValidationError):
        services.referral_create(
            actor=Actor(user=carla), case=open_case, shared_fields=["identity"]
        )
    partner = Partner.objects.create(
        organisation=host_org,
        name="Own clinic",
        kind="health",
        country="BE",
        linked_organisation=host_org,
    )
    with pytest.raises(ValidationError, match="its own organisation"):
        services.referral_create(
            actor=Actor(user=carla), case=open_case, to_partner=partner, shared_fields=["identity"]
        )
    assert not Referral.objects.exists()


# Answering -----------------------------------------------------------------------------


def _pending(case: Case, users: dict[str, User], to: Organisation, **kwargs: Any) -> Referral:
    _consent(case, users[Role.CASEWORKER], ConsentStatus.GIVEN)
    return _refer(case, users[Role.CASEWORKER], to, **kwargs)


def test_the_receiver_accepts_and_cannot_answer_twice(
    open_case: Case, users: dict[str, User], origin_org: Organisation, receiver: User
) -> None:
    referral = _pending(open_case, users, origin_org)
    # The sender, and staff of the receiver without the right to answer, cannot answer.
    for user in (users[Role.SUPERVISOR], users[Role.CASEWORKER]):
        with pytest.raises(PermissionDenied):
            services.referral_answer(actor=Actor(user=user), referral=referral, accept=True)
    referral = services.referral_answer(
        actor=Actor(user=receiver), referral=referral, accept=True, answer=" We will call her "
    )
    assert referral.status == c.ReferralStatus.ACCEPTED and referral.answered_by == receiver
    assert referral.answer == "We will call her" and referral.answered_at is not None
    with pytest.raises(ValidationError, match="already been answered"):
        services.referral_answer(actor=Actor(user=receiver), referral=referral, accept=False)
    assert Referral.objects.get(pk=referral.pk).status == c.ReferralStatus.ACCEPTED
    answered = AuditEvent.objects.get(entity_type="cases.referral", action=AuditAction.UPDATE)
    assert answered.actor == receiver and answered.organisation_id == origin_org.pk


def test_the_receiver_rejects_and_the_sender_sees_it(
    open_case: Case,
    users: dict[str, User],
    origin_org: Organisation,
    receiver: User,
    make_user: Callable[..., User],
) -> None:
    referral = _pending(open_case, users, origin_org)
    omar = make_user("omar", Role.RECEPTION_OFFICER, origin_org)
    with pytest.raises(PermissionDenied):
        services.referral_answer(actor=Actor(user=omar), referral=referral, accept=False)
    referral = services.referral_answer(
        actor=Actor(user=receiver), referral=referral, accept=False, answer="No capacity"
    )
    assert referral.status == c.ReferralStatus.REJECTED
    event = CaseEvent.objects.filter(case=open_case, kind=c.EventKind.REFERRAL).first()
    assert event is not None and event.data["status"] == "rejected"
    assert event.reason == "No capacity"
    with pytest.raises(ValidationError):
        services.referral_revoke(actor=Actor(user=users[Role.CASEWORKER]), referral=referral)


def test_a_partner_role_may_answer_for_its_organisation(
    open_case: Case, users: dict[str, User], origin_org: Organisation, make_user: Any
) -> None:
    parker = make_user("penny", Role.PARTNER, origin_org)
    referral = _pending(open_case, users, origin_org)
    referral = services.referral_answer(actor=Actor(user=parker), referral=referral, accept=True)
    assert referral.status == c.ReferralStatus.ACCEPTED


# What the receiver sees ----------------------------------------------------------------------


ALL_PARTS = ["identity", "return", "skills"]


def _shared(referral: Referral, user: User) -> dict[str, Any]:
    found = selectors.referral_get_for(actor=Actor(user=user), referral_id=referral.pk)
    return selectors.shared_view(actor=Actor(user=user), referral=found)


def _personal(view: dict[str, Any]) -> set[str]:
    return set(view) - {"reference", "parts"}


def test_before_acceptance_the_shared_view_holds_no_personal_data(
    open_case: Case, users: dict[str, User], origin_org: Organisation, receiver: User
) -> None:
    referral = _pending(open_case, users, origin_org, shared_fields=ALL_PARTS)
    view = _shared(referral, receiver)
    assert _personal(view) == set()
    assert view["parts"] == ["identity", "return", "skills"]
    text = str(view)
    for secret in (open_case.person.given_name, open_case.person.family_name, "1990"):
        assert secret not in text


def test_after_acceptance_only_the_shared_parts_are_visible(
    open_case: Case, users: dict[str, User], origin_org: Organisation, receiver: User
) -> None:
    Contact.objects.create(person=open_case.person, kind=ContactKind.PHONE, value="+37369000000")
    services.case_update(
        actor=Actor(user=users[Role.CASEWORKER]),
        case=open_case,
        version=open_case.version,
        vulnerabilities=["health_condition"],
        return_region="MD-CU",
    )
    referral = _pending(open_case, users, origin_org, shared_fields=ALL_PARTS)
    services.referral_answer(actor=Actor(user=receiver), referral=referral, accept=True)
    view = _shared(referral, receiver)
    assert _personal(view) == {"identity", "return", "skills"}
    assert view["identity"]["given_name"] == open_case.person.given_name
    assert view["identity"]["date_of_birth"] == datetime.date(1990, 4, 12)
    assert view["return"]["return_region"] == "MD-CU"
    text = str(view)
    assert "+37369000000" not in text and "health_condition" not in text


def test_contacts_and_vulnerabilities_cross_only_when_shared(
    open_case: Case, users: dict[str, User], origin_org: Organisation, receiver: User
) -> None:
    Contact.objects.create(person=open_case.person, kind=ContactKind.PHONE, value="+37369000000")
    referral = _pending(
        open_case, users, origin_org, shared_fields=["contacts", "vulnerabilities", "plan"]
    )
    services.referral_answer(actor=Actor(user=receiver), referral=referral, accept=True)
    view = _shared(referral, receiver)
    assert _personal(view) == {"contacts", "vulnerabilities", "plan"}
    assert view["contacts"] == [{"kind": "phone", "value": "+37369000000"}]
    assert view["plan"] == []
    assert open_case.person.given_name not in str(view)


def test_after_revocation_the_receiver_sees_nothing(
    open_case: Case, users: dict[str, User], origin_org: Organisation, receiver: User
) -> None:
    referral = _pending(open_case, users, origin_org, shared_fields=ALL_PARTS)
    services.referral_answer(actor=Actor(user=receiver), referral=referral, accept=True)
    with pytest.raises(PermissionDenied):
        services.referral_revoke(actor=Actor(user=receiver), referral=referral)
    referral = services.referral_revoke(actor=Actor(user=users[Role.CASEWORKER]), referral=referral)
    assert referral.status == c.ReferralStatus.REVOKED and referral.revoked_at is not None
    view = _shared(referral, receiver)
    assert _personal(view) == set()
    assert open_case.person.given_name not in str(view)
    with pytest.raises(ValidationError):
        services.referral_revoke(actor=Actor(user=users[Role.CASEWORKER]), referral=referral)
    with pytest.raises(ValidationError):
        services.referral_answer(actor=Actor(user=receiver), referral=referral, accept=True)


def test_reading_the_shared_view_is_audited(
    open_case: Case, users: dict[str, User], origin_org: Organisation, receiver: User
) -> None:
    referral = _pending(open_case, users, origin_org, shared_fields=["identity"])
    services.referral_answer(actor=Actor(user=receiver), referral=referral, accept=True)
    _shared(referral, receiver)
    read = AuditEvent.objects.get(entity_type="cases.referral", action=AuditAction.VIEW)
    assert read.actor == receiver and read.person_id == open_case.person_id
    assert read.organisation_id == origin_org.pk and "identity" in read.summary


def test_a_partner_linked_to_an_organisation_brings_the_referral_to_it(
    open_case: Case,
    users: dict[str, User],
    host_org: Organisation,
    origin_org: Organisation,
    receiver: User,
) -> None:
    linked = Partner.objects.create(
        organisation=host_org,
        name="Moldova desk",
        kind="ngo",
        country="MD",
        linked_organisation=origin_org,
    )
    outside = Partner.objects.create(
        organisation=host_org, name="Local clinic", kind="health", country="MD"
    )
    _consent(open_case, users[Role.CASEWORKER], ConsentStatus.GIVEN)
    actor = Actor(user=users[Role.CASEWORKER])
    referral = services.referral_create(
        actor=actor, case=open_case, to_partner=linked, shared_fields=["identity"]
    )
    assert referral.to_organisation_id == origin_org.pk and referral.to_partner == linked
    assert list(selectors.referrals_received_for(receiver)) == [referral]
    services.referral_answer(actor=Actor(user=receiver), referral=referral, accept=True)
    # A provider outside Retorno receives nothing through it, and nobody answers in its name.
    offline = services.referral_create(
        actor=actor, case=open_case, to_partner=outside, shared_fields=["identity"]
    )
    assert offline.to_organisation_id is None
    with pytest.raises(PermissionDenied):
        services.referral_answer(actor=Actor(user=receiver), referral=offline, accept=True)
    with pytest.raises(NotFound):
        selectors.referral_get_for(actor=Actor(user=receiver), referral_id=offline.pk)


def test_a_third_organisation_cannot_find_the_referral(
    open_case: Case,
    users: dict[str, User],
    origin_org: Organisation,
    receiver: User,
    stranger: User,
    omar: User,
) -> None:
    referral = _pending(open_case, users, origin_org)
    for user in (stranger, omar, users[Role.STATISTICIAN], users[Role.CONTENT_EDITOR]):
        with pytest.raises(NotFound):
            selectors.referral_get_for(actor=Actor(user=user), referral_id=referral.pk)
    with pytest.raises(NotFound):
        selectors.referral_get_for(actor=Actor(user=receiver), referral_id="nope")
    assert selectors.referral_get_for(actor=Actor(user=receiver), referral_id=referral.pk)
    assert selectors.referral_get_for(
        actor=Actor(user=users[Role.CASEWORKER]), referral_id=referral.pk
    )
    assert list(selectors.referrals_received_for(stranger)) == []
    with pytest.raises(PermissionDenied):
        services.referral_record_outcome(
            actor=Actor(user=stranger), referral=referral, outcome=c.ServiceOutcome.RECEIVED
        )


def test_either_side_records_the_outcome_of_the_service(
    open_case: Case, users: dict[str, User], origin_org: Organisation, receiver: User
) -> None:
    referral = _pending(open_case, users, origin_org)
    services.referral_answer(actor=Actor(user=receiver), referral=referral, accept=True)
    with pytest.raises(ValidationError):
        services.referral_record_outcome(
            actor=Actor(user=receiver), referral=referral, outcome="great"
        )
    referral = services.referral_record_outcome(
        actor=Actor(user=receiver), referral=referral, outcome=c.ServiceOutcome.RECEIVED
    )
    assert referral.service_outcome == c.ServiceOutcome.RECEIVED
    referral = services.referral_record_outcome(
        actor=Actor(user=users[Role.CASEWORKER]),
        referral=referral,
        outcome=c.ServiceOutcome.DECLINED,
    )
    assert Referral.objects.get(pk=referral.pk).service_outcome == c.ServiceOutcome.DECLINED
    outcomes = AuditEvent.objects.filter(
        entity_type="cases.referral", action=AuditAction.UPDATE, after__has_key="service_outcome"
    )
    assert outcomes.count() == 2


def test_a_rejection_says_why_and_outcomes_need_a_referral_in_force(
    open_case: Case, carla: User, receiver: User, origin_org: Organisation
) -> None:
    _consent(open_case, carla, ConsentStatus.GIVEN)
    referral = _refer(open_case, carla, origin_org)
    with pytest.raises(ValidationError, match="outcome is recorded only"):
        services.referral_record_outcome(
            actor=Actor(user=receiver), referral=referral, outcome=c.ServiceOutcome.RECEIVED
        )
    with pytest.raises(ValidationError):
        services.referral_answer(actor=Actor(user=receiver), referral=referral, accept=False)
    services.referral_answer(
        actor=Actor(user=receiver), referral=referral, accept=False, answer="No places left"
    )
    assert referral.status == c.ReferralStatus.REJECTED
    with pytest.raises(ValidationError, match="outcome is recorded only"):
        services.referral_record_outcome(
            actor=Actor(user=carla), referral=referral, outcome=c.ServiceOutcome.RECEIVED
        )


def test_an_inactive_organisation_takes_no_referrals(
    open_case: Case, carla: User, origin_org: Organisation
) -> None:
    _consent(open_case, carla, ConsentStatus.GIVEN)
    origin_org.is_active = False
    origin_org.save()
    with pytest.raises(ValidationError, match="no longer takes referrals"):
        _refer(open_case, carla, origin_org)
    assert not Referral.objects.exists()
