"""Registry pages: thin views that parse, call a selector or service, and render."""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from retorno.accounts.access import can, memberships_of, require
from retorno.accounts.models import Office, Organisation
from retorno.accounts.roles import Perm
from retorno.core import geo
from retorno.core.audit import actor_from_request
from retorno.core.errors import NotFound, StaleEdit
from retorno.core.models import AuditEvent
from retorno.core.web import acting_organisation, apply_errors, not_found_as_404, organisations_for
from retorno.registry import choices as c
from retorno.registry import selectors, services
from retorno.registry.forms import (
    ArrivalForm,
    ConsentForm,
    ContactForm,
    EpisodeForm,
    HouseholdForm,
    IdentityDocumentForm,
    PersonForm,
    ReturnEventForm,
)
from retorno.registry.models import Contact, IdentityDocument, MigrationEpisode

PAGE_SIZES = (25, 50, 100, 200)
# A typed name is checked record by record when many people share it, so its
# results are counted only up to here ("more than 500").
TEXT_SEARCH_COUNT_CAP = 500


def _page(request: HttpRequest, qs: Any, *, cap: int = 2_000) -> tuple[Page, int, bool, int]:
    """Slice a list without counting past a cap, so large registries stay fast."""
    size = int(request.GET.get("size", 50)) if str(request.GET.get("size", "")).isdigit() else 50
    size = size if size in PAGE_SIZES else 50
    total, more = selectors.count_capped(qs, cap=cap)
    paginator = Paginator(qs, size, allow_empty_first_page=True)
    paginator.count = total  # the capped count: avoids COUNT(*) over everything
    return paginator.get_page(request.GET.get("page")), total, more, size


@login_required
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_PERSON)
    q = request.GET.get("q", "").strip()
    sex = request.GET.get("sex", "")
    qs = selectors.person_list_for(user=request.user, q=q, sex=sex)
    page, total, more, size = _page(request, qs, cap=TEXT_SEARCH_COUNT_CAP if q else 2_000)
    selectors.audit_list(
        actor=actor_from_request(request),
        entity_type="registry.person",
        filters={"q": q, "sex": sex, "page": page.number},
        shown=len(page.object_list),
    )
    return render(
        request,
        "registry/person_list.html",
        {
            "page": page,
            "total": total,
            "more": more,
            "q": q,
            "sex": sex,
            "sexes": c.Sex.choices,
            "size": size,
            "sizes": PAGE_SIZES,
        },
    )


def _timeline(
    person: Any, episodes: list[Any], returns: list[Any], consents: list[Any]
) -> list[dict[str, Any]]:
    """Merge the person's periods abroad, returns, consents and record changes by date."""
    items: list[dict[str, Any]] = []
    for episode in episodes:
        items.append({"date": episode.started_on, "kind": "episode", "obj": episode})
    for event in returns:
        items.append({"date": event.return_date, "kind": "return", "obj": event})
    for consent in consents:
        items.append({"date": consent.recorded_at.date(), "kind": "consent", "obj": consent})
    changes = AuditEvent.objects.filter(
        person_id=person.pk, action__in=["create", "update"]
    ).order_by("-at")[:20]
    for change in changes:
        items.append({"date": change.at.date(), "kind": "change", "obj": change})
    items.sort(key=lambda item: (item["date"], item["kind"]), reverse=True)
    return items


@login_required
@not_found_as_404
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get_for(actor=actor_from_request(request), person_id=person_id)
    # Read once; the sections and the timeline show the same records.
    episodes = list(person.episodes.all())
    returns = list(person.returns.all())
    consent_history = list(person.consents.all())
    consents: dict[str, Any] = {}
    for consent in consent_history:  # newest first: the first per purpose is in force
        consents.setdefault(consent.purpose, consent)
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "timeline": _timeline(person, episodes, returns, consent_history),
            "consents": consents,
            "returns": returns,
            "episodes": episodes,
            "documents": person.documents.all(),
            "contacts": person.contacts.all(),
            "household_members": person.household.members.exclude(pk=person.pk)
            if person.household
            else [],
            "can_change": can(request.user, Perm.CHANGE_PERSON, person.organisation_id),
            "can_add_return": can(request.user, Perm.CREATE_RETURN, person.organisation_id),
            "can_consent": can(request.user, Perm.RECORD_CONSENT, person.organisation_id),
            "can_delete": can(request.user, Perm.DELETE_PERSON, person.organisation_id),
            "can_open_case": can(request.user, Perm.CREATE_CASE, person.organisation_id),
            # Cases are shown only to those who may see them in the person's organisation.
            "cases": person.cases.select_related("programme").order_by("-created_at")
            if can(request.user, Perm.VIEW_CASE, person.organisation_id)
            else [],
            "choices_vulnerability": c.Vulnerability,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    organisation_id = acting_organisation(request, Perm.CREATE_PERSON)
    households = selectors.household_list_for(user=request.user).filter(
        organisation_id=organisation_id
    )
    form = PersonForm(request.POST or None, households=households)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(
                actor=actor_from_request(request),
                organisation_id=organisation_id,
                **form.service_fields(),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s has been registered.") % {"name": person.full_name}
            )
            return redirect("registry:person_detail", person_id=person.pk)
    return render(
        request,
        "registry/person_form.html",
        {
            "form": form,
            "organisations": organisations_for(request, Perm.CREATE_PERSON),
            "organisation_id": organisation_id,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    person = selectors.person_get_for(actor=actor, person_id=person_id, perm=Perm.CHANGE_PERSON)
    households = selectors.household_list_for(user=request.user).filter(
        organisation_id=person.organisation_id
    )
    initial = {
        name: getattr(person, name) for name in services.PERSON_FIELDS if name not in ("office",)
    }
    initial.update(
        aliases="\n".join(person.aliases),
        languages=", ".join(person.languages),
        occupations=", ".join(person.occupations),
        version=person.version,
    )
    form = PersonForm(request.POST or None, initial=initial, households=households)
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                actor=actor,
                person=person,
                version=form.cleaned_data.get("version") or 0,
                **form.service_fields(),
            )
        except StaleEdit:
            stale = True
            person.refresh_from_db()
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("registry:person_detail", person_id=person.pk)
    return render(
        request,
        "registry/person_form.html",
        {
            "form": form,
            "person": person,
            "stale": stale,
            "current": {
                f: getattr(person, f) for f in ("given_name", "family_name", "date_of_birth")
            },
            "current_version": person.version,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def person_delete(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    person = selectors.person_get_for(actor=actor, person_id=person_id, perm=Perm.DELETE_PERSON)
    if request.method == "POST":
        name = person.full_name
        services.person_delete(actor=actor, person=person)
        messages.success(request, _("The record of %(name)s has been erased.") % {"name": name})
        return redirect("registry:person_list")
    return render(request, "registry/person_delete.html", {"person": person})


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def episode_form(
    request: HttpRequest, person_id: int, episode_id: int | None = None
) -> HttpResponse:
    actor = actor_from_request(request)
    person = selectors.person_get_for(
        actor=actor, person_id=person_id, perm=Perm.CHANGE_PERSON, audit=False
    )
    episode = None
    initial: dict[str, Any] = {}
    if episode_id is not None:
        episode = MigrationEpisode.objects.filter(person=person, pk=episode_id).first()
        if episode is None:
            raise Http404
        initial = {
            f: getattr(episode, f)
            for f in (
                "host_country",
                "started_on",
                "ended_on",
                "status_abroad",
                "occupation",
                "version",
            )
        }
    form = EpisodeForm(request.POST or None, initial=initial)
    stale = False
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            if episode is None:
                services.episode_create(actor=actor, person=person, **fields)
            else:
                services.episode_update(
                    actor=actor,
                    episode=episode,
                    version=form.cleaned_data.get("version") or 0,
                    **fields,
                )
        except StaleEdit:
            stale = True
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The period abroad has been saved."))
            return redirect("registry:person_detail", person_id=person.pk)
    return render(
        request,
        "registry/episode_form.html",
        {"form": form, "person": person, "episode": episode, "stale": stale},
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def return_form(request: HttpRequest, person_id: int, event_id: int | None = None) -> HttpResponse:
    actor = actor_from_request(request)
    perm = Perm.CREATE_RETURN if event_id is None else Perm.CHANGE_RETURN
    person = selectors.person_get_for(actor=actor, person_id=person_id, perm=perm, audit=False)
    event = None
    initial: dict[str, Any] = {"return_date": datetime.date.today()}
    if person.nationalities:
        initial["to_country"] = person.nationalities[0]
    if event_id is not None:
        event = selectors.return_event_get_for(
            actor=actor, event_id=event_id, perm=Perm.CHANGE_RETURN, audit=False
        )
        if event.person_id != person.pk:
            raise Http404
        initial = ReturnEventForm.initial_from(event)
    form = ReturnEventForm(request.POST or None, initial=initial)
    stale = False
    if request.method == "POST" and form.is_valid():
        try:
            if event is None:
                services.return_event_create(actor=actor, person=person, **form.service_fields())
            else:
                services.return_event_update(
                    actor=actor,
                    event=event,
                    version=form.cleaned_data.get("version") or 0,
                    **form.service_fields(),
                )
        except StaleEdit:
            stale = True
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The return has been saved."))
            return redirect("registry:person_detail", person_id=person.pk)
    return render(
        request,
        "registry/return_form.html",
        {"form": form, "person": person, "event": event, "stale": stale},
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def consent_form(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    person = selectors.person_get_for(
        actor=actor, person_id=person_id, perm=Perm.RECORD_CONSENT, audit=False
    )
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.consent_record(actor=actor, person=person, **form.cleaned_data)
        messages.success(request, _("The consent decision has been recorded."))
        return redirect("registry:person_detail", person_id=person.pk)
    return render(request, "registry/consent_form.html", {"form": form, "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def household_create(request: HttpRequest) -> HttpResponse:
    organisation_id = acting_organisation(request, Perm.CREATE_PERSON)
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(
                actor=actor_from_request(request),
                organisation_id=organisation_id,
                reference=form.cleaned_data["reference"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("registry:household_detail", household_id=household.pk)
    return render(request, "registry/household_form.html", {"form": form})


@login_required
@not_found_as_404
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    household = selectors.household_get_for(
        actor=actor_from_request(request), household_id=household_id
    )
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "members": household.members.all(),
        },
    )


@login_required
@require_GET
def return_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Perm.VIEW_RETURN)
    filters = selectors.ReturnFilters.from_params(request.GET)
    qs = selectors.return_event_list_for(user=request.user, filters=filters)
    page, total, more, size = _page(request, qs, cap=TEXT_SEARCH_COUNT_CAP if filters.q else 2_000)
    selectors.audit_list(
        actor=actor_from_request(request),
        entity_type="registry.returnevent",
        filters={**filters.active(), "page": page.number},
        shown=len(page.object_list),
    )
    return render(
        request,
        "registry/return_list.html",
        {
            "page": page,
            "total": total,
            "more": more,
            "filters": filters,
            "size": size,
            "sizes": PAGE_SIZES,
            "countries": geo.country_choices(),
            "choices": c,
            "organisations": organisations_for(request, Perm.VIEW_RETURN),
            "regions": geo.subdivision_choices(filters.to_country) if filters.to_country else [],
        },
    )


@login_required
@not_found_as_404
def return_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.return_event_get_for(actor=actor_from_request(request), event_id=event_id)
    facts = [
        (getattr(event._meta.get_field(f), "verbose_name", f), event.fact_source(f))
        for f in c.SOURCED_FACTS
    ]
    labels = dict(c.FactSource.choices)
    return render(
        request,
        "registry/return_detail.html",
        {
            "event": event,
            "person": event.person,
            "fact_sources": [(name, labels.get(src, src)) for name, src in facts],
            "can_change": can(request.user, Perm.CHANGE_RETURN, event.organisation_id),
        },
    )


@login_required
@require_GET
def subdivisions(request: HttpRequest, country: str) -> JsonResponse:
    """List a country's regions in the active language, for the settlement-area select."""
    return JsonResponse(
        {"regions": [{"code": k, "name": v} for k, v in geo.subdivision_choices(country.upper())]}
    )


# --- The arrival desk ----------------------------------------------------------------


def _arrival_office(request: HttpRequest, organisation_id: int) -> Office | None:
    membership = (
        memberships_of(request.user)
        .filter(organisation_id=organisation_id, office__isnull=False)
        .first()
    )
    return membership.office if membership else None


def _parse_dob(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def arrival_candidates(request: HttpRequest) -> HttpResponse:
    """Return the likely existing persons for a typed name and birth date, as a list fragment."""
    require(request.user, Perm.REGISTER_ARRIVAL)
    name = request.GET.get("name", "").strip()
    dob = _parse_dob(request.GET.get("date_of_birth"))
    candidates = []
    if len(name) >= 2:
        candidates = selectors.person_search(
            actor=actor_from_request(request),
            name=name,
            date_of_birth=dob,
            perm=Perm.REGISTER_ARRIVAL,
        )
    return render(
        request,
        "registry/_arrival_candidates.html",
        {
            "candidates": candidates,
            "selected": request.GET.get("person", "new"),
            "searched": len(name) >= 2,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def arrival(request: HttpRequest) -> HttpResponse:
    """Register an arrival: find the person or create them, and record the return, in one step."""
    organisation_id = acting_organisation(request, Perm.REGISTER_ARRIVAL)
    organisation = Organisation.objects.get(pk=organisation_id)
    office = _arrival_office(request, organisation_id)
    initial = {
        "return_date": datetime.date.today(),
        "to_country": office.country if office else organisation.country,
    }
    form = ArrivalForm(request.POST or None, initial=initial)
    candidates: list[Any] = []
    actor = actor_from_request(request)
    if request.method == "GET" and request.GET.get("name"):
        form = ArrivalForm(
            initial={
                **initial,
                "name": request.GET["name"],
                "date_of_birth": request.GET.get("date_of_birth"),
            }
        )
        candidates = selectors.person_search(
            actor=actor,
            name=request.GET["name"],
            date_of_birth=_parse_dob(request.GET.get("date_of_birth")),
            perm=Perm.REGISTER_ARRIVAL,
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = _arrival_person(actor, organisation_id, office, data)
            services.return_event_create(
                actor=actor,
                person=person,
                from_country=data["from_country"],
                to_country=data["to_country"],
                return_date=data["return_date"],
                mode=c.ReturnMode.PHYSICAL,
                permanence=data["permanence"],
                voluntariness=data["voluntariness"],
                reasons=data["reasons"],
                intended_stay=data["intended_stay"],
                settlement_area=data["settlement_area"],
                source=c.FactSource.BORDER_RECORD,
                office=office,
            )
        except NotFound:
            form.add_error(None, _("That person is no longer available; search again."))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("Arrival of %(name)s registered.") % {"name": person.full_name}
            )
            return redirect(f"{request.path}?done={person.pk}")
    elif request.method == "POST" and form.data.get("name"):
        candidates = selectors.person_search(
            actor=actor,
            name=form.data["name"],
            date_of_birth=_parse_dob(form.data.get("date_of_birth")),
            perm=Perm.REGISTER_ARRIVAL,
            audit=False,
        )
    last = None
    if str(request.GET.get("done", "")).isdigit():
        last = (
            selectors.person_queryset_for(request.user).filter(pk=int(request.GET["done"])).first()
        )
    return render(
        request,
        "registry/arrival.html",
        {
            "form": form,
            "candidates": candidates,
            "office": office,
            "organisation": organisation,
            "selected": form.data.get("person", "new") if form.is_bound else "new",
            "last": last,
            "searched": bool(candidates) or bool(form.data.get("name") or request.GET.get("name")),
        },
    )


def _arrival_person(
    actor: Any, organisation_id: int, office: Office | None, data: dict[str, Any]
) -> Any:
    if data["person"] != "new":
        return selectors.person_get_for(
            actor=actor, person_id=data["person"], perm=Perm.REGISTER_ARRIVAL, audit=False
        )
    words = data["name"].split()
    given, family = (words[0], " ".join(words[1:])) if len(words) > 1 else (data["name"], "")
    return services.person_create(
        actor=actor,
        organisation_id=organisation_id,
        given_name=given,
        family_name=family,
        sex=data.get("sex") or c.Sex.UNKNOWN,
        date_of_birth=data.get("date_of_birth"),
        nationalities=[data["to_country"]],
        office=office,
    )


# Documents and contacts share one pair of views and services: the kind picks form and model.
PERSON_DETAILS: dict[str, tuple[type[Any], type[Any], Any]] = {
    "document": (IdentityDocumentForm, IdentityDocument, gettext_lazy("Identity document")),
    "contact": (ContactForm, Contact, gettext_lazy("Contact")),
}


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def person_detail_add(request: HttpRequest, person_id: int, kind: str) -> HttpResponse:
    if kind not in PERSON_DETAILS:
        raise Http404
    form_class, model, title = PERSON_DETAILS[kind]
    actor = actor_from_request(request)
    person = selectors.person_get_for(
        actor=actor, person_id=person_id, perm=Perm.CHANGE_PERSON, audit=False
    )
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_detail_add(actor=actor, person=person, model=model, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:person_detail", person_id=person.pk)
    return render(
        request,
        "registry/person_detail_form.html",
        {"form": form, "person": person, "title": title},
    )


@login_required
@require_http_methods(["POST"])
@not_found_as_404
def person_detail_remove(
    request: HttpRequest, person_id: int, kind: str, item_id: int
) -> HttpResponse:
    if kind not in PERSON_DETAILS:
        raise Http404
    model = PERSON_DETAILS[kind][1]
    actor = actor_from_request(request)
    person = selectors.person_get_for(
        actor=actor, person_id=person_id, perm=Perm.CHANGE_PERSON, audit=False
    )
    item = model.objects.filter(person=person, pk=item_id).first()
    if item is None:
        raise Http404
    services.person_detail_remove(actor=actor, item=item)
    messages.success(request, _("Removed."))
    return redirect("registry:person_detail", person_id=person.pk)
