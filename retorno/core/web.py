"""Small helpers every page module shares: errors into forms, 404s, the acting organisation."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from retorno.accounts.access import orgs_with
from retorno.accounts.models import Organisation
from retorno.accounts.roles import Perm
from retorno.core.errors import NotFound

R = TypeVar("R", bound=HttpResponseBase)


def not_found_as_404(view: Callable[..., R]) -> Callable[..., R]:
    """Turn a selector's NotFound (missing, or not the user's to see) into a 404 page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> R:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404 from exc

    return wrapped


def apply_errors(form: Any, error: ValidationError) -> None:
    """Attach a service's validation errors to the form fields they name."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def acting_organisation(request: HttpRequest, perm: Perm) -> int:
    """The organisation a new record belongs to: the one chosen, or the user's first one."""
    orgs = orgs_with(request.user, perm)
    if not orgs:
        raise PermissionDenied
    chosen = request.POST.get("organisation") or request.GET.get("organisation")
    if chosen and str(chosen).isdigit() and int(chosen) in orgs:
        return int(chosen)
    return min(orgs)


def organisations_for(request: HttpRequest, perm: Perm) -> list[Organisation]:
    """The organisations in which the user holds perm, for a choice on a form."""
    return list(Organisation.objects.filter(pk__in=orgs_with(request.user, perm)))
