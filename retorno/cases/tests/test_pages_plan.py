"""Reintegration plan and business plan pages: drafting, approval, deliveries and money."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from retorno.accounts.roles import Role
from retorno.cases import choices as c
from retorno.cases import services
from retorno.cases.models import (
    BusinessPlan,
    Case,
    Delivery,
    Partner,
    PlanItem,
    ReintegrationPlan,
)
from retorno.cases.tests.conftest import PDF_BYTES
from retorno.core.audit import Actor
from retorno.core.errors import StaleEdit

TODAY = datetime.date.today()
SELF_APPROVAL = "somebody other than its author must approve it"


def client_for(user: User, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def case(open_case: Case, walk_to: Callable[..., Case], users: dict[str, User]) -> Case:
    return walk_to(open_case, c.Stage.PLANNING, users)


@pytest.fixture
def sam(users: dict[str, User]) -> User:
    return users[Role.SUPERVISOR]


def start_plan(client: Client, case: Case) -> ReintegrationPlan:
    response = client.post(
        reverse("cases:plan_start", args=[case.pk]),
        {"summary": "Open a tailoring workshop in Bălți.", "currency": "EUR"},
    )
    assert response.status_code == 302
    return ReintegrationPlan.objects.get(case=case)


def add_item(client: Client, case: Case, **fields: Any) -> Any:
    plan = ReintegrationPlan.objects.get(case=case)
    data = {
        "version": plan.version,
        "dimension": "economic",
        "kind": "housing",
        "description": "Rent for six months",
        "planned_amount": "1200.00",
        "due_on": (TODAY + datetime.timedelta(days=30)).isoformat(),
        **fields,
    }
    return client.post(reverse("cases:plan_item_add", args=[case.pk]), data)


def submit(client: Client, case: Case) -> Any:
    plan = ReintegrationPlan.objects.get(case=case)
    return client.post(reverse("cases:plan_submit", args=[case.pk]), {"version": plan.version})


def review(client: Client, case: Case, decision: str, comment: str = "") -> Any:
    plan = ReintegrationPlan.objects.get(case=case)
    return client.post(
        reverse("cases:plan_review", args=[case.pk]),
        {"version": plan.version, "decision": decision, "comment": comment},
    )


def approved_plan(case: Case, carla: User, sam: User) -> ReintegrationPlan:
    actor = Actor(user=carla)
    plan = services.plan_start(actor=actor, case=case)
    services.plan_item_add(
        actor=actor,
        plan=plan,
        version=plan.version,
        dimension="economic",
        kind="housing",
        description="Rent for six months",
        planned_amount="1200.00",
    )
    plan.refresh_from_db()
    services.plan_submit(actor=actor, plan=plan, version=plan.version)
    plan.refresh_from_db()
    services.plan_review(actor=Actor(user=sam), plan=plan, version=plan.version, approve=True)
    plan.refresh_from_db()
    return plan


def test_caseworker_drafts_and_submits_a_plan_and_a_supervisor_approves_it(
    case: Case, carla: User, sam: User
) -> None:
    client = client_for(carla)
    url = reverse("cases:plan", args=[case.pk])
    page = client.get(url).content.decode()
    assert "Start the plan" in page and "kept in the programme's currency, EUR" in page

    plan = start_plan(client, case)
    assert plan.drafted_by == carla and plan.currency == "EUR"
    page = client.get(url).content.decode()
    assert "Open a tailoring workshop in Bălți." in page
    # The kinds offered are the programme's, each with its ceiling.
    assert "housing allowance — up to 1,500.00 EUR" in page
    assert "medical check" not in page

    response = add_item(client, case)
    assert response.status_code == 302
    item = PlanItem.objects.get()
    assert item.planned_amount == Decimal("1200.00") and isinstance(item.planned_amount, Decimal)
    response = add_item(
        client,
        case,
        dimension="social",
        kind="socio_cultural",
        in_kind="on",
        description="Counselling with a social worker",
        planned_amount="",
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Rent for six months" in page and "1,200.00 EUR" in page
    assert "programme ceiling 1,500.00 EUR" in page
    assert "Counselling with a social worker" in page and "in kind" in page
    # Above the threshold: the author is told someone else will approve it.
    assert "Somebody else must approve this plan." in page
    assert "somebody other than you must approve it" in page

    response = submit(client, case)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == c.PlanStatus.SUBMITTED
    page = client.get(url).content.decode()
    assert "waiting for approval" in page
    assert "Add to the plan" not in page and "Approve the plan" not in page  # carla cannot

    supervisor = client_for(sam)
    page = supervisor.get(url).content.decode()
    assert "Approve the plan" in page and "Somebody else must approve this plan." not in page
    assert review(supervisor, case, "approve").status_code == 302
    plan.refresh_from_db()
    assert plan.status == c.PlanStatus.APPROVED and plan.approved_by == sam
    page = client.get(url).content.decode()
    assert "approved" in page and "Somebody else must approve this plan." not in page
    assert "Record a delivery" in page


def test_returning_a_plan_needs_a_comment_and_reopens_it(
    case: Case, carla: User, sam: User
) -> None:
    client = client_for(carla)
    start_plan(client, case)
    add_item(client, case)
    submit(client, case)
    supervisor = client_for(sam)
    page = review(supervisor, case, "return").content.decode()
    assert "Say what needs to change." in page
    review(supervisor, case, "return", "Add a training item.")
    plan = ReintegrationPlan.objects.get(case=case)
    assert plan.status == c.PlanStatus.RETURNED and plan.review_comment == "Add a training item."
    page = client.get(reverse("cases:plan", args=[case.pk])).content.decode()
    assert "Add a training item." in page and "Add to the plan" in page


def test_a_supervisor_cannot_approve_their_own_plan_above_the_threshold(
    case: Case, sam: User, alice: User
) -> None:
    own = client_for(sam)
    start_plan(own, case)
    add_item(own, case)
    submit(own, case)
    url = reverse("cases:plan", args=[case.pk])
    page = own.get(url).content.decode()
    assert "Somebody else must approve this plan." in page
    assert "its total is above the programme's approval threshold of 1,000.00 EUR" in page
    assert 'value="approve"' not in page and "Return it for changes" in page

    page = review(own, case, "approve").content.decode()
    assert SELF_APPROVAL in page
    plan = ReintegrationPlan.objects.get(case=case)
    assert plan.status == c.PlanStatus.SUBMITTED

    admin = client_for(alice)
    assert 'value="approve"' in admin.get(url).content.decode()
    assert review(admin, case, "approve").status_code == 302
    plan.refresh_from_db()
    assert plan.status == c.PlanStatus.APPROVED and plan.approved_by == alice


def test_ceiling_and_amount_errors_keep_the_entries(case: Case, carla: User) -> None:
    client = client_for(carla)
    start_plan(client, case)
    page = add_item(client, case, planned_amount="1600.00").content.decode()
    assert "Above the programme&#x27;s ceiling of 1500.00 EUR" in page
    assert 'value="Rent for six months"' in page and 'value="1600.00"' in page
    page = add_item(client, case, planned_amount="", in_kind="").content.decode()
    assert "Give an amount, or mark the item as in kind." in page
    page = add_item(client, case, planned_amount="12.5.0").content.decode()
    assert "Enter a number." in page
    assert not PlanItem.objects.exists()


def test_a_stale_version_shows_the_conflict_and_keeps_the_entries(
    case: Case, carla: User, users: dict[str, User]
) -> None:
    client = client_for(carla)
    plan = start_plan(client, case)
    seen = plan.version
    # Somebody else adds an item meanwhile.
    services.plan_item_add(
        actor=Actor(user=users[Role.REINTEGRATION_OFFICER]),
        plan=plan,
        version=plan.version,
        dimension="psychosocial",
        kind="socio_cultural",
        description="Peer support group",
        in_kind=True,
    )
    response = add_item(client, case, version=seen, description="Sewing machine")
    page = response.content.decode()
    assert str(StaleEdit.message).replace("'", "&#x27;") in page
    assert 'value="Sewing machine"' in page  # nothing the user typed is lost
    assert "Peer support group" in page  # the plan as it is now
    assert PlanItem.objects.count() == 1
    plan.refresh_from_db()
    assert f'name="version" value="{plan.version}"' in page  # so saving again works

    response = client.post(
        reverse("cases:plan_item_remove", args=[PlanItem.objects.get().pk]), {"version": seen}
    )
    assert "Somebody else changed this record" in response.content.decode()
    assert PlanItem.objects.count() == 1
    response = client.post(
        reverse("cases:plan_item_remove", args=[PlanItem.objects.get().pk]),
        {"version": plan.version},
    )
    assert response.status_code == 302 and not PlanItem.objects.exists()


def test_delivery_in_another_currency_needs_the_rate_and_keeps_decimals(
    case: Case, carla: User, sam: User
) -> None:
    plan = approved_plan(case, carla, sam)
    item = plan.items.get()
    receipt = services.document_upload(
        actor=Actor(user=carla),
        case=case,
        kind=c.DocumentKind.PROOF_OF_PAYMENT,
        uploaded_file=SimpleUploadedFile("receipt.pdf", PDF_BYTES),
    )
    client = client_for(carla)
    url = reverse("cases:delivery_add", args=[item.pk])
    data = {
        "version": plan.version,
        "method": "cash",
        "delivered_on": TODAY.isoformat(),
        "amount": "5000",
        "currency": "mdl",
        "proof": receipt.pk,
        "note": "Paid at the Chișinău office",
    }
    page = client.post(url, data).content.decode()
    assert "Give the exchange rate used for this payment." in page
    assert 'value="5000"' in page and 'value="Paid at the Chișinău office"' in page
    assert not Delivery.objects.exists()

    response = client.post(url, {**data, "exchange_rate": "0.05123"})
    assert response.status_code == 302
    delivery = Delivery.objects.get()
    assert delivery.currency == "MDL"
    assert delivery.amount == Decimal("5000.00") and isinstance(delivery.amount, Decimal)
    assert delivery.exchange_rate == Decimal("0.05123")
    assert delivery.amount_in_plan_currency == Decimal("256.15")
    assert delivery.proof == receipt

    # A second payment, in the plan's own currency.
    response = client.post(
        url, {**data, "amount": "100.10", "currency": "EUR", "method": "bank_transfer"}
    )
    assert response.status_code == 302
    assert Delivery.objects.get(method="bank_transfer").exchange_rate == Decimal("1")

    page = client.get(reverse("cases:plan", args=[case.pk])).content.decode()
    assert '<dd data-budget="planned">1,200.00 EUR</dd>' in page
    assert '<dd data-budget="paid">356.25 EUR</dd>' in page
    assert '<dd data-budget="remaining"><strong>843.75 EUR</strong></dd>' in page
    assert "5,000.00 MDL" in page and "0.05123" in page and "256.15" in page
    assert "receipt.pdf" in page


def test_deliveries_only_under_an_approved_plan_and_on_the_plan_seen(
    case: Case, carla: User, sam: User
) -> None:
    client = client_for(carla)
    start_plan(client, case)
    add_item(client, case)
    item = PlanItem.objects.get()
    plan = item.plan
    url = reverse("cases:delivery_add", args=[item.pk])
    data = {"method": "cash", "delivered_on": TODAY.isoformat(), "amount": "10"}
    page = client.post(url, {**data, "version": plan.version}).content.decode()
    assert "Assistance can be delivered only under an approved plan." in page
    plan.refresh_from_db()
    submit(client, case)
    review(client_for(sam), case, "approve")
    page = client.post(url, {**data, "version": plan.version}).content.decode()
    assert "Somebody else changed this record" in page and 'value="10"' in page
    assert not Delivery.objects.exists()


def test_business_plan_and_support_sessions(case: Case, carla: User, host_org: Any) -> None:
    lender = Partner.objects.create(
        organisation=host_org, name="Microinvest", kind="microfinance", country="MD"
    )
    Partner.objects.create(organisation=host_org, name="Job Centre", kind="training", country="MD")
    client = client_for(carla)
    url = reverse("cases:business", args=[case.pk])
    page = client.get(url).content.decode()
    assert "Write the business plan" in page
    assert "Microinvest" in page and "Job Centre" not in page
    assert "there is demand in the market" in page
    assert "Record a session" not in page  # sessions come after the plan

    data = {
        "activity": "Tailoring workshop",
        "place": "Bălți market",
        "market": "School uniforms",
        "currency": "MDL",
        "startup_costs": "25000.50",
        "expected_monthly_income": "6000",
        "feasibility": ["market", "skills"],
        "credit_partner": lender.pk,
        "credit_amount": "15000",
        "credit_status": "applied",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    business = BusinessPlan.objects.get(case=case)
    assert business.startup_costs == Decimal("25000.50")
    assert business.credit_amount == Decimal("15000.00")
    assert business.feasibility == ["market", "skills"]
    assert business.credit_partner == lender and business.credit_status == "applied"

    page = client.get(url).content.decode()
    assert 'value="Tailoring workshop"' in page and 'value="25000.50"' in page
    assert "Change the business plan" in page and "Record a session" in page

    response = client.post(
        reverse("cases:support_add", args=[case.pk]),
        {
            "held_on": TODAY.isoformat(),
            "topic": "accounting",
            "provider": "Microinvest advisor",
            "notes": "Bookkeeping basics",
        },
    )
    assert response.status_code == 302
    session = business.sessions.get()
    assert session.topic == c.SupportTopic.ACCOUNTING
    page = client.get(url).content.decode()
    assert "Accounting" in page and "Microinvest advisor" in page and "Bookkeeping basics" in page

    # A change made on an older version is refused; the entries stay.
    stale = {**data, "activity": "Tailoring and repairs", "version": business.version}
    client.post(url, {**data, "version": business.version, "place": "Bălți centre"})
    page = client.post(url, stale).content.decode()
    assert "Somebody else changed this record" in page
    assert 'value="Tailoring and repairs"' in page and "Bălți centre" in page
    business.refresh_from_db()
    assert business.activity == "Tailoring workshop" and business.place == "Bălți centre"


def test_pages_render_in_spanish(case: Case, carla: User, sam: User) -> None:
    plan = approved_plan(case, carla, sam)
    services.delivery_record(
        actor=Actor(user=carla),
        item=plan.items.get(),
        method="cash",
        delivered_on=TODAY,
        amount="200.5",
    )
    client = client_for(carla, "es")
    page = client.get(reverse("cases:plan", args=[case.pk])).content.decode()
    assert 'lang="es"' in page and "Cerrar sesión" in page
    assert '<dd data-budget="planned">1\xa0200,00 EUR</dd>' in page
    assert '<dd data-budget="remaining"><strong>999,50 EUR</strong></dd>' in page
    page = client.get(reverse("cases:business", args=[case.pk])).content.decode()
    assert 'lang="es"' in page and 'name="activity"' in page
    # Amounts typed with a decimal comma are read as such.
    response = client.post(
        reverse("cases:business", args=[case.pk]),
        {"activity": "Panadería", "currency": "MDL", "startup_costs": "1500,75"},
    )
    assert response.status_code == 302
    assert BusinessPlan.objects.get(case=case).startup_costs == Decimal("1500.75")


def test_other_organisations_and_readers_cannot_change_plans(
    case: Case, carla: User, users: dict[str, User], omar: User
) -> None:
    plan = services.plan_start(actor=Actor(user=carla), case=case)
    assert client_for(omar).get(reverse("cases:plan", args=[case.pk])).status_code == 404
    reader = client_for(users[Role.PROGRAMME_MANAGER])
    page = reader.get(reverse("cases:plan", args=[case.pk])).content.decode()
    assert "Add to the plan" not in page
    response = reader.post(
        reverse("cases:plan_item_add", args=[case.pk]),
        {"version": plan.version, "dimension": "economic", "kind": "housing"},
    )
    assert response.status_code == 404
    assert not PlanItem.objects.exists()
