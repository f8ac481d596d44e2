"""Every write of assisted return and reintegration, each in one transaction with its audit.

Case changes are versioned: an edit or transition made on an older version of the
case is refused with StaleEdit, so two people working on one case never silently
overwrite each other.
"""

import datetime
import hashlib
import uuid
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retorno.accounts.access import can, require, roles_in
from retorno.accounts.models import Organisation
from retorno.accounts.roles import Perm
from retorno.cases import choices as c
from retorno.cases import workflow
from retorno.cases.models import (
    BusinessPlan,
    Case,
    CaseDocument,
    CaseEvent,
    CaseNote,
    CaseTask,
    CommunityProject,
    CounsellingSession,
    Delivery,
    Partner,
    PlanItem,
    Programme,
    ProgrammeAssistance,
    ProtectionRisk,
    Referral,
    ReintegrationPlan,
    SupportSession,
)
from retorno.core.audit import Actor, audit_record, changed_fields, snapshot
from retorno.core.errors import StaleEdit
from retorno.core.geo import is_country, is_subdivision
from retorno.core.models import AuditAction
from retorno.core.versioning import update_if_current
from retorno.registry.choices import ConsentPurpose, ConsentStatus
from retorno.registry.models import Consent, Person

CENT = Decimal("0.01")
# Uploads: what a case file may hold, and how big.
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
_MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
FOLLOW_UP_MONTHS = (
    (3, c.TaskKind.FOLLOW_UP_3),
    (6, c.TaskKind.FOLLOW_UP_6),
    (12, c.TaskKind.FOLLOW_UP_12),
)

CASE_EDITABLE = (
    "office",
    "household",
    "programme",
    "language",
    "host_country",
    "origin_country",
    "return_region",
    "removal_order",
    *{f for fields in workflow.STAGE_FIELDS.values() for f in fields},
)


# Cases -----------------------------------------------------------------


def _event(
    case: Case,
    actor: Actor,
    kind: str,
    *,
    reason: str = "",
    from_stage: str = "",
    to_stage: str = "",
    at: datetime.datetime | None = None,
    **data: Any,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        at=at or timezone.now(),
        actor=actor.user if getattr(actor.user, "pk", None) else None,
        kind=kind,
        from_stage=from_stage,
        to_stage=to_stage,
        reason=reason,
        data=data,
    )


def _audit(
    actor: Actor, action: str, record: Any, case: Case, summary: str = "", **kw: Any
) -> None:
    audit_record(
        actor=actor,
        action=action,
        entity=record,
        organisation_id=case.organisation_id,
        person_id=case.person_id,
        summary=summary or str(record),
        **kw,
    )


def _next_reference(organisation_id: int) -> str:
    year = timezone.now().year
    # Unique by construction: the organisation, the year and a random part; the
    # unique index catches the one-in-a-billion collision.
    return f"C{organisation_id}-{year}-{uuid.uuid4().hex[:8].upper()}"


def _check_links(case: Case) -> None:
    """A case's office and household are its organisation's; its programme is one it may use."""
    errors = {}
    office, household, programme = case.office, case.household, case.programme
    if office is not None and office.organisation_id != case.organisation_id:
        errors["office"] = _("This office belongs to another organisation.")
    if household is not None and household.organisation_id != case.organisation_id:
        errors["household"] = _("This household belongs to another organisation.")
    if programme is not None and programme.organisation_id != case.organisation_id:
        partner_of = programme.partners.filter(linked_organisation_id=case.organisation_id)
        if not partner_of.exists():
            errors["programme"] = _("This programme is not run by or with your organisation.")
    if errors:
        raise ValidationError(errors)


def _check_countries(case: Case) -> None:
    _check_links(case)
    errors = {}
    for name in ("host_country", "origin_country"):
        value = getattr(case, name)
        if not value or not is_country(value):
            errors[name] = _("Not a known country code.")
    if case.return_region and not (
        is_subdivision(case.return_region)
        and case.return_region.upper().startswith(f"{case.origin_country.upper()}-")
    ):
        errors["return_region"] = _("Not a region of the country of return.")
    if set(case.vulnerabilities) - set(c.CaseVulnerability.values):
        errors["vulnerabilities"] = _("Unknown vulnerability.")
    if set(case.immediate_needs) - set(c.ImmediateNeed.values):
        errors["immediate_needs"] = _("Unknown need.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def case_open(
    *,
    actor: Actor,
    organisation_id: int,
    person: Person,
    assigned_to: Any = None,
    **fields: Any,
) -> Case:
    """Open a case for a person of the organisation, at intake."""
    require(actor.user, Perm.CREATE_CASE, organisation_id)
    if person.organisation_id != organisation_id:
        raise PermissionDenied("person of another organisation")
    unknown = set(fields) - set(CASE_EDITABLE)
    if unknown:
        raise TypeError(f"Unknown case fields: {sorted(unknown)}")
    if assigned_to is not None and not can(assigned_to, Perm.CHANGE_CASE, organisation_id):
        raise ValidationError(
            {"assigned_to": _("This person cannot work on the organisation's cases.")}
        )
    now = timezone.now()
    case = Case(
        organisation_id=organisation_id,
        person=person,
        household_id=person.household_id,
        assigned_to=assigned_to,
        stage=c.Stage.INTAKE,
        stage_changed_at=now,
        reference=_next_reference(organisation_id),
        created_by=actor.user,
        **fields,
    )
    _check_countries(case)
    case.full_clean(exclude=["organisation", "person", "office", "household", "programme"])
    case.save()
    _event(case, actor, c.EventKind.OPENED, to_stage=c.Stage.INTAKE, at=now)
    _audit(actor, AuditAction.CREATE, case, case, after=snapshot(case))
    return case


@transaction.atomic
def case_update(*, actor: Actor, case: Case, version: int, **fields: Any) -> Case:
    """Record details of the case (a stage's form); refused if the case changed meanwhile."""
    require(actor.user, Perm.CHANGE_CASE, case.organisation_id)
    unknown = set(fields) - set(CASE_EDITABLE) - {"assigned_to"}
    if unknown:
        raise TypeError(f"Unknown case fields: {sorted(unknown)}")
    if not case.is_open:
        raise ValidationError(_("A closed case cannot be changed."))
    if fields.get("assigned_to") is not None and not can(
        fields["assigned_to"], Perm.CHANGE_CASE, case.organisation_id
    ):
        raise ValidationError(
            {"assigned_to": _("This person cannot work on the organisation's cases.")}
        )
    before = snapshot(case)
    for name, value in fields.items():
        setattr(case, name, value)
    _check_countries(case)
    case.full_clean(exclude=["organisation", "person", "office", "household", "programme"])
    update_if_current(case, version, **fields)
    after = snapshot(case)
    changes = changed_fields(before, after)
    changes.pop("version", None)
    changes.pop("updated_at", None)
    kind = c.EventKind.ASSIGNED if set(fields) == {"assigned_to"} else c.EventKind.UPDATED
    _event(case, actor, kind, fields=sorted(changes))
    _audit(actor, AuditAction.UPDATE, case, case, before=before, after=after)
    return case


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def _deadline_tasks(case: Case, target: str) -> list[CaseTask]:
    """The tasks a stage brings with it: the plan's deadline, the follow-ups."""
    today = timezone.localdate()
    if target == c.Stage.PLANNING:
        days = case.programme.plan_due_days if case.programme else 30
        start = case.arrived_on or today
        return [
            CaseTask(
                case=case,
                kind=c.TaskKind.PLAN_DUE,
                due_on=start + datetime.timedelta(days=days),
                assigned_to=case.assigned_to,
            )
        ]
    if target == c.Stage.MONITORING:
        start = case.arrived_on or today
        return [
            CaseTask(
                case=case,
                kind=kind,
                due_on=_add_months(start, months),
                assigned_to=case.assigned_to,
            )
            for months, kind in FOLLOW_UP_MONTHS
        ]
    return []


def allowed_transitions(user: Any, case: Case) -> list[workflow.Transition]:
    """The transitions this user may make on this case now (ignoring the checks)."""
    roles = roles_in(user, case.organisation_id)
    return [t for t in workflow.transitions_from(case.stage) if roles & t.roles]


@transaction.atomic
def case_transition(
    *,
    actor: Actor,
    case: Case,
    target: str,
    version: int,
    reason: str = "",
    outcome: str = "",
) -> Case:
    """Move a case to another stage, if the workflow, the actor's role and the checks allow."""
    require(actor.user, Perm.CHANGE_CASE, case.organisation_id)
    transition = workflow.transition_between(case.stage, target)
    if transition is None:
        raise ValidationError(
            _("A case cannot go from %(source)s to %(target)s.")
            % {
                "source": c.Stage(case.stage).label,
                "target": c.Stage(target).label if target in c.Stage.values else target,
            }
        )
    if not roles_in(actor.user, case.organisation_id) & transition.roles:
        raise PermissionDenied("role may not make this transition")
    reason = reason.strip()
    if transition.needs_reason and not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    if transition.needs_outcome and outcome not in transition.outcomes:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    problems = transition.problems(case)
    if problems:
        raise ValidationError([str(p) for p in problems])
    source = case.stage
    now = timezone.now()
    fields: dict[str, Any] = {"stage": target, "stage_changed_at": now}
    if target == c.Stage.CLOSED:
        fields.update(outcome=outcome, closed_at=now)
    if target == c.Stage.WITHDRAWN:
        fields.update(outcome=c.Outcome.WITHDREW, withdrawal_reason=reason, closed_at=now)
    update_if_current(case, version, **fields)
    tasks = _deadline_tasks(case, target)
    if tasks:
        CaseTask.objects.bulk_create(tasks)
    if not case.is_open:
        # Nothing is left to do on a finished case.
        case.tasks.filter(done_at__isnull=True).update(done_at=now, done_by=None)
    _event(
        case,
        actor,
        c.EventKind.TRANSITION,
        reason=reason,
        from_stage=source,
        to_stage=target,
        at=now,
        outcome=fields.get("outcome", ""),
    )
    _audit(
        actor,
        AuditAction.UPDATE,
        case,
        case,
        summary=f"{case.reference}: {source} → {target}",
        before={"stage": source},
        after={"stage": target, "reason": reason, "outcome": fields.get("outcome", "")},
    )
    return case


# Stage records ------------------------------------------------------------


def _require_open(actor: Actor, case: Case, perm: Perm = Perm.CHANGE_CASE) -> None:
    require(actor.user, perm, case.organisation_id)
    if not case.is_open:
        raise ValidationError(_("A closed case cannot be changed."))


@transaction.atomic
def counselling_add(*, actor: Actor, case: Case, **fields: Any) -> CounsellingSession:
    _require_open(actor, case)
    session = CounsellingSession(case=case, recorded_by=actor.user, **fields)
    if set(session.topics) - set(c.CounsellingTopic.values) or not session.topics:
        raise ValidationError({"topics": _("Choose the topics covered.")})
    session.full_clean(exclude=["case", "recorded_by"])
    session.save()
    _event(
        case,
        actor,
        c.EventKind.COUNSELLING,
        language=session.language,
        interpreter=bool(session.interpreter),
    )
    _audit(actor, AuditAction.CREATE, session, case, after=snapshot(session))
    return session


@transaction.atomic
def risk_add(*, actor: Actor, case: Case, description: str, level: str) -> ProtectionRisk:
    _require_open(actor, case)
    risk = ProtectionRisk(case=case, description=description, level=level, recorded_by=actor.user)
    risk.full_clean(exclude=["case", "recorded_by", "signed_off_by"])
    risk.save()
    _event(case, actor, c.EventKind.RISK, reason=description, level=level, status=risk.status)
    _audit(actor, AuditAction.CREATE, risk, case, after=snapshot(risk))
    return risk


@transaction.atomic
def risk_mitigate(*, actor: Actor, risk: ProtectionRisk, mitigation: str) -> ProtectionRisk:
    case = risk.case
    _require_open(actor, case)
    if not mitigation.strip():
        raise ValidationError({"mitigation": _("Say how the risk was mitigated.")})
    if risk.status != c.RiskStatus.OPEN:
        raise ValidationError(_("Only an open risk can be mitigated."))
    before = snapshot(risk)
    risk.status, risk.mitigation = c.RiskStatus.MITIGATED, mitigation.strip()
    risk.save(update_fields=["status", "mitigation"])
    _event(case, actor, c.EventKind.RISK, reason=risk.mitigation, status=risk.status)
    _audit(actor, AuditAction.UPDATE, risk, case, before=before, after=snapshot(risk))
    return risk


@transaction.atomic
def risk_sign_off(*, actor: Actor, risk: ProtectionRisk, reason: str) -> ProtectionRisk:
    """A supervisor accepts an open risk, with a reason: the non-refoulement safeguard."""
    case = risk.case
    _require_open(actor, case, Perm.SIGN_OFF_RISK)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the sign-off.")})
    if risk.status != c.RiskStatus.OPEN:
        raise ValidationError(_("Only an open risk can be signed off."))
    before = snapshot(risk)
    risk.status = c.RiskStatus.SIGNED_OFF
    risk.signed_off_by = actor.user
    risk.signed_off_at = timezone.now()
    risk.sign_off_reason = reason.strip()
    risk.save(update_fields=["status", "signed_off_by", "signed_off_at", "sign_off_reason"])
    _event(case, actor, c.EventKind.SIGN_OFF, reason=risk.sign_off_reason)
    _audit(
        actor,
        AuditAction.OVERRIDE,
        risk,
        case,
        summary=_("Protection risk signed off: %(reason)s") % {"reason": risk.sign_off_reason},
        before=before,
        after=snapshot(risk),
    )
    return risk


@transaction.atomic
def note_add(
    *, actor: Actor, case: Case, text: str, sensitivity: str = c.Sensitivity.NORMAL
) -> CaseNote:
    require(actor.user, Perm.CHANGE_CASE, case.organisation_id)
    note = CaseNote(case=case, author=actor.user, text=text.strip(), sensitivity=sensitivity)
    note.full_clean(exclude=["case", "author"])
    note.save()
    # The timeline says a note was written; a restricted note's text stays with the note.
    _event(case, actor, c.EventKind.NOTE, sensitivity=sensitivity)
    _audit(
        actor, AuditAction.CREATE, note, case, summary=_("note"), after={"sensitivity": sensitivity}
    )
    return note


@transaction.atomic
def task_add(
    *, actor: Actor, case: Case, title: str, due_on: datetime.date, assigned_to: Any = None
) -> CaseTask:
    _require_open(actor, case)
    if assigned_to is not None and not can(assigned_to, Perm.CHANGE_CASE, case.organisation_id):
        raise ValidationError(
            {"assigned_to": _("This person cannot work on the organisation's cases.")}
        )
    task = CaseTask(
        case=case,
        kind=c.TaskKind.OTHER,
        title=title.strip(),
        due_on=due_on,
        assigned_to=assigned_to or case.assigned_to or actor.user,
    )
    if not task.title:
        raise ValidationError({"title": _("Say what is to be done.")})
    task.save()
    _event(case, actor, c.EventKind.TASK, reason=task.title, due_on=due_on.isoformat())
    _audit(actor, AuditAction.CREATE, task, case, after=snapshot(task))
    return task


@transaction.atomic
def task_complete(*, actor: Actor, task: CaseTask) -> CaseTask:
    case = task.case
    require(actor.user, Perm.CHANGE_CASE, case.organisation_id)
    updated = CaseTask.objects.filter(pk=task.pk, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=actor.user
    )
    if not updated:
        raise StaleEdit()
    task.refresh_from_db()
    # A task the system made has no title: its kind is kept, and the timeline shows
    # the kind's label in the reader's language.
    _event(case, actor, c.EventKind.TASK, reason=task.title, done=True, task_kind=task.kind)
    _audit(actor, AuditAction.UPDATE, task, case, after={"done": True})
    return task


def documents_root() -> Path:
    """Where case documents are kept: under MEDIA_ROOT, which no URL serves."""
    return Path(settings.MEDIA_ROOT) / "cases"


@transaction.atomic
def document_upload(
    *, actor: Actor, case: Case, kind: str, uploaded_file: UploadedFile
) -> CaseDocument:
    """Keep an uploaded file with the case, after checking its type, content and size."""
    require(actor.user, Perm.CHANGE_CASE, case.organisation_id)
    name = Path(uploaded_file.name or "document").name
    suffix = Path(name).suffix.lower()
    content_type = DOCUMENT_TYPES.get(suffix)
    if content_type is None:
        raise ValidationError({"file": _("Only PDF, JPEG and PNG files can be attached.")})
    if (uploaded_file.size or 0) > DOCUMENT_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(size)s MB.")
                % {"size": DOCUMENT_MAX_BYTES // 2**20}
            }
        )
    if kind not in c.DocumentKind.values:
        raise ValidationError({"kind": _("Choose the kind of document.")})
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    if not head.startswith(_MAGIC[content_type]):
        raise ValidationError(
            {"file": _("The file's content does not match its name (%(name)s).") % {"name": name}}
        )
    directory = documents_root() / str(case.pk)
    directory.mkdir(parents=True, exist_ok=True)
    stored = directory / f"{uuid.uuid4().hex}{suffix}"
    digest = hashlib.sha256()
    size = 0
    with stored.open("wb") as out:
        for piece in uploaded_file.chunks():
            size += len(piece)
            if size > DOCUMENT_MAX_BYTES:
                out.close()
                stored.unlink(missing_ok=True)
                raise ValidationError(
                    {
                        "file": _("The file is larger than %(size)s MB.")
                        % {"size": DOCUMENT_MAX_BYTES // 2**20}
                    }
                )
            digest.update(piece)
            out.write(piece)
    document = CaseDocument.objects.create(
        case=case,
        kind=kind,
        file_name=name[:200],
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
        stored_path=str(stored.relative_to(settings.MEDIA_ROOT)),
        uploaded_by=actor.user,
    )
    _event(case, actor, c.EventKind.DOCUMENT, reason=document.file_name, document=kind)
    _audit(actor, AuditAction.CREATE, document, case, after=snapshot(document))
    return document


# Referrals -------------------------------------------------------------------


def has_consent(person: Person, purpose: str) -> bool:
    latest = (
        Consent.objects.filter(person=person, purpose=purpose)
        .order_by("-recorded_at", "-id")
        .first()
    )
    return latest is not None and latest.status == ConsentStatus.GIVEN


@transaction.atomic
def referral_create(
    *,
    actor: Actor,
    case: Case,
    shared_fields: list[str],
    to_organisation_id: int | None = None,
    to_partner: Partner | None = None,
    message: str = "",
    override_reason: str = "",
) -> Referral:
    """Refer a case, sharing only the named parts; without consent only a supervisor may."""
    _require_open(actor, case, Perm.REFER_CASE)
    if bool(to_organisation_id) == bool(to_partner):
        raise ValidationError(_("Refer the case to one organisation or one service provider."))
    if to_partner is not None and to_partner.linked_organisation_id:
        to_organisation_id = to_partner.linked_organisation_id
    if to_organisation_id == case.organisation_id:
        raise ValidationError(_("A case cannot be referred to its own organisation."))
    if (to_partner is not None and not to_partner.is_active) or (
        to_organisation_id
        and not Organisation.objects.filter(pk=to_organisation_id, is_active=True).exists()
    ):
        raise ValidationError(_("This organisation or service provider no longer takes referrals."))
    if not shared_fields or set(shared_fields) - set(c.SharedField.values):
        raise ValidationError({"shared_fields": _("Choose what to share.")})
    referral = Referral(
        case=case,
        from_organisation_id=case.organisation_id,
        to_organisation_id=to_organisation_id,
        to_partner=to_partner,
        shared_fields=sorted(set(shared_fields)),
        message=message.strip(),
        created_by=actor.user,
    )
    override_reason = override_reason.strip()
    if not has_consent(case.person, ConsentPurpose.REFERRAL):
        if not override_reason:
            raise ValidationError(
                _(
                    "The person has not consented to referral. Record their consent first; "
                    "only a supervisor can refer without it, giving a reason."
                )
            )
        require(actor.user, Perm.OVERRIDE_CONSENT, case.organisation_id)
        referral.consent_override_reason = override_reason
        referral.consent_overridden_by = actor.user
    referral.save()
    _event(
        case,
        actor,
        c.EventKind.REFERRAL,
        reason=referral.message,
        status=referral.status,
        referral=referral.pk,
    )
    _audit(actor, AuditAction.CREATE, referral, case, after=snapshot(referral))
    if referral.consent_override_reason:
        _audit(
            actor,
            AuditAction.OVERRIDE,
            referral,
            case,
            summary=_("Referred without the person's consent: %(reason)s")
            % {"reason": override_reason},
        )
    return referral


@transaction.atomic
def referral_answer(
    *, actor: Actor, referral: Referral, accept: bool, answer: str = ""
) -> Referral:
    """The receiving organisation accepts or rejects a pending referral."""
    if referral.to_organisation_id is None:
        raise PermissionDenied("referral to a provider outside Retorno")
    require(actor.user, Perm.ANSWER_REFERRAL, referral.to_organisation_id)
    if referral.status != c.ReferralStatus.PENDING:
        raise ValidationError(_("This referral has already been answered or revoked."))
    if not accept and not answer.strip():
        raise ValidationError({"answer": _("Say why the referral is rejected.")})
    status = c.ReferralStatus.ACCEPTED if accept else c.ReferralStatus.REJECTED
    update_if_current(
        referral,
        referral.version,
        status=status,
        answer=answer.strip(),
        answered_by=actor.user,
        answered_at=timezone.now(),
    )
    _event(
        referral.case,
        actor,
        c.EventKind.REFERRAL,
        reason=referral.answer,
        status=status,
        referral=referral.pk,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        entity=referral,
        organisation_id=referral.to_organisation_id,
        person_id=referral.case.person_id,
        summary=f"{referral.case.reference}: {status}",
        after={"status": status},
    )
    return referral


@transaction.atomic
def referral_revoke(*, actor: Actor, referral: Referral) -> Referral:
    """The sender withdraws a referral; the receiver sees nothing of the case any more."""
    require(actor.user, Perm.REFER_CASE, referral.from_organisation_id)
    if referral.status in (c.ReferralStatus.REVOKED, c.ReferralStatus.REJECTED):
        raise ValidationError(_("This referral is no longer in force."))
    update_if_current(
        referral, referral.version, status=c.ReferralStatus.REVOKED, revoked_at=timezone.now()
    )
    _event(referral.case, actor, c.EventKind.REFERRAL, status=referral.status, referral=referral.pk)
    _audit(actor, AuditAction.UPDATE, referral, referral.case, after={"status": referral.status})
    return referral


@transaction.atomic
def referral_record_outcome(*, actor: Actor, referral: Referral, outcome: str) -> Referral:
    """Record whether the person received the service they were referred to."""
    allowed = can(actor.user, Perm.REFER_CASE, referral.from_organisation_id) or (
        referral.to_organisation_id is not None
        and can(actor.user, Perm.ANSWER_REFERRAL, referral.to_organisation_id)
    )
    if not allowed:
        raise PermissionDenied("not a party to the referral")
    if outcome not in c.ServiceOutcome.values:
        raise ValidationError({"service_outcome": _("Choose the outcome.")})
    in_force = referral.status == c.ReferralStatus.ACCEPTED or (
        referral.to_organisation_id is None and referral.status == c.ReferralStatus.PENDING
    )
    if not in_force:
        raise ValidationError(_("An outcome is recorded only for a referral in force."))
    update_if_current(referral, referral.version, service_outcome=outcome)
    _event(referral.case, actor, c.EventKind.REFERRAL, outcome=outcome, referral=referral.pk)
    _audit(actor, AuditAction.UPDATE, referral, referral.case, after={"service_outcome": outcome})
    return referral


# Reintegration plans -----------------------------------------------------------


def money(value: Any, field_name: str = "amount") -> Decimal:
    """Read an amount as Decimal (never float), rounded to cents."""
    if isinstance(value, float):
        raise TypeError("amounts are never floats")
    try:
        amount = Decimal(str(value).strip().replace(" ", ""))
    except InvalidOperation as exc:
        raise ValidationError({field_name: _("Not an amount.")}) from exc
    if not amount.is_finite() or amount < 0:
        raise ValidationError({field_name: _("Not an amount.")})
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _check_currency(code: str, field_name: str = "currency") -> str:
    import pycountry

    code = (code or "").upper()
    if pycountry.currencies.get(alpha_3=code) is None:
        raise ValidationError({field_name: _("Not a known currency code.")})
    return code


def plan_total(plan: ReintegrationPlan) -> Decimal:
    return sum((i.planned_amount or Decimal("0") for i in plan.items.all()), Decimal("0"))


@transaction.atomic
def plan_start(
    *, actor: Actor, case: Case, summary: str = "", currency: str = ""
) -> ReintegrationPlan:
    _require_open(actor, case, Perm.DRAFT_PLAN)
    if hasattr(case, "plan"):
        return case.plan
    if case.programme is not None:
        # Ceilings and the approval threshold are in the programme's currency: a plan
        # kept in another one could slip past them.
        if currency and currency.upper() != case.programme.currency:
            raise ValidationError(
                {
                    "currency": _("A plan is kept in its programme's currency (%(currency)s).")
                    % {"currency": case.programme.currency}
                }
            )
        currency = case.programme.currency
    currency = _check_currency(currency or "EUR")
    plan = ReintegrationPlan.objects.create(
        case=case, currency=currency, summary=summary.strip(), drafted_by=actor.user
    )
    _event(case, actor, c.EventKind.PLAN, status=plan.status)
    _audit(actor, AuditAction.CREATE, plan, case, after=snapshot(plan))
    return plan


def _editable_plan(actor: Actor, plan: ReintegrationPlan) -> None:
    _require_open(actor, plan.case, Perm.DRAFT_PLAN)
    if plan.status not in (c.PlanStatus.DRAFT, c.PlanStatus.RETURNED):
        raise ValidationError(_("A plan waiting for approval or approved cannot be changed."))


@transaction.atomic
def plan_item_add(
    *, actor: Actor, plan: ReintegrationPlan, version: int, **fields: Any
) -> PlanItem:
    _editable_plan(actor, plan)
    if fields.get("planned_amount") not in (None, ""):
        fields["planned_amount"] = money(fields["planned_amount"], "planned_amount")
    else:
        fields["planned_amount"] = None
    item = PlanItem(plan=plan, **fields)
    if not item.in_kind and item.planned_amount is None:
        raise ValidationError({"planned_amount": _("Give an amount, or mark the item as in kind.")})
    item.full_clean(exclude=["plan", "partner"])
    _ceiling_check(plan, item.kind, item.planned_amount, exclude_item=None)
    update_if_current(plan, version)
    item.save()
    _event(plan.case, actor, c.EventKind.PLAN, item=item.description)
    _audit(actor, AuditAction.CREATE, item, plan.case, after=snapshot(item))
    return item


@transaction.atomic
def plan_item_remove(*, actor: Actor, item: PlanItem, version: int) -> None:
    plan = item.plan
    _editable_plan(actor, plan)
    before = snapshot(item)
    update_if_current(plan, version)
    _audit(actor, AuditAction.DELETE, item, plan.case, before=before)
    item.delete()


def _ceiling_check(
    plan: ReintegrationPlan, kind: str, amount: Decimal | None, exclude_item: int | None
) -> None:
    programme = plan.case.programme
    if programme is None:
        return
    offer = ProgrammeAssistance.objects.filter(programme=programme, kind=kind).first()
    if offer is None:
        # In kind or paid, a programme gives only the assistance it offers.
        raise ValidationError({"kind": _("The programme does not offer this assistance.")})
    if offer.ceiling is None or amount is None:
        return
    planned = sum(
        (
            i.planned_amount or Decimal("0")
            for i in plan.items.filter(kind=kind)
            if i.pk != exclude_item
        ),
        Decimal("0"),
    )
    if planned + amount > offer.ceiling:
        raise ValidationError(
            {
                "planned_amount": _(
                    "Above the programme's ceiling of %(ceiling)s %(currency)s per person "
                    "for this assistance."
                )
                % {"ceiling": offer.ceiling, "currency": programme.currency}
            }
        )


@transaction.atomic
def plan_submit(*, actor: Actor, plan: ReintegrationPlan, version: int) -> ReintegrationPlan:
    _editable_plan(actor, plan)
    if not plan.items.exists():
        raise ValidationError(_("A plan needs at least one item."))
    update_if_current(plan, version, status=c.PlanStatus.SUBMITTED, submitted_at=timezone.now())
    _event(plan.case, actor, c.EventKind.PLAN, status=plan.status, total=str(plan_total(plan)))
    _audit(actor, AuditAction.UPDATE, plan, plan.case, after={"status": plan.status})
    return plan


def needs_second_person(plan: ReintegrationPlan) -> bool:
    threshold = plan.case.programme.approval_threshold if plan.case.programme else Decimal("0")
    return plan_total(plan) > threshold


@transaction.atomic
def plan_review(
    *, actor: Actor, plan: ReintegrationPlan, version: int, approve: bool, comment: str = ""
) -> ReintegrationPlan:
    """Approve a submitted plan, or return it for changes; its author cannot approve a large one."""
    _require_open(actor, plan.case, Perm.APPROVE_PLAN)
    if plan.status != c.PlanStatus.SUBMITTED:
        raise ValidationError(_("Only a plan waiting for approval can be reviewed."))
    if approve and plan.drafted_by_id == actor.user_id and needs_second_person(plan):
        raise ValidationError(
            _(
                "This plan is above the programme's approval threshold: somebody other "
                "than its author must approve it."
            )
        )
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Say what needs to change.")})
    if approve:
        update_if_current(
            plan,
            version,
            status=c.PlanStatus.APPROVED,
            approved_by=actor.user,
            approved_at=timezone.now(),
            review_comment=comment.strip(),
        )
    else:
        update_if_current(
            plan, version, status=c.PlanStatus.RETURNED, review_comment=comment.strip()
        )
    _event(plan.case, actor, c.EventKind.PLAN, status=plan.status, reason=plan.review_comment)
    _audit(actor, AuditAction.UPDATE, plan, plan.case, after={"status": plan.status})
    return plan


@transaction.atomic
def delivery_record(
    *,
    actor: Actor,
    item: PlanItem,
    method: str,
    delivered_on: datetime.date,
    amount: Any = None,
    currency: str = "",
    exchange_rate: Any = None,
    proof: CaseDocument | None = None,
    note: str = "",
) -> Delivery:
    """Record assistance given; a payment in another currency keeps the day's rate."""
    plan = item.plan
    _require_open(actor, plan.case, Perm.RECORD_DELIVERY)
    if plan.status != c.PlanStatus.APPROVED:
        raise ValidationError(_("Assistance can be delivered only under an approved plan."))
    if proof is not None and proof.case_id != plan.case_id:
        raise ValidationError({"proof": _("The proof must be a document of this case.")})
    delivery = Delivery(
        item=item,
        method=method,
        delivered_on=delivered_on,
        proof=proof,
        note=note.strip(),
        recorded_by=actor.user,
    )
    if amount not in (None, ""):
        delivery.amount = money(amount)
        delivery.currency = _check_currency(currency or plan.currency)
        if delivery.currency == plan.currency:
            delivery.exchange_rate = Decimal("1")
        else:
            if exchange_rate in (None, ""):
                raise ValidationError(
                    {"exchange_rate": _("Give the exchange rate used for this payment.")}
                )
            try:
                rate = Decimal(str(exchange_rate).strip())
            except InvalidOperation as exc:
                raise ValidationError({"exchange_rate": _("Not an exchange rate.")}) from exc
            if not rate.is_finite() or rate <= 0:
                raise ValidationError({"exchange_rate": _("Not an exchange rate.")})
            delivery.exchange_rate = rate
        delivery.amount_in_plan_currency = (delivery.amount * delivery.exchange_rate).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
    elif method in (
        c.DeliveryMethod.CASH,
        c.DeliveryMethod.BANK_TRANSFER,
        c.DeliveryMethod.VOUCHER,
    ):
        raise ValidationError({"amount": _("Give the amount paid.")})
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": _("The date is in the future.")})
    delivery.full_clean(exclude=["item", "proof", "recorded_by"])
    delivery.save()
    _event(
        plan.case,
        actor,
        c.EventKind.DELIVERY,
        reason=item.description,
        method=method,
        amount=str(delivery.amount or ""),
        currency=delivery.currency,
    )
    _audit(actor, AuditAction.CREATE, delivery, plan.case, after=snapshot(delivery))
    return delivery


# Business support ----------------------------------------------------------------


BUSINESS_FIELDS = (
    "activity",
    "place",
    "market",
    "currency",
    "startup_costs",
    "expected_monthly_income",
    "feasibility",
    "credit_partner",
    "credit_amount",
    "credit_status",
)


@transaction.atomic
def business_plan_save(
    *, actor: Actor, case: Case, version: int | None, **fields: Any
) -> BusinessPlan:
    _require_open(actor, case, Perm.DRAFT_PLAN)
    unknown = set(fields) - set(BUSINESS_FIELDS)
    if unknown:
        raise TypeError(f"Unknown business plan fields: {sorted(unknown)}")
    for name in ("startup_costs", "expected_monthly_income", "credit_amount"):
        if name in fields:
            fields[name] = None if fields[name] in (None, "") else money(fields[name], name)
    existing = BusinessPlan.objects.filter(case=case).first()
    # Defaults fill a new plan or a field being cleared; a change leaves other fields alone.
    if (existing is None or "startup_costs" in fields) and fields.get("startup_costs") is None:
        fields["startup_costs"] = Decimal("0")
    if existing is None or "currency" in fields:
        fields["currency"] = _check_currency(fields.get("currency") or "EUR")
    if set(fields.get("feasibility") or []) - set(c.FeasibilityItem.values):
        raise ValidationError({"feasibility": _("Unknown checklist item.")})
    if existing is None:
        plan = BusinessPlan(case=case, **fields)
        plan.full_clean(exclude=["case", "credit_partner"])
        plan.save()
        _audit(actor, AuditAction.CREATE, plan, case, after=snapshot(plan))
    else:
        before = snapshot(existing)
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.full_clean(exclude=["case", "credit_partner"])
        update_if_current(existing, version, **fields)
        plan = existing
        _audit(actor, AuditAction.UPDATE, plan, case, before=before, after=snapshot(plan))
    _event(case, actor, c.EventKind.PLAN, business=plan.activity)
    return plan


@transaction.atomic
def support_session_add(
    *, actor: Actor, business_plan: BusinessPlan, **fields: Any
) -> SupportSession:
    case = business_plan.case
    _require_open(actor, case, Perm.DRAFT_PLAN)
    session = SupportSession(business_plan=business_plan, **fields)
    session.full_clean(exclude=["business_plan"])
    session.save()
    _event(case, actor, c.EventKind.PLAN, support=session.topic)
    _audit(actor, AuditAction.CREATE, session, case, after=snapshot(session))
    return session


# Programmes, directory, community projects --------------------------------------------


def _save_owned(
    actor: Actor, perm: Perm, record: Any, exclude: list[str], version: int | None = None
) -> Any:
    require(actor.user, perm, record.organisation_id)
    creating = record.pk is None
    stored = None if creating else type(record).objects.get(pk=record.pk)
    if stored is not None:
        # The organisation the record belongs to now decides, not the one it is being given.
        require(actor.user, perm, stored.organisation_id)
    record.full_clean(exclude=exclude)
    before = None if stored is None else snapshot(stored)
    if creating:
        record.save()
    else:
        update_if_current(
            record,
            version,
            **{
                f.attname: getattr(record, f.attname)
                for f in record._meta.concrete_fields
                if not f.primary_key and f.attname != "version"
            },
        )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if creating else AuditAction.UPDATE,
        entity=record,
        before=before,
        after=snapshot(record),
    )
    return record


def _check_country_list(values: list[str], field_name: str) -> list[str]:
    codes = [v.upper() for v in values or []]
    if not all(is_country(code) for code in codes):
        raise ValidationError({field_name: _("Not a known country code.")})
    return codes


@transaction.atomic
def programme_save(
    *,
    actor: Actor,
    programme: Programme,
    version: int | None = None,
    assistance: dict[str, Any] | None = None,
    partners: list[Partner] | None = None,
) -> Programme:
    """Create or change a programme and (if given) its assistance catalogue and partners."""
    if partners is not None and any(not p.is_active for p in partners):
        raise ValidationError({"partners": _("This partner is no longer in the directory.")})
    programme.currency = _check_currency(programme.currency)
    for name in ("host_countries", "origin_countries", "eligible_nationalities"):
        setattr(programme, name, _check_country_list(getattr(programme, name), name))
    if programme.starts_on and programme.ends_on and programme.ends_on < programme.starts_on:
        raise ValidationError({"ends_on": _("The end is before the start.")})
    ceilings: dict[str, Decimal | None] = {}
    if assistance is not None:
        # Checked before anything is saved, so a refused catalogue changes nothing.
        unknown = set(assistance) - set(c.AssistanceKind.values)
        if unknown:
            raise ValidationError({"assistance": _("Unknown assistance.")})
        ceilings = {
            kind: None if ceiling in (None, "") else money(ceiling, "ceiling")
            for kind, ceiling in assistance.items()
        }
    before = _programme_links(programme) if programme.pk else None
    _save_owned(actor, Perm.MANAGE_PROGRAMMES, programme, ["organisation", "partners"], version)
    if assistance is not None:
        programme.assistance.exclude(kind__in=list(ceilings)).delete()
        for kind, ceiling in ceilings.items():
            ProgrammeAssistance.objects.update_or_create(
                programme=programme, kind=kind, defaults={"ceiling": ceiling}
            )
    if partners is not None:
        programme.partners.set(partners)
    after = _programme_links(programme)
    if after != before and (assistance is not None or partners is not None):
        # The catalogue and the partners are not columns of the programme: their
        # changes get an audit event of their own.
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            entity=programme,
            summary=f"{programme.name}: assistance and partners",
            before=before,
            after=after,
        )
    return programme


def _programme_links(programme: Programme) -> dict[str, Any]:
    return {
        "assistance": {
            a.kind: str(a.ceiling) if a.ceiling is not None else None
            for a in programme.assistance.order_by("kind")
        },
        "partners": sorted(programme.partners.values_list("pk", flat=True)),
    }


@transaction.atomic
def partner_save(*, actor: Actor, partner: Partner, version: int | None = None) -> Partner:
    if not is_country(partner.country):
        raise ValidationError({"country": _("Not a known country code.")})
    return _save_owned(
        actor, Perm.MANAGE_DIRECTORY, partner, ["organisation", "linked_organisation"], version
    )


@transaction.atomic
def community_project_save(
    *, actor: Actor, project: CommunityProject, version: int | None = None
) -> CommunityProject:
    project.currency = _check_currency(project.currency)
    if not is_country(project.country):
        raise ValidationError({"country": _("Not a known country code.")})
    return _save_owned(
        actor, Perm.MANAGE_PROGRAMMES, project, ["organisation", "programme"], version
    )
