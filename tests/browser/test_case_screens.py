"""Every case screen in English, French and Spanish, on a phone and on a desktop.

Each screen must load without a server error, ask nothing of any host but Retorno
itself, fit a 390 px phone without sideways scrolling, and be photographed:
var/screenshots/cases-<screen>-<language>-phone.png and ...-desktop.png.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from retorno.accounts.models import Organisation
from retorno.accounts.roles import Role
from retorno.cases import choices as cc
from retorno.cases import services
from retorno.cases.models import Case, CommunityProject, Partner, Referral
from retorno.core.audit import Actor
from retorno.registry import services as registry_services
from retorno.registry.models import Person
from retorno.registry.tests.factories import make_person

from .conftest import DESKTOP, FIND_OVERFLOW, LANGUAGES, PHONE, SCREENSHOTS

MY_CASES = {"en": "My cases", "fr": "Mes dossiers", "es": "Mis casos"}


@pytest.fixture
def olga(make_user: Callable[..., User], origin_org: Organisation) -> User:
    return make_user("olga", Role.REINTEGRATION_OFFICER, origin_org)


@pytest.fixture
def screens(
    users: dict[str, User],
    host_org: Organisation,
    origin_org: Organisation,
    olga: User,
    returnee: Person,
    avrr_programme: Any,
    case_at: Callable[..., Case],
) -> dict[str, tuple[str, str]]:
    """Data behind every screen; each screen's user and path, by screen name."""
    carla = users[Role.CASEWORKER]
    case = case_at(returnee, "planning")
    actor = Actor(user=carla)
    # A submitted plan with two items, one of them in kind.
    plan = services.plan_start(actor=actor, case=case, summary="Open a car repair workshop.")
    for fields in (
        {"kind": "micro_credit", "description": "Workshop tools", "planned_amount": "2400"},
        {"kind": "socio_cultural", "description": "Counselling sessions", "in_kind": True},
    ):
        plan.refresh_from_db()
        services.plan_item_add(
            actor=actor, plan=plan, version=plan.version, dimension="economic", **fields
        )
    plan.refresh_from_db()
    services.plan_submit(actor=actor, plan=plan, version=plan.version)
    services.business_plan_save(
        actor=actor,
        case=case,
        version=None,
        activity="Car repair workshop",
        place="Chișinău, Botanica",
        currency="EUR",
        startup_costs=Decimal("3200"),
        feasibility=["market", "skills"],
    )
    # A case in screening with an open risk, waiting for sam's sign-off.
    waiting = case_at(
        make_person(host_org, given_name="Elena", family_name="Ceban", nationalities=["MD"]),
        "screening",
    )
    services.risk_add(
        actor=actor, case=waiting, description="Threats from a creditor.", level="high"
    )
    # An accepted referral to the Moldovan ministry.
    registry_services.consent_record(
        actor=actor, person=returnee, purpose="referral", status="given", channel="oral"
    )
    referral = services.referral_create(
        actor=actor,
        case=case,
        shared_fields=["identity", "return", "plan"],
        to_organisation_id=origin_org.pk,
        message="Needs a micro-credit for his workshop.",
    )
    services.referral_answer(actor=Actor(user=olga), referral=referral, accept=True)
    Partner.objects.create(
        organisation=host_org,
        name="Centrul de Formare Profesională",
        kind=cc.PartnerKind.TRAINING,
        country="MD",
        region="MD-CU",
        locality="Chișinău",
        services="Training for mechanics and electricians; courses in Romanian and Russian.",
        languages=["ro", "ru"],
        phone="+373 22 000 000",
    )
    CommunityProject.objects.create(
        organisation=host_org,
        programme=avrr_programme,
        name="Cahul community garage",
        country="MD",
        region="MD-CA",
        budget=Decimal("45000"),
        returnees_served=12,
        non_migrants_served=30,
        starts_on=datetime.date(2025, 3, 1),
    )
    newcomer = make_person(host_org, given_name="Vasile", family_name="Lungu", nationalities=["MD"])
    p = avrr_programme.pk
    return {
        "dashboard": ("carla", "/cases/"),
        "supervision": ("sam", "/cases/supervision/"),
        "case-list": ("carla", "/cases/all/"),
        "case": ("carla", f"/cases/{case.pk}/"),
        "open-case": ("carla", f"/cases/new/?person={newcomer.pk}"),
        "referral-form": ("carla", f"/cases/{case.pk}/refer/"),
        "referral-sent": ("carla", f"/cases/referrals/{referral.pk}/"),
        "referrals-received": ("olga", "/cases/referrals/"),
        "referral-received": ("olga", f"/cases/referrals/{referral.pk}/"),
        "plan": ("sam", f"/cases/{case.pk}/plan/"),
        "business-plan": ("carla", f"/cases/{case.pk}/business/"),
        "programmes": ("alice", "/cases/programmes/"),
        "programme": ("alice", f"/cases/programmes/{p}/"),
        "programme-edit": ("alice", f"/cases/programmes/{p}/edit/"),
        "directory": ("alice", "/cases/directory/"),
        "community-projects": ("alice", "/cases/community-projects/"),
    }


def test_case_screens_in_every_language_on_phone_and_desktop(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Callable[[Page, str, str], None],
    screens: dict[str, tuple[str, str]],
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    requests: list[str] = []
    failures: list[str] = []
    overflows: list[str] = []
    pages: dict[str, Page] = {}
    for username in sorted({user for user, _ in screens.values()}):
        page = new_page("en", phone=True)
        page.on("request", lambda request: requests.append(request.url))
        page.on(
            "response",
            lambda response: (
                failures.append(f"{response.status} {response.url}")
                if response.status >= 500
                else None
            ),
        )
        page.on("pageerror", lambda error: failures.append(f"script error: {error}"))
        login(page, username, PASSWORD)
        pages[username] = page

    for language in LANGUAGES:
        for page in pages.values():
            page.context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
        for name, (username, path) in screens.items():
            page = pages[username]
            page.set_viewport_size(PHONE)
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None
            if response.status != 200:
                failures.append(f"{name} ({language}): HTTP {response.status}")
                continue
            expect(page.locator("html")).to_have_attribute("lang", language)
            expect(page.locator("main h1").first).to_be_visible()
            if username != "olga":  # the menu's "My cases", in the page's language
                expect(page.locator("nav.main a[href='/cases/']")).to_have_text(MY_CASES[language])
            found = page.evaluate(FIND_OVERFLOW)
            if found["scrollWidth"] > found["innerWidth"] + 1:
                overflows.append(
                    f"{name} ({language}): {found['scrollWidth']}px wide; "
                    + "; ".join(found["culprits"])
                )
            stem = SCREENSHOTS / f"cases-{name}-{language}"
            page.screenshot(path=f"{stem}-phone.png", full_page=True)
            page.set_viewport_size(DESKTOP)
            page.screenshot(path=f"{stem}-desktop.png", full_page=True)

    assert len(requests) > 3 * len(screens)  # each page, its stylesheet and scripts
    outside = [url for url in requests if not url.startswith((live_server.url, "data:"))]
    assert outside == [], f"requests outside Retorno: {outside}"
    assert failures == [], "\n".join(failures)
    assert overflows == [], "sideways scrolling on a phone:\n" + "\n".join(overflows)
    assert Referral.objects.get().status == "accepted"  # viewing changed nothing
