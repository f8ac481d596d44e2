"""Home, health check, glossary and the audit trail."""

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from retorno.accounts.access import can, memberships_of, orgs_with, permissions_of
from retorno.accounts.models import Membership
from retorno.accounts.roles import Perm
from retorno.core.glossary import TERMS
from retorno.core.models import AuditAction, AuditEvent


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database responds, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from retorno.registry.models import ReturnEvent
    from retorno.registry.selectors import person_queryset_for

    context: dict[str, Any] = {"perms": permissions_of(request.user)}
    if can(request.user, Perm.VIEW_PERSON):
        context["people_count"] = person_queryset_for(request.user).count()
    if can(request.user, Perm.VIEW_RETURN):
        orgs = orgs_with(request.user, Perm.VIEW_RETURN)
        since = datetime.date.today() - datetime.timedelta(days=30)
        context["recent_returns"] = ReturnEvent.objects.filter(
            organisation_id__in=orgs, return_date__gte=since
        ).count()
    context["memberships"] = memberships_of(request.user)
    return render(request, "core/home.html", context)


def glossary(request: HttpRequest) -> HttpResponse:
    """Show the report's definitions; public, since they help everybody."""
    return render(request, "core/glossary.html", {"terms": TERMS})


@login_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    """Let administrators search the audit trail of their organisations; nobody can edit it."""
    orgs = orgs_with(request.user, Perm.VIEW_AUDIT)
    if not orgs:
        raise PermissionDenied
    from django.db.models import Q

    # Events about the organisation's records, and events by its own people.
    members = Membership.objects.filter(organisation_id__in=orgs).values("user_id")
    qs = AuditEvent.objects.filter(Q(organisation_id__in=orgs) | Q(actor_id__in=members))
    params = request.GET
    if params.get("who"):
        qs = qs.filter(actor_label__icontains=params["who"].strip())
    if params.get("action") in AuditAction.values:
        qs = qs.filter(action=params["action"])
    if params.get("entity"):
        qs = qs.filter(entity_type__icontains=params["entity"].strip())
    if str(params.get("person", "")).isdigit():
        qs = qs.filter(person_id=int(params["person"]))
    for name, lookup in (("since", "at__date__gte"), ("until", "at__date__lte")):
        try:
            if params.get(name):
                qs = qs.filter(**{lookup: datetime.date.fromisoformat(params[name])})
        except ValueError:
            pass
    page = Paginator(qs.order_by("-at", "-id"), 50).get_page(params.get("page"))
    query = params.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit.html",
        {
            "page": page,
            "actions": AuditAction.choices,
            "params": params,
            "query": query.urlencode(),
        },
    )
