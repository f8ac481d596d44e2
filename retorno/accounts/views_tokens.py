"""The page where users manage their personal API tokens."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from retorno.accounts.models import ApiToken
from retorno.accounts.services import API_TOKEN_NAME_MAX, api_token_create, api_token_revoke
from retorno.core.audit import actor_from_request


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=API_TOKEN_NAME_MAX,
        help_text=gettext_lazy("What the token is for, e.g. the program or script that uses it."),
    )


def _owner_id(request: HttpRequest) -> int:
    """Return the id of the logged-in user (both views require a login)."""
    pk = request.user.pk
    assert pk is not None
    return int(pk)


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """List the user's API tokens and create a new one, showing its secret once."""
    form = ApiTokenForm(request.POST or None)
    new_token: ApiToken | None = None
    new_secret = ""
    if request.method == "POST" and form.is_valid():
        try:
            new_token, new_secret = api_token_create(
                actor=actor_from_request(request),
                user=request.user,
                name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = ApiTokenForm()
    response = render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": ApiToken.objects.filter(user_id=_owner_id(request)).order_by("-created_at"),
            "new_token": new_token,
            "new_secret": new_secret,
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )
    # The secret appears in this page only; keep it out of caches and history.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the user's tokens."""
    token = get_object_or_404(ApiToken, pk=token_id, user_id=_owner_id(request))
    api_token_revoke(actor=actor_from_request(request), token=token)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
