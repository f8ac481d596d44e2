"""The demo's cases: every stage, removal orders, referrals the origin login can answer."""

import datetime
import io
from collections import Counter
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from retorno.accounts.access import can
from retorno.accounts.roles import Perm
from retorno.cases import choices as c
from retorno.cases.models import (
    Case,
    CaseEvent,
    CaseNote,
    CaseTask,
    CommunityProject,
    Delivery,
    Partner,
    Programme,
    Referral,
)
from retorno.cases.selectors import (
    caseworker_dashboard,
    referrals_received_for,
    supervisor_dashboard,
)
from retorno.demo.cases import MIN_PEOPLE, ORIGIN_LOGIN, ORIGIN_ORGANISATION
from retorno.demo.generate import DEMO_PASSWORD, logins_table
from retorno.registry.models import Person

pytestmark = pytest.mark.django_db


def test_demo_cases(db: Any) -> None:
    # One load for all the checks: loading the demo is the slow part.
    call_command("demo", "--seed", "1", "--people", "600", stdout=io.StringIO())
    check_cases_in_every_stage()
    check_removal_orders_and_programmes()
    check_histories_are_real_and_in_the_past()
    check_dashboards_are_alive()
    check_origin_login_sees_referrals_to_its_organisation()
    check_audit_follows_the_services()


def check_cases_in_every_stage() -> None:
    stages = Counter(Case.objects.values_list("stage", flat=True))
    assert set(stages) == set(c.Stage.values)
    assert 100 <= sum(stages.values()) <= 130
    # Most of the caseload is at the start and in delivery, as in a real office.
    early = sum(stages[s] for s in (c.Stage.INTAKE, c.Stage.COUNSELLING, c.Stage.DECISION))
    assert early > stages[c.Stage.MONITORING]
    outcomes = set(Case.objects.filter(stage=c.Stage.CLOSED).values_list("outcome", flat=True))
    assert outcomes == set(c.Outcome.values) - {c.Outcome.WITHDREW}
    assert set(Case.objects.filter(stage=c.Stage.WITHDRAWN).values_list("outcome", flat=True)) == {
        c.Outcome.WITHDREW
    }


def check_removal_orders_and_programmes() -> None:
    removal = Case.objects.filter(removal_order=True)
    assert removal.count() >= 3
    # Programmes closed to removal orders get none.
    assert not removal.filter(programme__excludes_removal_orders=True).exists()
    assert Programme.objects.count() >= 3
    assert set(Programme.objects.values_list("kind", flat=True)) >= {
        c.ProgrammeKind.AVRR,
        c.ProgrammeKind.RECEPTION,
    }
    avrr = Programme.objects.get(kind=c.ProgrammeKind.AVRR)
    assert {"MA", "SN", "MD", "IQ"} <= set(avrr.origin_countries)
    assert avrr.assistance.filter(ceiling__isnull=False).count() >= 5
    assert Partner.objects.count() >= 20
    assert set(Partner.objects.values_list("kind", flat=True)) == set(c.PartnerKind.values)
    for project in CommunityProject.objects.all():
        assert project.returnees_served > 0 and project.non_migrants_served > 0


def check_histories_are_real_and_in_the_past() -> None:
    now = timezone.now()
    today = datetime.date.today()
    for case in Case.objects.all():
        assert case.stage_changed_at <= now
        assert case.created_at <= case.stage_changed_at + datetime.timedelta(seconds=1)
        events = list(case.events.order_by("at", "id").values_list("kind", "to_stage"))
        assert events[0] == (c.EventKind.OPENED, c.Stage.INTAKE)
        # Each stage reached is in the timeline, with its version bump.
        moves = [to for kind, to in events if kind == c.EventKind.TRANSITION]
        assert not moves or moves[-1] == case.stage
        assert case.version > len(moves)
    assert CaseEvent.objects.filter(at__lt=now - datetime.timedelta(days=90)).exists()
    overdue = CaseTask.objects.filter(done_at__isnull=True, due_on__lt=today)
    assert overdue.exists()
    assert CaseNote.objects.filter(sensitivity=c.Sensitivity.RESTRICTED).exists()
    # Deliveries in the programme's currency and in local currency at the day's rate.
    local = Delivery.objects.exclude(currency__in=["", "EUR", "USD"])
    assert local.exists()
    for delivery in local:
        assert delivery.exchange_rate and delivery.exchange_rate != 1
        assert delivery.amount is not None and delivery.amount_in_plan_currency is not None
        assert abs(delivery.amount * delivery.exchange_rate - delivery.amount_in_plan_currency) < 1
    assert Delivery.objects.filter(currency="EUR").exists()


def check_dashboards_are_alive() -> None:
    for username in ("caseworker", "reintegration"):
        board = caseworker_dashboard(User.objects.get(username=username))
        assert board["open_total"] >= 20, username
    reintegration = caseworker_dashboard(User.objects.get(username="reintegration"))
    assert reintegration["overdue"] and reintegration["upcoming"]
    supervision = supervisor_dashboard(User.objects.get(username="supervisor"))
    assert supervision["waiting_sign_off"]
    assert supervision["plans"]


def check_origin_login_sees_referrals_to_its_organisation() -> None:
    username, role = ORIGIN_LOGIN
    user = User.objects.get(username=username)
    assert user.memberships.get().organisation.name == ORIGIN_ORGANISATION
    assert user.memberships.get().role == role
    assert Client().login(username=username, password=DEMO_PASSWORD)
    assert username in logins_table()
    received = referrals_received_for(user)
    statuses = Counter(received.values_list("status", flat=True))
    assert statuses[c.ReferralStatus.PENDING] >= 2
    assert statuses[c.ReferralStatus.ACCEPTED] >= 2
    # Some were made with the person's consent, some by a supervisor without it.
    assert received.filter(consent_override_reason="").exists()
    assert received.exclude(consent_override_reason="").exists()
    # The origin caseworker answers referrals but never sees the cases themselves.
    case = received.first().case  # type: ignore[union-attr]
    assert can(user, Perm.ANSWER_REFERRAL, received.first().to_organisation_id)  # type: ignore[union-attr]
    assert not can(user, Perm.VIEW_CASE, case.organisation_id)
    assert Referral.objects.filter(to_organisation=None, to_partner__isnull=False).exists()


def check_audit_follows_the_services() -> None:
    from retorno.core.models import AuditEvent

    per_case = (
        AuditEvent.objects.filter(entity_type="cases.case")
        .values("entity_id")
        .annotate(n=Count("id"))
    )
    assert per_case.count() == Case.objects.count()
    assert AuditEvent.objects.filter(entity_type="demo.cases").count() == 1


def test_small_demos_have_no_cases(db: Any) -> None:
    call_command("demo", "--seed", "2", "--people", "80", stdout=io.StringIO())
    assert MIN_PEOPLE > 80
    assert not Case.objects.exists()
    # The registry alone can be emptied again.
    Person.objects.all().delete()
