"""A reintegration plan above the approval threshold, in Spanish, by clicks and typing.

carla drafts and submits a plan of 1 200,00 EUR (typed with the Spanish decimal
comma); the programme's threshold is 1 000,00 EUR, so somebody other than its
author must approve it, and the page says so. sam approves it; carla records a
payment in Moldovan lei at the day's rate, and the budget box adds it up in euros,
in Spanish number format.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from retorno.accounts.models import Organisation
from retorno.accounts.roles import Role
from retorno.cases import services
from retorno.cases.models import Case
from retorno.core.audit import Actor
from retorno.registry.models import Person
from retorno.registry.tests.factories import make_person

NBSP = "\xa0"  # Django's Spanish thousands separator
Shot = Callable[[Page, str], Path]


def test_plan_above_the_threshold_approved_by_another_and_paid_in_lei(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Callable[[Page, str, str], None],
    users: dict[str, User],
    host_org: Organisation,
    returnee: Person,
    case_at: Callable[..., Case],
    shot: Shot,
) -> None:
    case = case_at(returnee, "planning")
    plan_url = f"{live_server.url}/cases/{case.pk}/plan/"
    budget = {
        part: f"[data-budget={part}]" for part in ("planned", "paid", "remaining")
    }  # the budget box

    # carla, in Spanish, starts the plan and adds a housing allowance of 1 200,00 EUR.
    carla = new_page("es")
    login(carla, "carla", PASSWORD)
    expect(carla.locator("html")).to_have_attribute("lang", "es")
    carla.goto(f"{live_server.url}/cases/{case.pk}/")
    carla.click(f"a[href='/cases/{case.pk}/plan/']")
    carla.wait_for_url(plan_url)
    expect(carla.locator("#id_currency")).to_have_count(0)  # the programme's euros
    carla.fill("#id_summary", "Alquilar un piso en Chișinău y trabajar como mecánico.")
    carla.locator("main form button[type=submit]").click()
    expect(carla.locator(".messages li.success")).to_be_visible()
    # Only what the programme offers, each with its ceiling in Spanish format.
    housing = carla.locator("#id_kind option[value=housing]")
    expect(housing).to_contain_text(f"1{NBSP}500,00 EUR")
    expect(carla.locator("#id_kind option")).to_have_count(4)
    expect(carla.locator("#id_planned_amount")).to_have_attribute("inputmode", "decimal")
    carla.select_option("#id_dimension", "economic")
    carla.select_option("#id_kind", "housing")
    carla.fill("#id_description", "Alquiler de seis meses")
    carla.fill("#id_planned_amount", "1200,00")
    carla.fill("#id_due_on", (datetime.date.today() + datetime.timedelta(days=20)).isoformat())
    carla.locator("section[aria-labelledby=add-h] button[type=submit]").click()
    expect(carla.locator(".messages li.success")).to_be_visible()
    expect(carla.locator(budget["planned"])).to_have_text(f"1{NBSP}200,00 EUR")
    expect(carla.locator("section[aria-labelledby=budget-h] h2")).to_have_text("Presupuesto")
    expect(carla.locator("section[aria-labelledby=budget-h] dt")).to_have_text(
        ["Previsto", "Pagado", "Restante"]
    )
    item = case.plan.items.get()
    assert item.planned_amount == Decimal("1200.00")
    carla.locator("section[aria-labelledby=submit-h] button[type=submit]").click()
    expect(carla.locator(".messages li.success")).to_be_visible()

    # Her own plan is above the threshold: the page tells her somebody else must approve it.
    blocked = carla.locator("main .alert[role=status]")
    expect(blocked.locator("strong")).to_have_text("Otra persona debe aprobar este plan.")
    expect(blocked).to_contain_text(f"1{NBSP}000,00 EUR")
    expect(carla.locator("button[name=decision][value=approve]")).to_have_count(0)
    shot(carla, "plan-walk-submitted-es")

    # sam, on a plan he drafted himself above the threshold, may only return it.
    sam_user = users[Role.SUPERVISOR]
    other = case_at(make_person(host_org, given_name="Elena", nationalities=["MD"]), "planning")
    actor = Actor(user=sam_user)
    own = services.plan_start(actor=actor, case=other)
    services.plan_item_add(
        actor=actor,
        plan=own,
        version=own.version,
        dimension="economic",
        kind="micro_credit",
        description="Taller de reparación",
        planned_amount=Decimal("2500"),
    )
    own.refresh_from_db()
    services.plan_submit(actor=actor, plan=own, version=own.version)
    sam = new_page("es")
    login(sam, "sam", PASSWORD)
    sam.goto(f"{live_server.url}/cases/{other.pk}/plan/")
    expect(sam.locator("main .alert[role=status]")).to_contain_text(f"1{NBSP}000,00 EUR")
    expect(sam.locator("button[name=decision][value=approve]")).to_have_count(0)
    expect(sam.locator("button[name=decision][value=return]")).to_be_visible()
    shot(sam, "plan-walk-own-plan-es")

    # carla's plan he may approve; he is reminded that its author may not.
    sam.click("nav.main a[href='/cases/supervision/']")
    row = sam.locator("section[aria-labelledby=plans] tbody tr", has_text=case.reference)
    expect(row).to_contain_text("carla")
    row.locator(f"a[href='/cases/{case.pk}/plan/']").click()
    sam.wait_for_url(plan_url)
    # Not his plan: no warning, only the reminder that its author could not approve it.
    expect(sam.locator("main .alert[role=status]")).to_have_count(0)
    expect(sam.locator("main > p.hint")).to_have_text(
        "Este plan supera el umbral de aprobación del programa: su autor no puede aprobarlo."
    )
    expect(sam.locator(budget["planned"])).to_have_text(f"1{NBSP}200,00 EUR")
    sam.fill("#id_comment", "De acuerdo.")
    shot(sam, "plan-walk-review-es")
    approve = sam.locator("button[name=decision][value=approve]")
    expect(approve).to_have_text("Aprobar el plan")
    approve.click()
    expect(sam.locator(".messages li.success")).to_have_text("Se ha aprobado el plan.")
    case.plan.refresh_from_db()
    assert case.plan.status == "approved" and case.plan.approved_by == sam_user

    # carla pays 5 000 lei at 0,05 EUR a leu: 250,00 EUR of the 1 200,00 planned.
    carla.goto(plan_url)
    carla.locator("article details summary").click()
    prefix = f"#id_d{item.pk}_"
    expect(carla.locator(f"{prefix}currency")).to_have_value("EUR")
    carla.select_option(f"{prefix}method", "cash")
    carla.fill(f"{prefix}delivered_on", datetime.date.today().isoformat())
    carla.fill(f"{prefix}amount", "5000,00")
    carla.fill(f"{prefix}currency", "mdl")
    carla.fill(f"{prefix}exchange_rate", "0,05")
    carla.fill(f"{prefix}note", "Primer pago del alquiler.")
    carla.locator("article details form button[type=submit]").click()
    expect(carla.locator(".messages li.success")).to_have_text("Se ha registrado la entrega.")
    expect(carla.locator(budget["planned"])).to_have_text(f"1{NBSP}200,00 EUR")
    expect(carla.locator(budget["paid"])).to_have_text("250,00 EUR")
    expect(carla.locator(budget["remaining"])).to_have_text("950,00 EUR")
    payment = carla.locator("article tbody tr")
    expect(payment.locator("td.num")).to_have_text([f"5{NBSP}000,00 MDL", "0,05", "250,00"])
    delivery = item.deliveries.get()
    assert (delivery.currency, delivery.exchange_rate) == ("MDL", Decimal("0.05"))
    assert delivery.amount_in_plan_currency == Decimal("250.00")
    shot(carla, "plan-walk-paid-es")
