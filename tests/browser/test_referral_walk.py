"""A referral to the origin-country office, in French, by clicks and typing.

carla refers a returnee's case to the Moldovan ministry, sharing his identity and his
return only. An officer there sees the request without the person's name, accepts
it, and then sees what was shared and nothing else. Without the person's consent
the referral is refused, with the message in French.
"""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from retorno.accounts.models import Organisation
from retorno.accounts.roles import Role
from retorno.cases.models import Case, Referral
from retorno.core.audit import Actor
from retorno.registry import services as registry_services
from retorno.registry.models import Contact, Person
from retorno.registry.tests.factories import make_person

from .conftest import switch_language

PHONE = "+373 69 123 456"
Shot = Callable[[Page, str], Path]


@pytest.fixture
def olga(make_user: Callable[..., User], origin_org: Organisation) -> User:
    """A reintegration officer of the Moldovan ministry, the receiving side."""
    return make_user("olga", Role.REINTEGRATION_OFFICER, origin_org)


@pytest.fixture
def referred_case(users: dict[str, User], returnee: Person, case_at: Callable[..., Case]) -> Case:
    """Ion Rusu's case, arrived; he has agreed to be referred and has a phone number."""
    registry_services.consent_record(
        actor=Actor(user=users[Role.CASEWORKER]),
        person=returnee,
        purpose="referral",
        status="given",
        channel="oral",
    )
    Contact.objects.create(person=returnee, kind="phone", value=PHONE)
    return case_at(returnee, "arrived")


def test_case_referred_to_the_origin_country_office_in_french(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Callable[[Page, str, str], None],
    carla: User,
    olga: User,
    origin_org: Organisation,
    referred_case: Case,
    shot: Shot,
) -> None:
    case = referred_case
    # carla works in English until she picks French in the header.
    carla_page = new_page("en")
    login(carla_page, "carla", PASSWORD)
    carla_page.goto(f"{live_server.url}/cases/{case.pk}/")
    switch_language(carla_page, "fr")
    carla_page.click(f"a[href='/cases/{case.pk}/refer/']")
    carla_page.wait_for_url(f"**/cases/{case.pk}/refer/")
    expect(carla_page.locator("html")).to_have_attribute("lang", "fr")
    expect(carla_page.locator("main .alert[role=alert]")).to_have_count(0)  # consent given
    expect(carla_page.locator("main h1")).to_contain_text("Orienter Ion Rusu")
    # Only other organisations are offered; identity alone is ticked to begin with.
    options = carla_page.locator("#id_to_organisation option")
    expect(options).to_have_text(["—", origin_org.name])
    ticked = carla_page.locator("input[name=shared_fields]:checked")
    expect(ticked).to_have_count(1)
    expect(ticked).to_have_attribute("value", "identity")
    carla_page.select_option("#id_to_organisation", str(origin_org.pk))
    carla_page.check("input[name=shared_fields][value=return]")
    carla_page.fill("#id_message", "Cherche un emploi de mécanicien à Chișinău.")
    shot(carla_page, "referral-form-fr")
    carla_page.locator("main form button[type=submit]").click()
    carla_page.wait_for_url(re.compile(r".*/cases/referrals/\d+/$"))
    referral = Referral.objects.get(case=case)
    assert referral.shared_fields == ["identity", "return"]
    assert referral.to_organisation_id == origin_org.pk and referral.status == "pending"
    expect(carla_page.locator(".messages li.success")).to_have_text("Le dossier a été orienté.")
    expect(carla_page.locator("section[aria-labelledby=sender-h]")).to_contain_text("Ion Rusu")
    expect(carla_page.locator("section[aria-labelledby=request-h] dd ul li")).to_have_count(2)
    shot(carla_page, "referral-sent-fr")

    # olga, in Chișinău, works in French: she sees the request, not who it is about.
    olga_page = new_page("fr")
    login(olga_page, "olga", PASSWORD)
    expect(olga_page.locator("html")).to_have_attribute("lang", "fr")
    expect(olga_page.locator("#language-select option:checked")).to_have_text("Français")
    inbox = olga_page.locator("nav.main a[href='/cases/referrals/']")
    expect(inbox).to_have_text("Orientations reçues")
    inbox.click()
    olga_page.wait_for_url("**/cases/referrals/")
    rows = olga_page.locator("main tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator(f"a[href='/cases/referrals/{referral.pk}/']")).to_have_text(case.reference)
    expect(rows).to_contain_text("Brussels Return Office")
    expect(rows.locator("strong.badge")).to_have_text("en attente de réponse")
    main = olga_page.locator("main")
    for secret in ("Rusu", "RUSU", PHONE, "1988"):
        expect(main).not_to_contain_text(secret)
    shot(olga_page, "referrals-received-fr")

    rows.locator("a").click()
    olga_page.wait_for_url(f"**/cases/referrals/{referral.pk}/")
    expect(main).to_contain_text("Cherche un emploi de mécanicien")
    for secret in ("Rusu", "RUSU", PHONE, "1988"):
        expect(main).not_to_contain_text(secret)
    expect(olga_page.locator("section[aria-labelledby=shared-h] dl")).to_have_count(0)
    shot(olga_page, "referral-pending-fr")
    accept = olga_page.locator("button[name=decision][value=accept]")
    expect(accept).to_have_text("Accepter l'orientation")
    accept.click()
    expect(olga_page.locator(".messages li.success")).to_have_text("L'orientation a été acceptée.")
    referral.refresh_from_db()
    assert referral.status == "accepted" and referral.answered_by == olga

    # Now the identity and the return are shown, in French; the phone number is not.
    shared = olga_page.locator("section[aria-labelledby=shared-h]")
    expect(shared.locator("h2")).to_have_text("Ce qui est partagé avec vous")
    expect(shared.locator("h3")).to_have_count(2)
    identity, journey = shared.locator("dl").nth(0), shared.locator("dl").nth(1)
    expect(identity.locator("dt")).to_have_text(
        ["Prénom", "Nom de famille", re.compile(".+"), re.compile(".+")]
    )
    expect(identity.locator("dd")).to_have_text(["Ion", "Rusu", "masculin", "23 novembre 1988"])
    expect(journey.locator("dd").nth(0)).to_have_text("Belgique")
    expect(journey.locator("dd").nth(1)).to_have_text("Moldavie")
    expect(journey.locator("dd").nth(2)).to_have_text("Chișinău")
    expect(journey.locator("dt").nth(0)).to_have_text("Pays d'accueil")
    expect(journey.locator("dt").nth(1)).to_have_text("Pays de retour")
    expect(main).not_to_contain_text(PHONE)
    expect(main).not_to_contain_text("Romanian")  # counselling is never shared
    expect(olga_page.locator("form[action$='/answer/']")).to_have_count(0)
    shot(olga_page, "referral-accepted-fr")

    # The sender sees the answer on the case.
    carla_page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(carla_page.locator("#referrals li")).to_contain_text(origin_org.name)


def test_referral_without_consent_is_refused_in_french(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Callable[[Page, str, str], None],
    carla: User,
    host_org: Organisation,
    origin_org: Organisation,
    case_at: Callable[..., Case],
    shot: Shot,
) -> None:
    person = make_person(host_org, given_name="Maria", family_name="Ceban", nationalities=["MD"])
    case = case_at(person, "counselling")
    page = new_page("fr")
    login(page, "carla", PASSWORD)
    page.goto(f"{live_server.url}/cases/{case.pk}/refer/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    # Told before filling anything in, with the way to record the consent.
    warning = page.locator("main .alert[role=alert]")
    expect(warning.locator("strong")).to_have_text("Pas de consentement à l'orientation.")
    expect(warning.locator(f"a[href='/registry/people/{person.pk}/consents/new/']")).to_be_visible()
    expect(page.locator("#id_override_reason")).to_have_count(0)  # carla may not override
    page.select_option("#id_to_organisation", str(origin_org.pk))
    page.locator("main form button[type=submit]").click()
    refusal = page.locator("main form .errorlist.nonfield")
    expect(refusal).to_contain_text("La personne n'a pas consenti à l'orientation.")
    expect(refusal).to_contain_text("seul un superviseur peut orienter sans consentement")
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/refer/")
    shot(page, "referral-refused-fr")
    assert not Referral.objects.exists()
