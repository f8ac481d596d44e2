"""A case walked from intake to closure in a browser, in English, by clicks and typing.

carla the caseworker opens the case from the person's page and takes it through
every stage; sam the supervisor signs off a protection risk and approves the plan.
Screenshots of the case page at several stages, the dashboard and the supervision
page land in var/screenshots/case-walk-*.png.
"""

import datetime
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from retorno.accounts.roles import Role
from retorno.cases.models import Case, CaseTask, ProtectionRisk
from retorno.registry.models import Person

TODAY = datetime.date.today().isoformat()
Shot = Callable[[Page, str], Path]


def _stage(page: Page, stage: str) -> None:
    """The case page shows the case at this stage (its badge in the heading line)."""
    expect(page.locator(f".case-head .badge.stage-{stage}")).to_be_visible()


def _move(page: Page, target: str) -> None:
    """Press the button of the transition to ``target`` in the "Next step" box."""
    page.locator(f"#next form.transition:has(input[name=target][value={target}]) button").click()
    page.wait_for_load_state()


def _save_stage_form(page: Page) -> None:
    page.locator("#stage button[type=submit]").click()
    expect(page.locator(".messages li.success")).to_be_visible()


def test_caseworker_walks_a_case_from_intake_to_closure(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Callable[[Page, str, str], None],
    users: dict[str, User],
    returnee: Person,
    avrr_programme: Any,
    shot: Shot,
) -> None:
    started = time.monotonic()
    carla = new_page("en")
    login(carla, "carla", PASSWORD)

    # From the person's page to a new case. The only programme and carla herself are chosen.
    carla.goto(f"{live_server.url}/registry/people/{returnee.pk}/")
    carla.click(f"a[href='/cases/new/?person={returnee.pk}']")
    carla.wait_for_url(f"**/cases/new/?person={returnee.pk}")
    expect(carla.locator("#id_programme")).to_have_value(str(avrr_programme.pk))
    expect(carla.locator("#id_assigned_to")).to_have_value(str(users[Role.CASEWORKER].pk))
    expect(carla.locator("#id_host_country")).to_have_value("BE")
    expect(carla.locator("#id_origin_country")).to_have_value("MD")
    carla.fill("#id_return_region", "MD-CU")
    carla.locator("main form button[type=submit]").click()
    carla.wait_for_url(re.compile(r".*/cases/\d+/$"))
    case = Case.objects.get(person=returnee)
    case_url = f"{live_server.url}/cases/{case.pk}/"
    expect(carla.locator(".messages li.success")).to_contain_text(case.reference)
    _stage(carla, "intake")
    expect(carla.locator("ol.stage-steps li[aria-current=step]")).to_have_text("intake")
    shot(carla, "case-walk-1-intake")

    # Counselling: a session covering rights, options and consequences, with an interpreter.
    _move(carla, "counselling")
    _stage(carla, "counselling")
    expect(carla.locator("#next .checklist li.todo")).to_have_count(1)
    carla.locator("#counselling summary").click()
    carla.fill("#counselling_held_on", TODAY)
    for topic in ("rights", "options", "consequences"):
        carla.check(f"#counselling input[name=topics][value={topic}]")
    carla.fill("#counselling_language", "Romanian")
    carla.fill("#counselling_interpreter", "Irina Popescu")
    carla.fill("#counselling_summary", "Explained the programme and what happens on arrival.")
    carla.locator("#counselling form button[type=submit]").click()
    expect(carla.locator(".messages li.success")).to_be_visible()
    session = carla.locator("#counselling ul.records li").first
    expect(session).to_contain_text("Romanian")
    expect(session).to_contain_text("Irina Popescu")
    expect(carla.locator("#next .checklist li.ok")).to_have_count(1)
    expect(carla.locator("#next .checklist li.todo")).to_have_count(0)

    # The decision, as a statement written down in the person's words.
    _move(carla, "decision")
    _stage(carla, "decision")
    carla.check("#stage input[name=decision_form][value=recorded_statement]")
    carla.fill("#stage_decision_on", TODAY)
    carla.fill("#stage_decision_statement", "I want to go home to my parents in Chișinău.")
    _save_stage_form(carla)
    expect(carla.locator("#next .checklist li.ok")).to_have_count(1)

    # Screening: the assessment is done, but a protection risk is open.
    _move(carla, "screening")
    _stage(carla, "screening")
    carla.fill("#stage_screened_on", TODAY)
    _save_stage_form(carla)
    carla.locator("#risks > details > summary").click()
    carla.fill("#risk_description", "Debt to a moneylender in the home village.")
    carla.select_option("#risk_level", "high")
    carla.locator("#risks > details form button[type=submit]").click()
    expect(carla.locator(".messages li.success")).to_be_visible()
    expect(carla.locator("#risks .badge.risk-high")).to_be_visible()
    expect(carla.locator("#next .checklist li.todo")).to_have_count(1)
    _move(carla, "pre_departure")
    refusal = carla.locator("#next ul.errorlist[role=alert]")
    expect(refusal).to_contain_text("protection risk")
    expect(refusal).to_contain_text("signed off by a supervisor")
    _stage(carla, "screening")
    shot(carla, "case-walk-2-screening-refused")
    case.refresh_from_db()
    assert case.stage == "screening"

    # sam, the supervisor, finds the case waiting for him and signs the risk off.
    sam = new_page("en")
    login(sam, "sam", PASSWORD)
    sam.click("nav.main a[href='/cases/supervision/']")
    waiting = sam.locator("section[aria-labelledby=sign-off] tbody tr")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text(case.reference)
    expect(waiting).to_contain_text("RUSU Ion")
    shot(sam, "case-walk-supervision-risk")
    waiting.locator(f"a[href='/cases/{case.pk}/#risks']").click()
    risk = ProtectionRisk.objects.get(case=case)
    sign_off = sam.locator(f"form[action='/cases/risks/{risk.pk}/sign-off/']")
    sign_off.locator("xpath=..").locator("summary").click()
    sam.fill(f"#id_sign-off-{risk.pk}-reason", "The debt was settled by the family; low risk now.")
    sign_off.locator("button[type=submit]").click()
    expect(sam.locator(".messages li.success")).to_be_visible()
    expect(sam.locator("#risks ul.records > li")).to_contain_text("signed off by a supervisor")
    expect(sam.locator("#risks ul.records > li")).to_contain_text("The debt was settled")
    risk.refresh_from_db()
    assert risk.status == "signed_off" and risk.signed_off_by == users[Role.SUPERVISOR]

    # carla carries on: the departure is prepared and made.
    carla.goto(case_url)
    expect(carla.locator("#next .checklist li.todo")).to_have_count(0)
    _move(carla, "pre_departure")
    _stage(carla, "pre_departure")
    carla.check("#stage_travel_document_ready")
    carla.check("#stage_fit_to_travel")
    carla.fill("#stage_itinerary", "BRU-KIV, 12:40, flight 0B 142")
    carla.fill("#stage_departure_date", TODAY)
    carla.check("#stage_information_pack")
    _save_stage_form(carla)
    expect(carla.locator("#next .checklist li.ok")).to_have_count(2)
    _move(carla, "departed")
    _stage(carla, "departed")

    # The arrival: today, met at the airport.
    carla.fill("#stage_arrived_on", TODAY)
    carla.fill("#stage_arrival_point", "Chișinău airport")
    carla.check("#stage input[name=met_on_arrival][value=True]")
    _save_stage_form(carla)
    _move(carla, "arrived")
    _stage(carla, "arrived")

    # Planning brings a deadline for the plan, which the dashboard lists.
    _move(carla, "planning")
    _stage(carla, "planning")
    plan_due = CaseTask.objects.get(case=case, kind="plan_due")
    expect(carla.locator("#tasks ul.records li")).to_contain_text("reintegration plan due")
    shot(carla, "case-walk-3-planning")
    carla.click("nav.main a[href='/cases/']")
    carla.wait_for_url("**/cases/")
    upcoming = carla.locator("section[aria-labelledby=upcoming] tbody tr")
    expect(upcoming).to_have_count(1)
    expect(upcoming).to_contain_text("reintegration plan due")
    expect(upcoming.locator("time")).to_have_attribute("datetime", plan_due.due_on.isoformat())
    expect(upcoming.locator(f"a[href='/cases/{case.pk}/#tasks']")).to_have_text(case.reference)
    planning = carla.locator("ul.stage-counts a[href$='stage=planning'] .count")
    expect(planning).to_have_text("1")
    shot(carla, "case-walk-dashboard")

    # The plan: one item, then submitted for approval.
    upcoming.locator("a").click()
    carla.click(f"a[href='/cases/{case.pk}/plan/']")
    carla.fill("#id_summary", "Rent a flat in Chișinău and find work as a mechanic.")
    carla.locator("main form button[type=submit]").click()
    expect(carla.locator(".messages li.success")).to_be_visible()
    carla.select_option("#id_dimension", "economic")
    carla.select_option("#id_kind", "housing")
    carla.fill("#id_description", "Rent for six months")
    carla.fill("#id_planned_amount", "600.00")
    carla.locator("section[aria-labelledby=add-h] button[type=submit]").click()
    expect(carla.locator("article h3")).to_have_text("Rent for six months")
    expect(carla.locator("[data-budget=planned]")).to_have_text("600.00 EUR")
    carla.locator("section[aria-labelledby=submit-h] button[type=submit]").click()
    expect(carla.locator(".messages li.success")).to_be_visible()
    expect(carla.locator("section[aria-labelledby=status-h] .badge")).to_have_text(
        "waiting for approval"
    )

    # sam approves it from the supervision page.
    sam.click("nav.main a[href='/cases/supervision/']")
    plans = sam.locator("section[aria-labelledby=plans] tbody tr")
    expect(plans).to_have_count(1)
    expect(plans).to_contain_text(case.reference)
    expect(sam.locator("section[aria-labelledby=sign-off] tbody td[colspan]")).to_be_visible()
    shot(sam, "case-walk-supervision-plan")
    plans.locator(f"a[href='/cases/{case.pk}/plan/']").click()
    sam.fill("#id_comment", "Fine.")
    sam.locator("button[name=decision][value=approve]").click()
    expect(sam.locator(".messages li.success")).to_be_visible()
    expect(sam.locator("section[aria-labelledby=status-h] .badge")).to_have_text("approved")

    # carla starts delivering, records the payment, and starts monitoring.
    carla.goto(case_url)
    expect(carla.locator("#next .checklist li.ok")).to_have_count(1)
    _move(carla, "delivery")
    _stage(carla, "delivery")
    carla.click(f"a[href='/cases/{case.pk}/plan/']")
    carla.locator("article details summary").click()
    item = case.plan.items.get()
    carla.select_option(f"#id_d{item.pk}_method", "bank_transfer")
    carla.fill(f"#id_d{item.pk}_delivered_on", TODAY)
    carla.fill(f"#id_d{item.pk}_amount", "600.00")
    carla.fill(f"#id_d{item.pk}_note", "First half of the rent.")
    carla.locator("article details form button[type=submit]").click()
    expect(carla.locator(".messages li.success")).to_be_visible()
    expect(carla.locator("[data-budget=paid]")).to_have_text("600.00 EUR")
    expect(carla.locator("[data-budget=remaining]")).to_have_text("0.00 EUR")
    carla.goto(case_url)
    _move(carla, "monitoring")
    _stage(carla, "monitoring")
    follow_ups = carla.locator("#tasks ul.records li", has_text="follow-up at")
    expect(follow_ups).to_have_count(3)
    for months in (3, 6, 12):
        expect(carla.locator("#tasks")).to_contain_text(f"follow-up at {months} months")

    # Closed, reintegrated.
    carla.select_option("#outcome-closed", "reintegrated")
    _move(carla, "closed")
    _stage(carla, "closed")
    expect(carla.locator(".case-head")).to_contain_text("reintegrated")
    expect(carla.locator("ol.stage-steps")).to_have_count(0)  # no steps left on a closed case
    expect(carla.locator("#next form.transition")).to_have_count(0)
    shot(carla, "case-walk-4-closed")

    # The timeline tells the whole story, stage after stage, ending with the outcome.
    changes = carla.locator("#timeline ol.timeline > li", has_text="→")
    expect(changes).to_have_count(10)
    texts = [" ".join(t.split()) for t in changes.all_inner_texts()]
    expected = [
        "intake → counselling",
        "counselling → decision",
        "decision → screening",
        "screening → pre-departure",
        "pre-departure → departed",
        "departed → arrived",
        "arrived → reintegration planning",
        "reintegration planning → assistance delivery",
        "assistance delivery → monitoring",
        "monitoring → closed (reintegrated)",
    ]
    found = [next((e for e in expected if e in t), "") for t in texts]
    assert sorted(found) == sorted(expected), texts
    expect(carla.locator("#timeline")).to_contain_text("by sam")  # the sign-off and approval
    case.refresh_from_db()
    assert (case.stage, case.outcome) == ("closed", "reintegrated")
    assert not case.tasks.filter(done_at__isnull=True).exists()
    print(f"\ncase walked from intake to closure in {time.monotonic() - started:.1f} s")
