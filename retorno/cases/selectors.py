"""Every permission-scoped read of cases, used by pages and the API alike; views audited here.

A user sees a case fully when they hold VIEW_CASE in its organisation. Staff of an
organisation a case was referred to see only the shared part of an accepted
referral (``shared_view``), never the case itself.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Case as Ordered
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retorno.accounts.access import can, orgs_with
from retorno.accounts.models import Membership, Organisation
from retorno.accounts.roles import ROLE_PERMISSIONS, Perm
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
    Delivery,
    Partner,
    PlanItem,
    Programme,
    ProgrammeAssistance,
    Referral,
    ReintegrationPlan,
)
from retorno.core.audit import Actor, audit_record
from retorno.core.errors import NotFound
from retorno.core.geo import country_name
from retorno.core.models import AuditAction
from retorno.registry.models import Person
from retorno.registry.selectors import text_match
from retorno.registry.services import time_abroad_months

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def case_queryset_for(user: Any, perm: Perm = Perm.VIEW_CASE) -> QuerySet[Case]:
    return Case.objects.filter(organisation_id__in=orgs_with(user, perm))


def case_get_for(
    *, actor: Actor, case_id: Any, perm: Perm = Perm.VIEW_CASE, audit: bool = True
) -> Case:
    """Return the case if the actor may see (or, with perm, work on) it; audit the view."""
    try:
        case = (
            case_queryset_for(actor.user, perm)
            .select_related("person", "programme", "assigned_to", "office", "household")
            .get(pk=int(case_id))
        )
    except (Case.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc
    if audit:
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            entity=case,
            person_id=case.person_id,
            summary=case.reference,
        )
    return case


def case_with_details(case: Case) -> Case:
    """Load what the case page shows, in a fixed number of queries."""
    return (
        Case.objects.filter(pk=case.pk)
        .select_related("person", "programme", "assigned_to", "office", "household")
        .prefetch_related(
            "sessions",
            "risks",
            "documents",
            Prefetch("tasks", queryset=CaseTask.objects.select_related("assigned_to")),
            Prefetch(
                "referrals",
                queryset=Referral.objects.select_related("to_organisation", "to_partner"),
            ),
        )
        .get()
    )


def notes_for(user: Any, case: Case) -> QuerySet[CaseNote]:
    """The notes this user may read: restricted ones only for the caseworker and supervisors."""
    notes = case.notes.select_related("author")
    if not can(user, Perm.VIEW_CASE, case.organisation_id):
        # Being (still) assigned to a case is no way in without the right to see cases.
        return notes.none()
    if case.assigned_to_id == user.pk or can(
        user, Perm.VIEW_RESTRICTED_NOTES, case.organisation_id
    ):
        return notes
    return notes.filter(sensitivity=c.Sensitivity.NORMAL)


def plan_for(case: Case) -> ReintegrationPlan | None:
    return (
        ReintegrationPlan.objects.filter(case=case)
        .select_related("drafted_by", "approved_by", "case__programme")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=PlanItem.objects.select_related("partner").prefetch_related(
                    Prefetch("deliveries", queryset=Delivery.objects.select_related("proof"))
                ),
            )
        )
        .first()
    )


@dataclass
class Budget:
    planned: Decimal = Decimal("0")
    paid: Decimal = Decimal("0")

    @property
    def remaining(self) -> Decimal:
        return self.planned - self.paid


def plan_budget(plan: ReintegrationPlan) -> Budget:
    """Planned against paid, in the plan's currency (payments converted at their own rate)."""
    budget = Budget()
    for item in plan.items.all():
        budget.planned += item.planned_amount or Decimal("0")
        for delivery in item.deliveries.all():
            budget.paid += delivery.amount_in_plan_currency or Decimal("0")
    return budget


def programme_budget(programme: Programme) -> dict[str, Any]:
    """The programme's budget, what approved plans commit and what has been paid.

    Plans kept in another currency than the programme's are reported apart, not
    added up: converting them would need a rate nobody recorded.
    """
    plans = ReintegrationPlan.objects.filter(case__programme=programme)
    same = plans.filter(currency=programme.currency)
    committed = PlanItem.objects.filter(
        plan__in=same.filter(status=c.PlanStatus.APPROVED)
    ).aggregate(total=Sum("planned_amount"))["total"] or Decimal("0")
    paid = Delivery.objects.filter(item__plan__in=same).aggregate(
        total=Sum("amount_in_plan_currency")
    )["total"] or Decimal("0")
    return {
        "budget": programme.budget,
        "committed": committed,
        "paid": paid,
        "available": programme.budget - committed,
        "other_currency_plans": plans.exclude(currency=programme.currency).count(),
    }


# Lists and dashboards ---------------------------------------------------------------------


@dataclass
class CaseFilters:
    q: str = ""
    stage: str = ""
    programme: int | None = None
    assigned: str = ""  # "me", "none" or a user id
    origin_country: str = ""
    removal_order: str = ""  # "yes", "no"
    overdue: bool = False
    include_closed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def case_list_for(*, actor: Actor, filters: CaseFilters) -> QuerySet[Case]:
    """The cases the actor may see, filtered, newest change first; the list is audited."""
    cases = case_queryset_for(actor.user)
    if filters.stage:
        cases = cases.filter(stage=filters.stage)
    elif not filters.include_closed:
        cases = cases.filter(stage__in=c.OPEN_STAGES)
    if filters.programme:
        cases = cases.filter(programme_id=filters.programme)
    if filters.assigned == "me":
        cases = cases.filter(assigned_to_id=actor.user_id)
    elif filters.assigned == "none":
        cases = cases.filter(assigned_to__isnull=True)
    elif filters.assigned.isdigit():
        cases = cases.filter(assigned_to_id=int(filters.assigned))
    if filters.origin_country:
        cases = cases.filter(origin_country=filters.origin_country.upper())
    if filters.removal_order in ("yes", "no"):
        cases = cases.filter(removal_order=filters.removal_order == "yes")
    if filters.overdue:
        # Checked per case as the list is read newest first (no join, no DISTINCT),
        # so a page is found without collecting every case that has a late task.
        late = CaseTask.objects.filter(
            case=OuterRef("pk"), done_at__isnull=True, due_on__lt=timezone.localdate()
        )
        cases = cases.filter(Exists(late))
    if filters.q:
        q = filters.q.strip()
        # Names through the registry's name-key index (spelling-tolerant, never a
        # scan of names); references by their beginning, through the unique index.
        condition = text_match(q, "person_id")
        if any(ch.isdigit() for ch in q):
            start = q.upper()
            condition |= Q(reference__gte=start, reference__lt=start + "\uffff")
        cases = cases.filter(condition)
    audit_record(
        actor=actor,
        action=AuditAction.LIST,
        entity_type="cases.case",
        summary=f"cases {filters.stage or ''} {filters.q or ''}".strip(),
    )
    return cases.select_related("person", "assigned_to", "programme").order_by(
        "-stage_changed_at", "-id"
    )


def caseworker_dashboard(user: Any, actor: Actor | None = None) -> dict[str, Any]:
    """My open cases by stage, my overdue tasks and my follow-ups of the next 30 days.

    The page names people: given the actor, the read is audited as a list.
    """
    if actor is not None:
        audit_record(
            actor=actor, action=AuditAction.LIST, entity_type="cases.case", summary="my cases"
        )
    today = timezone.localdate()
    mine = Case.objects.filter(
        organisation_id__in=orgs_with(user, Perm.VIEW_CASE), assigned_to_id=user.pk
    )
    by_stage = dict(
        mine.filter(stage__in=c.OPEN_STAGES).values_list("stage").annotate(n=Count("id"))
    )
    tasks = CaseTask.objects.filter(
        assigned_to_id=user.pk,
        done_at__isnull=True,
        case__organisation_id__in=orgs_with(user, Perm.VIEW_CASE),
    ).select_related("case", "case__person")
    return {
        "by_stage": [(stage, by_stage.get(stage, 0)) for stage in c.OPEN_STAGES],
        "open_total": sum(by_stage.values()),
        "overdue": list(tasks.filter(due_on__lt=today).order_by("due_on", "id")[:50]),
        "upcoming": list(
            tasks.filter(
                due_on__gte=today, due_on__lte=today + datetime.timedelta(days=30)
            ).order_by("due_on", "id")[:50]
        ),
    }


# An open protection risk holds a case at each stage whose way forward checks for one.
_STAGES_HELD_BY_OPEN_RISK = tuple(
    t.source for t in workflow.TRANSITIONS if workflow.no_open_risk in t.checks
)


def supervisor_dashboard(user: Any, actor: Actor | None = None) -> dict[str, Any]:
    """Caseload by worker, risks waiting for a sign-off, plans waiting for approval.

    The page names people: given the actor, the read is audited as a list.
    """
    if actor is not None:
        audit_record(
            actor=actor, action=AuditAction.LIST, entity_type="cases.case", summary="supervision"
        )
    orgs = orgs_with(user, Perm.VIEW_SUPERVISION)
    open_cases = Case.objects.filter(organisation_id__in=orgs, stage__in=c.OPEN_STAGES)
    caseload = list(
        open_cases.values(
            "assigned_to_id",
            "assigned_to__username",
            "assigned_to__first_name",
            "assigned_to__last_name",
        )
        .annotate(total=Count("id"))
        .order_by("-total", "assigned_to__username")[:100]
    )
    waiting_sign_off = list(
        open_cases.filter(risks__status=c.RiskStatus.OPEN, stage__in=_STAGES_HELD_BY_OPEN_RISK)
        .select_related("person", "assigned_to")
        .distinct()
        .order_by("stage_changed_at")[:50]
    )
    plans = list(
        ReintegrationPlan.objects.filter(
            case__organisation_id__in=orgs, status=c.PlanStatus.SUBMITTED
        )
        .select_related("case", "case__person", "case__programme", "drafted_by")
        .order_by("submitted_at")[:50]
    )
    return {"caseload": caseload, "waiting_sign_off": waiting_sign_off, "plans": plans}


# Referrals --------------------------------------------------------------------------------


def referrals_received_for(user: Any) -> QuerySet[Referral]:
    return (
        Referral.objects.filter(to_organisation_id__in=orgs_with(user, Perm.ANSWER_REFERRAL))
        .select_related("case", "case__person", "from_organisation")
        .order_by("-created_at", "-id")
    )


def referral_get_for(*, actor: Actor, referral_id: Any) -> Referral:
    """A referral the actor sends (case staff) or receives (answering staff)."""
    user = actor.user
    try:
        referral = Referral.objects.select_related(
            "case", "case__person", "from_organisation", "to_organisation", "to_partner"
        ).get(pk=int(referral_id))
    except (Referral.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc
    sender = can(user, Perm.VIEW_CASE, referral.from_organisation_id)
    receiver = referral.to_organisation_id is not None and can(
        user, Perm.ANSWER_REFERRAL, referral.to_organisation_id
    )
    if not (sender or receiver):
        raise NotFound()
    return referral


def is_receiver(user: Any, referral: Referral) -> bool:
    return referral.to_organisation_id is not None and can(
        user, Perm.ANSWER_REFERRAL, referral.to_organisation_id
    )


def shared_view(*, actor: Actor, referral: Referral) -> dict[str, Any]:
    """What the receiving side may see of a case: only the shared parts, and only once accepted.

    Before acceptance the receiver sees what is asked of them (the message and which
    parts would be shared) but no personal data. The view is audited.
    """
    case = referral.case
    person = case.person
    shared: dict[str, Any] = {"reference": case.reference, "parts": referral.shared_fields}
    if referral.status != c.ReferralStatus.ACCEPTED:
        return shared
    parts = set(referral.shared_fields)
    if c.SharedField.IDENTITY in parts:
        shared["identity"] = {
            "given_name": person.given_name,
            "family_name": person.family_name,
            "sex": person.sex,
            "date_of_birth": person.date_of_birth,
        }
    if c.SharedField.CONTACTS in parts:
        shared["contacts"] = [{"kind": x.kind, "value": x.value} for x in person.contacts.all()]
    if c.SharedField.RETURN in parts:
        shared["return"] = {
            "host_country": case.host_country,
            "origin_country": case.origin_country,
            "return_region": case.return_region,
            "departure_date": case.departure_date,
            "arrived_on": case.arrived_on,
            "arrival_point": case.arrival_point,
        }
    if c.SharedField.VULNERABILITIES in parts:
        shared["vulnerabilities"] = {
            "vulnerabilities": case.vulnerabilities,
            "immediate_needs": case.immediate_needs,
        }
    if c.SharedField.SKILLS in parts:
        shared["skills"] = {
            "education_level": person.education_level,
            "occupations": person.occupations,
            "languages": person.languages,
        }
    if c.SharedField.PLAN in parts:
        plan = plan_for(case)
        shared["plan"] = (
            [
                {
                    "dimension": i.dimension,
                    "kind": i.kind,
                    "description": i.description,
                    "amount": i.planned_amount,
                    "currency": plan.currency,
                    "in_kind": i.in_kind,
                    "due_on": i.due_on,
                }
                for i in plan.items.all()
            ]
            if plan
            else []
        )
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        entity=referral,
        organisation_id=referral.to_organisation_id,
        person_id=case.person_id,
        summary=f"{case.reference} (shared: {', '.join(referral.shared_fields)})",
    )
    return shared


# Directory and programmes -----------------------------------------------------------------


def partners_for(
    user: Any,
    *,
    country: str = "",
    region: str = "",
    kind: str = "",
    include_managed: bool = False,
) -> QuerySet[Partner]:
    """The directory is shared: anybody with a role somewhere may read it.

    With include_managed, also the inactive entries the user's organisations may manage.
    """
    if not orgs_with(user, Perm.VIEW_ORGANISATION):
        return Partner.objects.none()
    listed = Q(is_active=True)
    if include_managed:
        listed |= Q(organisation_id__in=orgs_with(user, Perm.MANAGE_DIRECTORY))
    partners = Partner.objects.filter(listed)
    if country:
        partners = partners.filter(country=country.upper())
    if region:
        partners = partners.filter(region=region.upper())
    if kind:
        partners = partners.filter(kind=kind)
    return partners


def programmes_for(user: Any) -> QuerySet[Programme]:
    """Programmes of the user's organisations, and those they are a partner of."""
    orgs = orgs_with(user, Perm.VIEW_ORGANISATION)
    return Programme.objects.filter(
        Q(organisation_id__in=orgs) | Q(partners__linked_organisation_id__in=orgs)
    ).distinct()


@dataclass
class RuleResult:
    rule: StrOrPromise
    passed: bool
    explanation: str


def eligibility(
    programme: Programme, person: Person, *, removal_order: bool = False
) -> list[RuleResult]:
    """Evaluate each of the programme's rules against a person, saying why it passes or not."""
    results: list[RuleResult] = []
    today = timezone.localdate()
    if programme.eligible_nationalities:
        names = ", ".join(country_name(x) for x in programme.eligible_nationalities)
        held = set(person.nationalities) & set(programme.eligible_nationalities)
        results.append(
            RuleResult(
                _("nationality"),
                bool(held),
                str(
                    _("Holds %(held)s.")
                    % {"held": ", ".join(country_name(x) for x in sorted(held))}
                )
                if held
                else str(
                    _("Does not hold any nationality the programme admits (%(names)s).")
                    % {"names": names}
                ),
            )
        )
    age = person.age_on(today)
    if programme.min_age is not None or programme.max_age is not None:
        low = programme.min_age if programme.min_age is not None else 0
        high = programme.max_age if programme.max_age is not None else 150
        if age is None:
            results.append(RuleResult(_("age"), False, str(_("The date of birth is not known."))))
        else:
            results.append(
                RuleResult(
                    _("age"),
                    low <= age <= high,
                    str(
                        _("Aged %(age)s; the programme admits %(low)s to %(high)s.")
                        % {"age": age, "low": low, "high": high}
                    ),
                )
            )
    episodes = list(person.episodes.all())
    if programme.eligible_statuses:
        statuses = {e.status_abroad for e in episodes}
        ok = bool(statuses & set(programme.eligible_statuses))
        results.append(
            RuleResult(
                _("status abroad"),
                ok,
                str(_("A recorded status abroad is admitted."))
                if ok
                else str(_("No recorded status abroad is one the programme admits.")),
            )
        )
    if programme.host_countries:
        hosts = {e.host_country for e in episodes}
        ok = bool(hosts & set(programme.host_countries))
        results.append(
            RuleResult(
                _("host country"),
                ok,
                str(_("Has lived in a host country of the programme."))
                if ok
                else str(_("No recorded stay in a host country of the programme.")),
            )
        )
    if programme.min_months_abroad:
        months = time_abroad_months(episodes, today) or 0
        results.append(
            RuleResult(
                _("time abroad"),
                months >= programme.min_months_abroad,
                str(
                    _("%(months)s months abroad; at least %(min)s needed.")
                    % {"months": months, "min": programme.min_months_abroad}
                ),
            )
        )
    if programme.excludes_removal_orders:
        results.append(
            RuleResult(
                _("removal order"),
                not removal_order,
                str(_("Under a removal order: not admitted."))
                if removal_order
                else str(_("No removal order.")),
            )
        )
    if programme.ends_on and programme.ends_on < today:
        results.append(RuleResult(_("dates"), False, str(_("The programme has ended."))))
    if programme.capacity is not None:
        taken = programme.cases.exclude(stage=c.Stage.WITHDRAWN).count()
        results.append(
            RuleResult(
                _("capacity"),
                taken < programme.capacity,
                str(
                    _("%(taken)s of %(capacity)s places taken.")
                    % {"taken": taken, "capacity": programme.capacity}
                ),
            )
        )
    return results


def outcome_counts(user: Any) -> list[dict[str, Any]]:
    """Closed cases by outcome, voluntary returns apart from those under a removal order."""
    rows = (
        Case.objects.filter(
            organisation_id__in=orgs_with(user, Perm.VIEW_AGGREGATES),
            stage__in=(c.Stage.CLOSED, c.Stage.WITHDRAWN),
        )
        .values("outcome", "removal_order")
        .annotate(n=Count("id"))
        .order_by("outcome")
    )
    table: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = table.setdefault(
            row["outcome"], {"outcome": row["outcome"], "voluntary": 0, "removal_order": 0}
        )
        entry["removal_order" if row["removal_order"] else "voluntary"] += row["n"]
    return list(table.values())


# Parts of a case, community projects ------------------------------------------------------


def case_part_get_for(
    *,
    actor: Actor,
    model: type[Any],
    part_id: Any,
    case_path: str = "case",
    perm: Perm = Perm.VIEW_CASE,
    audit: bool = False,
) -> Any:
    """Return a record of a case (a risk, task, document, plan item…) if the actor sees its case.

    ``case_path`` leads from the record to its case (``plan__case`` for a plan item).
    Records of cases the actor may not see are not found, like records that never existed.
    """
    try:
        record = (
            model._default_manager.select_related(case_path, f"{case_path}__person")
            .filter(**{f"{case_path}__organisation_id__in": orgs_with(actor.user, perm)})
            .get(pk=int(part_id))
        )
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc
    if audit:
        case = record
        for step in case_path.split("__"):
            case = getattr(case, step)
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            entity=record,
            organisation_id=case.organisation_id,
            person_id=case.person_id,
            summary=f"{case.reference}: {record}",
        )
    return record


def community_projects_for(user: Any) -> QuerySet[CommunityProject]:
    """Community projects of the user's organisations."""
    return CommunityProject.objects.filter(
        organisation_id__in=orgs_with(user, Perm.VIEW_ORGANISATION)
    ).select_related("programme")


# Case page ----------------------------------------------------------------------------------


def case_events(case: Case, limit: int = 300) -> list[CaseEvent]:
    """The case's timeline, newest first; the case itself was read (and audited) already."""
    return list(case.events.select_related("actor").order_by("-at", "-id")[:limit])


def caseworkers_for(user: Any, organisation_id: int) -> QuerySet[Any]:
    """The people who may be given the organisation's cases (they hold CHANGE_CASE there).

    Empty unless the user may see the organisation's cases.
    """
    user_model = get_user_model()
    if not can(user, Perm.VIEW_CASE, organisation_id):
        return user_model.objects.none()
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.CHANGE_CASE in perms]
    members = Membership.objects.filter(
        organisation_id=organisation_id, organisation__is_active=True, role__in=roles
    ).values("user_id")
    return user_model.objects.filter(pk__in=members, is_active=True).order_by(
        "first_name", "last_name", "username"
    )


def document_get_for(*, actor: Actor, document_id: Any) -> CaseDocument:
    """A document of a case the actor may see; reading it is audited."""
    document: CaseDocument = case_part_get_for(
        actor=actor, model=CaseDocument, part_id=document_id, audit=True
    )
    return document


# Programme, directory and community-project pages -----------------------------------------


def programme_get_for(user: Any, programme_id: Any) -> Programme:
    """A programme the user may see (see ``programmes_for``), or NotFound."""
    try:
        return (
            programmes_for(user)
            .select_related("organisation")
            .prefetch_related("assistance", "partners")
            .get(pk=int(programme_id))
        )
    except (Programme.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def directory_for(
    user: Any, *, country: str = "", region: str = "", kind: str = ""
) -> QuerySet[Partner]:
    """The directory page's entries: the shared ones and those the user's organisations manage."""
    return partners_for(
        user, country=country, region=region, kind=kind, include_managed=True
    ).select_related("organisation", "linked_organisation")


def partner_get_for(user: Any, partner_id: Any, perm: Perm = Perm.MANAGE_DIRECTORY) -> Partner:
    """A directory entry listed by one of the user's organisations where they hold perm."""
    try:
        return Partner.objects.filter(organisation_id__in=orgs_with(user, perm)).get(
            pk=int(partner_id)
        )
    except (Partner.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def partner_referral_outcomes(user: Any, partner_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per partner, the referrals the user's organisations made to it, by service outcome.

    Only counts, never people; referrals the sender revoked are left out.
    """
    orgs = orgs_with(user, Perm.VIEW_ORGANISATION)
    counts: dict[int, dict[str, int]] = {}
    if not orgs or not partner_ids:
        return counts
    rows = (
        Referral.objects.filter(to_partner_id__in=partner_ids, from_organisation_id__in=orgs)
        .exclude(status=c.ReferralStatus.REVOKED)
        .values("to_partner_id", "service_outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        entry = counts.setdefault(
            row["to_partner_id"], {outcome: 0 for outcome in c.ServiceOutcome.values}
        )
        entry[row["service_outcome"]] = entry.get(row["service_outcome"], 0) + row["n"]
    for entry in counts.values():
        entry["total"] = sum(entry.values())
    return counts


def community_project_get_for(user: Any, project_id: Any, perm: Perm) -> CommunityProject:
    """A community project of one of the user's organisations where they hold perm."""
    try:
        return CommunityProject.objects.filter(organisation_id__in=orgs_with(user, perm)).get(
            pk=int(project_id)
        )
    except (CommunityProject.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


# Referral and plan pages ------------------------------------------------------------------


def referral_inbox_for(*, actor: Actor) -> QuerySet[Referral]:
    """Referrals received by the actor's organisations, those waiting first; the list is audited.

    The rows carry the case reference only: names and other personal data are for the
    referral's own page, and only once it has been accepted.
    """
    audit_record(
        actor=actor,
        action=AuditAction.LIST,
        entity_type="cases.referral",
        summary="referrals received",
    )
    return (
        referrals_received_for(actor.user)
        .select_related("to_organisation", "to_partner")
        .annotate(
            waiting=Ordered(
                When(status=c.ReferralStatus.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting", "-created_at", "-id")
    )


def referral_receivers_for(user: Any, case: Case) -> QuerySet[Any]:
    """The organisations a case may be referred to: any active one but the case's own."""
    if not can(user, Perm.REFER_CASE, case.organisation_id):
        return Organisation.objects.none()
    return Organisation.objects.filter(is_active=True).exclude(pk=case.organisation_id)


def partners_for_case(user: Any, case: Case, *, kind: str = "") -> QuerySet[Partner]:
    """Directory entries working in the case's host country or country of return."""
    countries = [x for x in (case.host_country, case.origin_country) if x]
    return partners_for(user, kind=kind).filter(country__in=countries)


def referral_partners_for(user: Any, case: Case) -> QuerySet[Partner]:
    """Service providers a case may be referred to (never back to the case's organisation)."""
    if not can(user, Perm.REFER_CASE, case.organisation_id):
        return Partner.objects.none()
    return partners_for_case(user, case).exclude(linked_organisation_id=case.organisation_id)


def plan_item_get_for(*, actor: Actor, item_id: Any, perm: Perm) -> PlanItem:
    """A plan item of a case in an organisation where the actor holds perm."""
    item: PlanItem = case_part_get_for(
        actor=actor, model=PlanItem, part_id=item_id, case_path="plan__case", perm=perm
    )
    return item


def assistance_offered(case: Case) -> dict[str, Any]:
    """The programme's assistance catalogue by kind, with ceilings (empty without programme)."""
    if case.programme_id is None:
        return {}
    return {
        offer.kind: offer
        for offer in ProgrammeAssistance.objects.filter(programme_id=case.programme_id)
    }


def business_plan_for(case: Case) -> BusinessPlan | None:
    """The case's business plan with its support sessions, or None."""
    return (
        BusinessPlan.objects.filter(case=case)
        .select_related("credit_partner")
        .prefetch_related("sessions")
        .first()
    )
