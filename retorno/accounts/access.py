"""The one place that decides who may see and do what, and where.

Pages, the API, imports and commands all ask here; nothing else reads
memberships to decide access.
"""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from retorno.accounts.models import Membership
from retorno.accounts.roles import ROLE_PERMISSIONS, Perm

_CACHE_ATTR = "_retorno_perm_orgs"


def _perm_orgs(user: Any) -> dict[Perm, frozenset[int]]:
    """Return, per permission, the organisations where the user holds it (cached on user)."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    result: dict[Perm, set[int]] = {}
    if user is not None and user.is_authenticated and user.is_active:
        rows = Membership.objects.filter(user=user, organisation__is_active=True).values_list(
            "organisation_id", "role"
        )
        for organisation_id, role in rows:
            for perm in ROLE_PERMISSIONS.get(role, frozenset()):
                result.setdefault(perm, set()).add(organisation_id)
    frozen = {perm: frozenset(orgs) for perm, orgs in result.items()}
    if user is not None:
        setattr(user, _CACHE_ATTR, frozen)
    return frozen


def forget(user: Any) -> None:
    """Drop the cached permissions, after memberships change."""
    for attr in (_CACHE_ATTR, "_retorno_roles"):
        if hasattr(user, attr):
            delattr(user, attr)


def orgs_with(user: Any, perm: Perm) -> frozenset[int]:
    """Return the ids of organisations in which the user holds perm."""
    return _perm_orgs(user).get(perm, frozenset())


def can(user: Any, perm: Perm, organisation_id: int | None = None) -> bool:
    """Say whether the user holds perm (in the given organisation, or anywhere)."""
    orgs = orgs_with(user, perm)
    return bool(orgs) if organisation_id is None else organisation_id in orgs


def require(user: Any, perm: Perm, organisation_id: int | None = None) -> None:
    """Raise PermissionDenied unless the user holds perm (there)."""
    if not can(user, perm, organisation_id):
        raise PermissionDenied(perm)


def permissions_of(user: Any) -> set[str]:
    """Return every permission the user holds somewhere (for menus)."""
    return {str(p) for p, orgs in _perm_orgs(user).items() if orgs}


def default_organisation(user: Any, perm: Perm) -> int | None:
    """Return the organisation to act for when the user holds perm in exactly one."""
    orgs = sorted(orgs_with(user, perm))
    return orgs[0] if len(orgs) == 1 else (orgs[0] if orgs else None)


def organisations_for_choice(user: Any, perm: Perm) -> Iterable[int]:
    return sorted(orgs_with(user, perm))


def roles_in(user: Any, organisation_id: int) -> frozenset[str]:
    """Return the roles the user holds in one organisation (cached on the user)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cache: dict[int, frozenset[str]] = getattr(user, "_retorno_roles", None) or {}
    if organisation_id not in cache:
        cache[organisation_id] = frozenset(
            Membership.objects.filter(
                user=user, organisation_id=organisation_id, organisation__is_active=True
            ).values_list("role", flat=True)
        )
        user._retorno_roles = cache
    return cache[organisation_id]


def memberships_of(user: Any) -> QuerySet[Membership]:
    """Return the user's memberships (none for anonymous users)."""
    if user is None or not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user_id=user.pk).select_related("organisation", "office")
