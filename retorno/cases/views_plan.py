"""Reintegration plan and business plan pages: thin views that parse, call a service, render.

Every change carries the version of the plan it was made on; if somebody else changed
the plan meanwhile, nothing is saved, the user's entries stay in the form and the page
shows the plan as it is now.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from retorno.accounts.access import can
from retorno.accounts.roles import Perm
from retorno.cases import choices as c
from retorno.cases import selectors, services
from retorno.cases.forms_plan import (
    BusinessPlanForm,
    DeliveryForm,
    PlanItemForm,
    PlanReviewForm,
    PlanStartForm,
    SupportSessionForm,
    version_from,
)
from retorno.cases.models import Case, PlanItem, ReintegrationPlan
from retorno.core.audit import actor_from_request
from retorno.core.errors import StaleEdit
from retorno.core.web import apply_errors, not_found_as_404

EDITABLE_PLAN = (c.PlanStatus.DRAFT, c.PlanStatus.RETURNED)


def _case(request: HttpRequest, case_id: int, perm: Perm = Perm.VIEW_CASE) -> Case:
    """The case for a change (not audited as a view: the change itself is audited)."""
    return selectors.case_get_for(
        actor=actor_from_request(request), case_id=case_id, perm=perm, audit=False
    )


def _plan_or_back(request: HttpRequest, case: Case) -> ReintegrationPlan | None:
    plan = selectors.plan_for(case)
    if plan is None:
        messages.error(request, _("This case has no reintegration plan yet."))
    return plan


# The reintegration plan -----------------------------------------------------------------


def _delivery_form(item: PlanItem, plan: ReintegrationPlan, case: Case, data: Any = None) -> Any:
    return DeliveryForm(
        data,
        initial={"delivered_on": timezone.localdate(), "currency": plan.currency},
        documents=case.documents.order_by("-uploaded_at", "-id"),
        plan_currency=plan.currency,
        auto_id=f"id_d{item.pk}_%s",
    )


def _render_plan(
    request: HttpRequest,
    case: Case,
    *,
    start_form: Any = None,
    item_form: Any = None,
    review_form: Any = None,
    delivery_form: Any = None,
    delivery_item: int | None = None,
    problems: list[str] | None = None,
    stale: bool = False,
) -> HttpResponse:
    user = request.user
    org = case.organisation_id
    plan = selectors.plan_for(case)
    offers = selectors.assistance_offered(case)
    programme_currency = case.programme.currency if case.programme else ""
    context: dict[str, Any] = {
        "case": case,
        "plan": plan,
        "offers": offers,
        "programme_currency": programme_currency,
        "problems": problems or [],
        "stale": stale,
        "stale_message": StaleEdit.message,
        "can_draft": case.is_open and can(user, Perm.DRAFT_PLAN, org),
    }
    if plan is None:
        context["start_form"] = start_form or PlanStartForm(
            initial={"currency": "EUR"}, fixed_currency=programme_currency
        )
        return render(request, "cases/plan.html", context)
    editable = plan.status in EDITABLE_PLAN
    can_approve = can(user, Perm.APPROVE_PLAN, org)
    needs_second = services.needs_second_person(plan)
    can_deliver = (
        case.is_open
        and plan.status == c.PlanStatus.APPROVED
        and can(user, Perm.RECORD_DELIVERY, org)
    )
    if delivery_form is not None and not can_deliver:
        # The form is not shown any more (the plan is not approved): say why nothing was saved.
        context["problems"] = [*context["problems"], *delivery_form.non_field_errors()]
    groups = []
    for dimension, label in c.PlanDimension.choices:
        rows = []
        for item in plan.items.all():
            if item.dimension != dimension:
                continue
            form = None
            if can_deliver:
                form = (
                    delivery_form
                    if delivery_item == item.pk and delivery_form is not None
                    else _delivery_form(item, plan, case)
                )
            rows.append(
                {
                    "item": item,
                    "offer": offers.get(item.kind),
                    "deliveries": [
                        # The rate as recorded, without the trailing zeros of its storage.
                        (d, d.exchange_rate.normalize() if d.exchange_rate is not None else None)
                        for d in item.deliveries.all()
                    ],
                    "delivery_form": form,
                }
            )
        groups.append({"dimension": dimension, "label": label, "rows": rows})
    context.update(
        {
            "groups": groups,
            "budget": selectors.plan_budget(plan),
            "editable": editable,
            "threshold": case.programme.approval_threshold if case.programme else None,
            "needs_second": needs_second,
            "can_review": can_approve and plan.status == c.PlanStatus.SUBMITTED,
            # Its author may return a large plan, never approve it.
            "self_approval_blocked": needs_second
            and plan.drafted_by_id == user.pk
            and plan.status != c.PlanStatus.APPROVED,
            "can_deliver": can_deliver,
        }
    )
    if context["can_draft"] and editable:
        context["item_form"] = item_form or PlanItemForm(
            partners=selectors.partners_for_case(user, case),
            offers=offers,
            currency=plan.currency,
        )
    if context["can_review"]:
        context["review_form"] = review_form or PlanReviewForm()
    return render(request, "cases/plan.html", context)


@login_required
@require_GET
@not_found_as_404
def plan_page(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get_for(actor=actor_from_request(request), case_id=case_id)
    return _render_plan(request, case)


@login_required
@require_POST
@not_found_as_404
def plan_start(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id, Perm.DRAFT_PLAN)
    form = PlanStartForm(
        request.POST, fixed_currency=case.programme.currency if case.programme else ""
    )
    if form.is_valid():
        try:
            services.plan_start(actor=actor_from_request(request), case=case, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The reintegration plan has been started."))
            return redirect("cases:plan", case_id=case.pk)
    return _render_plan(request, case, start_form=form)


@login_required
@require_POST
@not_found_as_404
def plan_item_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id, Perm.DRAFT_PLAN)
    plan = _plan_or_back(request, case)
    if plan is None:
        return redirect("cases:plan", case_id=case.pk)
    form = PlanItemForm(
        request.POST,
        partners=selectors.partners_for_case(request.user, case),
        offers=selectors.assistance_offered(case),
        currency=plan.currency,
    )
    stale = False
    if form.is_valid():
        try:
            services.plan_item_add(
                actor=actor_from_request(request),
                plan=plan,
                version=version_from(request.POST) or 0,
                **form.cleaned_data,
            )
        except StaleEdit:
            stale = True
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The item has been added to the plan."))
            return redirect("cases:plan", case_id=case.pk)
    return _render_plan(request, case, item_form=form, stale=stale)


@login_required
@require_POST
@not_found_as_404
def plan_item_remove(request: HttpRequest, item_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    item = selectors.plan_item_get_for(actor=actor, item_id=item_id, perm=Perm.DRAFT_PLAN)
    case = item.plan.case
    try:
        services.plan_item_remove(actor=actor, item=item, version=version_from(request.POST) or 0)
    except StaleEdit:
        return _render_plan(request, case, stale=True)
    except ValidationError as error:
        return _render_plan(request, case, problems=error.messages)
    messages.success(request, _("The item has been removed from the plan."))
    return redirect("cases:plan", case_id=case.pk)


@login_required
@require_POST
@not_found_as_404
def plan_submit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id, Perm.DRAFT_PLAN)
    plan = _plan_or_back(request, case)
    if plan is None:
        return redirect("cases:plan", case_id=case.pk)
    try:
        services.plan_submit(
            actor=actor_from_request(request), plan=plan, version=version_from(request.POST) or 0
        )
    except StaleEdit:
        return _render_plan(request, case, stale=True)
    except ValidationError as error:
        return _render_plan(request, case, problems=error.messages)
    messages.success(request, _("The plan has been submitted for approval."))
    return redirect("cases:plan", case_id=case.pk)


@login_required
@require_POST
@not_found_as_404
def plan_review(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id, Perm.APPROVE_PLAN)
    plan = _plan_or_back(request, case)
    if plan is None:
        return redirect("cases:plan", case_id=case.pk)
    form = PlanReviewForm(request.POST)
    stale = False
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.plan_review(
                actor=actor_from_request(request),
                plan=plan,
                version=version_from(request.POST) or 0,
                approve=approve,
                comment=form.cleaned_data["comment"],
            )
        except StaleEdit:
            stale = True
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("The plan has been approved.")
                if approve
                else _("The plan has been returned for changes."),
            )
            return redirect("cases:plan", case_id=case.pk)
    return _render_plan(request, case, review_form=form, stale=stale)


@login_required
@require_POST
@not_found_as_404
def delivery_add(request: HttpRequest, item_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    item = selectors.plan_item_get_for(actor=actor, item_id=item_id, perm=Perm.RECORD_DELIVERY)
    plan, case = item.plan, item.plan.case
    form = _delivery_form(item, plan, case, request.POST)
    stale = False
    if form.is_valid():
        try:
            # Deliveries do not change the plan, but they must be made on the plan the
            # user saw: one returned or changed meanwhile is not paid against.
            if version_from(request.POST) != plan.version:
                raise StaleEdit()
            services.delivery_record(actor=actor, item=item, **form.cleaned_data)
        except StaleEdit:
            stale = True
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The delivery has been recorded."))
            return redirect("cases:plan", case_id=case.pk)
    return _render_plan(request, case, delivery_form=form, delivery_item=item.pk, stale=stale)


# The business plan ----------------------------------------------------------------------


def _render_business(
    request: HttpRequest,
    case: Case,
    *,
    form: Any = None,
    session_form: Any = None,
    stale: bool = False,
) -> HttpResponse:
    business = selectors.business_plan_for(case)
    can_draft = case.is_open and can(request.user, Perm.DRAFT_PLAN, case.organisation_id)
    if can_draft and form is None:
        form = _business_form(request, case, business)
    if can_draft and business is not None and session_form is None:
        session_form = SupportSessionForm(initial={"held_on": timezone.localdate()})
    return render(
        request,
        "cases/business.html",
        {
            "case": case,
            "business": business,
            "form": form if can_draft else None,
            "session_form": session_form if can_draft and business is not None else None,
            "stale": stale,
            "stale_message": StaleEdit.message,
            "feasibility_items": c.FeasibilityItem.choices,
        },
    )


def _business_form(request: HttpRequest, case: Case, business: Any, data: Any = None) -> Any:
    if business is None:
        plan = selectors.plan_for(case)
        currency = plan.currency if plan else (case.programme.currency if case.programme else "")
        initial: dict[str, Any] = {"currency": currency or "EUR"}
    else:
        initial = {name: getattr(business, name) for name in services.BUSINESS_FIELDS}
    return BusinessPlanForm(
        data,
        initial=initial,
        lenders=selectors.partners_for_case(request.user, case, kind=c.PartnerKind.MICROFINANCE),
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def business(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    if request.method != "POST":
        case = selectors.case_get_for(actor=actor, case_id=case_id)
        return _render_business(request, case)
    case = _case(request, case_id, Perm.DRAFT_PLAN)
    form = _business_form(request, case, selectors.business_plan_for(case), request.POST)
    stale = False
    if form.is_valid():
        try:
            services.business_plan_save(
                actor=actor, case=case, version=version_from(request.POST), **form.cleaned_data
            )
        except StaleEdit:
            stale = True
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The business plan has been saved."))
            return redirect("cases:business", case_id=case.pk)
    return _render_business(request, case, form=form, stale=stale)


@login_required
@require_POST
@not_found_as_404
def support_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id, Perm.DRAFT_PLAN)
    business_plan = selectors.business_plan_for(case)
    if business_plan is None:
        messages.error(request, _("Save the business plan before recording support sessions."))
        return redirect("cases:business", case_id=case.pk)
    form = SupportSessionForm(request.POST)
    if form.is_valid():
        try:
            services.support_session_add(
                actor=actor_from_request(request),
                business_plan=business_plan,
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The support session has been recorded."))
            return redirect("cases:business", case_id=case.pk)
    return _render_business(request, case, session_form=form)


urlpatterns = [
    path("<int:case_id>/plan/", plan_page, name="plan"),
    path("<int:case_id>/plan/start/", plan_start, name="plan_start"),
    path("<int:case_id>/plan/items/", plan_item_add, name="plan_item_add"),
    path("plan/items/<int:item_id>/remove/", plan_item_remove, name="plan_item_remove"),
    path("<int:case_id>/plan/submit/", plan_submit, name="plan_submit"),
    path("<int:case_id>/plan/review/", plan_review, name="plan_review"),
    path("plan/items/<int:item_id>/deliveries/", delivery_add, name="delivery_add"),
    path("<int:case_id>/business/", business, name="business"),
    path("<int:case_id>/business/sessions/", support_add, name="support_add"),
]
