"""Assisted return and reintegration: programmes, cases, their plans and what surrounds them.

Money is always ``Decimal`` with an ISO 4217 currency beside it; a payment in
another currency than its programme's records the exchange rate used that day.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from retorno.accounts.models import Office, Organisation
from retorno.cases import choices as c
from retorno.registry.models import Household, Person


def _user_fk(verbose_name: Any, **extra: Any) -> Any:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        **extra,
    )


class Partner(models.Model):
    """A service provider in the directory: where returnees can be referred for help."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("listed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Set when the provider itself uses Retorno: referrals then reach its staff.
    linked_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation in Retorno"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=c.PartnerKind.choices)
    country = models.CharField(_("country"), max_length=2)
    region = models.CharField(_("region"), max_length=6, blank=True)
    locality = models.CharField(_("town or city"), max_length=100, blank=True)
    services = models.TextField(_("services offered"), blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["country", "region", "name"]
        indexes = [models.Index(fields=["country", "kind"], name="partner_country_kind_idx")]

    def __str__(self) -> str:
        return self.name


class Programme(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("run by"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=c.ProgrammeKind.choices)
    funding_source = models.CharField(_("funding source"), max_length=200, blank=True)
    host_countries = models.JSONField(_("host countries"), default=list, blank=True)
    origin_countries = models.JSONField(_("countries of origin"), default=list, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, default=Decimal("0"))
    capacity = models.PositiveIntegerField(_("capacity (people)"), null=True, blank=True)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    # Plans above this total (in the programme's currency) need somebody other than
    # their author to approve them.
    approval_threshold = models.DecimalField(
        _("approval threshold"), max_digits=14, decimal_places=2, default=Decimal("1000")
    )
    plan_due_days = models.PositiveSmallIntegerField(
        _("days after arrival for the reintegration plan"), default=30
    )
    partners = models.ManyToManyField(
        Partner, verbose_name=_("partners"), blank=True, related_name="programmes"
    )
    # Eligibility rules; an empty rule admits everybody.
    eligible_nationalities = models.JSONField(_("nationalities admitted"), default=list, blank=True)
    eligible_statuses = models.JSONField(_("statuses abroad admitted"), default=list, blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    min_months_abroad = models.PositiveSmallIntegerField(
        _("minimum time abroad (months)"), null=True, blank=True
    )
    excludes_removal_orders = models.BooleanField(
        _("not open to people under a removal order"), default=False
    )
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProgrammeAssistance(models.Model):
    """One kind of assistance a programme offers, with its ceiling per person."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="assistance")
    kind = models.CharField(_("assistance"), max_length=30, choices=c.AssistanceKind.choices)
    ceiling = models.DecimalField(
        _("ceiling per person"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    in_kind = models.BooleanField(_("in kind"), default=False)

    class Meta:
        verbose_name = _("assistance offered")
        verbose_name_plural = _("assistance offered")
        ordering = ["programme", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind"], name="assistance_unique_kind")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Case(models.Model):
    """One person's (or household's) way from first contact to reintegration."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="cases"
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    assigned_to = _user_fk(_("caseworker"))
    stage = models.CharField(
        _("stage"), max_length=20, choices=c.Stage.choices, default=c.Stage.INTAKE
    )
    stage_changed_at = models.DateTimeField(_("in this stage since"))
    language = models.CharField(
        _("language of the case"), max_length=5, choices=settings.LANGUAGES, default="en"
    )
    host_country = models.CharField(_("host country"), max_length=2)
    origin_country = models.CharField(_("country of return"), max_length=2)
    return_region = models.CharField(_("region of return"), max_length=6, blank=True)
    # A case opened under a removal order is never counted as a voluntary return.
    removal_order = models.BooleanField(_("removal order"), default=False)

    # Decision
    decision_form = models.CharField(
        _("decision recorded as"), max_length=20, choices=c.DecisionForm.choices, blank=True
    )
    decision_on = models.DateField(_("decision date"), null=True, blank=True)
    decision_statement = models.TextField(_("recorded statement"), blank=True)

    # Screening
    vulnerabilities = models.JSONField(_("vulnerabilities"), default=list, blank=True)
    vulnerability_notes = models.TextField(_("vulnerability assessment"), blank=True)
    screened_on = models.DateField(_("screening date"), null=True, blank=True)

    # Pre-departure
    travel_document_ready = models.BooleanField(_("travel document ready"), default=False)
    fit_to_travel = models.BooleanField(_("fit to travel (medical check)"), default=False)
    health_insurance = models.BooleanField(_("health insurance arranged"), default=False)
    escort_needed = models.BooleanField(_("escort needed"), default=False)
    itinerary = models.TextField(_("booked itinerary"), blank=True)
    departure_date = models.DateField(_("departure date"), null=True, blank=True)
    luggage_kg = models.PositiveSmallIntegerField(
        _("luggage allowance (kg)"), null=True, blank=True
    )
    preregistration_ref = models.CharField(
        _("pre-registration with the authorities of origin"),
        max_length=60,
        blank=True,
        help_text=_("For example an identity or social-security number requested before arrival."),
    )
    information_pack = models.BooleanField(
        _("information pack on the country of origin given"), default=False
    )

    # Arrival
    arrived_on = models.DateField(_("arrival date"), null=True, blank=True)
    arrival_point = models.CharField(_("arrival point"), max_length=100, blank=True)
    met_on_arrival = models.BooleanField(_("met on arrival"), null=True, blank=True)
    immediate_needs = models.JSONField(_("immediate needs"), default=list, blank=True)

    # Closure
    outcome = models.CharField(_("outcome"), max_length=20, choices=c.Outcome.choices, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    created_by = _user_fk(_("opened by"))
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-stage_changed_at", "-id"]
        indexes = [
            # The caseworker's dashboard and list: my cases, by stage, newest first.
            models.Index(
                fields=["assigned_to", "stage", "stage_changed_at"], name="case_worker_stage_idx"
            ),
            models.Index(
                fields=["organisation", "stage", "stage_changed_at"], name="case_org_stage_idx"
            ),
            models.Index(fields=["organisation", "stage_changed_at"], name="case_org_changed_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.stage in c.OPEN_STAGES

    @property
    def counts_as_voluntary(self) -> bool:
        return not self.removal_order


class CaseEvent(models.Model):
    """One line of a case's timeline: who did what, when and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("when"))
    actor = _user_fk(_("who"))
    kind = models.CharField(_("what"), max_length=20, choices=c.EventKind.choices)
    from_stage = models.CharField(max_length=20, choices=c.Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=c.Stage.choices, blank=True)
    reason = models.TextField(_("why"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "at"], name="caseevent_case_at_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d}"


class CounsellingSession(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("date"))
    topics = models.JSONField(_("topics covered"), default=list)
    language = models.CharField(_("language used"), max_length=60)
    interpreter = models.CharField(
        _("interpreter"), max_length=120, blank=True, help_text=_("Name, if one was present.")
    )
    summary = models.TextField(_("summary"), blank=True)
    recorded_by = _user_fk(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("counselling session")
        verbose_name_plural = _("counselling sessions")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.held_on}"


class ProtectionRisk(models.Model):
    """A risk the person would face at the place of return (non-refoulement)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risks")
    description = models.TextField(_("risk"))
    level = models.CharField(_("level"), max_length=10, choices=c.RiskLevel.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=c.RiskStatus.choices, default=c.RiskStatus.OPEN
    )
    mitigation = models.TextField(_("mitigation"), blank=True)
    recorded_by = _user_fk(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    signed_off_by = _user_fk(_("signed off by"))
    signed_off_at = models.DateTimeField(_("signed off"), null=True, blank=True)
    sign_off_reason = models.TextField(_("reason for the sign-off"), blank=True)

    class Meta:
        verbose_name = _("protection risk")
        verbose_name_plural = _("protection risks")
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class CaseTask(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("kind"), max_length=20, choices=c.TaskKind.choices)
    title = models.CharField(_("task"), max_length=200, blank=True)
    due_on = models.DateField(_("due"))
    assigned_to = _user_fk(_("assigned to"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = _user_fk(_("done by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["assigned_to", "done_at", "due_on"], name="task_worker_due_idx"),
            models.Index(fields=["case", "done_at"], name="task_case_idx"),
        ]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_on < datetime.date.today()


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = _user_fk(_("author"))
    text = models.TextField(_("note"))
    sensitivity = models.CharField(
        _("sensitivity"),
        max_length=12,
        choices=c.Sensitivity.choices,
        default=c.Sensitivity.NORMAL,
    )
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]


class CaseDocument(models.Model):
    """An uploaded file, kept outside the web root and served after a permission check."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=c.DocumentKind.choices)
    file_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    stored_path = models.CharField(max_length=300)
    uploaded_by = _user_fk(_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class Referral(models.Model):
    """A case handed to another organisation or a service provider, sharing only some of it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    from_organisation = models.ForeignKey(
        Organisation, verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    to_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("to organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_received",
    )
    to_partner = models.ForeignKey(
        Partner,
        verbose_name=_("to service provider"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    shared_fields = models.JSONField(_("what is shared"), default=list)
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=c.ReferralStatus.choices,
        default=c.ReferralStatus.PENDING,
    )
    consent_override_reason = models.TextField(
        _("reason for referring without consent"), blank=True
    )
    consent_overridden_by = _user_fk(_("consent overridden by"))
    service_outcome = models.CharField(
        _("outcome of the service"),
        max_length=15,
        choices=c.ServiceOutcome.choices,
        default=c.ServiceOutcome.PENDING,
    )
    answer = models.TextField(_("answer"), blank=True)
    created_by = _user_fk(_("referred by"))
    created_at = models.DateTimeField(_("referred"), auto_now_add=True)
    answered_by = _user_fk(_("answered by"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["to_organisation", "status"], name="referral_to_status_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_organisation__isnull=False)
                | models.Q(to_partner__isnull=False),
                name="referral_has_receiver",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.to_organisation_id or self.to_partner_id}"


class ReintegrationPlan(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="plan")
    currency = models.CharField(_("currency"), max_length=3)
    summary = models.TextField(_("the person's goals, in their words"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=c.PlanStatus.choices, default=c.PlanStatus.DRAFT
    )
    drafted_by = _user_fk(_("drafted by"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_by = _user_fk(_("approved by"))
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("reintegration plan")
        verbose_name_plural = _("reintegration plans")
        indexes = [models.Index(fields=["status"], name="plan_status_idx")]

    def __str__(self) -> str:
        return f"{self.case} plan"


class PlanItem(models.Model):
    plan = models.ForeignKey(ReintegrationPlan, on_delete=models.CASCADE, related_name="items")
    dimension = models.CharField(_("part"), max_length=15, choices=c.PlanDimension.choices)
    kind = models.CharField(_("assistance"), max_length=30, choices=c.AssistanceKind.choices)
    description = models.CharField(_("description"), max_length=300)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("provider"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    in_kind = models.BooleanField(_("in kind"), default=False)
    planned_amount = models.DecimalField(
        _("planned amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    due_on = models.DateField(_("due"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["dimension", "due_on", "id"]

    def __str__(self) -> str:
        return self.description


class Delivery(models.Model):
    """Assistance actually given for a plan item, with its proof."""

    item = models.ForeignKey(PlanItem, on_delete=models.PROTECT, related_name="deliveries")
    method = models.CharField(_("how"), max_length=20, choices=c.DeliveryMethod.choices)
    delivered_on = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount paid"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency paid"), max_length=3, blank=True)
    # Units of the plan's currency for one unit of the currency paid, on that day.
    exchange_rate = models.DecimalField(
        _("exchange rate"), max_digits=18, decimal_places=8, null=True, blank=True
    )
    amount_in_plan_currency = models.DecimalField(
        _("amount in the plan's currency"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    proof = models.ForeignKey(
        CaseDocument,
        verbose_name=_("proof"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = _user_fk(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["delivered_on", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.delivered_on}"


class BusinessPlan(models.Model):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="business_plan")
    activity = models.CharField(_("activity"), max_length=200)
    place = models.CharField(_("place"), max_length=200, blank=True)
    market = models.TextField(_("market and customers"), blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    startup_costs = models.DecimalField(
        _("start-up costs"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    expected_monthly_income = models.DecimalField(
        _("expected monthly income"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    feasibility = models.JSONField(_("feasibility checklist"), default=list, blank=True)
    credit_partner = models.ForeignKey(
        Partner,
        verbose_name=_("micro-credit institution"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    credit_amount = models.DecimalField(
        _("micro-credit requested"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    credit_status = models.CharField(
        _("micro-credit application"),
        max_length=10,
        choices=c.CreditStatus.choices,
        blank=True,
        default="",
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("business plan")
        verbose_name_plural = _("business plans")

    def __str__(self) -> str:
        return self.activity


class SupportSession(models.Model):
    business_plan = models.ForeignKey(
        BusinessPlan, on_delete=models.CASCADE, related_name="sessions"
    )
    held_on = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=12, choices=c.SupportTopic.choices)
    provider = models.CharField(_("given by"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("technical-support session")
        verbose_name_plural = _("technical-support sessions")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} {self.held_on}"


class CommunityProject(models.Model):
    """A project in an area of return serving returnees and people who never left alike."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("run by"), on_delete=models.PROTECT, related_name="+"
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="community_projects",
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    country = models.CharField(_("country"), max_length=2)
    region = models.CharField(_("region"), max_length=6, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, default=Decimal("0"))
    returnees_served = models.PositiveIntegerField(_("returnees served"), default=0)
    non_migrants_served = models.PositiveIntegerField(_("non-migrants served"), default=0)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("community project")
        verbose_name_plural = _("community projects")
        ordering = ["country", "name"]

    def __str__(self) -> str:
        return self.name
