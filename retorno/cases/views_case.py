"""Case pages: dashboards, the case list, opening a case and the case page with its forms.

Thin views: they parse, call a selector or a service, and render. Every write goes
through ``retorno.cases.services``; every read through ``retorno.cases.selectors``.
"""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Page, Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from retorno.accounts.access import can, orgs_with, require
from retorno.accounts.roles import Perm
from retorno.cases import choices as c
from retorno.cases import selectors, services, workflow
from retorno.cases.forms import (
    AssignForm,
    CaseDetailsForm,
    CaseOpenForm,
    CaseStageForm,
    CounsellingForm,
    DocumentForm,
    MitigateForm,
    NoteForm,
    RiskForm,
    SignOffForm,
    TaskForm,
    TransitionForm,
)
from retorno.cases.models import Case, CaseTask, ProtectionRisk
from retorno.core import geo
from retorno.core.audit import Actor, actor_from_request
from retorno.core.errors import StaleEdit
from retorno.core.web import apply_errors, not_found_as_404
from retorno.registry import selectors as registry_selectors

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50

# What each workflow check looks for, said positively: the ticked line of the checklist.
CHECK_LABELS: dict[str, Any] = {
    "counselled": gettext_lazy("Counselling recorded, covering rights, options and consequences."),
    "decided": gettext_lazy("The person's decision is recorded."),
    "screened": gettext_lazy("Vulnerability assessment completed."),
    "no_open_risk": gettext_lazy("No protection risk left open."),
    "ready_to_travel": gettext_lazy(
        "Travel document, fit-to-travel check, itinerary and information pack ready."
    ),
    "arrival_recorded": gettext_lazy("Arrival date recorded, and whether the person was met."),
    "plan_approved": gettext_lazy("Reintegration plan approved."),
    "something_delivered": gettext_lazy("At least one delivery of assistance recorded."),
}

# The heading of each stage's form on the case page.
STAGE_FORM_TITLES: dict[str, Any] = {
    c.Stage.DECISION: gettext_lazy("The person's decision"),
    c.Stage.SCREENING: gettext_lazy("Screening and vulnerability assessment"),
    c.Stage.PRE_DEPARTURE: gettext_lazy("Preparing the departure"),
    c.Stage.DEPARTED: gettext_lazy("Arrival"),
    c.Stage.ARRIVED: gettext_lazy("Arrival"),
}


def _back(case: Case, anchor: str = "") -> HttpResponse:
    url = reverse("cases:detail", args=[case.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


# Dashboards and the list -----------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_CASE)
    data = selectors.caseworker_dashboard(request.user, actor_from_request(request))
    return render(
        request,
        "cases/dashboard.html",
        {
            **data,
            "choices": c,
            "can_supervise": can(request.user, Perm.VIEW_SUPERVISION),
            "can_open": can(request.user, Perm.CREATE_CASE),
        },
    )


@login_required
@require_GET
def supervision(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_SUPERVISION)
    data = selectors.supervisor_dashboard(request.user, actor_from_request(request))
    return render(request, "cases/supervision.html", {**data, "choices": c})


def _filters_from(params: Any) -> selectors.CaseFilters:
    stage = params.get("stage", "")
    assigned = params.get("assigned", "")
    removal = params.get("removal_order", "")
    programme = params.get("programme", "")
    country = params.get("origin_country", "").upper()
    return selectors.CaseFilters(
        q=params.get("q", "").strip()[:100],
        stage=stage if stage in c.Stage.values else "",
        programme=int(programme) if programme.isdigit() else None,
        assigned=assigned if assigned in ("me", "none") or assigned.isdigit() else "",
        origin_country=country if geo.is_country(country) else "",
        removal_order=removal if removal in ("yes", "no") else "",
        overdue=params.get("overdue") == "1",
        include_closed=params.get("include_closed") == "1",
    )


def _page(request: HttpRequest, qs: Any) -> tuple[Page, int, bool, int]:
    """Slice the list without counting past a cap: two queries whatever the page size."""
    raw = str(request.GET.get("size", ""))
    size = int(raw) if raw.isdigit() and int(raw) in PAGE_SIZES else DEFAULT_PAGE_SIZE
    total, more = registry_selectors.count_capped(qs)
    paginator = Paginator(qs, size, allow_empty_first_page=True)
    paginator.count = total  # the capped count: no COUNT(*) over everything
    return paginator.get_page(request.GET.get("page")), total, more, size


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_CASE)
    filters = _filters_from(request.GET)
    qs = selectors.case_list_for(actor=actor_from_request(request), filters=filters)
    page, total, more, size = _page(request, qs)
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "total": total,
            "more": more,
            "filters": filters,
            "filtered": any(
                (
                    filters.q,
                    filters.stage,
                    filters.programme,
                    filters.assigned,
                    filters.origin_country,
                    filters.removal_order,
                    filters.overdue,
                    filters.include_closed,
                )
            ),
            "size": size,
            "sizes": PAGE_SIZES,
            "choices": c,
            "stages": [(s, c.Stage(s).label) for s in workflow.ORDER],
            "programmes": selectors.programmes_for(request.user).filter(
                organisation_id__in=orgs_with(request.user, Perm.VIEW_CASE)
            ),
            "countries": geo.country_choices(),
        },
    )


# Opening a case ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def case_open(request: HttpRequest) -> HttpResponse:
    person_id = request.GET.get("person", "")
    if not person_id:
        messages.info(request, _("Open a case from the page of the person it concerns."))
        return redirect("registry:person_list")
    actor = actor_from_request(request)
    person = registry_selectors.person_get_for(
        actor=actor, person_id=person_id, audit=request.method == "GET"
    )
    organisation_id = person.organisation_id
    require(request.user, Perm.CREATE_CASE, organisation_id)
    programmes = selectors.programmes_for(request.user).filter(
        organisation_id=organisation_id, is_active=True
    )
    caseworkers = selectors.caseworkers_for(request.user, organisation_id)
    language = (get_language() or "en").split("-")[0]
    initial: dict[str, Any] = {
        "host_country": person.organisation.country,
        "origin_country": person.nationalities[0] if person.nationalities else "",
        "language": language if language in dict(settings.LANGUAGES) else "en",
        "assigned_to": request.user.pk if caseworkers.filter(pk=request.user.pk).exists() else None,
    }
    programme_list = list(programmes)
    if len(programme_list) == 1:
        initial["programme"] = programme_list[0].pk
    form = CaseOpenForm(
        request.POST or None, initial=initial, programmes=programmes, caseworkers=caseworkers
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            case = services.case_open(
                actor=actor,
                organisation_id=organisation_id,
                person=person,
                assigned_to=data.pop("assigned_to"),
                **data,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Case %(reference)s has been opened for %(name)s.")
                % {"reference": case.reference, "name": person.full_name},
            )
            return redirect("cases:detail", case_id=case.pk)
    return render(
        request,
        "cases/case_open.html",
        {
            "form": form,
            "person_record": person,
            "open_cases": selectors.case_queryset_for(request.user).filter(
                person=person, stage__in=c.OPEN_STAGES
            ),
            "eligibility": [
                (programme, selectors.eligibility(programme, person))
                for programme in programme_list
            ],
        },
    )


# The case page ------------------------------------------------------------------------------


def _yes_no(value: Any) -> str:
    if value is None:
        return _("not recorded")
    return _("yes") if value else _("no")


def _display(case: Case, name: str) -> str:
    """The current value of a case field, as the page shows it next to a stale edit."""
    value = getattr(case, name)
    lists = {"vulnerabilities": c.CaseVulnerability, "immediate_needs": c.ImmediateNeed}
    if name in lists:
        labels = dict(lists[name].choices)
        return ", ".join(str(labels.get(v, v)) for v in value) or "—"
    if isinstance(value, bool) or name == "met_on_arrival":
        return _yes_no(value)
    if hasattr(case, f"get_{name}_display"):
        return str(getattr(case, f"get_{name}_display")()) or "—"
    if hasattr(value, "isoformat"):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value) if value not in (None, "") else "—"


def _checklist(case: Case) -> list[dict[str, Any]]:
    """The next forward transition's checks, one ticked or unticked line each."""
    forward = workflow.forward_transition(case.stage)
    lines: list[dict[str, Any]] = []
    if forward is None:
        return lines
    for check in forward.checks:
        problems = check(case)
        if problems:
            lines.extend({"ok": False, "text": str(p)} for p in problems)
        else:
            label = CHECK_LABELS.get(getattr(check, "__name__", ""), gettext_lazy("Done."))
            lines.append({"ok": True, "text": str(label)})
    return lines


def _events(case: Case) -> list[Any]:
    """The timeline, each "details recorded" line saying which facts changed."""
    events = selectors.case_events(case)
    for event in events:
        names = []
        for name in (event.data or {}).get("fields", []):
            try:
                field = Case._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            names.append(str(getattr(field, "verbose_name", name)))
        event.changed = names  # type: ignore[attr-defined]
    return events


def _render_case(
    request: HttpRequest,
    case: Case,
    *,
    bound: dict[str, forms.Form] | None = None,
    transition: dict[str, Any] | None = None,
    stale: bool = False,
    status: int = 200,
) -> HttpResponse:
    """The case page, with the forms; ``bound`` replaces some by the user's submitted ones."""
    bound = bound or {}
    user = request.user
    case = selectors.case_with_details(case)
    organisation_id = case.organisation_id
    can_change = case.is_open and can(user, Perm.CHANGE_CASE, organisation_id)
    can_sign_off = case.is_open and can(user, Perm.SIGN_OFF_RISK, organisation_id)
    forward = workflow.forward_transition(case.stage)

    transitions = []
    for t in services.allowed_transitions(user, case):
        entry: dict[str, Any] = {
            "target": t.target,
            "label": t.label,
            "needs_reason": t.needs_reason,
            "needs_outcome": t.needs_outcome,
            "outcomes": [(o, c.Outcome(o).label) for o in t.outcomes],
            "forward": forward is not None and t.target == forward.target,
            "ends": t.target in (c.Stage.CLOSED, c.Stage.WITHDRAWN),
            "reason": "",
            "outcome": "",
            "errors": [],
        }
        if transition and transition.get("target") == t.target:
            entry.update(transition)
        transitions.append(entry)

    field_names = workflow.STAGE_FIELDS.get(case.stage, ())
    stage_form = bound.get("stage")
    if field_names and stage_form is None:
        stage_form = CaseStageForm(
            initial=CaseStageForm.initial_from(case, field_names), field_names=field_names
        )
    stage_rows = (
        [
            (stage_form[name], _display(case, name) if stale and "stage" in bound else None)
            for name in field_names
        ]
        if stage_form is not None
        else []
    )
    programmes = selectors.programmes_for(user).filter(organisation_id=organisation_id)
    caseworkers = selectors.caseworkers_for(user, organisation_id)
    risks = list(case.risks.all())
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "choices": c,
            "stale": stale,
            "can_change": can_change,
            "can_sign_off": can_sign_off,
            "forward": forward,
            "checklist": _checklist(case) if case.is_open else [],
            "transitions": transitions,
            "transition_errors": (transition or {}).get("errors", []),
            # Errors of a form the page no longer shows (the case was closed meanwhile).
            "orphan_errors": []
            if can_change
            else [str(e) for form in bound.values() for e in form.non_field_errors()],
            "stage_form": stage_form,
            "stage_form_title": STAGE_FORM_TITLES.get(case.stage) or c.Stage(case.stage).label,
            "stage_rows": stage_rows,
            "details_form": bound.get("details")
            or CaseDetailsForm(initial=CaseDetailsForm.initial_from(case), programmes=programmes),
            "assign_form": bound.get("assign")
            or AssignForm(
                initial={"assigned_to": case.assigned_to_id, "version": case.version},
                caseworkers=caseworkers,
            ),
            "counselling_form": bound.get("counselling")
            or CounsellingForm(initial={"held_on": timezone.localdate()}),
            "risk_form": bound.get("risk") or RiskForm(),
            "risks": [
                {
                    "risk": risk,
                    "mitigate_form": bound.get(f"mitigate-{risk.pk}")
                    or MitigateForm(prefix=f"mitigate-{risk.pk}"),
                    "sign_off_form": bound.get(f"sign-off-{risk.pk}")
                    or SignOffForm(prefix=f"sign-off-{risk.pk}"),
                }
                for risk in risks
            ],
            "note_form": bound.get("note") or NoteForm(),
            "notes": selectors.notes_for(user, case),
            "task_form": bound.get("task") or TaskForm(),
            "tasks": list(case.tasks.all()),
            "document_form": bound.get("document") or DocumentForm(),
            "documents": list(case.documents.all()),
            "referrals": list(case.referrals.all()),
            "sessions": list(case.sessions.all()),
            "events": _events(case),
            "stage_order": [(s, c.Stage(s).label) for s in workflow.ORDER[:10]],
            "stage_index": workflow.ORDER.index(c.Stage(case.stage)),
        },
        status=status,
    )


@login_required
@require_GET
@not_found_as_404
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get_for(actor=actor_from_request(request), case_id=case_id)
    return _render_case(request, case)


def _case_for_post(request: HttpRequest, case_id: int) -> tuple[Actor, Case]:
    actor = actor_from_request(request)
    return actor, selectors.case_get_for(actor=actor, case_id=case_id, audit=False)


@login_required
@require_POST
@not_found_as_404
def transition(request: HttpRequest, case_id: int) -> HttpResponse:
    actor, case = _case_for_post(request, case_id)
    form = TransitionForm(request.POST)
    entered = {
        "target": request.POST.get("target", ""),
        "reason": request.POST.get("reason", ""),
        "outcome": request.POST.get("outcome", ""),
    }
    if not form.is_valid():
        return _render_case(request, case, transition={**entered, "errors": [_("Choose a stage.")]})
    data = form.cleaned_data
    try:
        services.case_transition(
            actor=actor,
            case=case,
            target=data["target"],
            version=data["version"],
            reason=data["reason"],
            outcome=data["outcome"],
        )
    except StaleEdit:
        return _render_case(request, case, transition={**entered, "errors": []}, stale=True)
    except ValidationError as error:
        return _render_case(request, case, transition={**entered, "errors": error.messages})
    messages.success(
        request,
        _("The case is now at the stage: %(stage)s.") % {"stage": c.Stage(case.stage).label},
    )
    return _back(case)


@login_required
@require_POST
@not_found_as_404
def update(request: HttpRequest, case_id: int) -> HttpResponse:
    """Save the current stage's form, or (``part=details``) the facts of the case."""
    actor, case = _case_for_post(request, case_id)
    form: CaseDetailsForm | CaseStageForm
    if request.POST.get("part") == "details":
        key = "details"
        form = CaseDetailsForm(
            request.POST,
            programmes=selectors.programmes_for(request.user).filter(
                organisation_id=case.organisation_id
            ),
        )
    else:
        key = "stage"
        form = CaseStageForm(request.POST, field_names=workflow.STAGE_FIELDS.get(case.stage, ()))
    if not form.is_valid():
        return _render_case(request, case, bound={key: form})
    if key == "stage" and form.cleaned_data["stage"] != case.stage:
        # The case moved on since the page was opened: its form is another one now.
        return _render_case(request, case, stale=True)
    try:
        services.case_update(
            actor=actor, case=case, version=form.cleaned_data["version"], **form.service_fields()
        )
    except StaleEdit:
        return _render_case(request, case, bound={key: form}, stale=True)
    except ValidationError as error:
        apply_errors(form, error)
        return _render_case(request, case, bound={key: form})
    messages.success(request, _("The changes have been saved."))
    return _back(case, key)


@login_required
@require_POST
@not_found_as_404
def assign(request: HttpRequest, case_id: int) -> HttpResponse:
    actor, case = _case_for_post(request, case_id)
    form = AssignForm(
        request.POST, caseworkers=selectors.caseworkers_for(request.user, case.organisation_id)
    )
    if form.is_valid():
        try:
            services.case_update(
                actor=actor,
                case=case,
                version=form.cleaned_data["version"],
                assigned_to=form.cleaned_data["assigned_to"],
            )
        except StaleEdit:
            return _render_case(request, case, bound={"assign": form}, stale=True)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            who = form.cleaned_data["assigned_to"]
            messages.success(
                request,
                _("The case is now assigned to %(name)s.")
                % {"name": who.get_full_name() or who.get_username()}
                if who
                else _("The case is now assigned to nobody."),
            )
            return _back(case)
    return _render_case(request, case, bound={"assign": form})


def _post_form(
    request: HttpRequest,
    case_id: int,
    form_class: type[forms.Form],
    key: str,
    write: Callable[[Actor, Case, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    """The shape of every "add" on the case page: parse, write, go back or show the errors."""
    actor, case = _case_for_post(request, case_id)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            write(actor, case, form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, done)
            return _back(case, key)
    return _render_case(request, case, bound={key: form})


@login_required
@require_POST
@not_found_as_404
def counselling_add(request: HttpRequest, case_id: int) -> HttpResponse:
    return _post_form(
        request,
        case_id,
        CounsellingForm,
        "counselling",
        lambda actor, case, data: services.counselling_add(actor=actor, case=case, **data),
        _("The counselling session has been recorded."),
    )


@login_required
@require_POST
@not_found_as_404
def risk_add(request: HttpRequest, case_id: int) -> HttpResponse:
    return _post_form(
        request,
        case_id,
        RiskForm,
        "risk",
        lambda actor, case, data: services.risk_add(actor=actor, case=case, **data),
        _("The protection risk has been recorded."),
    )


@login_required
@require_POST
@not_found_as_404
def note_add(request: HttpRequest, case_id: int) -> HttpResponse:
    return _post_form(
        request,
        case_id,
        NoteForm,
        "note",
        lambda actor, case, data: services.note_add(actor=actor, case=case, **data),
        _("The note has been added."),
    )


@login_required
@require_POST
@not_found_as_404
def task_add(request: HttpRequest, case_id: int) -> HttpResponse:
    return _post_form(
        request,
        case_id,
        TaskForm,
        "task",
        lambda actor, case, data: services.task_add(actor=actor, case=case, **data),
        _("The task has been added."),
    )


@login_required
@require_POST
@not_found_as_404
def document_upload(request: HttpRequest, case_id: int) -> HttpResponse:
    return _post_form(
        request,
        case_id,
        DocumentForm,
        "document",
        lambda actor, case, data: services.document_upload(
            actor=actor, case=case, kind=data["kind"], uploaded_file=data["file"]
        ),
        _("The document has been attached."),
    )


def _risk_action(
    request: HttpRequest,
    risk_id: int,
    form_class: type[forms.Form],
    prefix: str,
    write: Callable[[Actor, ProtectionRisk, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    actor = actor_from_request(request)
    risk: ProtectionRisk = selectors.case_part_get_for(
        actor=actor, model=ProtectionRisk, part_id=risk_id
    )
    key = f"{prefix}-{risk.pk}"
    form = form_class(request.POST, prefix=key)
    if form.is_valid():
        try:
            write(actor, risk, form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, done)
            return _back(risk.case, "risks")
    return _render_case(request, risk.case, bound={key: form})


@login_required
@require_POST
@not_found_as_404
def risk_mitigate(request: HttpRequest, risk_id: int) -> HttpResponse:
    return _risk_action(
        request,
        risk_id,
        MitigateForm,
        "mitigate",
        lambda actor, risk, data: services.risk_mitigate(
            actor=actor, risk=risk, mitigation=data["mitigation"]
        ),
        _("The risk is recorded as mitigated."),
    )


@login_required
@require_POST
@not_found_as_404
def risk_sign_off(request: HttpRequest, risk_id: int) -> HttpResponse:
    return _risk_action(
        request,
        risk_id,
        SignOffForm,
        "sign-off",
        lambda actor, risk, data: services.risk_sign_off(
            actor=actor, risk=risk, reason=data["reason"]
        ),
        _("The risk has been signed off."),
    )


@login_required
@require_POST
@not_found_as_404
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    task: CaseTask = selectors.case_part_get_for(actor=actor, model=CaseTask, part_id=task_id)
    try:
        services.task_complete(actor=actor, task=task)
    except StaleEdit:
        messages.info(request, _("This task had already been marked as done."))
    else:
        messages.success(request, _("The task is marked as done."))
    return _back(task.case, "tasks")


@login_required
@require_GET
@not_found_as_404
def document(request: HttpRequest, document_id: int) -> FileResponse:
    """Send a case document, after checking the case may be seen; the read is audited."""
    record = selectors.document_get_for(actor=actor_from_request(request), document_id=document_id)
    root = Path(settings.MEDIA_ROOT).resolve()
    stored = (root / record.stored_path).resolve()
    if not stored.is_relative_to(root) or not stored.is_file():
        raise Http404
    response = FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=record.file_name,
        content_type=record.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("", dashboard, name="dashboard"),
    path("supervision/", supervision, name="supervision"),
    path("all/", case_list, name="list"),
    path("new/", case_open, name="open"),
    path("<int:case_id>/", case_detail, name="detail"),
    path("<int:case_id>/transition/", transition, name="transition"),
    path("<int:case_id>/update/", update, name="update"),
    path("<int:case_id>/assign/", assign, name="assign"),
    path("<int:case_id>/counselling/", counselling_add, name="counselling_add"),
    path("<int:case_id>/risks/", risk_add, name="risk_add"),
    path("<int:case_id>/notes/", note_add, name="note_add"),
    path("<int:case_id>/tasks/", task_add, name="task_add"),
    path("<int:case_id>/documents/", document_upload, name="document_upload"),
    path("risks/<int:risk_id>/mitigate/", risk_mitigate, name="risk_mitigate"),
    path("risks/<int:risk_id>/sign-off/", risk_sign_off, name="risk_sign_off"),
    path("tasks/<int:task_id>/done/", task_done, name="task_done"),
    path("documents/<int:document_id>/", document, name="document"),
]
