from typing import Any

from django.http import HttpRequest

from retorno.accounts.access import permissions_of


def retorno(request: HttpRequest) -> dict[str, Any]:
    """Expose what the user may do, so menus only show what works."""
    user = getattr(request, "user", None)
    return {"perms_here": permissions_of(user) if user is not None else set()}
