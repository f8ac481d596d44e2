"""Programme, directory and community-project pages, and the PDFs of a case.

Thin views: they parse with the forms, read through the selectors, write through the
services, and render.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from retorno.accounts.access import can, orgs_with, require
from retorno.accounts.models import Organisation
from retorno.accounts.roles import Perm
from retorno.cases import choices as c
from retorno.cases import pdf, selectors, services
from retorno.cases.forms_programme import (
    CommunityProjectForm,
    EligibilityForm,
    PartnerForm,
    ProgrammeForm,
)
from retorno.cases.models import CommunityProject, Partner, Programme
from retorno.core import geo
from retorno.core.audit import actor_from_request
from retorno.core.errors import NotFound, StaleEdit
from retorno.core.web import acting_organisation, apply_errors, not_found_as_404, organisations_for
from retorno.registry import selectors as registry_selectors
from retorno.registry.choices import StatusAbroad

# At most this many people are offered when a name is typed in the eligibility check.
ELIGIBILITY_MATCHES = 10


# Programmes -------------------------------------------------------------------------------


@login_required
@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_ORGANISATION)
    programmes = (
        selectors.programmes_for(request.user)
        .select_related("organisation")
        .order_by("-is_active", "name")
    )
    return render(
        request,
        "cases/programme_list.html",
        {
            "programmes": programmes,
            "can_manage": can(request.user, Perm.MANAGE_PROGRAMMES),
        },
    )


def _eligibility_check(request: HttpRequest, programme: Programme) -> dict[str, Any]:
    """The person picker and, once a person is chosen, each rule with its explanation."""
    if not can(request.user, Perm.VIEW_PERSON):
        return {"available": False}
    form = EligibilityForm(request.GET if ("q" in request.GET or "person" in request.GET) else None)
    context: dict[str, Any] = {"available": True, "form": form}
    if not form.is_bound or not form.is_valid():
        return context
    actor = actor_from_request(request)
    q = form.cleaned_data["q"].strip()
    if q and not form.cleaned_data["person"]:
        matches = list(
            registry_selectors.person_list_for(user=request.user, q=q)[:ELIGIBILITY_MATCHES]
        )
        registry_selectors.audit_list(
            actor=actor,
            entity_type="registry.person",
            filters={"q": q, "purpose": f"eligibility for programme {programme.pk}"},
            shown=len(matches),
        )
        context["matches"] = matches
        context["searched"] = True
    if form.cleaned_data["person"]:
        try:
            person = registry_selectors.person_get_for(
                actor=actor, person_id=form.cleaned_data["person"]
            )
        except NotFound:
            context["not_found"] = True
        else:
            context["person"] = person
            context["results"] = selectors.eligibility(
                programme, person, removal_order=form.cleaned_data["removal_order"]
            )
            context["eligible"] = all(result.passed for result in context["results"])
    return context


@login_required
@require_GET
@not_found_as_404
def programme_detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    require(request.user, Perm.VIEW_ORGANISATION)
    programme = selectors.programme_get_for(request.user, programme_id)
    return render(
        request,
        "cases/programme_detail.html",
        {
            "programme": programme,
            "assistance": list(programme.assistance.all()),
            "partners": list(programme.partners.all()),
            "projects": list(
                selectors.community_projects_for(request.user).filter(programme=programme)
            ),
            "budget": selectors.programme_budget(programme),
            "check": _eligibility_check(request, programme),
            "status_choices": StatusAbroad,
            "can_manage": can(request.user, Perm.MANAGE_PROGRAMMES, programme.organisation_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def programme_form(request: HttpRequest, programme_id: int | None = None) -> HttpResponse:
    actor = actor_from_request(request)
    if programme_id is None:
        organisation_id = acting_organisation(request, Perm.MANAGE_PROGRAMMES)
        programme = Programme(organisation_id=organisation_id)
        initial: dict[str, Any] = {"currency": "EUR", "is_active": True}
    else:
        programme = selectors.programme_get_for(request.user, programme_id)
        require(request.user, Perm.MANAGE_PROGRAMMES, programme.organisation_id)
        organisation_id = programme.organisation_id
        initial = ProgrammeForm.initial_from(programme)
    partners = selectors.directory_for(request.user).order_by("name")
    if programme.pk:  # keep partners already chosen even if no longer listed
        partners = (partners | Partner.objects.filter(programmes=programme)).distinct()
    form = ProgrammeForm(request.POST or None, initial=initial, partners=partners)
    stale = False
    if request.method == "POST" and form.is_valid():
        form.apply_to(programme)
        try:
            with transaction.atomic():
                services.programme_save(
                    actor=actor,
                    programme=programme,
                    version=form.cleaned_data.get("version") or 0,
                    assistance=form.assistance(),
                    partners=list(form.cleaned_data["partners"]),
                )
        except StaleEdit:
            stale = True
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The programme has been saved."))
            return redirect("cases:programme_detail", programme_id=programme.pk)
    current = Programme.objects.filter(pk=programme.pk).first() if programme.pk else None
    return render(
        request,
        "cases/programme_form.html",
        {
            "form": form,
            "programme": current,
            "stale": stale,
            "current_version": current.version if current else None,
            "organisations": organisations_for(request, Perm.MANAGE_PROGRAMMES)
            if programme_id is None
            else [],
            "organisation_id": organisation_id,
        },
    )


# Partners and services directory ----------------------------------------------------------


@login_required
@require_GET
def partner_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_ORGANISATION)
    country = request.GET.get("country", "").strip().upper()
    region = request.GET.get("region", "").strip().upper()
    kind = request.GET.get("kind", "").strip()
    country = country if geo.is_country(country) else ""
    kind = kind if kind in c.PartnerKind.values else ""
    partners = list(
        selectors.directory_for(request.user, country=country, region=region, kind=kind)[:500]
    )
    outcomes = selectors.partner_referral_outcomes(request.user, [p.pk for p in partners])
    managed = orgs_with(request.user, Perm.MANAGE_DIRECTORY)
    rows = [
        {
            "partner": partner,
            "outcomes": outcomes.get(partner.pk),
            "can_edit": partner.organisation_id in managed,
        }
        for partner in partners
    ]
    return render(
        request,
        "cases/partner_list.html",
        {
            "rows": rows,
            "filters": {"country": country, "region": region, "kind": kind},
            "filtered": bool(country or region or kind),
            "countries": geo.country_choices(),
            "regions": geo.subdivision_choices(country) if country else [],
            "kinds": c.PartnerKind.choices,
            "can_manage": bool(managed),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def partner_form(request: HttpRequest, partner_id: int | None = None) -> HttpResponse:
    actor = actor_from_request(request)
    if partner_id is None:
        organisation_id = acting_organisation(request, Perm.MANAGE_DIRECTORY)
        partner = Partner(organisation_id=organisation_id)
        initial: dict[str, Any] = {"is_active": True, "country": request.GET.get("country", "")}
    else:
        require(request.user, Perm.MANAGE_DIRECTORY)
        partner = selectors.partner_get_for(request.user, partner_id)
        organisation_id = partner.organisation_id
        initial = PartnerForm.initial_from(partner)
    organisations = Organisation.objects.filter(is_active=True).order_by("name")
    form = PartnerForm(request.POST or None, initial=initial, organisations=organisations)
    stale = False
    if request.method == "POST" and form.is_valid():
        form.apply_to(partner)
        try:
            services.partner_save(
                actor=actor, partner=partner, version=form.cleaned_data.get("version") or 0
            )
        except StaleEdit:
            stale = True
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The directory entry has been saved."))
            return redirect(f"{reverse('cases:partners')}?country={partner.country}")
    return render(
        request,
        "cases/partner_form.html",
        {
            "form": form,
            "partner": partner if partner.pk else None,
            "stale": stale,
            "current_version": Partner.objects.filter(pk=partner.pk)
            .values_list("version", flat=True)
            .first()
            if partner.pk
            else None,
            "organisations": organisations_for(request, Perm.MANAGE_DIRECTORY)
            if partner_id is None
            else [],
            "organisation_id": organisation_id,
        },
    )


# Community projects -----------------------------------------------------------------------


@login_required
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_ORGANISATION)
    projects = list(selectors.community_projects_for(request.user).order_by("country", "name"))
    managed = orgs_with(request.user, Perm.MANAGE_PROGRAMMES)
    rows = []
    for project in projects:
        served = project.returnees_served + project.non_migrants_served
        rows.append(
            {
                "project": project,
                "served": served,
                "non_migrant_share": round(100 * project.non_migrants_served / served)
                if served
                else None,
                "can_edit": project.organisation_id in managed,
            }
        )
    return render(
        request,
        "cases/project_list.html",
        {"rows": rows, "can_manage": bool(managed)},
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def project_form(request: HttpRequest, project_id: int | None = None) -> HttpResponse:
    actor = actor_from_request(request)
    if project_id is None:
        organisation_id = acting_organisation(request, Perm.MANAGE_PROGRAMMES)
        project = CommunityProject(organisation_id=organisation_id)
        initial: dict[str, Any] = {"currency": "EUR"}
    else:
        require(request.user, Perm.MANAGE_PROGRAMMES)
        project = selectors.community_project_get_for(
            request.user, project_id, Perm.MANAGE_PROGRAMMES
        )
        organisation_id = project.organisation_id
        initial = CommunityProjectForm.initial_from(project)
    programmes = Programme.objects.filter(organisation_id=organisation_id).order_by("name")
    form = CommunityProjectForm(request.POST or None, initial=initial, programmes=programmes)
    stale = False
    if request.method == "POST" and form.is_valid():
        form.apply_to(project)
        try:
            services.community_project_save(
                actor=actor, project=project, version=form.cleaned_data.get("version") or 0
            )
        except StaleEdit:
            stale = True
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The community project has been saved."))
            return redirect("cases:projects")
    current = CommunityProject.objects.filter(pk=project.pk).first() if project.pk else None
    return render(
        request,
        "cases/project_form.html",
        {
            "form": form,
            "project": current,
            "stale": stale,
            "current_version": current.version if current else None,
            "organisations": organisations_for(request, Perm.MANAGE_PROGRAMMES)
            if project_id is None
            else [],
            "organisation_id": organisation_id,
        },
    )


# PDFs of a case ---------------------------------------------------------------------------


@login_required
@require_GET
@not_found_as_404
def case_pdf(request: HttpRequest, case_id: int, kind: str) -> HttpResponse:
    """A generated document of the case, in the case's language; the download is audited."""
    if kind not in pdf.KINDS:
        raise Http404
    actor = actor_from_request(request)
    case = selectors.case_get_for(actor=actor, case_id=case_id, audit=False)
    content, file_name = pdf.render(kind, case, actor=actor)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response["Cache-Control"] = "no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("programmes/", programme_list, name="programmes"),
    path("programmes/new/", programme_form, name="programme_new"),
    path("programmes/<int:programme_id>/", programme_detail, name="programme_detail"),
    path("programmes/<int:programme_id>/edit/", programme_form, name="programme_edit"),
    path("directory/", partner_list, name="partners"),
    path("directory/new/", partner_form, name="partner_new"),
    path("directory/<int:partner_id>/edit/", partner_form, name="partner_edit"),
    path("community-projects/", project_list, name="projects"),
    path("community-projects/new/", project_form, name="project_new"),
    path("community-projects/<int:project_id>/edit/", project_form, name="project_edit"),
    path("<int:case_id>/pdf/<str:kind>/", case_pdf, name="pdf"),
]
