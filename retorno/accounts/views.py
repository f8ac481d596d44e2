"""Sign-in and the organisations directory."""

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from retorno.accounts.access import memberships_of
from retorno.accounts.models import Organisation
from retorno.core.audit import Actor, actor_from_request, audit_login
from retorno.core.models import AuditAction, AuditEvent


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@receiver(user_logged_in)
def _audit_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None:
        audit_login(actor=actor_from_request(request), username=user.get_username(), success=True)


@receiver(user_login_failed)
def _audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    actor = actor_from_request(request) if request is not None else Actor(user=None)
    audit_login(actor=actor, username=str(credentials.get("username", "")), success=False)


@receiver(user_logged_out)
def _audit_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and user is not None:
        actor = actor_from_request(request)
        AuditEvent.objects.create(
            actor=user,
            actor_label=user.get_username(),
            action=AuditAction.LOGOUT,
            channel=actor.channel,
            ip_address=actor.ip_address,
            user_agent=actor.user_agent,
        )


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    """List organisations: name, kind and country are public; one's own are marked."""
    own = set(memberships_of(request.user).values_list("organisation_id", flat=True))
    organisations = Organisation.objects.filter(is_active=True).prefetch_related("offices")
    return render(
        request, "accounts/organisations.html", {"organisations": organisations, "own": own}
    )
