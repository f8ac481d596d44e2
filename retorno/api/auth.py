"""How API callers prove who they are: a personal bearer token, or the web session.

Tokens look like ``rt_…``; only their SHA-256 hash is stored. The session is
accepted too, so that a logged-in user can try the API from the browsable docs;
unsafe methods then need the CSRF token, as on any page.
"""

import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from retorno.accounts.models import ApiToken

# last_used_at is written at most this often per token, to keep reads cheap.
LAST_USED_GRANULARITY = datetime.timedelta(minutes=1)


class TokenAuth(HttpBearer):
    """Accept ``Authorization: Bearer rt_…`` for an unrevoked token of an active user."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        """Return the token's user, or None so that the next method is tried."""
        token = token.strip()
        if not token.startswith("rt_"):
            return None
        api_token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True)
            .first()
        )
        if api_token is None or not api_token.user.is_active:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_GRANULARITY:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user


class SessionAuth(APIKeyCookie):
    """Accept a logged-in web session; unsafe methods must carry the CSRF token."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        # csrf=True tells the docs page to send the CSRF header with its requests.
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        # The CSRF check happens in authenticate(), only once a session user is
        # found, so that a caller with no credentials gets 401 rather than 403.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        """Return the session's user, after checking CSRF for unsafe methods."""
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if check_csrf(request) is not None:
            raise HttpError(403, _("The CSRF check failed: reload the page and try again."))
        return user


api_auth = [TokenAuth(), SessionAuth()]
