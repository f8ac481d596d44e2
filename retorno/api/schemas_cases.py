"""What the case, referral, plan and programme endpoints read and write.

Amounts and exchange rates travel as decimal strings ("1250.50"), never as JSON
numbers, so that no payment is ever rounded by a float on the way. Choice fields
hold stored values, with a ``…_label`` beside them in the Accept-Language language.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.contrib.auth.models import User
from ninja import Field, Schema
from pydantic import BeforeValidator

from retorno.api.schemas import PageMeta, PageParams
from retorno.cases import choices as cc
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
from retorno.cases.selectors import plan_budget, programme_budget
from retorno.cases.services import needs_second_person
from retorno.core.geo import country_name
from retorno.registry.choices import StatusAbroad

Blank = Literal[""]


def _decimal_text(value: Any) -> Any:
    """Give a stored Decimal as its exact text; anything else is left to validation."""
    if isinstance(value, Decimal):
        return str(value)
    return value


# In responses: the exact decimal text of a stored amount.
MoneyOut = Annotated[str, BeforeValidator(_decimal_text)]
# In requests: a decimal string; JSON numbers are refused, so floats never reach an amount.
MoneyIn = Annotated[
    str,
    Field(
        pattern=r"^\s*\d{1,12}(\.\d{1,2})?\s*$",
        description='A decimal string such as "1250.50" (never a JSON number).',
        examples=["1250.50"],
    ),
]
RateIn = Annotated[
    str,
    Field(
        pattern=r"^\s*\d{1,10}(\.\d{1,8})?\s*$",
        description='Units of the plan currency for one unit paid, as a string: "0.0512".',
        examples=["0.0512"],
    ),
]
CurrencyIn = Annotated[str, Field(min_length=3, max_length=3, description="ISO 4217 code.")]
CountryIn = Annotated[str, Field(min_length=2, max_length=2, description="ISO 3166-1 code.")]


def _username(user: User | None) -> str:
    return user.get_username() if user is not None else ""


# --- Cases ------------------------------------------------------------------------------


class CaseBriefOut(Schema):
    id: int
    reference: str
    organisation: int
    person: int
    person_name: str
    programme: int | None
    programme_name: str
    assigned_to: int | None
    assigned_to_name: str
    stage: cc.Stage
    stage_label: str
    stage_changed_at: datetime.datetime
    origin_country: str
    removal_order: bool
    version: int

    @staticmethod
    def resolve_organisation(obj: Case) -> int:
        return obj.organisation_id

    @staticmethod
    def resolve_person(obj: Case) -> int:
        return obj.person_id

    @staticmethod
    def resolve_person_name(obj: Case) -> str:
        return obj.person.full_name

    @staticmethod
    def resolve_programme(obj: Case) -> int | None:
        return obj.programme_id

    @staticmethod
    def resolve_programme_name(obj: Case) -> str:
        return obj.programme.name if obj.programme else ""

    @staticmethod
    def resolve_assigned_to(obj: Case) -> int | None:
        return obj.assigned_to_id

    @staticmethod
    def resolve_assigned_to_name(obj: Case) -> str:
        return _username(obj.assigned_to)

    @staticmethod
    def resolve_stage_label(obj: Case) -> str:
        return str(obj.get_stage_display())


class CasePage(PageMeta):
    items: list[CaseBriefOut]


class TransitionOut(Schema):
    target: cc.Stage
    target_label: str
    label: str = Field(description="What the move is called on the case page.")
    needs_reason: bool
    needs_outcome: bool
    outcomes: list[cc.Outcome]
    problems: list[str] = Field(description="What must still be done before this move.")


class CaseOut(CaseBriefOut):
    office: int | None
    household: int | None
    language: str
    host_country: str
    host_country_name: str
    origin_country_name: str
    return_region: str
    counts_as_voluntary: bool
    decision_form: cc.DecisionForm | Blank
    decision_on: datetime.date | None
    decision_statement: str
    vulnerabilities: list[cc.CaseVulnerability]
    vulnerability_notes: str
    screened_on: datetime.date | None
    travel_document_ready: bool
    fit_to_travel: bool
    health_insurance: bool
    escort_needed: bool
    itinerary: str
    departure_date: datetime.date | None
    luggage_kg: int | None
    preregistration_ref: str
    information_pack: bool
    arrived_on: datetime.date | None
    arrival_point: str
    met_on_arrival: bool | None
    immediate_needs: list[cc.ImmediateNeed]
    outcome: cc.Outcome | Blank
    outcome_label: str
    withdrawal_reason: str
    closed_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    allowed_transitions: list[TransitionOut] = Field(
        default_factory=list,
        description="The moves your role may make from this stage, each with what still blocks it.",
    )
    forward_target: cc.Stage | None = Field(
        None, description="The stage a case normally goes to next."
    )
    forward_problems: list[str] = Field(
        default_factory=list,
        description="The checklist of the normal next step: what must be done before it.",
    )

    @staticmethod
    def resolve_allowed_transitions(obj: Case) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = getattr(obj, "api_transitions", [])
        return found

    @staticmethod
    def resolve_forward_target(obj: Case) -> str | None:
        target: str | None = getattr(obj, "api_forward_target", None)
        return target

    @staticmethod
    def resolve_forward_problems(obj: Case) -> list[str]:
        problems: list[str] = getattr(obj, "api_forward_problems", [])
        return problems

    @staticmethod
    def resolve_office(obj: Case) -> int | None:
        return obj.office_id

    @staticmethod
    def resolve_household(obj: Case) -> int | None:
        return obj.household_id

    @staticmethod
    def resolve_host_country_name(obj: Case) -> str:
        return country_name(obj.host_country)

    @staticmethod
    def resolve_origin_country_name(obj: Case) -> str:
        return country_name(obj.origin_country)

    @staticmethod
    def resolve_outcome_label(obj: Case) -> str:
        return str(obj.get_outcome_display()) if obj.outcome else ""


class CaseListParams(PageParams):
    q: str = Field("", max_length=100, description="Reference, or the start of a name.")
    stage: cc.Stage | None = None
    programme: int | None = None
    assigned: str = Field(
        "", pattern=r"^(me|none|\d{1,10})?$", description='"me", "none" or a user id.'
    )
    origin_country: str = Field("", max_length=2, description="ISO 3166-1 code.")
    removal_order: bool | None = None
    overdue: bool = False
    include_closed: bool = False


class CaseCreate(Schema):
    person: int
    programme: int | None = None
    assigned_to: int | None = Field(None, description="User id of the caseworker.")
    office: int | None = None
    host_country: CountryIn
    origin_country: CountryIn
    return_region: str = Field("", max_length=6, description="ISO 3166-2 code.")
    language: str = Field("en", max_length=5)
    removal_order: bool = False


class CaseUpdate(Schema):
    """Only the fields sent are changed; each stage's form fills some of them."""

    version: int = Field(description="The version you read; a newer one gives 409.")
    assigned_to: int | None = None
    office: int | None = None
    programme: int | None = None
    language: str | None = Field(None, max_length=5)
    host_country: CountryIn | None = None
    origin_country: CountryIn | None = None
    return_region: str | None = Field(None, max_length=6)
    removal_order: bool | None = None
    decision_form: cc.DecisionForm | Blank | None = None
    decision_on: datetime.date | None = None
    decision_statement: str | None = None
    vulnerabilities: list[cc.CaseVulnerability] | None = None
    vulnerability_notes: str | None = None
    screened_on: datetime.date | None = None
    travel_document_ready: bool | None = None
    fit_to_travel: bool | None = None
    health_insurance: bool | None = None
    escort_needed: bool | None = None
    itinerary: str | None = None
    departure_date: datetime.date | None = None
    luggage_kg: int | None = Field(None, ge=0, le=1000)
    preregistration_ref: str | None = Field(None, max_length=60)
    information_pack: bool | None = None
    arrived_on: datetime.date | None = None
    arrival_point: str | None = Field(None, max_length=100)
    met_on_arrival: bool | None = None
    immediate_needs: list[cc.ImmediateNeed] | None = None


class TransitionIn(Schema):
    target: cc.Stage
    version: int
    reason: str = ""
    outcome: cc.Outcome | Blank = ""


class EventOut(Schema):
    id: int
    at: datetime.datetime
    actor: int | None
    actor_name: str
    kind: cc.EventKind
    kind_label: str
    from_stage: cc.Stage | Blank
    to_stage: cc.Stage | Blank
    reason: str
    data: dict[str, Any]

    @staticmethod
    def resolve_actor(obj: CaseEvent) -> int | None:
        return obj.actor_id

    @staticmethod
    def resolve_actor_name(obj: CaseEvent) -> str:
        return _username(obj.actor)

    @staticmethod
    def resolve_kind_label(obj: CaseEvent) -> str:
        return str(obj.get_kind_display())


class CounsellingOut(Schema):
    id: int
    held_on: datetime.date
    topics: list[cc.CounsellingTopic]
    language: str
    interpreter: str
    summary: str
    recorded_by: int | None
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_recorded_by(obj: CounsellingSession) -> int | None:
        return obj.recorded_by_id


class CounsellingIn(Schema):
    held_on: datetime.date
    topics: list[cc.CounsellingTopic]
    language: str = Field(..., min_length=1, max_length=60)
    interpreter: str = Field("", max_length=120)
    summary: str = ""


class RiskOut(Schema):
    id: int
    case: int
    description: str
    level: cc.RiskLevel
    level_label: str
    status: cc.RiskStatus
    status_label: str
    mitigation: str
    recorded_by: int | None
    recorded_at: datetime.datetime
    signed_off_by: int | None
    signed_off_at: datetime.datetime | None
    sign_off_reason: str

    @staticmethod
    def resolve_case(obj: ProtectionRisk) -> int:
        return obj.case_id

    @staticmethod
    def resolve_level_label(obj: ProtectionRisk) -> str:
        return str(obj.get_level_display())

    @staticmethod
    def resolve_status_label(obj: ProtectionRisk) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_recorded_by(obj: ProtectionRisk) -> int | None:
        return obj.recorded_by_id

    @staticmethod
    def resolve_signed_off_by(obj: ProtectionRisk) -> int | None:
        return obj.signed_off_by_id


class RiskIn(Schema):
    description: str = Field(..., min_length=1)
    level: cc.RiskLevel


class MitigationIn(Schema):
    mitigation: str


class SignOffIn(Schema):
    reason: str


class NoteOut(Schema):
    id: int
    author: int | None
    author_name: str
    text: str
    sensitivity: cc.Sensitivity
    sensitivity_label: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_author(obj: CaseNote) -> int | None:
        return obj.author_id

    @staticmethod
    def resolve_author_name(obj: CaseNote) -> str:
        return _username(obj.author)

    @staticmethod
    def resolve_sensitivity_label(obj: CaseNote) -> str:
        return str(obj.get_sensitivity_display())


class NoteIn(Schema):
    text: str = Field(..., min_length=1)
    sensitivity: cc.Sensitivity = cc.Sensitivity.NORMAL


class TaskOut(Schema):
    id: int
    case: int
    case_reference: str
    kind: cc.TaskKind
    kind_label: str
    title: str
    due_on: datetime.date
    assigned_to: int | None
    done_at: datetime.datetime | None
    done_by: int | None
    is_overdue: bool

    @staticmethod
    def resolve_case(obj: CaseTask) -> int:
        return obj.case_id

    @staticmethod
    def resolve_case_reference(obj: CaseTask) -> str:
        return obj.case.reference

    @staticmethod
    def resolve_kind_label(obj: CaseTask) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_assigned_to(obj: CaseTask) -> int | None:
        return obj.assigned_to_id

    @staticmethod
    def resolve_done_by(obj: CaseTask) -> int | None:
        return obj.done_by_id


class TaskIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    due_on: datetime.date
    assigned_to: int | None = None


class DocumentOut(Schema):
    id: int
    case: int
    kind: cc.DocumentKind
    kind_label: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: int | None
    uploaded_at: datetime.datetime

    @staticmethod
    def resolve_case(obj: CaseDocument) -> int:
        return obj.case_id

    @staticmethod
    def resolve_kind_label(obj: CaseDocument) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_uploaded_by(obj: CaseDocument) -> int | None:
        return obj.uploaded_by_id


# --- Referrals --------------------------------------------------------------------------


class ReferralIn(Schema):
    to_organisation: int | None = None
    to_partner: int | None = None
    shared_fields: list[cc.SharedField] = Field(..., min_length=1)
    message: str = ""
    override_reason: str = Field(
        "",
        description="Only for supervisors: why the case is referred without the person's consent.",
    )


class ReferralOut(Schema):
    id: int
    case_reference: str
    from_organisation: int
    from_organisation_name: str
    to_organisation: int | None
    to_partner: int | None
    to_name: str
    shared_fields: list[cc.SharedField]
    message: str
    status: cc.ReferralStatus
    status_label: str
    service_outcome: cc.ServiceOutcome
    service_outcome_label: str
    answer: str
    created_at: datetime.datetime
    answered_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    version: int

    @staticmethod
    def resolve_case_reference(obj: Referral) -> str:
        return obj.case.reference

    @staticmethod
    def resolve_from_organisation(obj: Referral) -> int:
        return obj.from_organisation_id

    @staticmethod
    def resolve_from_organisation_name(obj: Referral) -> str:
        return obj.from_organisation.name

    @staticmethod
    def resolve_to_organisation(obj: Referral) -> int | None:
        return obj.to_organisation_id

    @staticmethod
    def resolve_to_partner(obj: Referral) -> int | None:
        return obj.to_partner_id

    @staticmethod
    def resolve_to_name(obj: Referral) -> str:
        if obj.to_partner_id:
            return obj.to_partner.name if obj.to_partner else ""
        return obj.to_organisation.name if obj.to_organisation else ""

    @staticmethod
    def resolve_status_label(obj: Referral) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_service_outcome_label(obj: Referral) -> str:
        return str(obj.get_service_outcome_display())


class ReferralSentOut(ReferralOut):
    """A referral as its sender sees it: its case, and whether consent was overridden."""

    case: int
    consent_overridden: bool
    consent_override_reason: str

    @staticmethod
    def resolve_case(obj: Referral) -> int:
        return obj.case_id

    @staticmethod
    def resolve_consent_overridden(obj: Referral) -> bool:
        return bool(obj.consent_override_reason)


class ReferralDetailOut(ReferralOut):
    """A referral as the caller sees it: the sender its case, the receiver the shared parts."""

    role: Literal["sender", "receiver"]
    case: int | None = Field(None, description="Only for the sender.")
    consent_overridden: bool | None = Field(None, description="Only for the sender.")
    shared: dict[str, Any] | None = Field(
        None,
        description="For the receiver: the parts of the case shared (personal data once accepted).",
    )

    @staticmethod
    def resolve_role(obj: Referral) -> str:
        return str(getattr(obj, "api_role", "sender"))

    @staticmethod
    def resolve_case(obj: Referral) -> int | None:
        return obj.case_id if getattr(obj, "api_role", "sender") == "sender" else None

    @staticmethod
    def resolve_consent_overridden(obj: Referral) -> bool | None:
        if getattr(obj, "api_role", "sender") != "sender":
            return None
        return bool(obj.consent_override_reason)

    @staticmethod
    def resolve_shared(obj: Referral) -> dict[str, Any] | None:
        shared: dict[str, Any] | None = getattr(obj, "api_shared", None)
        return shared


class ReferralPage(PageMeta):
    items: list[ReferralOut]


class ReferralAnswerIn(Schema):
    accept: bool
    answer: str = ""


class ReferralOutcomeIn(Schema):
    service_outcome: cc.ServiceOutcome


# --- Plans ------------------------------------------------------------------------------


class DeliveryOut(Schema):
    id: int
    item: int
    method: cc.DeliveryMethod
    method_label: str
    delivered_on: datetime.date
    amount: MoneyOut | None
    currency: str
    exchange_rate: MoneyOut | None
    amount_in_plan_currency: MoneyOut | None
    proof: int | None
    note: str
    recorded_by: int | None
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_item(obj: Delivery) -> int:
        return obj.item_id

    @staticmethod
    def resolve_method_label(obj: Delivery) -> str:
        return str(obj.get_method_display())

    @staticmethod
    def resolve_proof(obj: Delivery) -> int | None:
        return obj.proof_id

    @staticmethod
    def resolve_recorded_by(obj: Delivery) -> int | None:
        return obj.recorded_by_id


class DeliveryIn(Schema):
    method: cc.DeliveryMethod
    delivered_on: datetime.date
    amount: MoneyIn | None = None
    currency: CurrencyIn | Blank = ""
    exchange_rate: RateIn | None = None
    proof: int | None = Field(None, description="Id of a document of the case.")
    note: str = Field("", max_length=300)


class PlanItemOut(Schema):
    id: int
    dimension: cc.PlanDimension
    dimension_label: str
    kind: cc.AssistanceKind
    kind_label: str
    description: str
    partner: int | None
    in_kind: bool
    planned_amount: MoneyOut | None
    due_on: datetime.date | None
    deliveries: list[DeliveryOut]

    @staticmethod
    def resolve_dimension_label(obj: PlanItem) -> str:
        return str(obj.get_dimension_display())

    @staticmethod
    def resolve_kind_label(obj: PlanItem) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_partner(obj: PlanItem) -> int | None:
        return obj.partner_id

    @staticmethod
    def resolve_deliveries(obj: PlanItem) -> list[Delivery]:
        return list(obj.deliveries.all())


class BudgetOut(Schema):
    currency: str
    planned: MoneyOut
    paid: MoneyOut
    remaining: MoneyOut


class PlanOut(Schema):
    id: int
    case: int
    currency: str
    summary: str
    status: cc.PlanStatus
    status_label: str
    drafted_by: int | None
    submitted_at: datetime.datetime | None
    approved_by: int | None
    approved_at: datetime.datetime | None
    review_comment: str
    needs_second_person: bool = Field(
        description="Above the programme's threshold: its author may not approve it."
    )
    items: list[PlanItemOut]
    budget: BudgetOut
    version: int

    @staticmethod
    def resolve_case(obj: ReintegrationPlan) -> int:
        return obj.case_id

    @staticmethod
    def resolve_status_label(obj: ReintegrationPlan) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_drafted_by(obj: ReintegrationPlan) -> int | None:
        return obj.drafted_by_id

    @staticmethod
    def resolve_approved_by(obj: ReintegrationPlan) -> int | None:
        return obj.approved_by_id

    @staticmethod
    def resolve_items(obj: ReintegrationPlan) -> list[PlanItem]:
        return list(obj.items.all())

    @staticmethod
    def resolve_needs_second_person(obj: ReintegrationPlan) -> bool:
        return needs_second_person(obj)

    @staticmethod
    def resolve_budget(obj: ReintegrationPlan) -> dict[str, Any]:
        budget = plan_budget(obj)
        return {
            "currency": obj.currency,
            "planned": budget.planned,
            "paid": budget.paid,
            "remaining": budget.remaining,
        }


class PlanStartIn(Schema):
    summary: str = ""
    currency: CurrencyIn | Blank = Field("", description="Defaults to the programme's currency.")


class PlanItemIn(Schema):
    version: int = Field(description="The plan's version.")
    dimension: cc.PlanDimension
    kind: cc.AssistanceKind
    description: str = Field(..., min_length=1, max_length=300)
    partner: int | None = None
    in_kind: bool = False
    planned_amount: MoneyIn | None = None
    due_on: datetime.date | None = None


class VersionIn(Schema):
    version: int


class PlanReviewIn(Schema):
    version: int
    approve: bool
    comment: str = ""


class SupportSessionOut(Schema):
    id: int
    held_on: datetime.date
    topic: cc.SupportTopic
    topic_label: str
    provider: str
    notes: str

    @staticmethod
    def resolve_topic_label(obj: SupportSession) -> str:
        return str(obj.get_topic_display())


class BusinessPlanOut(Schema):
    id: int
    case: int
    activity: str
    place: str
    market: str
    currency: str
    startup_costs: MoneyOut
    expected_monthly_income: MoneyOut | None
    feasibility: list[cc.FeasibilityItem]
    credit_partner: int | None
    credit_amount: MoneyOut | None
    credit_status: cc.CreditStatus
    sessions: list[SupportSessionOut]
    version: int

    @staticmethod
    def resolve_case(obj: BusinessPlan) -> int:
        return obj.case_id

    @staticmethod
    def resolve_credit_partner(obj: BusinessPlan) -> int | None:
        return obj.credit_partner_id

    @staticmethod
    def resolve_sessions(obj: BusinessPlan) -> list[SupportSession]:
        return list(obj.sessions.all())


class BusinessPlanIn(Schema):
    version: int | None = Field(None, description="Needed to change an existing business plan.")
    activity: str = Field(..., min_length=1, max_length=200)
    place: str = Field("", max_length=200)
    market: str = ""
    currency: CurrencyIn = "EUR"
    startup_costs: MoneyIn = "0"
    expected_monthly_income: MoneyIn | None = None
    feasibility: list[cc.FeasibilityItem] = Field(default_factory=list)
    credit_partner: int | None = None
    credit_amount: MoneyIn | None = None
    credit_status: cc.CreditStatus = cc.CreditStatus.NONE


class SupportSessionIn(Schema):
    held_on: datetime.date
    topic: cc.SupportTopic
    provider: str = Field("", max_length=200)
    notes: str = ""


# --- Programmes, directory, community projects ------------------------------------------


class AssistanceOut(Schema):
    kind: cc.AssistanceKind
    kind_label: str
    ceiling: MoneyOut | None
    in_kind: bool

    @staticmethod
    def resolve_kind_label(obj: ProgrammeAssistance) -> str:
        return str(obj.get_kind_display())


class ProgrammeOut(Schema):
    id: int
    organisation: int
    name: str
    kind: cc.ProgrammeKind
    kind_label: str
    funding_source: str
    host_countries: list[str]
    origin_countries: list[str]
    currency: str
    budget: MoneyOut
    capacity: int | None
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    approval_threshold: MoneyOut
    plan_due_days: int
    eligible_nationalities: list[str]
    eligible_statuses: list[str]
    min_age: int | None
    max_age: int | None
    min_months_abroad: int | None
    excludes_removal_orders: bool
    is_active: bool
    assistance: list[AssistanceOut]
    partners: list[int]
    version: int

    @staticmethod
    def resolve_organisation(obj: Programme) -> int:
        return obj.organisation_id

    @staticmethod
    def resolve_kind_label(obj: Programme) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_assistance(obj: Programme) -> list[ProgrammeAssistance]:
        return list(obj.assistance.all())

    @staticmethod
    def resolve_partners(obj: Programme) -> list[int]:
        return [p.pk for p in obj.partners.all()]


class ProgrammeBudgetOut(Schema):
    currency: str
    budget: MoneyOut
    committed: MoneyOut
    paid: MoneyOut
    available: MoneyOut
    other_currency_plans: int = Field(
        description="Plans in another currency, reported apart rather than converted."
    )


class ProgrammeDetailOut(ProgrammeOut):
    figures: ProgrammeBudgetOut

    @staticmethod
    def resolve_figures(obj: Programme) -> dict[str, Any]:
        return {"currency": obj.currency, **programme_budget(obj)}


class ProgrammeFields(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: cc.ProgrammeKind
    funding_source: str = Field("", max_length=200)
    host_countries: list[str] = Field(default_factory=list)
    origin_countries: list[str] = Field(default_factory=list)
    currency: CurrencyIn = "EUR"
    budget: MoneyIn = "0"
    capacity: int | None = Field(None, ge=0)
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    approval_threshold: MoneyIn = "1000"
    plan_due_days: int = Field(30, ge=0, le=32767)
    eligible_nationalities: list[str] = Field(default_factory=list)
    eligible_statuses: list[StatusAbroad] = Field(default_factory=list)
    min_age: int | None = Field(None, ge=0, le=150)
    max_age: int | None = Field(None, ge=0, le=150)
    min_months_abroad: int | None = Field(None, ge=0, le=32767)
    excludes_removal_orders: bool = False
    is_active: bool = True
    assistance: dict[cc.AssistanceKind, MoneyIn | None] | None = Field(
        None,
        description="The assistance offered, each with its ceiling per person (null: none).",
    )
    partners: list[int] | None = Field(
        None, description="Ids of the directory's partners working with the programme."
    )


class ProgrammeCreate(ProgrammeFields):
    organisation: int | None = Field(
        None, description="Which organisation runs it; may be left out if you work for one only."
    )


class ProgrammeUpdate(Schema):
    version: int
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: cc.ProgrammeKind | None = None
    funding_source: str | None = Field(None, max_length=200)
    host_countries: list[str] | None = None
    origin_countries: list[str] | None = None
    currency: CurrencyIn | None = None
    budget: MoneyIn | None = None
    capacity: int | None = Field(None, ge=0)
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    approval_threshold: MoneyIn | None = None
    plan_due_days: int | None = Field(None, ge=0, le=32767)
    eligible_nationalities: list[str] | None = None
    eligible_statuses: list[StatusAbroad] | None = None
    min_age: int | None = Field(None, ge=0, le=150)
    max_age: int | None = Field(None, ge=0, le=150)
    min_months_abroad: int | None = Field(None, ge=0, le=32767)
    excludes_removal_orders: bool | None = None
    is_active: bool | None = None
    assistance: dict[cc.AssistanceKind, MoneyIn | None] | None = None
    partners: list[int] | None = None


class EligibilityParams(Schema):
    person: int
    removal_order: bool = False


class RuleOut(Schema):
    rule: str
    passed: bool
    explanation: str


class EligibilityOut(Schema):
    programme: int
    person: int
    eligible: bool
    rules: list[RuleOut]


class PartnerOut(Schema):
    id: int
    organisation: int
    linked_organisation: int | None
    name: str
    kind: cc.PartnerKind
    kind_label: str
    country: str
    country_name: str
    region: str
    locality: str
    services: str
    languages: list[str]
    phone: str
    email: str
    address: str
    is_active: bool
    version: int

    @staticmethod
    def resolve_organisation(obj: Partner) -> int:
        return obj.organisation_id

    @staticmethod
    def resolve_linked_organisation(obj: Partner) -> int | None:
        return obj.linked_organisation_id

    @staticmethod
    def resolve_kind_label(obj: Partner) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_country_name(obj: Partner) -> str:
        return country_name(obj.country)


class PartnerPage(PageMeta):
    items: list[PartnerOut]


class PartnerListParams(PageParams):
    country: str = Field("", max_length=2, description="ISO 3166-1 code.")
    region: str = Field("", max_length=6, description="ISO 3166-2 code.")
    kind: cc.PartnerKind | None = None


class PartnerCreate(Schema):
    organisation: int | None = Field(None, description="Who lists it; may be left out.")
    linked_organisation: int | None = Field(
        None, description="The provider's own organisation, if it uses Retorno."
    )
    name: str = Field(..., min_length=1, max_length=200)
    kind: cc.PartnerKind
    country: CountryIn
    region: str = Field("", max_length=6)
    locality: str = Field("", max_length=100)
    services: str = ""
    languages: list[str] = Field(default_factory=list)
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=300)
    is_active: bool = True


class PartnerUpdate(Schema):
    """Only the fields sent are changed; version is the one read, as for every change."""

    version: int
    linked_organisation: int | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: cc.PartnerKind | None = None
    country: CountryIn | None = None
    region: str | None = Field(None, max_length=6)
    locality: str | None = Field(None, max_length=100)
    services: str | None = None
    languages: list[str] | None = None
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    address: str | None = Field(None, max_length=300)
    is_active: bool | None = None


class CommunityProjectOut(Schema):
    id: int
    organisation: int
    programme: int | None
    name: str
    description: str
    country: str
    country_name: str
    region: str
    currency: str
    budget: MoneyOut
    returnees_served: int
    non_migrants_served: int
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    version: int

    @staticmethod
    def resolve_organisation(obj: CommunityProject) -> int:
        return obj.organisation_id

    @staticmethod
    def resolve_programme(obj: CommunityProject) -> int | None:
        return obj.programme_id

    @staticmethod
    def resolve_country_name(obj: CommunityProject) -> str:
        return country_name(obj.country)


class CommunityProjectPage(PageMeta):
    items: list[CommunityProjectOut]


class CommunityProjectCreate(Schema):
    organisation: int | None = None
    programme: int | None = None
    name: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    country: CountryIn
    region: str = Field("", max_length=6)
    currency: CurrencyIn = "EUR"
    budget: MoneyIn = "0"
    returnees_served: int = Field(0, ge=0)
    non_migrants_served: int = Field(0, ge=0)
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None


class CommunityProjectUpdate(Schema):
    version: int
    programme: int | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    country: CountryIn | None = None
    region: str | None = Field(None, max_length=6)
    currency: CurrencyIn | None = None
    budget: MoneyIn | None = None
    returnees_served: int | None = Field(None, ge=0)
    non_migrants_served: int | None = Field(None, ge=0)
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None


# --- Dashboards -------------------------------------------------------------------------


class StageCountOut(Schema):
    stage: cc.Stage
    stage_label: str
    count: int


class CaseworkerDashboardOut(Schema):
    by_stage: list[StageCountOut]
    open_total: int
    overdue: list[TaskOut]
    upcoming: list[TaskOut]


class CaseloadOut(Schema):
    assigned_to: int | None
    username: str
    total: int


class PlanWaitingOut(Schema):
    id: int
    case: int
    case_reference: str
    person_name: str
    currency: str
    total: MoneyOut
    drafted_by: int | None
    submitted_at: datetime.datetime | None
    version: int


class SupervisionOut(Schema):
    caseload: list[CaseloadOut]
    waiting_sign_off: list[CaseBriefOut]
    plans: list[PlanWaitingOut]
