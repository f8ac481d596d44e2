"""The case workflow: defined transitions only, by allowed roles, with their checks."""

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from retorno.cases import choices as c
from retorno.cases import services
from retorno.cases.models import Case, CaseEvent
from retorno.cases.tests.conftest import advance, update
from retorno.core.audit import Actor
from retorno.core.errors import StaleEdit
from retorno.core.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


def test_a_case_walks_from_intake_to_closure_with_tasks_and_timeline(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    carla, sam = users["caseworker"], users["supervisor"]
    case = walk_to(open_case, c.Stage.PLANNING, users)
    assert case.stage == c.Stage.PLANNING
    plan_task = case.tasks.get(kind=c.TaskKind.PLAN_DUE)
    assert plan_task.due_on == datetime.date.today() + datetime.timedelta(days=30)

    plan = services.plan_start(actor=Actor(user=carla), case=case)
    services.plan_item_add(
        actor=Actor(user=carla),
        plan=plan,
        version=plan.version,
        dimension=c.PlanDimension.ECONOMIC,
        kind=c.AssistanceKind.HOUSING,
        description="Three months' rent",
        planned_amount="900.00",
    )
    plan.refresh_from_db()
    services.plan_submit(actor=Actor(user=carla), plan=plan, version=plan.version)
    services.plan_review(actor=Actor(user=sam), plan=plan, version=plan.version, approve=True)
    case = advance(case, carla, c.Stage.DELIVERY)
    services.delivery_record(
        actor=Actor(user=carla),
        item=plan.items.get(),
        method=c.DeliveryMethod.BANK_TRANSFER,
        delivered_on=datetime.date.today(),
        amount="900",
    )
    case = advance(case, carla, c.Stage.MONITORING)
    follow_ups = sorted(
        case.tasks.filter(kind__startswith="follow_up").values_list("kind", flat=True)
    )
    assert follow_ups == ["follow_up_12", "follow_up_3", "follow_up_6"]
    case = advance(case, carla, c.Stage.CLOSED, outcome=c.Outcome.REINTEGRATED)

    assert case.outcome == c.Outcome.REINTEGRATED and case.closed_at is not None
    assert not case.tasks.filter(done_at__isnull=True).exists()
    stages = list(
        CaseEvent.objects.filter(case=case, kind=c.EventKind.TRANSITION)
        .order_by("at", "id")
        .values_list("to_stage", flat=True)
    )
    assert stages == [
        "counselling",
        "decision",
        "screening",
        "pre_departure",
        "departed",
        "arrived",
        "planning",
        "delivery",
        "monitoring",
        "closed",
    ]
    assert (
        AuditEvent.objects.filter(
            entity_type="cases.case", entity_id=str(case.pk), action=AuditAction.UPDATE
        ).count()
        >= 10
    )


def test_undefined_transitions_are_refused(open_case: Case, users: dict[str, User]) -> None:
    with pytest.raises(ValidationError, match="cannot go from intake to departed"):
        advance(open_case, users["caseworker"], c.Stage.DEPARTED)


def test_roles_not_allowed_cannot_move_a_case(open_case: Case, users: dict[str, User]) -> None:
    # A reintegration officer may work cases, but not the host-country stages.
    with pytest.raises(PermissionDenied):
        advance(open_case, users["reintegration_officer"], c.Stage.COUNSELLING)
    with pytest.raises(PermissionDenied):
        advance(open_case, users["reception_officer"], c.Stage.COUNSELLING)


def test_counselling_must_cover_rights_options_and_consequences(
    open_case: Case, users: dict[str, User]
) -> None:
    carla = users["caseworker"]
    case = advance(open_case, carla, c.Stage.COUNSELLING)
    with pytest.raises(ValidationError, match="Record at least one counselling session"):
        advance(case, carla, c.Stage.DECISION)
    services.counselling_add(
        actor=Actor(user=carla),
        case=case,
        held_on=datetime.date.today(),
        topics=["rights"],
        language="Romanian",
    )
    with pytest.raises(ValidationError, match="rights, options and consequences"):
        advance(case, carla, c.Stage.DECISION)


def test_an_open_protection_risk_blocks_pre_departure_until_a_supervisor_signs_off(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    carla, sam = users["caseworker"], users["supervisor"]
    case = walk_to(open_case, c.Stage.SCREENING, users)
    case = update(case, carla, screened_on=datetime.date.today())
    risk = services.risk_add(
        actor=Actor(user=carla),
        case=case,
        description="Threats from a former employer",
        level=c.RiskLevel.HIGH,
    )
    with pytest.raises(ValidationError, match="protection risk"):
        advance(case, carla, c.Stage.PRE_DEPARTURE)
    with pytest.raises(PermissionDenied):
        services.risk_sign_off(actor=Actor(user=carla), risk=risk, reason="I think it is fine")
    with pytest.raises(ValidationError):
        services.risk_sign_off(actor=Actor(user=sam), risk=risk, reason="  ")
    services.risk_sign_off(
        actor=Actor(user=sam), risk=risk, reason="Relocation to Chisinau agreed with the person"
    )
    case = advance(case, carla, c.Stage.PRE_DEPARTURE)
    assert case.stage == c.Stage.PRE_DEPARTURE
    override = AuditEvent.objects.get(action=AuditAction.OVERRIDE)
    assert override.actor == sam and "Relocation" in override.summary


def test_withdrawal_at_any_stage_needs_a_reason(open_case: Case, users: dict[str, User]) -> None:
    carla = users["caseworker"]
    case = advance(open_case, carla, c.Stage.COUNSELLING)
    with pytest.raises(ValidationError):
        advance(case, carla, c.Stage.WITHDRAWN)
    case = advance(case, carla, c.Stage.WITHDRAWN, reason="Got a work permit")
    assert case.outcome == c.Outcome.WITHDREW and case.withdrawal_reason == "Got a work permit"
    with pytest.raises(ValidationError):
        update(case, carla, return_region="MD-CU")


def test_a_second_editor_on_an_old_version_gets_stale_edit_and_nothing_is_lost(
    open_case: Case, users: dict[str, User]
) -> None:
    carla, sam = users["caseworker"], users["supervisor"]
    first = Case.objects.get(pk=open_case.pk)
    second = Case.objects.get(pk=open_case.pk)
    services.case_update(
        actor=Actor(user=carla), case=first, version=first.version, return_region="MD-CU"
    )
    with pytest.raises(StaleEdit):
        services.case_update(
            actor=Actor(user=sam), case=second, version=second.version, return_region="MD-BA"
        )
    with pytest.raises(StaleEdit):
        services.case_transition(
            actor=Actor(user=sam), case=second, target=c.Stage.COUNSELLING, version=second.version
        )
    assert Case.objects.get(pk=open_case.pk).return_region == "MD-CU"


def test_plan_above_threshold_cannot_be_approved_by_its_author(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    sam, carla = users["supervisor"], users["caseworker"]
    case = walk_to(open_case, c.Stage.PLANNING, users)
    plan = services.plan_start(actor=Actor(user=sam), case=case)
    services.plan_item_add(
        actor=Actor(user=sam),
        plan=plan,
        version=plan.version,
        dimension=c.PlanDimension.ECONOMIC,
        kind=c.AssistanceKind.MICRO_CREDIT,
        description="Start-up of a bakery",
        planned_amount=Decimal("2500"),
    )
    plan.refresh_from_db()
    services.plan_submit(actor=Actor(user=sam), plan=plan, version=plan.version)
    with pytest.raises(ValidationError, match="somebody other than its author"):
        services.plan_review(actor=Actor(user=sam), plan=plan, version=plan.version, approve=True)
    with pytest.raises(PermissionDenied):
        services.plan_review(actor=Actor(user=carla), plan=plan, version=plan.version, approve=True)
    services.plan_review(
        actor=Actor(user=users["administrator"]), plan=plan, version=plan.version, approve=True
    )
    assert plan.status == c.PlanStatus.APPROVED


def test_payments_in_another_currency_keep_their_exchange_rate_as_decimals(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    carla, sam = users["caseworker"], users["supervisor"]
    case = walk_to(open_case, c.Stage.PLANNING, users)
    plan = services.plan_start(actor=Actor(user=carla), case=case)
    item = services.plan_item_add(
        actor=Actor(user=carla),
        plan=plan,
        version=plan.version,
        dimension=c.PlanDimension.ECONOMIC,
        kind=c.AssistanceKind.HOUSING,
        description="Rent",
        planned_amount="600",
    )
    with pytest.raises(ValidationError, match="ceiling"):
        services.plan_item_add(
            actor=Actor(user=carla),
            plan=plan,
            version=plan.version + 1,
            dimension=c.PlanDimension.ECONOMIC,
            kind=c.AssistanceKind.HOUSING,
            description="More rent",
            planned_amount="1000",
        )
    plan.refresh_from_db()
    services.plan_submit(actor=Actor(user=carla), plan=plan, version=plan.version)
    services.plan_review(actor=Actor(user=sam), plan=plan, version=plan.version, approve=True)
    with pytest.raises(ValidationError, match="exchange rate"):
        services.delivery_record(
            actor=Actor(user=carla),
            item=item,
            method=c.DeliveryMethod.CASH,
            delivered_on=datetime.date.today(),
            amount="3000",
            currency="MDL",
        )
    with pytest.raises(TypeError):
        services.delivery_record(
            actor=Actor(user=carla),
            item=item,
            method=c.DeliveryMethod.CASH,
            delivered_on=datetime.date.today(),
            amount=0.1,
            currency="EUR",
        )
    delivery = services.delivery_record(
        actor=Actor(user=carla),
        item=item,
        method=c.DeliveryMethod.CASH,
        delivered_on=datetime.date.today(),
        amount="3000",
        currency="MDL",
        exchange_rate="0.05123",
    )
    assert delivery.amount_in_plan_currency == Decimal("153.69")
    assert delivery.exchange_rate == Decimal("0.05123")
