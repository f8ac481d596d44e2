"""Referral pages: consent, the supervisor's override, and what the receiving side sees when."""

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from retorno.accounts.models import Organisation, OrganisationKind
from retorno.accounts.roles import Role
from retorno.cases import choices as c
from retorno.cases import services
from retorno.cases.models import Case, Partner, Referral
from retorno.core.audit import Actor
from retorno.core.models import AuditEvent
from retorno.registry.models import Consent, Contact, Person

PHONE = "+373 555 0101"
NO_CONSENT = (
    "The person has not consented to referral. Record their consent first; "
    "only a supervisor can refer without it, giving a reason."
)


@pytest.fixture
def olga(make_user: Callable[..., User], origin_org: Organisation) -> User:
    return make_user("olga", Role.CASEWORKER, origin_org)


@pytest.fixture
def consent(person: Person) -> Consent:
    return Consent.objects.create(person=person, purpose="referral", status="given")


@pytest.fixture
def phone(person: Person) -> Contact:
    return Contact.objects.create(person=person, kind="phone", value=PHONE)


def client_for(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def refer(case: Case, user: User, organisation: Organisation, **extra: Any) -> Referral:
    return services.referral_create(
        actor=Actor(user=user),
        case=case,
        shared_fields=extra.pop("shared_fields", [c.SharedField.IDENTITY]),
        to_organisation_id=organisation.pk,
        message=extra.pop("message", "Needs help finding work in Chișinău."),
        **extra,
    )


def test_caseworker_is_told_there_is_no_consent_and_the_service_refuses(
    open_case: Case, carla: User, origin_org: Organisation
) -> None:
    client = client_for(carla)
    url = reverse("cases:referral_new", args=[open_case.pk])
    page = client.get(url).content.decode()
    assert "has not consented to being referred" in page
    assert 'name="override_reason"' not in page
    # Nothing beyond identity is ticked to begin with.
    ticked = re.findall(r"<input [^>]*checked[^>]*>", page)
    assert len(ticked) == 1 and 'value="identity"' in ticked[0]
    assert origin_org.name in page and "Brussels Return Office</option>" not in page

    response = client.post(
        url, {"to_organisation": origin_org.pk, "shared_fields": ["identity"], "message": "Hi"}
    )
    assert response.status_code == 200
    assert NO_CONSENT in response.content.decode()
    assert not Referral.objects.exists()


def test_supervisor_refers_without_consent_giving_a_reason(
    open_case: Case, users: dict[str, User], origin_org: Organisation
) -> None:
    sam = users[Role.SUPERVISOR]
    client = client_for(sam)
    url = reverse("cases:referral_new", args=[open_case.pk])
    page = client.get(url).content.decode()
    assert 'name="override_reason"' in page
    assert "You may refer without it only for a serious reason" in page

    data = {"to_organisation": origin_org.pk, "shared_fields": ["identity", "return"]}
    assert NO_CONSENT in client.post(url, data).content.decode()

    response = client.post(url, {**data, "override_reason": "Medical emergency on arrival"})
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:referral_detail", args=[referral.pk])
    assert referral.consent_override_reason == "Medical emergency on arrival"
    assert referral.consent_overridden_by == sam
    assert referral.shared_fields == ["identity", "return"]
    override = AuditEvent.objects.get(action="override", entity_type="cases.referral")
    assert override.actor == sam and "Medical emergency on arrival" in override.summary
    detail = client.get(response["Location"]).content.decode()
    assert "Referred without consent" in detail and "Medical emergency on arrival" in detail


def test_referral_to_a_partner_of_the_directory(
    open_case: Case,
    carla: User,
    host_org: Organisation,
    origin_org: Organisation,
    consent: Consent,
) -> None:
    partner = Partner.objects.create(
        organisation=host_org, name="Chișinău Job Centre", kind="training", country="MD"
    )
    Partner.objects.create(organisation=host_org, name="Lima Legal Aid", kind="legal", country="PE")
    client = client_for(carla)
    url = reverse("cases:referral_new", args=[open_case.pk])
    page = client.get(url).content.decode()
    assert "Chișinău Job Centre" in page and "Lima Legal Aid" not in page
    assert "has consented to being referred" in page

    both = client.post(
        url,
        {"to_partner": partner.pk, "to_organisation": origin_org.pk, "shared_fields": ["identity"]},
    )
    assert "Refer the case to one organisation or one service provider." in both.content.decode()
    response = client.post(url, {"to_partner": partner.pk, "shared_fields": ["identity"]})
    referral = Referral.objects.get()
    assert response.status_code == 302 and referral.to_partner == partner
    detail = client.get(response["Location"]).content.decode()
    assert "Chișinău Job Centre" in detail and "Revoke the referral" in detail


def test_receiver_sees_no_personal_data_until_it_accepts_then_only_the_shared_parts(
    open_case: Case, carla: User, olga: User, origin_org: Organisation, consent: Any, phone: Any
) -> None:
    referral = refer(open_case, carla, origin_org)
    client = client_for(olga)

    inbox = client.get(reverse("cases:referrals_received")).content.decode()
    assert open_case.reference in inbox
    assert "Brussels Return Office" in inbox and "waiting for an answer" in inbox
    assert "Amina" not in inbox and "Kamara" not in inbox

    url = reverse("cases:referral_detail", args=[referral.pk])
    page = client.get(url).content.decode()
    assert "Needs help finding work in Chișinău." in page
    assert "Name, sex and date of birth" in page
    assert "Accept the referral" in page
    assert "Amina" not in page and "Kamara" not in page and PHONE not in page

    response = client.post(
        reverse("cases:referral_answer", args=[referral.pk]), {"decision": "accept"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == c.ReferralStatus.ACCEPTED and referral.answered_by == olga

    page = client.get(url).content.decode()
    assert "Amina" in page and "Kamara" in page and "April 12, 1990" in page
    assert "female" in page
    assert PHONE not in page  # contacts were not shared
    assert "Accept the referral" not in page
    assert AuditEvent.objects.filter(
        action="view", entity_type="cases.referral", actor=olga, person_id=open_case.person_id
    ).exists()

    # The outcome of the service, recorded by the receiver.
    response = client.post(
        reverse("cases:referral_outcome", args=[referral.pk]), {"service_outcome": "received"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.service_outcome == c.ServiceOutcome.RECEIVED
    assert "service received" in client.get(url).content.decode()


def test_rejecting_needs_an_answer(
    open_case: Case, carla: User, olga: User, origin_org: Organisation, consent: Any
) -> None:
    referral = refer(open_case, carla, origin_org)
    client = client_for(olga)
    answer = reverse("cases:referral_answer", args=[referral.pk])
    page = client.post(answer, {"decision": "reject", "answer": " "}).content.decode()
    assert "Say why the referral is rejected." in page
    referral.refresh_from_db()
    assert referral.status == c.ReferralStatus.PENDING

    client.post(answer, {"decision": "reject", "answer": "We have no places until June."})
    referral.refresh_from_db()
    assert referral.status == c.ReferralStatus.REJECTED
    page = client.get(reverse("cases:referral_detail", args=[referral.pk])).content.decode()
    assert "We have no places until June." in page and "no longer in force" in page
    assert "Kamara" not in page
    # The sender reads the answer; only the receiver may answer.
    sender_page = client_for(carla).get(reverse("cases:referral_detail", args=[referral.pk]))
    assert "We have no places until June." in sender_page.content.decode()
    assert client_for(carla).post(answer, {"decision": "accept"}).status_code == 403


def test_after_revocation_the_receiver_no_longer_sees_personal_data(
    open_case: Case, carla: User, olga: User, origin_org: Organisation, consent: Any
) -> None:
    referral = refer(open_case, carla, origin_org)
    services.referral_answer(actor=Actor(user=olga), referral=referral, accept=True)
    url = reverse("cases:referral_detail", args=[referral.pk])
    receiver = client_for(olga)
    assert "Kamara" in receiver.get(url).content.decode()

    sender = client_for(carla)
    page = sender.get(url).content.decode()
    assert "accepted" in page and "Revoke the referral" in page
    response = sender.post(reverse("cases:referral_revoke", args=[referral.pk]))
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == c.ReferralStatus.REVOKED
    assert "revoked by the sender" in sender.get(url).content.decode()

    page = receiver.get(url).content.decode()
    assert "Kamara" not in page and "Amina" not in page
    assert "no longer in force" in page
    assert "Record the outcome" not in page
    outcome = receiver.post(
        reverse("cases:referral_outcome", args=[referral.pk]), {"service_outcome": "received"}
    )
    assert outcome.status_code == 403


def test_a_third_organisation_gets_404(
    open_case: Case,
    carla: User,
    make_user: Callable[..., User],
    origin_org: Organisation,
    consent: Any,
) -> None:
    referral = refer(open_case, carla, origin_org)
    third = Organisation.objects.create(
        name="Red Cross Tiraspol", kind=OrganisationKind.NGO, country="MD"
    )
    tom = make_user("tom", Role.CASEWORKER, third)
    client = client_for(tom)
    assert client.get(reverse("cases:referral_detail", args=[referral.pk])).status_code == 404
    answer = reverse("cases:referral_answer", args=[referral.pk])
    assert client.post(answer, {"decision": "accept"}).status_code == 404
    assert client.post(reverse("cases:referral_revoke", args=[referral.pk])).status_code == 404
    inbox = client.get(reverse("cases:referrals_received")).content.decode()
    assert open_case.reference not in inbox and "No referral received." in inbox
    assert client.get(reverse("cases:referral_new", args=[open_case.pk])).status_code == 404
    referral.refresh_from_db()
    assert referral.status == c.ReferralStatus.PENDING


def test_pending_referrals_come_first(
    open_case: Case, carla: User, olga: User, origin_org: Organisation, consent: Any
) -> None:
    first = refer(open_case, carla, origin_org)
    services.referral_answer(actor=Actor(user=olga), referral=first, accept=True)
    second = refer(open_case, carla, origin_org, message="Second request")
    services.referral_answer(actor=Actor(user=olga), referral=second, accept=True)
    waiting = refer(open_case, carla, origin_org, message="Third request")
    Referral.objects.filter(pk=waiting.pk).update(created_at=first.created_at)
    page = client_for(olga).get(reverse("cases:referrals_received")).content.decode()
    rows = page.split("<tbody>")[1].split("</tr>")
    assert reverse("cases:referral_detail", args=[waiting.pk]) in rows[0]
    assert AuditEvent.objects.filter(action="list", entity_type="cases.referral").exists()


def test_referral_pages_render_in_spanish(
    open_case: Case, carla: User, olga: User, origin_org: Organisation, consent: Any
) -> None:
    referral = refer(open_case, carla, origin_org)
    services.referral_answer(actor=Actor(user=olga), referral=referral, accept=True)
    client = client_for(olga, "es")
    page = client.get(reverse("cases:referral_detail", args=[referral.pk])).content.decode()
    assert 'lang="es"' in page and "Cerrar sesión" in page
    assert "12 de abril de 1990" in page
    inbox = client.get(reverse("cases:referrals_received")).content.decode()
    assert 'lang="es"' in inbox and open_case.reference in inbox
    form = client_for(carla, "es").get(reverse("cases:referral_new", args=[open_case.pk]))
    assert 'lang="es"' in form.content.decode() and "Ministry of Foreign Affairs" in (
        form.content.decode()
    )
