"""The case services: what each write checks, records on the timeline and leaves in the audit."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from retorno.accounts.models import Organisation
from retorno.accounts.roles import Role
from retorno.cases import choices as c
from retorno.cases import services
from retorno.cases.models import (
    BusinessPlan,
    Case,
    CaseDocument,
    CaseEvent,
    CommunityProject,
    Partner,
    PlanItem,
    Programme,
    ProgrammeAssistance,
    ReintegrationPlan,
)
from retorno.cases.tests.conftest import PDF_BYTES, advance, update
from retorno.core.audit import Actor
from retorno.core.errors import StaleEdit
from retorno.core.models import AuditAction, AuditEvent
from retorno.registry.models import Person
from retorno.registry.tests.factories import make_person

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today


def _open(user: User, org: Organisation, person: Person, **fields: Any) -> Case:
    values: dict[str, Any] = {"host_country": "BE", "origin_country": "MD"}
    values.update(fields)
    return services.case_open(
        actor=Actor(user=user), organisation_id=org.pk, person=person, **values
    )


def _planning_case(case: Case, users: dict[str, User], walk_to: Callable[..., Case]) -> Case:
    return walk_to(case, c.Stage.PLANNING, users)


def _plan_with(
    case: Case, user: User, *items: tuple[str, Any], in_kind: bool = False
) -> ReintegrationPlan:
    plan = services.plan_start(actor=Actor(user=user), case=case)
    for kind, amount in items:
        plan.refresh_from_db()
        services.plan_item_add(
            actor=Actor(user=user),
            plan=plan,
            version=plan.version,
            dimension=c.PlanDimension.ECONOMIC,
            kind=kind,
            description=f"{kind} {amount}",
            planned_amount=amount,
            in_kind=in_kind,
        )
    plan.refresh_from_db()
    return plan


def _approve(plan: ReintegrationPlan, author: User, reviewer: User) -> ReintegrationPlan:
    plan.refresh_from_db()
    services.plan_submit(actor=Actor(user=author), plan=plan, version=plan.version)
    return services.plan_review(
        actor=Actor(user=reviewer), plan=plan, version=plan.version, approve=True
    )


# Opening a case ------------------------------------------------------------------


def test_case_open_refuses_an_unknown_country(
    carla: User, host_org: Organisation, person: Person
) -> None:
    with pytest.raises(ValidationError) as err:
        _open(carla, host_org, person, origin_country="ZZ")
    assert "origin_country" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        _open(carla, host_org, person, host_country="")
    assert "host_country" in err.value.message_dict
    assert not Case.objects.exists()


def test_case_open_refuses_a_person_of_another_organisation(
    carla: User, host_org: Organisation, origin_org: Organisation
) -> None:
    stranger = make_person(origin_org, given_name="Ion")
    with pytest.raises(PermissionDenied):
        _open(carla, host_org, stranger)
    assert not Case.objects.exists()


def test_case_open_refuses_assigning_somebody_who_cannot_work_cases(
    users: dict[str, User], host_org: Organisation, person: Person, omar: User
) -> None:
    carla = users[Role.CASEWORKER]
    for assignee in (users[Role.RECEPTION_OFFICER], users[Role.STATISTICIAN], omar):
        with pytest.raises(ValidationError) as err:
            _open(carla, host_org, person, assigned_to=assignee)
        assert "assigned_to" in err.value.message_dict
    case = _open(carla, host_org, person, assigned_to=users[Role.REINTEGRATION_OFFICER])
    assert case.assigned_to == users[Role.REINTEGRATION_OFFICER]


def test_case_open_starts_at_intake_with_timeline_and_audit(
    carla: User, host_org: Organisation, person: Person
) -> None:
    case = _open(carla, host_org, person, assigned_to=carla)
    assert case.stage == c.Stage.INTAKE and case.reference.startswith(f"C{host_org.pk}-")
    event = CaseEvent.objects.get(case=case)
    assert event.kind == c.EventKind.OPENED and event.actor == carla
    audit = AuditEvent.objects.get(entity_type="cases.case", entity_id=str(case.pk))
    assert audit.action == AuditAction.CREATE and audit.person_id == person.pk
    assert audit.after is not None and audit.after["origin_country"] == "MD"


def test_case_update_refuses_unknown_fields_and_bad_assignees(
    open_case: Case, users: dict[str, User]
) -> None:
    carla = users[Role.CASEWORKER]
    with pytest.raises(TypeError):
        update(open_case, carla, stage=c.Stage.CLOSED)
    with pytest.raises(ValidationError):
        update(open_case, carla, assigned_to=users[Role.PROGRAMME_MANAGER])
    with pytest.raises(ValidationError):
        update(open_case, carla, vulnerabilities=["dragons"])
    case = update(open_case, carla, assigned_to=users[Role.SUPERVISOR])
    assert case.assigned_to == users[Role.SUPERVISOR]
    assert CaseEvent.objects.filter(case=case, kind=c.EventKind.ASSIGNED).exists()


# Deadlines ---------------------------------------------------------------------------


def test_add_months_keeps_to_the_end_of_short_months() -> None:
    add = services._add_months
    assert add(datetime.date(2025, 1, 31), 3) == datetime.date(2025, 4, 30)
    assert add(datetime.date(2025, 1, 31), 6) == datetime.date(2025, 7, 31)
    assert add(datetime.date(2025, 1, 31), 12) == datetime.date(2026, 1, 31)
    assert add(datetime.date(2023, 11, 30), 3) == datetime.date(2024, 2, 29)
    assert add(datetime.date(2024, 11, 30), 3) == datetime.date(2025, 2, 28)
    assert add(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)
    assert add(datetime.date(2025, 10, 15), 3) == datetime.date(2026, 1, 15)


def _walk_with_arrival(
    case: Case, users: dict[str, User], walk_to: Callable[..., Case], arrived: datetime.date
) -> Case:
    carla = users[Role.CASEWORKER]
    case = walk_to(case, c.Stage.DEPARTED, users)
    case = update(case, carla, arrived_on=arrived, met_on_arrival=True)
    case = advance(case, carla, c.Stage.ARRIVED)
    return advance(case, carla, c.Stage.PLANNING)


def test_plan_due_date_counts_the_programme_days_from_arrival(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case], programme: Programme
) -> None:
    programme.plan_due_days = 45
    programme.save()
    arrived = datetime.date(2025, 1, 31)
    case = _walk_with_arrival(open_case, users, walk_to, arrived)
    task = case.tasks.get(kind=c.TaskKind.PLAN_DUE)
    assert task.due_on == datetime.date(2025, 3, 17)
    assert task.assigned_to == users[Role.CASEWORKER]


def test_follow_ups_fall_three_six_and_twelve_months_after_arrival(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    carla, sam = users[Role.CASEWORKER], users[Role.SUPERVISOR]
    case = _walk_with_arrival(open_case, users, walk_to, datetime.date(2025, 1, 31))
    plan = _approve(_plan_with(case, carla, (c.AssistanceKind.HOUSING, "500")), carla, sam)
    case = advance(case, carla, c.Stage.DELIVERY)
    services.delivery_record(
        actor=Actor(user=carla),
        item=plan.items.get(),
        method=c.DeliveryMethod.CASH,
        delivered_on=TODAY(),
        amount="500",
    )
    case = advance(case, carla, c.Stage.MONITORING)
    due = dict(case.tasks.filter(kind__startswith="follow_up").values_list("kind", "due_on"))
    assert due == {
        c.TaskKind.FOLLOW_UP_3: datetime.date(2025, 4, 30),
        c.TaskKind.FOLLOW_UP_6: datetime.date(2025, 7, 31),
        c.TaskKind.FOLLOW_UP_12: datetime.date(2026, 1, 31),
    }


# Closing -------------------------------------------------------------------------------


def test_only_a_supervisor_or_administrator_closes_early_with_reason_and_allowed_outcome(
    open_case: Case, users: dict[str, User]
) -> None:
    carla, sam = users[Role.CASEWORKER], users[Role.SUPERVISOR]
    for user in (carla, users[Role.REINTEGRATION_OFFICER]):
        with pytest.raises(PermissionDenied):
            advance(open_case, user, c.Stage.CLOSED, reason="Moved", outcome=c.Outcome.LOST_CONTACT)
    with pytest.raises(ValidationError) as err:
        advance(open_case, sam, c.Stage.CLOSED, outcome=c.Outcome.LOST_CONTACT)
    assert "reason" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        advance(open_case, sam, c.Stage.CLOSED, reason="No news")
    assert "outcome" in err.value.message_dict
    # Before travel a person cannot have been reintegrated, nor "withdrawn" by closure.
    for outcome in (c.Outcome.REINTEGRATED, c.Outcome.REMIGRATED, c.Outcome.WITHDREW):
        with pytest.raises(ValidationError):
            advance(open_case, sam, c.Stage.CLOSED, reason="No news", outcome=outcome)
    assert Case.objects.get(pk=open_case.pk).stage == c.Stage.INTAKE
    case = advance(
        open_case,
        users[Role.ADMINISTRATOR],
        c.Stage.CLOSED,
        reason="No news",
        outcome="lost_contact",
    )
    assert case.stage == c.Stage.CLOSED and case.outcome == c.Outcome.LOST_CONTACT
    event = CaseEvent.objects.get(case=case, kind=c.EventKind.TRANSITION)
    assert event.reason == "No news" and event.data["outcome"] == "lost_contact"


def test_outcomes_after_return_differ_from_outcomes_before_travel(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    sam = users[Role.SUPERVISOR]
    case = walk_to(open_case, c.Stage.ARRIVED, users)
    with pytest.raises(ValidationError):
        advance(case, sam, c.Stage.CLOSED, reason="Stayed", outcome=c.Outcome.DID_NOT_TRAVEL)
    case = advance(case, sam, c.Stage.CLOSED, reason="Left again", outcome=c.Outcome.REMIGRATED)
    assert case.outcome == c.Outcome.REMIGRATED


def test_a_closed_case_cannot_be_changed(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    carla, sam = users[Role.CASEWORKER], users[Role.SUPERVISOR]
    case = advance(open_case, sam, c.Stage.CLOSED, reason="Transferred", outcome="transferred")
    actor = Actor(user=carla)
    with pytest.raises(ValidationError):
        update(case, carla, return_region="MD-CU")
    with pytest.raises(ValidationError):
        advance(case, sam, c.Stage.COUNSELLING)
    with pytest.raises(ValidationError):
        advance(case, carla, c.Stage.WITHDRAWN, reason="Again")
    with pytest.raises(ValidationError):
        services.counselling_add(
            actor=actor, case=case, held_on=TODAY(), topics=["rights"], language="Romanian"
        )
    with pytest.raises(ValidationError):
        services.risk_add(actor=actor, case=case, description="x", level=c.RiskLevel.LOW)
    with pytest.raises(ValidationError):
        services.task_add(actor=actor, case=case, title="Call", due_on=TODAY())
    with pytest.raises(ValidationError):
        services.plan_start(actor=actor, case=case)
    with pytest.raises(ValidationError):
        services.business_plan_save(actor=actor, case=case, version=None, activity="Bakery")
    assert Case.objects.get(pk=case.pk).stage == c.Stage.CLOSED


# Audit and timeline --------------------------------------------------------------------


def test_every_write_leaves_an_audit_event_and_a_timeline_line(
    open_case: Case, users: dict[str, User]
) -> None:
    carla, sam = users[Role.CASEWORKER], users[Role.SUPERVISOR]
    actor = Actor(user=carla)
    case = open_case

    def writes() -> list[Callable[[], Any]]:
        return [
            lambda: update(case, carla, return_region="MD-CU"),
            lambda: advance(case, carla, c.Stage.COUNSELLING),
            lambda: services.counselling_add(
                actor=actor, case=case, held_on=TODAY(), topics=["rights"], language="Romanian"
            ),
            lambda: services.risk_add(
                actor=actor, case=case, description="Debt collectors", level=c.RiskLevel.MEDIUM
            ),
            lambda: services.note_add(actor=actor, case=case, text="Called the family"),
            lambda: services.task_add(actor=actor, case=case, title="Call back", due_on=TODAY()),
            lambda: services.document_upload(
                actor=actor,
                case=case,
                kind=c.DocumentKind.OTHER,
                uploaded_file=SimpleUploadedFile("letter.pdf", PDF_BYTES),
            ),
        ]

    for write in writes():
        audits, events = AuditEvent.objects.count(), CaseEvent.objects.filter(case=case).count()
        write()
        assert AuditEvent.objects.count() == audits + 1, write
        assert CaseEvent.objects.filter(case=case).count() == events + 1, write
    risk = case.risks.get()
    before = AuditEvent.objects.count()
    services.risk_sign_off(actor=Actor(user=sam), risk=risk, reason="Agreed relocation")
    assert AuditEvent.objects.count() == before + 1
    signed = AuditEvent.objects.filter(entity_type="cases.protectionrisk").first()
    assert signed is not None and signed.action == AuditAction.OVERRIDE


def test_an_update_audits_the_values_before_and_after(
    open_case: Case, users: dict[str, User]
) -> None:
    update(open_case, users[Role.CASEWORKER], return_region="MD-CU")
    audit = AuditEvent.objects.filter(
        entity_type="cases.case", entity_id=str(open_case.pk), action=AuditAction.UPDATE
    ).get()
    assert audit.before is not None and audit.after is not None
    assert audit.before["return_region"] == "" and audit.after["return_region"] == "MD-CU"
    event = CaseEvent.objects.get(case=open_case, kind=c.EventKind.UPDATED)
    assert event.data["fields"] == ["return_region"]


def test_a_transition_audits_the_stage_before_and_after(
    open_case: Case, users: dict[str, User]
) -> None:
    advance(open_case, users[Role.CASEWORKER], c.Stage.COUNSELLING)
    audit = AuditEvent.objects.get(entity_type="cases.case", action=AuditAction.UPDATE)
    assert audit.before == {"stage": "intake"}
    assert audit.after is not None and audit.after["stage"] == "counselling"


# Stage records ---------------------------------------------------------------------------


def test_counselling_topics_must_be_known_and_not_empty(
    open_case: Case, users: dict[str, User]
) -> None:
    actor = Actor(user=users[Role.CASEWORKER])
    for topics in ([], ["rights", "weather"], ["nonsense"]):
        with pytest.raises(ValidationError) as err:
            services.counselling_add(
                actor=actor, case=open_case, held_on=TODAY(), topics=topics, language="Romanian"
            )
        assert "topics" in err.value.message_dict
    session = services.counselling_add(
        actor=actor,
        case=open_case,
        held_on=TODAY(),
        topics=["rights", "options", "consequences", "country"],
        language="Romanian",
        interpreter="I. Rusu",
    )
    assert session.recorded_by == users[Role.CASEWORKER]
    event = CaseEvent.objects.get(case=open_case, kind=c.EventKind.COUNSELLING)
    assert event.data == {"language": "Romanian", "interpreter": True}


def test_a_mitigated_risk_no_longer_blocks_and_needs_a_description(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    carla = users[Role.CASEWORKER]
    case = walk_to(open_case, c.Stage.SCREENING, users)
    case = update(case, carla, screened_on=TODAY())
    risk = services.risk_add(
        actor=Actor(user=carla), case=case, description="Threats", level=c.RiskLevel.HIGH
    )
    with pytest.raises(ValidationError) as err:
        services.risk_mitigate(actor=Actor(user=carla), risk=risk, mitigation="  ")
    assert "mitigation" in err.value.message_dict
    risk = services.risk_mitigate(
        actor=Actor(user=carla), risk=risk, mitigation=" Moves to another district "
    )
    assert risk.status == c.RiskStatus.MITIGATED and risk.mitigation == "Moves to another district"
    audit = AuditEvent.objects.get(entity_type="cases.protectionrisk", action=AuditAction.UPDATE)
    assert audit.before is not None and audit.before["status"] == "open"
    assert audit.after is not None and audit.after["status"] == "mitigated"
    # Once mitigated it cannot be signed off, and it no longer blocks the departure stage.
    with pytest.raises(ValidationError):
        services.risk_sign_off(actor=Actor(user=users[Role.SUPERVISOR]), risk=risk, reason="ok")
    assert advance(case, carla, c.Stage.PRE_DEPARTURE).stage == c.Stage.PRE_DEPARTURE


def test_notes_keep_their_sensitivity_and_the_timeline_keeps_no_text(
    open_case: Case, users: dict[str, User]
) -> None:
    actor = Actor(user=users[Role.CASEWORKER])
    note = services.note_add(
        actor=actor, case=open_case, text=" Disclosed abuse ", sensitivity="restricted"
    )
    assert note.sensitivity == c.Sensitivity.RESTRICTED and note.text == "Disclosed abuse"
    event = CaseEvent.objects.get(case=open_case, kind=c.EventKind.NOTE)
    assert "abuse" not in str(event.data) and "abuse" not in event.reason
    audit = AuditEvent.objects.get(entity_type="cases.casenote")
    assert "abuse" not in audit.summary and "abuse" not in str(audit.after)
    with pytest.raises(ValidationError):
        services.note_add(actor=actor, case=open_case, text="x", sensitivity="secret")
    with pytest.raises(ValidationError):
        services.note_add(actor=actor, case=open_case, text="   ")
    with pytest.raises(PermissionDenied):
        services.note_add(actor=Actor(user=users[Role.RECEPTION_OFFICER]), case=open_case, text="x")


def test_completing_a_task_twice_is_a_stale_edit(open_case: Case, users: dict[str, User]) -> None:
    carla = users[Role.CASEWORKER]
    task = services.task_add(
        actor=Actor(user=carla), case=open_case, title="Book flight", due_on=TODAY()
    )
    assert task.assigned_to == carla
    with pytest.raises(ValidationError):
        services.task_add(actor=Actor(user=carla), case=open_case, title=" ", due_on=TODAY())
    other = type(task).objects.get(pk=task.pk)
    done = services.task_complete(actor=Actor(user=carla), task=task)
    assert done.done_at is not None and done.done_by == carla
    with pytest.raises(StaleEdit):
        services.task_complete(actor=Actor(user=users[Role.SUPERVISOR]), task=other)
    assert type(task).objects.get(pk=task.pk).done_by == carla


# Documents --------------------------------------------------------------------------------


def test_a_document_is_stored_under_media_not_static(
    open_case: Case, users: dict[str, User], media_root: Path
) -> None:
    document = services.document_upload(
        actor=Actor(user=users[Role.CASEWORKER]),
        case=open_case,
        kind=c.DocumentKind.SIGNED_DECISION,
        uploaded_file=SimpleUploadedFile("../../etc/decision.PDF", PDF_BYTES),
    )
    stored = (Path(settings.MEDIA_ROOT) / document.stored_path).resolve()
    assert stored.read_bytes() == PDF_BYTES
    assert stored.is_relative_to((Path(media_root) / "cases").resolve())
    assert not stored.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert document.file_name == "decision.PDF" and document.content_type == "application/pdf"
    assert document.size == len(PDF_BYTES) and len(document.sha256) == 64
    assert "decision" not in stored.name


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("script.exe", b"MZ\x90\x00"),
        ("page.html", b"<html></html>"),
        ("drawing.svg", b"<svg/>"),
        ("noextension", PDF_BYTES),
        ("fake.pdf", b"<html>not a pdf</html>"),
        ("photo.png", b"\xff\xd8\xff\xe0 a jpeg"),
        ("photo.jpg", b"\x89PNG\r\n\x1a\n a png"),
    ],
)
def test_a_document_must_have_an_allowed_extension_and_matching_content(
    open_case: Case, users: dict[str, User], name: str, content: bytes
) -> None:
    with pytest.raises(ValidationError) as err:
        services.document_upload(
            actor=Actor(user=users[Role.CASEWORKER]),
            case=open_case,
            kind=c.DocumentKind.OTHER,
            uploaded_file=SimpleUploadedFile(name, content),
        )
    assert "file" in err.value.message_dict
    assert not CaseDocument.objects.exists()


def test_a_document_above_the_size_limit_is_refused_and_not_kept(
    open_case: Case, users: dict[str, User], monkeypatch: pytest.MonkeyPatch, media_root: Path
) -> None:
    monkeypatch.setattr(services, "DOCUMENT_MAX_BYTES", len(PDF_BYTES) - 1)
    with pytest.raises(ValidationError, match="larger"):
        services.document_upload(
            actor=Actor(user=users[Role.CASEWORKER]),
            case=open_case,
            kind=c.DocumentKind.OTHER,
            uploaded_file=SimpleUploadedFile("big.pdf", PDF_BYTES),
        )
    assert not CaseDocument.objects.exists()
    kept = list((Path(media_root) / "cases").rglob("*.*")) if Path(media_root).exists() else []
    assert kept == []
    monkeypatch.setattr(services, "DOCUMENT_MAX_BYTES", len(PDF_BYTES))
    services.document_upload(
        actor=Actor(user=users[Role.CASEWORKER]),
        case=open_case,
        kind=c.DocumentKind.OTHER,
        uploaded_file=SimpleUploadedFile("exact.pdf", PDF_BYTES),
    )


def test_a_document_needs_a_known_kind_and_the_right_to_change_the_case(
    open_case: Case, users: dict[str, User]
) -> None:
    with pytest.raises(ValidationError):
        services.document_upload(
            actor=Actor(user=users[Role.CASEWORKER]),
            case=open_case,
            kind="selfie",
            uploaded_file=SimpleUploadedFile("a.pdf", PDF_BYTES),
        )
    with pytest.raises(PermissionDenied):
        services.document_upload(
            actor=Actor(user=users[Role.ME_OFFICER]),
            case=open_case,
            kind=c.DocumentKind.OTHER,
            uploaded_file=SimpleUploadedFile("a.pdf", PDF_BYTES),
        )


# Reintegration plans ------------------------------------------------------------------------


def test_plan_items_stay_under_the_ceiling_of_their_kind(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    carla = users[Role.CASEWORKER]
    case = _planning_case(open_case, users, walk_to)
    plan = _plan_with(
        case, carla, (c.AssistanceKind.HOUSING, "1000"), (c.AssistanceKind.TRAINING, "800")
    )
    with pytest.raises(ValidationError, match="ceiling of 1500"):
        services.plan_item_add(
            actor=Actor(user=carla),
            plan=plan,
            version=plan.version,
            dimension=c.PlanDimension.ECONOMIC,
            kind=c.AssistanceKind.HOUSING,
            description="More rent",
            planned_amount="500.01",
        )
    # Exactly up to the ceiling is allowed; another kind has its own ceiling.
    _plan_with(case, carla, (c.AssistanceKind.HOUSING, "500.00"))
    _plan_with(case, carla, (c.AssistanceKind.MICRO_CREDIT, "3000"))
    # No ceiling: any amount.
    _plan_with(case, carla, (c.AssistanceKind.SOCIO_CULTURAL, "99999"))
    plan.refresh_from_db()
    assert services.plan_total(plan) == Decimal("1000") + 800 + 500 + 3000 + 99999


def test_each_person_has_their_own_ceiling(
    users: dict[str, User],
    host_org: Organisation,
    programme: Programme,
    open_case: Case,
    walk_to: Callable[..., Case],
) -> None:
    carla = users[Role.CASEWORKER]
    first = _planning_case(open_case, users, walk_to)
    _plan_with(first, carla, (c.AssistanceKind.HOUSING, "1500"))
    other = make_person(host_org, given_name="Ion", nationalities=["MD"])
    second = _open(carla, host_org, other, assigned_to=carla, programme=programme)
    second = _planning_case(second, users, walk_to)
    plan = _plan_with(second, carla, (c.AssistanceKind.HOUSING, "1500"))
    assert services.plan_total(plan) == Decimal("1500")


def test_assistance_the_programme_does_not_offer_is_refused_even_in_kind(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    carla = users[Role.CASEWORKER]
    case = _planning_case(open_case, users, walk_to)
    plan = services.plan_start(actor=Actor(user=carla), case=case)
    for amount, in_kind in (("100", False), (None, True)):
        with pytest.raises(ValidationError) as err:
            services.plan_item_add(
                actor=Actor(user=carla),
                plan=plan,
                version=plan.version,
                dimension=c.PlanDimension.SOCIAL,
                kind=c.AssistanceKind.HEALTH_INSURANCE,
                description="Insurance",
                planned_amount=amount,
                in_kind=in_kind,
            )
        assert "kind" in err.value.message_dict
    assert not PlanItem.objects.exists()


def test_in_kind_items_need_no_amount_but_paid_items_do(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    carla = users[Role.CASEWORKER]
    case = _planning_case(open_case, users, walk_to)
    plan = services.plan_start(actor=Actor(user=carla), case=case)
    with pytest.raises(ValidationError) as err:
        services.plan_item_add(
            actor=Actor(user=carla),
            plan=plan,
            version=plan.version,
            dimension=c.PlanDimension.PSYCHOSOCIAL,
            kind=c.AssistanceKind.SOCIO_CULTURAL,
            description="Counselling",
            planned_amount="",
        )
    assert "planned_amount" in err.value.message_dict
    item = services.plan_item_add(
        actor=Actor(user=carla),
        plan=plan,
        version=plan.version,
        dimension=c.PlanDimension.PSYCHOSOCIAL,
        kind=c.AssistanceKind.SOCIO_CULTURAL,
        description="Counselling",
        in_kind=True,
    )
    assert item.planned_amount is None and item.in_kind
    plan.refresh_from_db()
    assert services.plan_total(plan) == Decimal("0")


@pytest.mark.parametrize("amount", ["-1", "NaN", "Infinity", "abc", "sNaN", Decimal("-0.01")])
def test_plan_amounts_must_be_real_non_negative_amounts(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case], amount: Any
) -> None:
    carla = users[Role.CASEWORKER]
    case = _planning_case(open_case, users, walk_to)
    plan = services.plan_start(actor=Actor(user=carla), case=case)
    with pytest.raises(ValidationError) as err:
        services.plan_item_add(
            actor=Actor(user=carla),
            plan=plan,
            version=plan.version,
            dimension=c.PlanDimension.ECONOMIC,
            kind=c.AssistanceKind.HOUSING,
            description="Rent",
            planned_amount=amount,
        )
    assert "planned_amount" in err.value.message_dict


def test_money_is_never_a_float() -> None:
    with pytest.raises(TypeError):
        services.money(0.1)
    with pytest.raises(TypeError):
        services.money(float("nan"))
    assert services.money("1 234.565") == Decimal("1234.57")
    assert services.money(Decimal("10")) == Decimal("10.00")
    assert services.money(7) == Decimal("7.00")


def test_float_plan_amounts_raise_type_error(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    carla = users[Role.CASEWORKER]
    case = _planning_case(open_case, users, walk_to)
    plan = services.plan_start(actor=Actor(user=carla), case=case)
    with pytest.raises(TypeError):
        services.plan_item_add(
            actor=Actor(user=carla),
            plan=plan,
            version=plan.version,
            dimension=c.PlanDimension.ECONOMIC,
            kind=c.AssistanceKind.HOUSING,
            description="Rent",
            planned_amount=99.9,
        )


def test_a_submitted_or_approved_plan_is_locked(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    carla, sam = users[Role.CASEWORKER], users[Role.SUPERVISOR]
    case = _planning_case(open_case, users, walk_to)
    plan = _plan_with(case, carla, (c.AssistanceKind.HOUSING, "300"))
    item = plan.items.get()
    services.plan_submit(actor=Actor(user=carla), plan=plan, version=plan.version)
    for status in ("submitted", "approved"):
        assert plan.status == status
        with pytest.raises(ValidationError, match="cannot be changed"):
            services.plan_item_add(
                actor=Actor(user=carla),
                plan=plan,
                version=plan.version,
                dimension=c.PlanDimension.ECONOMIC,
                kind=c.AssistanceKind.TRAINING,
                description="Course",
                planned_amount="100",
            )
        with pytest.raises(ValidationError):
            services.plan_item_remove(actor=Actor(user=carla), item=item, version=plan.version)
        with pytest.raises(ValidationError):
            services.plan_submit(actor=Actor(user=carla), plan=plan, version=plan.version)
        if status == "submitted":
            services.plan_review(
                actor=Actor(user=sam), plan=plan, version=plan.version, approve=True
            )
    assert plan.items.count() == 1
    with pytest.raises(ValidationError, match="Only a plan waiting"):
        services.plan_review(actor=Actor(user=sam), plan=plan, version=plan.version, approve=True)


def test_an_empty_plan_cannot_be_submitted(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    carla = users[Role.CASEWORKER]
    case = _planning_case(open_case, users, walk_to)
    plan = services.plan_start(actor=Actor(user=carla), case=case)
    with pytest.raises(ValidationError, match="at least one item"):
        services.plan_submit(actor=Actor(user=carla), plan=plan, version=plan.version)
    assert services.plan_start(actor=Actor(user=carla), case=case).pk == plan.pk


def test_returning_a_plan_needs_a_comment_and_unlocks_it(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    carla, sam = users[Role.CASEWORKER], users[Role.SUPERVISOR]
    case = _planning_case(open_case, users, walk_to)
    plan = _plan_with(case, carla, (c.AssistanceKind.HOUSING, "300"))
    services.plan_submit(actor=Actor(user=carla), plan=plan, version=plan.version)
    with pytest.raises(ValidationError) as err:
        services.plan_review(
            actor=Actor(user=sam), plan=plan, version=plan.version, approve=False, comment=" "
        )
    assert "comment" in err.value.message_dict
    plan = services.plan_review(
        actor=Actor(user=sam),
        plan=plan,
        version=plan.version,
        approve=False,
        comment="Add the training",
    )
    assert plan.status == c.PlanStatus.RETURNED and plan.review_comment == "Add the training"
    services.plan_item_add(
        actor=Actor(user=carla),
        plan=plan,
        version=plan.version,
        dimension=c.PlanDimension.ECONOMIC,
        kind=c.AssistanceKind.TRAINING,
        description="Course",
        planned_amount="100",
    )
    plan.refresh_from_db()
    with pytest.raises(StaleEdit):
        services.plan_submit(actor=Actor(user=carla), plan=plan, version=plan.version - 1)
    services.plan_submit(actor=Actor(user=carla), plan=plan, version=plan.version)
    assert plan.status == c.PlanStatus.SUBMITTED


def test_delivery_only_under_an_approved_plan(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    carla, sam = users[Role.CASEWORKER], users[Role.SUPERVISOR]
    case = _planning_case(open_case, users, walk_to)
    plan = _plan_with(case, carla, (c.AssistanceKind.HOUSING, "300"))
    item = plan.items.get()
    kwargs: dict[str, Any] = {
        "item": item,
        "method": c.DeliveryMethod.CASH,
        "delivered_on": TODAY(),
        "amount": "300",
    }
    with pytest.raises(ValidationError, match="approved plan"):
        services.delivery_record(actor=Actor(user=carla), **kwargs)
    services.plan_submit(actor=Actor(user=carla), plan=plan, version=plan.version)
    with pytest.raises(ValidationError, match="approved plan"):
        services.delivery_record(actor=Actor(user=carla), **kwargs)
    services.plan_review(actor=Actor(user=sam), plan=plan, version=plan.version, approve=True)
    item.refresh_from_db()
    delivery = services.delivery_record(actor=Actor(user=carla), **kwargs)
    assert delivery.amount == Decimal("300.00") and delivery.currency == "EUR"
    assert delivery.exchange_rate == Decimal("1")
    assert delivery.amount_in_plan_currency == Decimal("300.00")
    event = CaseEvent.objects.get(case=case, kind=c.EventKind.DELIVERY)
    assert event.data["amount"] == "300.00"
    assert AuditEvent.objects.filter(entity_type="cases.delivery").count() == 1


def test_delivery_amounts_are_checked(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    carla, sam = users[Role.CASEWORKER], users[Role.SUPERVISOR]
    case = _planning_case(open_case, users, walk_to)
    plan = _approve(_plan_with(case, carla, (c.AssistanceKind.HOUSING, "300")), carla, sam)
    item = plan.items.get()

    def deliver(**kwargs: Any) -> Any:
        values: dict[str, Any] = {
            "item": item,
            "method": c.DeliveryMethod.CASH,
            "delivered_on": TODAY(),
        }
        values.update(kwargs)
        return services.delivery_record(actor=Actor(user=carla), **values)

    with pytest.raises(TypeError):
        deliver(amount=300.0)
    for bad in ("-5", "NaN", "Infinity"):
        with pytest.raises(ValidationError) as err:
            deliver(amount=bad)
        assert "amount" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        deliver()
    assert "amount" in err.value.message_dict
    for rate in ("0", "-1", "NaN", "abc"):
        with pytest.raises(ValidationError) as err:
            deliver(amount="100", currency="MDL", exchange_rate=rate)
        assert "exchange_rate" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        deliver(amount="100", currency="XXY")
    assert "currency" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        deliver(amount="100", delivered_on=TODAY() + datetime.timedelta(days=1))
    assert "delivered_on" in err.value.message_dict
    # In kind: no amount needed.
    in_kind = deliver(method=c.DeliveryMethod.IN_KIND)
    assert in_kind.amount is None and in_kind.amount_in_plan_currency is None
    assert item.deliveries.count() == 1


def test_the_proof_of_a_delivery_must_belong_to_the_same_case(
    open_case: Case,
    users: dict[str, User],
    walk_to: Callable[..., Case],
    host_org: Organisation,
    programme: Programme,
) -> None:
    carla, sam = users[Role.CASEWORKER], users[Role.SUPERVISOR]
    case = _planning_case(open_case, users, walk_to)
    plan = _approve(_plan_with(case, carla, (c.AssistanceKind.HOUSING, "300")), carla, sam)
    other = _open(carla, host_org, make_person(host_org, given_name="Ion"), programme=programme)
    foreign = services.document_upload(
        actor=Actor(user=carla),
        case=other,
        kind=c.DocumentKind.PROOF_OF_PAYMENT,
        uploaded_file=SimpleUploadedFile("receipt.pdf", PDF_BYTES),
    )
    own = services.document_upload(
        actor=Actor(user=carla),
        case=case,
        kind=c.DocumentKind.PROOF_OF_PAYMENT,
        uploaded_file=SimpleUploadedFile("receipt.pdf", PDF_BYTES),
    )
    values: dict[str, Any] = {
        "item": plan.items.get(),
        "method": c.DeliveryMethod.BANK_TRANSFER,
        "delivered_on": TODAY(),
        "amount": "300",
    }
    with pytest.raises(ValidationError) as err:
        services.delivery_record(actor=Actor(user=carla), proof=foreign, **values)
    assert "proof" in err.value.message_dict
    delivery = services.delivery_record(actor=Actor(user=carla), proof=own, **values)
    assert delivery.proof == own


# Business support ---------------------------------------------------------------------------


def test_business_plan_is_saved_then_changed_on_its_current_version_only(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    carla = users[Role.CASEWORKER]
    actor = Actor(user=carla)
    case = _planning_case(open_case, users, walk_to)
    with pytest.raises(ValidationError):
        services.business_plan_save(
            actor=actor, case=case, version=None, activity="Bakery", currency="ABC"
        )
    with pytest.raises(ValidationError):
        services.business_plan_save(
            actor=actor, case=case, version=None, activity="Bakery", feasibility=["luck"]
        )
    with pytest.raises(TypeError):
        services.business_plan_save(actor=actor, case=case, version=None, startup_costs=1.5)
    plan = services.business_plan_save(
        actor=actor,
        case=case,
        version=None,
        activity="Bakery",
        currency="mdl",
        startup_costs="25000",
        feasibility=["market", "skills"],
    )
    assert plan.currency == "MDL" and plan.startup_costs == Decimal("25000.00")
    assert plan.version == 1
    stale = BusinessPlan.objects.get(pk=plan.pk)
    plan = services.business_plan_save(
        actor=actor, case=case, version=plan.version, market="The village and two nearby"
    )
    assert plan.version == 2 and plan.market == "The village and two nearby"
    # A partial change leaves the other fields as they were.
    assert plan.currency == "MDL" and plan.startup_costs == Decimal("25000.00")
    assert plan.activity == "Bakery" and plan.feasibility == ["market", "skills"]
    with pytest.raises(StaleEdit):
        services.business_plan_save(
            actor=actor, case=case, version=stale.version, activity="Tailor"
        )
    with pytest.raises(StaleEdit):
        services.business_plan_save(actor=actor, case=case, version=None, activity="Tailor")
    assert BusinessPlan.objects.get(pk=plan.pk).activity == "Bakery"
    audit = AuditEvent.objects.get(entity_type="cases.businessplan", action=AuditAction.UPDATE)
    assert audit.before is not None and audit.after is not None
    assert audit.before["market"] == "" and audit.after["market"].startswith("The village")
    with pytest.raises(PermissionDenied):
        services.business_plan_save(
            actor=Actor(user=users[Role.PROGRAMME_MANAGER]),
            case=case,
            version=plan.version,
            activity="Tailor",
        )


def test_support_sessions_are_recorded_with_a_known_topic(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    actor = Actor(user=users[Role.REINTEGRATION_OFFICER])
    case = _planning_case(open_case, users, walk_to)
    plan = services.business_plan_save(actor=actor, case=case, version=None, activity="Bakery")
    with pytest.raises(ValidationError):
        services.support_session_add(
            actor=actor, business_plan=plan, held_on=TODAY(), topic="astrology"
        )
    session = services.support_session_add(
        actor=actor,
        business_plan=plan,
        held_on=TODAY(),
        topic=c.SupportTopic.ACCOUNTING,
        provider="Chamber of commerce",
    )
    assert list(plan.sessions.all()) == [session]
    assert AuditEvent.objects.filter(entity_type="cases.supportsession").count() == 1
    assert CaseEvent.objects.filter(case=case, data__support="accounting").exists()
    with pytest.raises(PermissionDenied):
        services.support_session_add(
            actor=Actor(user=users[Role.SKILLS_OFFICER]),
            business_plan=plan,
            held_on=TODAY(),
            topic=c.SupportTopic.MARKETING,
        )


# Programmes, directory, community projects ----------------------------------------------------


def _programme(org: Organisation, **fields: Any) -> Programme:
    values: dict[str, Any] = {"organisation": org, "name": "Return to Georgia", "kind": "avrr"}
    values.update(fields)
    return Programme(**values)


def test_programme_save_checks_currency_and_countries(
    users: dict[str, User], host_org: Organisation
) -> None:
    actor = Actor(user=users[Role.PROGRAMME_MANAGER])
    for fields, key in (
        ({"currency": "EUROS"}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"host_countries": ["BE", "XX"]}, "host_countries"),
        ({"origin_countries": ["Georgia"]}, "origin_countries"),
        ({"eligible_nationalities": ["ZZ"]}, "eligible_nationalities"),
        (
            {"starts_on": datetime.date(2025, 6, 1), "ends_on": datetime.date(2025, 1, 1)},
            "ends_on",
        ),
    ):
        with pytest.raises(ValidationError) as err:
            services.programme_save(actor=actor, programme=_programme(host_org, **fields))
        assert key in err.value.message_dict
    assert not Programme.objects.exists()
    saved = services.programme_save(
        actor=actor,
        programme=_programme(
            host_org, currency="gel", host_countries=["be", "NL"], origin_countries=["ge"]
        ),
    )
    assert saved.currency == "GEL" and saved.host_countries == ["BE", "NL"]
    assert saved.origin_countries == ["GE"]
    assert AuditEvent.objects.filter(
        entity_type="cases.programme", action=AuditAction.CREATE
    ).exists()


def test_programme_save_replaces_the_assistance_catalogue(
    users: dict[str, User], programme: Programme
) -> None:
    actor = Actor(user=users[Role.ADMINISTRATOR])
    programme.name = "AVRR Moldova 2026"
    saved = services.programme_save(
        actor=actor,
        programme=programme,
        version=programme.version,
        assistance={"housing": "2000", "transport": None, "training": ""},
    )
    assert saved.version == 2 and saved.name == "AVRR Moldova 2026"
    catalogue = dict(
        ProgrammeAssistance.objects.filter(programme=programme).values_list("kind", "ceiling")
    )
    assert catalogue == {"housing": Decimal("2000"), "transport": None, "training": None}
    with pytest.raises(ValidationError) as err:
        services.programme_save(
            actor=actor, programme=saved, version=saved.version, assistance={"yachts": "1"}
        )
    assert "assistance" in err.value.message_dict
    with pytest.raises(TypeError):
        services.programme_save(
            actor=actor, programme=saved, version=saved.version, assistance={"housing": 1.5}
        )
    # Nothing of a refused save stays.
    saved.refresh_from_db()
    assert saved.version == 2
    assert ProgrammeAssistance.objects.filter(programme=programme).count() == 3
    stale = Programme.objects.get(pk=programme.pk)
    stale.name = "Old name"
    with pytest.raises(StaleEdit):
        services.programme_save(actor=actor, programme=stale, version=1)
    audit, links = AuditEvent.objects.filter(
        entity_type="cases.programme", action=AuditAction.UPDATE
    ).order_by("id")
    assert audit.before is not None and audit.before["name"] == "AVRR Moldova"
    assert audit.after is not None and audit.after["name"] == "AVRR Moldova 2026"
    # The catalogue is not a column of the programme: its change has an event of its own.
    assert links.before is not None and links.after is not None
    assert set(links.after["assistance"]) != set(links.before["assistance"])


def test_programme_save_needs_manage_programmes_where_the_programme_belongs(
    users: dict[str, User], programme: Programme, origin_org: Organisation, make_user: Any
) -> None:
    with pytest.raises(PermissionDenied):
        services.programme_save(
            actor=Actor(user=users[Role.SUPERVISOR]), programme=programme, version=1
        )
    outsider = make_user("olga", Role.PROGRAMME_MANAGER, origin_org)
    with pytest.raises(PermissionDenied):
        services.programme_save(
            actor=Actor(user=outsider), programme=_programme(programme.organisation)
        )
    # Moving somebody else's programme into one's own organisation is not a way in.
    taken = Programme.objects.get(pk=programme.pk)
    taken.organisation = origin_org
    with pytest.raises(PermissionDenied):
        services.programme_save(actor=Actor(user=outsider), programme=taken, version=1)
    assert Programme.objects.get(pk=programme.pk).organisation_id == programme.organisation_id


def test_partner_save_needs_manage_directory_and_a_known_country(
    users: dict[str, User], host_org: Organisation, origin_org: Organisation, make_user: Any
) -> None:
    def partner(**fields: Any) -> Partner:
        values: dict[str, Any] = {
            "organisation": host_org,
            "name": "Clinica Sperantei",
            "kind": c.PartnerKind.HEALTH,
            "country": "MD",
        }
        values.update(fields)
        return Partner(**values)

    with pytest.raises(ValidationError) as err:
        services.partner_save(
            actor=Actor(user=users[Role.SUPERVISOR]), partner=partner(country="QQ")
        )
    assert "country" in err.value.message_dict
    for role in (Role.CASEWORKER, Role.PARTNER, Role.CONTENT_EDITOR):
        with pytest.raises(PermissionDenied):
            services.partner_save(actor=Actor(user=users[role]), partner=partner())
    saved = services.partner_save(actor=Actor(user=users[Role.SUPERVISOR]), partner=partner())
    assert saved.pk and AuditEvent.objects.filter(entity_type="cases.partner").count() == 1
    outsider = make_user("olga", Role.SUPERVISOR, origin_org)
    saved.organisation = origin_org
    with pytest.raises(PermissionDenied):
        services.partner_save(actor=Actor(user=outsider), partner=saved)
    assert Partner.objects.get(pk=saved.pk).organisation == host_org


def test_community_project_save_needs_manage_programmes(
    users: dict[str, User], host_org: Organisation
) -> None:
    def project(**fields: Any) -> CommunityProject:
        values: dict[str, Any] = {
            "organisation": host_org,
            "name": "Village water supply",
            "country": "MD",
            "currency": "MDL",
            "budget": Decimal("50000"),
        }
        values.update(fields)
        return CommunityProject(**values)

    for role in (Role.SUPERVISOR, Role.CASEWORKER, Role.ME_OFFICER):
        with pytest.raises(PermissionDenied):
            services.community_project_save(actor=Actor(user=users[role]), project=project())
    actor = Actor(user=users[Role.PROGRAMME_MANAGER])
    with pytest.raises(ValidationError):
        services.community_project_save(actor=actor, project=project(country="XX"))
    with pytest.raises(ValidationError):
        services.community_project_save(actor=actor, project=project(currency="ZZZ"))
    saved = services.community_project_save(actor=actor, project=project())
    saved.returnees_served = 12
    saved = services.community_project_save(actor=actor, project=saved, version=saved.version)
    assert saved.version == 2 and saved.returnees_served == 12
    assert AuditEvent.objects.filter(entity_type="cases.communityproject").count() == 2


def test_a_case_cannot_use_another_organisations_programme(
    users: dict[str, User], person: Person, host_org: Organisation, origin_org: Organisation
) -> None:
    foreign = Programme.objects.create(
        organisation=origin_org, name="Reception Chisinau", kind=c.ProgrammeKind.RECEPTION
    )
    with pytest.raises(ValidationError) as refused:
        services.case_open(
            actor=Actor(user=users[Role.CASEWORKER]),
            organisation_id=host_org.pk,
            person=person,
            programme=foreign,
            host_country="BE",
            origin_country="MD",
        )
    assert "programme" in refused.value.message_dict
    assert not Case.objects.exists()


def test_tasks_go_only_to_people_who_work_the_organisations_cases(
    open_case: Case, users: dict[str, User]
) -> None:
    with pytest.raises(ValidationError):
        services.task_add(
            actor=Actor(user=users[Role.CASEWORKER]),
            case=open_case,
            title="Call the family",
            due_on=datetime.date.today(),
            assigned_to=users[Role.STATISTICIAN],
        )
    task = services.task_add(
        actor=Actor(user=users[Role.CASEWORKER]),
        case=open_case,
        title="Call the family",
        due_on=datetime.date.today(),
        assigned_to=users[Role.REINTEGRATION_OFFICER],
    )
    assert task.assigned_to == users[Role.REINTEGRATION_OFFICER]


def test_a_plan_is_kept_in_its_programmes_currency(
    open_case: Case, users: dict[str, User], walk_to: Callable[..., Case]
) -> None:
    case = walk_to(open_case, c.Stage.PLANNING, users)
    carla = Actor(user=users[Role.CASEWORKER])
    with pytest.raises(ValidationError, match="programme's currency"):
        services.plan_start(actor=carla, case=case, currency="MDL")
    assert services.plan_start(actor=carla, case=case).currency == "EUR"


def test_a_signed_off_risk_cannot_be_marked_mitigated(
    open_case: Case, users: dict[str, User]
) -> None:
    carla, sam = Actor(user=users[Role.CASEWORKER]), Actor(user=users[Role.SUPERVISOR])
    risk = services.risk_add(actor=carla, case=open_case, description="Feud", level="high")
    services.risk_sign_off(actor=sam, risk=risk, reason="Moving to another district")
    with pytest.raises(ValidationError, match="Only an open risk"):
        services.risk_mitigate(actor=carla, risk=risk, mitigation="Talked to them")
    risk.refresh_from_db()
    assert risk.status == c.RiskStatus.SIGNED_OFF


def test_the_region_of_return_must_be_in_the_country_of_return(
    open_case: Case, users: dict[str, User]
) -> None:
    carla = users[Role.CASEWORKER]
    with pytest.raises(ValidationError) as refused:
        update(open_case, carla, return_region="MA-01")
    assert "return_region" in refused.value.message_dict
    assert update(open_case, carla, return_region="MD-CU").return_region == "MD-CU"


def test_two_editors_of_one_directory_entry_cannot_overwrite_each_other(
    users: dict[str, User], host_org: Organisation
) -> None:
    sam = Actor(user=users[Role.SUPERVISOR])
    saved = services.partner_save(
        actor=sam,
        partner=Partner(organisation=host_org, name="Clinica", kind="health", country="MD"),
    )
    first, second = Partner.objects.get(pk=saved.pk), Partner.objects.get(pk=saved.pk)
    first.phone = "+373 1"
    services.partner_save(actor=sam, partner=first, version=first.version)
    second.phone = "+373 2"
    with pytest.raises(StaleEdit):
        services.partner_save(actor=sam, partner=second, version=second.version)
    assert Partner.objects.get(pk=saved.pk).phone == "+373 1"
