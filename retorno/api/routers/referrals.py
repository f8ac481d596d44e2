"""Referrals: a case handed to another organisation or a service provider, sharing only some of it.

The sender sees the referral's status; the receiving organisation sees only the
parts of the case that were shared, and personal data only once it has accepted.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from retorno.accounts.access import can
from retorno.accounts.models import Organisation
from retorno.accounts.roles import Perm
from retorno.api.common import api_actor, page, plain
from retorno.api.schemas import ErrorOut, PageParams
from retorno.api.schemas_cases import (
    ReferralAnswerIn,
    ReferralDetailOut,
    ReferralIn,
    ReferralOutcomeIn,
    ReferralPage,
    ReferralSentOut,
)
from retorno.cases import services
from retorno.cases.models import Referral
from retorno.cases.selectors import (
    case_get_for,
    is_receiver,
    partners_for,
    referral_get_for,
    referrals_received_for,
    shared_view,
)
from retorno.registry.selectors import audit_list

router = Router(tags=["referrals"])

WRITE_ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _jsonable(value: Any) -> Any:
    """Amounts as decimal strings and dates as ISO text, also inside lists and dicts."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return plain(value)


def _seen_by(request: HttpRequest, referral: Referral) -> Referral:
    """Mark the referral with what the caller may see of it: the sender's or the receiver's view."""
    user = request.user
    if is_receiver(user, referral) and not can(user, Perm.VIEW_CASE, referral.from_organisation_id):
        referral.api_role = "receiver"  # type: ignore[attr-defined]
        shared = shared_view(actor=api_actor(request), referral=referral)
        referral.api_shared = _jsonable(shared)  # type: ignore[attr-defined]
    else:
        referral.api_role = "sender"  # type: ignore[attr-defined]
    return referral


def _referral(request: HttpRequest, referral_id: int) -> Referral:
    return referral_get_for(actor=api_actor(request), referral_id=referral_id)


@router.post(
    "/cases/{int:case_id}/referrals",
    response={201: ReferralSentOut, **WRITE_ERRORS},
    summary="Refer a case",
)
def referral_add(request: HttpRequest, case_id: int, payload: ReferralIn) -> Status[Referral]:
    """Refer the case to one organisation or one service provider, sharing the parts named.

    Without the person's consent to referral the answer is 422; a supervisor may refer
    anyway by giving `override_reason` (recorded and audited), other roles get 403.
    """
    actor = api_actor(request)
    case = case_get_for(actor=actor, case_id=case_id, audit=False)
    to_partner = None
    if payload.to_partner is not None:
        to_partner = partners_for(request.user).filter(pk=payload.to_partner).first()
        if to_partner is None:
            raise ValidationError({"to_partner": _("Unknown service provider.")})
    if (
        payload.to_organisation is not None
        and not Organisation.objects.filter(pk=payload.to_organisation, is_active=True).exists()
    ):
        raise ValidationError({"to_organisation": _("Unknown organisation.")})
    referral = services.referral_create(
        actor=actor,
        case=case,
        shared_fields=plain(payload.shared_fields),
        to_organisation_id=payload.to_organisation,
        to_partner=to_partner,
        message=payload.message,
        override_reason=payload.override_reason,
    )
    return Status(201, referral)


@router.get(
    "/cases/{int:case_id}/referrals",
    response={200: list[ReferralSentOut], 404: ErrorOut},
    summary="Referrals of a case",
)
def referral_list_of_case(request: HttpRequest, case_id: int) -> QuerySet[Referral]:
    case = case_get_for(actor=api_actor(request), case_id=case_id, audit=True)
    return case.referrals.select_related(
        "case", "from_organisation", "to_organisation", "to_partner"
    )


@router.get("/referrals/received", response=ReferralPage, summary="Referrals received")
def referral_received(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    """Referrals sent to the caller's organisations, newest first (no personal data here)."""
    qs = referrals_received_for(request.user).select_related("to_organisation", "to_partner")
    items, meta = page(qs, params.limit, params.offset)
    audit_list(actor=api_actor(request), entity_type="cases.referral", filters={}, shown=len(items))
    return {**meta, "items": items}


@router.get(
    "/referrals/{int:referral_id}",
    response={200: ReferralDetailOut, 404: ErrorOut},
    summary="Get a referral",
)
def referral_get(request: HttpRequest, referral_id: int) -> Referral:
    """The sender sees the referral and its status; the receiver the shared parts of the case."""
    return _seen_by(request, _referral(request, referral_id))


@router.post(
    "/referrals/{int:referral_id}/answer",
    response={200: ReferralDetailOut, **WRITE_ERRORS},
    summary="Accept or reject a referral",
)
def referral_answer(request: HttpRequest, referral_id: int, payload: ReferralAnswerIn) -> Referral:
    """The receiving organisation accepts or rejects a pending referral."""
    referral = _referral(request, referral_id)
    services.referral_answer(
        actor=api_actor(request), referral=referral, accept=payload.accept, answer=payload.answer
    )
    return _seen_by(request, _referral(request, referral_id))


@router.post(
    "/referrals/{int:referral_id}/revoke",
    response={200: ReferralDetailOut, **WRITE_ERRORS},
    summary="Revoke a referral",
)
def referral_revoke(request: HttpRequest, referral_id: int) -> Referral:
    """The sender withdraws the referral; the receiver no longer sees anything of the case."""
    referral = _referral(request, referral_id)
    services.referral_revoke(actor=api_actor(request), referral=referral)
    return _seen_by(request, _referral(request, referral_id))


@router.post(
    "/referrals/{int:referral_id}/outcome",
    response={200: ReferralDetailOut, **WRITE_ERRORS},
    summary="Record the outcome of the service",
)
def referral_outcome(
    request: HttpRequest, referral_id: int, payload: ReferralOutcomeIn
) -> Referral:
    """Record whether the person received the service they were referred to."""
    referral = _referral(request, referral_id)
    services.referral_record_outcome(
        actor=api_actor(request), referral=referral, outcome=plain(payload.service_outcome)
    )
    return _seen_by(request, _referral(request, referral_id))
