"""Cases: list, read, open, record details and move through the workflow; and what they hold.

Also the reintegration plan of a case (items, submission, review, deliveries), its
business plan, and the caseworker's and supervisor's dashboards. Every read goes
through the case selectors, every write through the case services; a record of a
case the caller may not see is answered 404 like one that never existed.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from retorno.accounts.access import can
from retorno.accounts.roles import Perm
from retorno.api.common import Conflict, api_actor, nulls_refused, office_checked, page, plain
from retorno.api.schemas import ConflictOut, ErrorOut
from retorno.api.schemas_cases import (
    BusinessPlanIn,
    BusinessPlanOut,
    CaseCreate,
    CaseListParams,
    CaseOut,
    CasePage,
    CaseUpdate,
    CaseworkerDashboardOut,
    CounsellingIn,
    CounsellingOut,
    DeliveryIn,
    DeliveryOut,
    DocumentOut,
    EventOut,
    MitigationIn,
    NoteIn,
    NoteOut,
    PlanItemIn,
    PlanOut,
    PlanReviewIn,
    PlanStartIn,
    RiskIn,
    RiskOut,
    SignOffIn,
    SupervisionOut,
    SupportSessionIn,
    SupportSessionOut,
    TaskIn,
    TaskOut,
    TransitionIn,
    VersionIn,
)
from retorno.cases import choices as cc
from retorno.cases import services, workflow
from retorno.cases.models import (
    BusinessPlan,
    Case,
    CaseDocument,
    CaseEvent,
    CaseNote,
    CaseTask,
    CounsellingSession,
    Delivery,
    Partner,
    PlanItem,
    Programme,
    ProtectionRisk,
    ReintegrationPlan,
    SupportSession,
)
from retorno.cases.selectors import (
    CaseFilters,
    case_get_for,
    case_list_for,
    case_part_get_for,
    case_with_details,
    caseworker_dashboard,
    notes_for,
    partners_for,
    plan_for,
    programmes_for,
    supervisor_dashboard,
)
from retorno.core.errors import NotFound, StaleEdit
from retorno.registry.selectors import person_get_for

router = Router(tags=["cases"])

WRITE_ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 409: ConflictOut, 422: ErrorOut}
READ_ERRORS: dict[int, Any] = {404: ErrorOut}


# --- Helpers ----------------------------------------------------------------------------


def _case(request: HttpRequest, case_id: int, *, audit: bool = False) -> Case:
    return case_get_for(actor=api_actor(request), case_id=case_id, audit=audit)


def _described(user: Any, case: Case) -> Case:
    """Load the case's details with the moves the user may make and what blocks them."""
    detailed = case_with_details(case)
    transitions = [
        {
            "target": t.target,
            "target_label": str(cc.Stage(t.target).label),
            "label": str(t.label),
            "needs_reason": t.needs_reason,
            "needs_outcome": t.needs_outcome,
            "outcomes": list(t.outcomes),
            "problems": [str(p) for p in t.problems(detailed)],
        }
        for t in services.allowed_transitions(user, detailed)
    ]
    forward = workflow.forward_transition(detailed.stage)
    detailed.api_transitions = transitions  # type: ignore[attr-defined]
    detailed.api_forward_target = forward.target if forward else None  # type: ignore[attr-defined]
    detailed.api_forward_problems = (  # type: ignore[attr-defined]
        [str(p) for p in forward.problems(detailed)] if forward else []
    )
    return detailed


def _user_checked(field: str, user_id: int | None) -> User | None:
    """Return the user an id names; the services check that they may work on the case."""
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise ValidationError({field: _("This person cannot work on the organisation's cases.")})
    return user


def _programme_checked(user: Any, programme_id: int | None) -> Programme | None:
    if programme_id is None:
        return None
    programme = programmes_for(user).filter(pk=programme_id).first()
    if programme is None:
        raise ValidationError({"programme": _("Unknown programme.")})
    return programme


def _partner_checked(user: Any, field: str, partner_id: int | None) -> Partner | None:
    if partner_id is None:
        return None
    partner = partners_for(user).filter(pk=partner_id).first()
    if partner is None:
        raise ValidationError({field: _("Unknown service provider.")})
    return partner


def _case_fields(user: Any, data: dict[str, Any], organisation_id: int) -> dict[str, Any]:
    """Turn request data into case service arguments, resolving and checking references."""
    fields = {name: plain(value) for name, value in data.items()}
    for name in ("host_country", "origin_country", "return_region"):
        if name in fields:
            fields[name] = (fields[name] or "").strip().upper()
    if "assigned_to" in fields:
        fields["assigned_to"] = _user_checked("assigned_to", fields["assigned_to"])
    if "programme" in fields:
        fields["programme"] = _programme_checked(user, fields["programme"])
    if "office" in fields:
        fields["office"] = office_checked(user, fields["office"], organisation_id)
    return fields


def _plan_of(case: Case) -> ReintegrationPlan:
    plan = plan_for(case)
    if plan is None:
        raise NotFound()
    return plan


def _business_plan_of(case: Case) -> BusinessPlan:
    business_plan = (
        BusinessPlan.objects.filter(case=case)
        .select_related("case")
        .prefetch_related("sessions")
        .first()
    )
    if business_plan is None:
        raise NotFound()
    return business_plan


# --- Cases ------------------------------------------------------------------------------


@router.get("/cases", response=CasePage, summary="List cases")
def case_list(request: HttpRequest, params: Query[CaseListParams]) -> dict[str, Any]:
    """List the cases the caller may see, open ones unless asked, newest change first."""
    removal = {True: "yes", False: "no", None: ""}[params.removal_order]
    filters = CaseFilters(
        q=params.q,
        stage=plain(params.stage) or "",
        programme=params.programme,
        assigned=params.assigned,
        origin_country=params.origin_country,
        removal_order=removal,
        overdue=params.overdue,
        include_closed=params.include_closed,
    )
    qs = case_list_for(actor=api_actor(request), filters=filters)
    items, meta = page(qs, params.limit, params.offset)
    return {**meta, "items": items}


@router.get("/cases/{int:case_id}", response={200: CaseOut, **READ_ERRORS}, summary="Get a case")
def case_get(request: HttpRequest, case_id: int) -> Case:
    """Return a case with the moves the caller may make now and the checklist of the next step."""
    case = _case(request, case_id, audit=True)
    return _described(request.user, case)


@router.post("/cases", response={201: CaseOut, **WRITE_ERRORS}, summary="Open a case")
def case_add(request: HttpRequest, payload: CaseCreate) -> Status[Case]:
    """Open a case at intake for a person the caller may see, in that person's organisation."""
    actor = api_actor(request)
    try:
        person = person_get_for(actor=actor, person_id=payload.person, audit=False)
    except NotFound as exc:
        raise ValidationError({"person": _("Unknown person.")}) from exc
    fields = _case_fields(
        request.user, payload.model_dump(exclude={"person"}), person.organisation_id
    )
    case = services.case_open(
        actor=actor, organisation_id=person.organisation_id, person=person, **fields
    )
    return Status(201, _described(request.user, case))


@router.patch(
    "/cases/{int:case_id}", response={200: CaseOut, **WRITE_ERRORS}, summary="Change a case"
)
def case_change(request: HttpRequest, case_id: int, payload: CaseUpdate) -> Case:
    """Record the fields sent (a stage's form); 409 if the case changed since `version`."""
    actor = api_actor(request)
    case = _case(request, case_id)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    nulls_refused(Case, data)
    fields = _case_fields(request.user, data, case.organisation_id)
    try:
        case = services.case_update(actor=actor, case=case, version=version, **fields)
    except StaleEdit as exc:
        raise Conflict.about(case) from exc
    return _described(request.user, case)


@router.post(
    "/cases/{int:case_id}/transition",
    response={200: CaseOut, **WRITE_ERRORS},
    summary="Move a case to another stage",
)
def case_move(request: HttpRequest, case_id: int, payload: TransitionIn) -> Case:
    """Move the case if the workflow and the caller's role allow it and every check passes.

    The answer is 422 with what is still missing when a check fails, 403 when the
    caller's role may not make this move, and 409 when the case changed since `version`.
    """
    actor = api_actor(request)
    case = _case(request, case_id)
    try:
        case = services.case_transition(
            actor=actor,
            case=case,
            target=plain(payload.target),
            version=payload.version,
            reason=payload.reason,
            outcome=plain(payload.outcome),
        )
    except StaleEdit as exc:
        raise Conflict.about(case) from exc
    return _described(request.user, case)


@router.get(
    "/cases/{int:case_id}/timeline",
    response={200: list[EventOut], **READ_ERRORS},
    summary="A case's timeline",
)
def case_timeline(request: HttpRequest, case_id: int) -> QuerySet[CaseEvent]:
    """Who did what on the case and when, newest first."""
    case = _case(request, case_id, audit=True)
    return case.events.select_related("actor").order_by("-at", "-id")


# --- Counselling, risks, notes, tasks, documents -----------------------------------------


@router.get(
    "/cases/{int:case_id}/counselling",
    response={200: list[CounsellingOut], **READ_ERRORS},
    summary="Counselling sessions of a case",
)
def counselling_list(request: HttpRequest, case_id: int) -> QuerySet[CounsellingSession]:
    return _case(request, case_id, audit=True).sessions.all()


@router.post(
    "/cases/{int:case_id}/counselling",
    response={201: CounsellingOut, **WRITE_ERRORS},
    summary="Record a counselling session",
)
def counselling_add(
    request: HttpRequest, case_id: int, payload: CounsellingIn
) -> Status[CounsellingSession]:
    case = _case(request, case_id)
    fields = plain(payload.model_dump())
    session = services.counselling_add(actor=api_actor(request), case=case, **fields)
    return Status(201, session)


@router.get(
    "/cases/{int:case_id}/risks",
    response={200: list[RiskOut], **READ_ERRORS},
    summary="Protection risks of a case",
)
def risk_list(request: HttpRequest, case_id: int) -> QuerySet[ProtectionRisk]:
    return _case(request, case_id, audit=True).risks.all()


@router.post(
    "/cases/{int:case_id}/risks",
    response={201: RiskOut, **WRITE_ERRORS},
    summary="Record a protection risk at the place of return",
)
def risk_add(request: HttpRequest, case_id: int, payload: RiskIn) -> Status[ProtectionRisk]:
    case = _case(request, case_id)
    risk = services.risk_add(
        actor=api_actor(request),
        case=case,
        description=payload.description,
        level=plain(payload.level),
    )
    return Status(201, risk)


def _risk(request: HttpRequest, risk_id: int) -> ProtectionRisk:
    risk: ProtectionRisk = case_part_get_for(
        actor=api_actor(request), model=ProtectionRisk, part_id=risk_id
    )
    return risk


@router.post(
    "/risks/{int:risk_id}/mitigate",
    response={200: RiskOut, **WRITE_ERRORS},
    summary="Record how a risk was mitigated",
)
def risk_mitigate(request: HttpRequest, risk_id: int, payload: MitigationIn) -> ProtectionRisk:
    risk = _risk(request, risk_id)
    return services.risk_mitigate(
        actor=api_actor(request), risk=risk, mitigation=payload.mitigation
    )


@router.post(
    "/risks/{int:risk_id}/sign-off",
    response={200: RiskOut, **WRITE_ERRORS},
    summary="Sign off an open risk (supervisors)",
)
def risk_sign_off(request: HttpRequest, risk_id: int, payload: SignOffIn) -> ProtectionRisk:
    """A supervisor accepts an open risk with a reason; other roles are answered 403."""
    risk = _risk(request, risk_id)
    return services.risk_sign_off(actor=api_actor(request), risk=risk, reason=payload.reason)


@router.get(
    "/cases/{int:case_id}/notes",
    response={200: list[NoteOut], **READ_ERRORS},
    summary="Notes of a case",
)
def note_list(request: HttpRequest, case_id: int) -> QuerySet[CaseNote]:
    """The notes the caller may read: restricted ones only for the caseworker and supervisors."""
    case = _case(request, case_id, audit=True)
    return notes_for(request.user, case)


@router.post(
    "/cases/{int:case_id}/notes", response={201: NoteOut, **WRITE_ERRORS}, summary="Write a note"
)
def note_add(request: HttpRequest, case_id: int, payload: NoteIn) -> Status[CaseNote]:
    case = _case(request, case_id)
    note = services.note_add(
        actor=api_actor(request),
        case=case,
        text=payload.text,
        sensitivity=plain(payload.sensitivity),
    )
    return Status(201, note)


@router.get(
    "/cases/{int:case_id}/tasks",
    response={200: list[TaskOut], **READ_ERRORS},
    summary="Tasks of a case",
)
def task_list(request: HttpRequest, case_id: int) -> QuerySet[CaseTask]:
    return _case(request, case_id, audit=True).tasks.select_related("case")


@router.post(
    "/cases/{int:case_id}/tasks", response={201: TaskOut, **WRITE_ERRORS}, summary="Add a task"
)
def task_add(request: HttpRequest, case_id: int, payload: TaskIn) -> Status[CaseTask]:
    case = _case(request, case_id)
    task = services.task_add(
        actor=api_actor(request),
        case=case,
        title=payload.title,
        due_on=payload.due_on,
        assigned_to=_user_checked("assigned_to", payload.assigned_to),
    )
    return Status(201, task)


@router.post(
    "/tasks/{int:task_id}/complete",
    response={200: TaskOut, **WRITE_ERRORS},
    summary="Mark a task done",
)
def task_complete(request: HttpRequest, task_id: int) -> CaseTask:
    """Mark the task done; 409 if it was done already."""
    actor = api_actor(request)
    task: CaseTask = case_part_get_for(actor=actor, model=CaseTask, part_id=task_id)
    return services.task_complete(actor=actor, task=task)


@router.get(
    "/cases/{int:case_id}/documents",
    response={200: list[DocumentOut], **READ_ERRORS},
    summary="Documents of a case",
)
def document_list(request: HttpRequest, case_id: int) -> QuerySet[CaseDocument]:
    """What is attached to the case (the files themselves come from the download endpoint)."""
    return _case(request, case_id, audit=True).documents.all()


@router.post(
    "/cases/{int:case_id}/documents",
    response={201: DocumentOut, **WRITE_ERRORS},
    summary="Attach a document (multipart)",
)
def document_add(
    request: HttpRequest,
    case_id: int,
    kind: Form[cc.DocumentKind],
    file: File[UploadedFile],
) -> Status[CaseDocument]:
    """Attach a PDF, JPEG or PNG file of at most 10 MB; its content must match its name."""
    case = _case(request, case_id)
    document = services.document_upload(
        actor=api_actor(request), case=case, kind=plain(kind), uploaded_file=file
    )
    return Status(201, document)


@router.get(
    "/documents/{int:document_id}/download",
    response={200: None, **READ_ERRORS},
    summary="Download a document",
)
def document_download(request: HttpRequest, document_id: int) -> FileResponse:
    """Send the file to a caller who may see its case; the download is audited."""
    document: CaseDocument = case_part_get_for(
        actor=api_actor(request), model=CaseDocument, part_id=document_id, audit=True
    )
    path = Path(settings.MEDIA_ROOT) / document.stored_path
    if not path.is_file():
        raise NotFound()
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=document.file_name,
        content_type=document.content_type,
    )


# --- Reintegration plan -----------------------------------------------------------------


@router.get(
    "/cases/{int:case_id}/plan",
    response={200: PlanOut, **READ_ERRORS},
    summary="A case's reintegration plan",
)
def plan_get(request: HttpRequest, case_id: int) -> ReintegrationPlan:
    """The plan, its items and deliveries, and its budget: planned, paid and remaining."""
    return _plan_of(_case(request, case_id, audit=True))


@router.post(
    "/cases/{int:case_id}/plan",
    response={201: PlanOut, **WRITE_ERRORS},
    summary="Start the reintegration plan",
)
def plan_start(
    request: HttpRequest, case_id: int, payload: PlanStartIn
) -> Status[ReintegrationPlan]:
    """Start the plan (in the programme's currency unless another is given)."""
    case = _case(request, case_id)
    services.plan_start(
        actor=api_actor(request), case=case, summary=payload.summary, currency=payload.currency
    )
    return Status(201, _plan_of(case))


@router.post(
    "/cases/{int:case_id}/plan/items",
    response={201: PlanOut, **WRITE_ERRORS},
    summary="Add an item to the plan",
)
def plan_item_add(
    request: HttpRequest, case_id: int, payload: PlanItemIn
) -> Status[ReintegrationPlan]:
    """Add an item within the programme's ceilings; `version` is the plan's."""
    case = _case(request, case_id)
    plan = _plan_of(case)
    fields = plain(payload.model_dump(exclude={"version", "partner"}))
    partner = _partner_checked(request.user, "partner", payload.partner)
    try:
        services.plan_item_add(
            actor=api_actor(request), plan=plan, version=payload.version, partner=partner, **fields
        )
    except StaleEdit as exc:
        raise Conflict.about(plan) from exc
    return Status(201, _plan_of(case))


@router.delete(
    "/plan-items/{int:item_id}",
    response={200: PlanOut, **WRITE_ERRORS},
    summary="Remove an item from the plan",
)
def plan_item_remove(request: HttpRequest, item_id: int, version: int) -> ReintegrationPlan:
    """Remove an item of a plan being drafted; `version` (a query parameter) is the plan's."""
    actor = api_actor(request)
    item: PlanItem = case_part_get_for(
        actor=actor, model=PlanItem, part_id=item_id, case_path="plan__case"
    )
    try:
        services.plan_item_remove(actor=actor, item=item, version=version)
    except StaleEdit as exc:
        raise Conflict.about(item.plan) from exc
    return _plan_of(item.plan.case)


@router.post(
    "/cases/{int:case_id}/plan/submit",
    response={200: PlanOut, **WRITE_ERRORS},
    summary="Submit the plan for approval",
)
def plan_submit(request: HttpRequest, case_id: int, payload: VersionIn) -> ReintegrationPlan:
    case = _case(request, case_id)
    plan = _plan_of(case)
    try:
        services.plan_submit(actor=api_actor(request), plan=plan, version=payload.version)
    except StaleEdit as exc:
        raise Conflict.about(plan) from exc
    return _plan_of(case)


@router.post(
    "/cases/{int:case_id}/plan/review",
    response={200: PlanOut, **WRITE_ERRORS},
    summary="Approve the plan, or return it with a comment",
)
def plan_review(request: HttpRequest, case_id: int, payload: PlanReviewIn) -> ReintegrationPlan:
    """Approve or return a submitted plan; a large plan needs somebody other than its author."""
    case = _case(request, case_id)
    plan = _plan_of(case)
    try:
        services.plan_review(
            actor=api_actor(request),
            plan=plan,
            version=payload.version,
            approve=payload.approve,
            comment=payload.comment,
        )
    except StaleEdit as exc:
        raise Conflict.about(plan) from exc
    return _plan_of(case)


@router.post(
    "/plan-items/{int:item_id}/deliveries",
    response={201: DeliveryOut, **WRITE_ERRORS},
    summary="Record assistance delivered",
)
def delivery_add(request: HttpRequest, item_id: int, payload: DeliveryIn) -> Status[Delivery]:
    """Record a delivery under an approved plan.

    `amount` and `exchange_rate` are decimal strings; a payment in another currency
    than the plan's needs the rate of the day (units of the plan's currency per unit paid).
    """
    actor = api_actor(request)
    item: PlanItem = case_part_get_for(
        actor=actor, model=PlanItem, part_id=item_id, case_path="plan__case"
    )
    proof = None
    if payload.proof is not None:
        proof = CaseDocument.objects.filter(pk=payload.proof, case_id=item.plan.case_id).first()
        if proof is None:
            raise ValidationError({"proof": _("The proof must be a document of this case.")})
    delivery = services.delivery_record(
        actor=actor,
        item=item,
        method=plain(payload.method),
        delivered_on=payload.delivered_on,
        amount=payload.amount,
        currency=payload.currency,
        exchange_rate=payload.exchange_rate,
        proof=proof,
        note=payload.note,
    )
    return Status(201, delivery)


# --- Business plan ----------------------------------------------------------------------


@router.get(
    "/cases/{int:case_id}/business-plan",
    response={200: BusinessPlanOut, **READ_ERRORS},
    summary="A case's business plan",
)
def business_plan_get(request: HttpRequest, case_id: int) -> BusinessPlan:
    return _business_plan_of(_case(request, case_id, audit=True))


@router.put(
    "/cases/{int:case_id}/business-plan",
    response={200: BusinessPlanOut, **WRITE_ERRORS},
    summary="Write the business plan",
)
def business_plan_put(request: HttpRequest, case_id: int, payload: BusinessPlanIn) -> BusinessPlan:
    """Create the business plan, or replace it (then `version` is needed; 409 if stale)."""
    case = _case(request, case_id)
    fields = plain(payload.model_dump(exclude={"version", "credit_partner"}))
    fields["credit_partner"] = _partner_checked(
        request.user, "credit_partner", payload.credit_partner
    )
    try:
        services.business_plan_save(
            actor=api_actor(request), case=case, version=payload.version, **fields
        )
    except StaleEdit as exc:
        existing = BusinessPlan.objects.filter(case=case).first()
        raise (Conflict.about(existing) if existing else Conflict(None)) from exc
    return _business_plan_of(case)


@router.post(
    "/cases/{int:case_id}/business-plan/sessions",
    response={201: SupportSessionOut, **WRITE_ERRORS},
    summary="Record a technical-support session",
)
def support_session_add(
    request: HttpRequest, case_id: int, payload: SupportSessionIn
) -> Status[SupportSession]:
    case = _case(request, case_id)
    business_plan = _business_plan_of(case)
    session = services.support_session_add(
        actor=api_actor(request), business_plan=business_plan, **plain(payload.model_dump())
    )
    return Status(201, session)


# --- Dashboards -------------------------------------------------------------------------


@router.get("/me/cases-dashboard", response=CaseworkerDashboardOut, summary="My cases")
def my_dashboard(request: HttpRequest) -> dict[str, Any]:
    """My open cases by stage, my overdue tasks and my follow-ups of the next 30 days."""
    board = caseworker_dashboard(request.user, api_actor(request))
    return {
        **board,
        "by_stage": [
            {"stage": stage, "stage_label": str(cc.Stage(stage).label), "count": count}
            for stage, count in board["by_stage"]
        ],
    }


@router.get("/supervision", response={200: SupervisionOut, 403: ErrorOut}, summary="Supervision")
def supervision(request: HttpRequest) -> dict[str, Any]:
    """Caseload by worker, risks waiting for a sign-off, plans waiting for approval."""
    if not can(request.user, Perm.VIEW_SUPERVISION):
        raise PermissionDenied(Perm.VIEW_SUPERVISION)
    board = supervisor_dashboard(request.user, api_actor(request))
    return {
        "caseload": [
            {
                "assigned_to": row["assigned_to_id"],
                "username": row["assigned_to__username"] or "",
                "total": row["total"],
            }
            for row in board["caseload"]
        ],
        "waiting_sign_off": board["waiting_sign_off"],
        "plans": [
            {
                "id": plan.pk,
                "case": plan.case_id,
                "case_reference": plan.case.reference,
                "person_name": plan.case.person.full_name,
                "currency": plan.currency,
                "total": services.plan_total(plan),
                "drafted_by": plan.drafted_by_id,
                "submitted_at": plan.submitted_at,
                "version": plan.version,
            }
            for plan in board["plans"]
        ],
    }
