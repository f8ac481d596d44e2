"""Referral pages: sending a case to another organisation or provider, and answering one.

The receiving side sees what is asked of it (the message and which parts would be
shared) but no personal data until it accepts; after a revocation or a rejection it
sees none again. The sending side follows the status and the outcome.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from retorno.accounts.access import can, orgs_with, require
from retorno.accounts.models import Organisation
from retorno.accounts.roles import Perm
from retorno.cases import choices as c
from retorno.cases import selectors, services
from retorno.cases.forms_plan import PartnerChoiceField
from retorno.cases.models import Partner, Referral
from retorno.core.audit import actor_from_request
from retorno.core.errors import StaleEdit
from retorno.core.web import apply_errors, not_found_as_404
from retorno.registry import choices as rc
from retorno.registry.choices import ConsentPurpose

PAGE_SIZE = 50


class ReferralForm(forms.Form):
    to_organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation using Retorno"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="—",
    )
    to_partner = PartnerChoiceField(
        label=gettext_lazy("Or a service provider from the directory"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label="—",
        help_text=gettext_lazy("Providers working in the host country or the country of return."),
    )
    shared_fields = forms.MultipleChoiceField(
        label=gettext_lazy("What to share"),
        choices=c.SharedField.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[c.SharedField.IDENTITY],
        help_text=gettext_lazy(
            "Only the parts ticked here are shared, and only once the receiver accepts."
        ),
    )
    message = forms.CharField(
        label=gettext_lazy("Message to the receiver"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What the person needs. Do not repeat personal details here."),
    )
    override_reason = forms.CharField(
        label=gettext_lazy("Refer without consent: the reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The override and its reason are kept in the audit trail."),
    )

    def __init__(
        self,
        *args: Any,
        receivers: Any = None,
        partners: Any = None,
        may_override: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if receivers is not None:
            self.fields["to_organisation"].queryset = receivers  # type: ignore[attr-defined]
        if partners is not None:
            self.fields["to_partner"].queryset = partners  # type: ignore[attr-defined]
        if not may_override:
            del self.fields["override_reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("to_organisation")) == bool(data.get("to_partner")) and not self.errors:
            raise ValidationError(
                gettext_lazy("Refer the case to one organisation or one service provider.")
            )
        return data


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", gettext_lazy("Accept")), ("reject", gettext_lazy("Reject"))]
    )
    answer = forms.CharField(
        label=gettext_lazy("Answer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Needed when you reject the referral: say why."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("answer") or "").strip():
            self.add_error("answer", gettext_lazy("Say why the referral is rejected."))
        return data


class OutcomeForm(forms.Form):
    service_outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome of the service"), choices=c.ServiceOutcome.choices
    )


# Sending ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def referral_new(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    case = selectors.case_get_for(
        actor=actor, case_id=case_id, perm=Perm.REFER_CASE, audit=request.method != "POST"
    )
    consent = services.has_consent(case.person, ConsentPurpose.REFERRAL)
    may_override = not consent and can(request.user, Perm.OVERRIDE_CONSENT, case.organisation_id)
    form = ReferralForm(
        request.POST or None,
        receivers=selectors.referral_receivers_for(request.user, case),
        partners=selectors.referral_partners_for(request.user, case),
        may_override=may_override,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = data.get("to_organisation")
        try:
            referral = services.referral_create(
                actor=actor,
                case=case,
                shared_fields=data["shared_fields"],
                to_organisation_id=organisation.pk if organisation else None,
                to_partner=data.get("to_partner"),
                message=data.get("message") or "",
                override_reason=data.get("override_reason") or "",
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The case has been referred."))
            return redirect("cases:referral_detail", referral_id=referral.pk)
    return render(
        request,
        "cases/referral_form.html",
        {
            "case": case,
            "person": case.person,
            "form": form,
            "consent": consent,
            "may_override": may_override,
            "can_record_consent": can(
                request.user, Perm.RECORD_CONSENT, case.person.organisation_id
            ),
        },
    )


# Receiving ----------------------------------------------------------------------------------


@login_required
@require_GET
def referrals_received(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.ANSWER_REFERRAL)
    referrals = selectors.referral_inbox_for(actor=actor_from_request(request))
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/referral_list.html",
        {
            "page": page,
            "shared_choices": c.SharedField,
            "several_organisations": len(orgs_with(request.user, Perm.ANSWER_REFERRAL)) > 1,
        },
    )


def _label(choices: Any, value: Any) -> str:
    return str(dict(choices).get(value, value)) if value else ""


def _shared_sections(shared: dict[str, Any]) -> list[dict[str, Any]]:
    """The shared parts as labelled rows, in the order of the list of shareable parts."""
    from retorno.core import geo

    sections: list[dict[str, Any]] = []
    if "identity" in shared:
        x = shared["identity"]
        sections.append(
            {
                "title": c.SharedField.IDENTITY.label,
                "rows": [
                    (_("Given name"), x["given_name"], False),
                    (_("Family name"), x["family_name"], False),
                    (_("Sex"), _label(rc.Sex.choices, x["sex"]), False),
                    (_("Date of birth"), x["date_of_birth"], True),
                ],
            }
        )
    if "contacts" in shared:
        sections.append(
            {
                "title": c.SharedField.CONTACTS.label,
                "rows": [
                    (_label(rc.ContactKind.choices, x["kind"]).capitalize(), x["value"], False)
                    for x in shared["contacts"]
                ]
                or [(_("Contacts"), "", False)],
            }
        )
    if "return" in shared:
        x = shared["return"]
        sections.append(
            {
                "title": c.SharedField.RETURN.label,
                "rows": [
                    (_("Host country"), geo.country_name(x["host_country"]), False),
                    (_("Country of return"), geo.country_name(x["origin_country"]), False),
                    (
                        _("Region of return"),
                        geo.subdivision_name(x["return_region"]) if x["return_region"] else "",
                        False,
                    ),
                    (_("Departure date"), x["departure_date"], True),
                    (_("Arrival date"), x["arrived_on"], True),
                    (_("Arrival point"), x["arrival_point"], False),
                ],
            }
        )
    if "vulnerabilities" in shared:
        x = shared["vulnerabilities"]
        sections.append(
            {
                "title": c.SharedField.VULNERABILITIES.label,
                "rows": [
                    (
                        _("Vulnerabilities"),
                        ", ".join(
                            _label(c.CaseVulnerability.choices, v) for v in x["vulnerabilities"]
                        ),
                        False,
                    ),
                    (
                        _("Immediate needs"),
                        ", ".join(_label(c.ImmediateNeed.choices, v) for v in x["immediate_needs"]),
                        False,
                    ),
                ],
            }
        )
    if "skills" in shared:
        x = shared["skills"]
        sections.append(
            {
                "title": c.SharedField.SKILLS.label,
                "rows": [
                    (
                        _("Education"),
                        _label(rc.EducationLevel.choices, x["education_level"]),
                        False,
                    ),
                    (_("Occupations (ISCO-08)"), ", ".join(x["occupations"] or []), False),
                    (_("Languages"), ", ".join(x["languages"] or []), False),
                ],
            }
        )
    return sections


def _may_record_outcome(user: Any, referral: Referral) -> bool:
    """The sender, while the referral is in force; the receiver, once it has accepted it."""
    if referral.status in (c.ReferralStatus.REVOKED, c.ReferralStatus.REJECTED):
        return False
    if can(user, Perm.REFER_CASE, referral.from_organisation_id):
        return True
    return referral.status == c.ReferralStatus.ACCEPTED and selectors.is_receiver(user, referral)


def _render_detail(
    request: HttpRequest,
    referral: Referral,
    *,
    answer_form: Any = None,
    outcome_form: Any = None,
    problems: list[str] | None = None,
) -> HttpResponse:
    user = request.user
    actor = actor_from_request(request)
    receiver = selectors.is_receiver(user, referral)
    sender = can(user, Perm.VIEW_CASE, referral.from_organisation_id)
    status = referral.status
    in_force = status not in (c.ReferralStatus.REVOKED, c.ReferralStatus.REJECTED)
    context: dict[str, Any] = {
        "referral": referral,
        "receiver": receiver,
        "sender": sender,
        "problems": problems or [],
        "part_labels": [
            label for value, label in c.SharedField.choices if value in referral.shared_fields
        ],
    }
    if receiver:
        # Audited by the selector once the referral is accepted; nothing personal before.
        shared = selectors.shared_view(actor=actor, referral=referral)
        context["shared"] = shared
        context["sections"] = _shared_sections(shared)
        context["plan_rows"] = shared.get("plan")
        context["dimension_choices"] = c.PlanDimension
        context["kind_choices"] = c.AssistanceKind
        if status == c.ReferralStatus.PENDING:
            context["answer_form"] = answer_form or AnswerForm()
    if sender:
        context["can_revoke"] = in_force and can(
            user, Perm.REFER_CASE, referral.from_organisation_id
        )
    if _may_record_outcome(user, referral):
        context["outcome_form"] = outcome_form or OutcomeForm(
            initial={"service_outcome": referral.service_outcome}
        )
    return render(request, "cases/referral_detail.html", context)


@login_required
@require_GET
@not_found_as_404
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = selectors.referral_get_for(
        actor=actor_from_request(request), referral_id=referral_id
    )
    return _render_detail(request, referral)


@login_required
@require_POST
@not_found_as_404
def referral_answer(request: HttpRequest, referral_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    referral = selectors.referral_get_for(actor=actor, referral_id=referral_id)
    if not selectors.is_receiver(request.user, referral):
        raise PermissionDenied
    form = AnswerForm(request.POST)
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            services.referral_answer(
                actor=actor, referral=referral, accept=accept, answer=form.cleaned_data["answer"]
            )
        except StaleEdit:
            form.add_error(None, str(StaleEdit.message))
            referral.refresh_from_db()
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("The referral has been accepted.")
                if accept
                else _("The referral has been rejected."),
            )
            return redirect("cases:referral_detail", referral_id=referral.pk)
    return _render_detail(request, referral, answer_form=form)


@login_required
@require_POST
@not_found_as_404
def referral_revoke(request: HttpRequest, referral_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    referral = selectors.referral_get_for(actor=actor, referral_id=referral_id)
    try:
        services.referral_revoke(actor=actor, referral=referral)
    except StaleEdit:
        referral.refresh_from_db()
        return _render_detail(request, referral, problems=[str(StaleEdit.message)])
    except ValidationError as error:
        return _render_detail(request, referral, problems=error.messages)
    messages.success(request, _("The referral has been revoked: the receiver no longer sees it."))
    return redirect("cases:referral_detail", referral_id=referral.pk)


@login_required
@require_POST
@not_found_as_404
def referral_outcome(request: HttpRequest, referral_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    referral = selectors.referral_get_for(actor=actor, referral_id=referral_id)
    if not _may_record_outcome(request.user, referral):
        raise PermissionDenied
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.referral_record_outcome(
                actor=actor, referral=referral, outcome=form.cleaned_data["service_outcome"]
            )
        except StaleEdit:
            form.add_error(None, str(StaleEdit.message))
            referral.refresh_from_db()
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The outcome has been recorded."))
            return redirect("cases:referral_detail", referral_id=referral.pk)
    return _render_detail(request, referral, outcome_form=form)


urlpatterns = [
    path("<int:case_id>/refer/", referral_new, name="referral_new"),
    path("referrals/", referrals_received, name="referrals_received"),
    path("referrals/<int:referral_id>/", referral_detail, name="referral_detail"),
    path("referrals/<int:referral_id>/answer/", referral_answer, name="referral_answer"),
    path("referrals/<int:referral_id>/revoke/", referral_revoke, name="referral_revoke"),
    path("referrals/<int:referral_id>/outcome/", referral_outcome, name="referral_outcome"),
]
