"""The fixed lists of assisted return and reintegration, with their translated labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    INTAKE = "intake", _("intake")
    COUNSELLING = "counselling", _("counselling")
    DECISION = "decision", _("decision")
    SCREENING = "screening", _("screening")
    PRE_DEPARTURE = "pre_departure", _("pre-departure")
    DEPARTED = "departed", _("departed")
    ARRIVED = "arrived", _("arrived")
    PLANNING = "planning", _("reintegration planning")
    DELIVERY = "delivery", _("assistance delivery")
    MONITORING = "monitoring", _("monitoring")
    CLOSED = "closed", _("closed")
    WITHDRAWN = "withdrawn", _("withdrawn")


OPEN_STAGES = tuple(s for s in Stage.values if s not in (Stage.CLOSED, Stage.WITHDRAWN))


class Outcome(models.TextChoices):
    REINTEGRATED = "reintegrated", _("reintegrated")
    WITHDREW = "withdrew", _("withdrew")
    DID_NOT_TRAVEL = "did_not_travel", _("did not travel")
    REMIGRATED = "remigrated", _("re-migrated")
    TRANSFERRED = "transferred", _("transferred")
    LOST_CONTACT = "lost_contact", _("lost contact")
    DECEASED = "deceased", _("deceased")


class CounsellingTopic(models.TextChoices):
    RIGHTS = "rights", _("rights")
    OPTIONS = "options", _("options, including staying legally")
    CONSEQUENCES = "consequences", _("consequences of returning and of not returning")
    PROGRAMME = "programme", _("the programme's assistance")
    COUNTRY = "country", _("situation in the country of origin")


class DecisionForm(models.TextChoices):
    SIGNED_FORM = "signed_form", _("signed form (uploaded)")
    RECORDED_STATEMENT = "recorded_statement", _("recorded statement")


class CaseVulnerability(models.TextChoices):
    UNACCOMPANIED_CHILD = "unaccompanied_child", _("unaccompanied or separated child")
    HEALTH_CONDITION = "health_condition", _("health condition")
    TRAFFICKING = "trafficking", _("victim of trafficking")
    GBV = "gbv", _("survivor of gender-based violence")
    OLDER_PERSON = "older_person", _("older person")
    DISABILITY = "disability", _("disability")
    PREGNANCY = "pregnancy", _("pregnancy")


class RiskLevel(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("open")
    MITIGATED = "mitigated", _("mitigated")
    SIGNED_OFF = "signed_off", _("signed off by a supervisor")


class ImmediateNeed(models.TextChoices):
    MEDICAL = "medical", _("medical care")
    PSYCHOLOGICAL = "psychological", _("psychological care")
    ACCOMMODATION = "accommodation", _("temporary accommodation")
    TRANSPORT = "transport", _("onward transport")
    CASH = "cash", _("cash for the first days")
    LEGAL = "legal", _("legal help")


class TaskKind(models.TextChoices):
    PLAN_DUE = "plan_due", _("reintegration plan due")
    FOLLOW_UP_3 = "follow_up_3", _("follow-up at 3 months")
    FOLLOW_UP_6 = "follow_up_6", _("follow-up at 6 months")
    FOLLOW_UP_12 = "follow_up_12", _("follow-up at 12 months")
    OTHER = "other", _("other")


class EventKind(models.TextChoices):
    OPENED = "opened", _("case opened")
    TRANSITION = "transition", _("stage changed")
    UPDATED = "updated", _("details recorded")
    COUNSELLING = "counselling", _("counselling session")
    RISK = "risk", _("protection risk")
    SIGN_OFF = "sign_off", _("supervisor sign-off")
    NOTE = "note", _("note")
    DOCUMENT = "document", _("document")
    REFERRAL = "referral", _("referral")
    PLAN = "plan", _("reintegration plan")
    DELIVERY = "delivery", _("assistance delivered")
    TASK = "task", _("task")
    ASSIGNED = "assigned", _("assigned")


class Sensitivity(models.TextChoices):
    NORMAL = "normal", _("normal")
    RESTRICTED = "restricted", _("restricted (assigned caseworker and supervisors)")


class DocumentKind(models.TextChoices):
    SIGNED_DECISION = "signed_decision", _("signed decision form")
    TRAVEL_DOCUMENT = "travel_document", _("travel document")
    MEDICAL = "medical", _("medical certificate")
    ITINERARY = "itinerary", _("itinerary")
    PROOF_OF_PAYMENT = "proof_of_payment", _("proof of payment or delivery")
    BUSINESS_PLAN = "business_plan", _("business plan")
    OTHER = "other", _("other")


class ProgrammeKind(models.TextChoices):
    AVRR = "avrr", _("assisted voluntary return and reintegration")
    RECEPTION = "reception", _("reception on arrival")
    QUALIFIED_TEMPORARY = "qualified_temporary", _("return of qualified nationals (temporary)")
    QUALIFIED_PERMANENT = "qualified_permanent", _("return of qualified nationals (permanent)")
    VIRTUAL = "virtual", _("virtual return")
    CIRCULAR = "circular", _("circular or temporary labour scheme")
    DIASPORA_INVESTMENT = "diaspora_investment", _("diaspora investment")


class AssistanceKind(models.TextChoices):
    """The typical package of assisted return programmes, as the report lists it."""

    COUNTRY_INFORMATION = (
        "country_information",
        _("up-to-date information on the country of origin"),
    )
    TRANSPORT = "transport", _("transport assistance")
    HOUSING = "housing", _("housing allowance")
    MEDICAL_CHECK = "medical_check", _("medical check")
    HEALTH_INSURANCE = "health_insurance", _("health insurance")
    LEGAL = "legal", _("legal assistance")
    SOCIO_CULTURAL = "socio_cultural", _("socio-cultural counselling")
    SKILLS_MATCHING = "skills_matching", _("skills database matching")
    TRAINING = "training", _("training for the local labour market")
    BUSINESS_FEASIBILITY = "business_feasibility", _("business feasibility assistance")
    PROJECT_SUPPORT = (
        "project_support",
        _("credit and technical support for projects (accounting, management, marketing)"),
    )
    MICRO_CREDIT = "micro_credit", _("micro-credit")
    CHILDREN_TRAINING = "children_training", _("vocational training for migrants' children")
    MONITORING = "monitoring", _("monitoring")


class PlanDimension(models.TextChoices):
    ECONOMIC = "economic", _("economic")
    SOCIAL = "social", _("social")
    PSYCHOSOCIAL = "psychosocial", _("psychosocial")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("waiting for approval")
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned for changes")


class DeliveryMethod(models.TextChoices):
    CASH = "cash", _("cash")
    BANK_TRANSFER = "bank_transfer", _("bank transfer")
    VOUCHER = "voucher", _("voucher")
    IN_KIND = "in_kind", _("in kind")
    SERVICE_REFERRAL = "service_referral", _("service referral")


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("waiting for an answer")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    REVOKED = "revoked", _("revoked by the sender")


class ServiceOutcome(models.TextChoices):
    PENDING = "pending", _("not yet known")
    RECEIVED = "received", _("service received")
    NOT_RECEIVED = "not_received", _("service not received")
    DECLINED = "declined", _("declined by the person")


class SharedField(models.TextChoices):
    """The parts of a case a referral may share; nothing else crosses."""

    IDENTITY = "identity", _("name, sex and date of birth")
    CONTACTS = "contacts", _("contact details")
    RETURN = "return", _("return: countries, dates, settlement area")
    VULNERABILITIES = "vulnerabilities", _("vulnerabilities and immediate needs")
    SKILLS = "skills", _("education, skills and occupations")
    PLAN = "plan", _("reintegration plan")


class PartnerKind(models.TextChoices):
    NGO = "ngo", _("non-governmental organisation")
    TRAINING = "training", _("training centre")
    HEALTH = "health", _("health service")
    LEGAL = "legal", _("legal aid")
    MICROFINANCE = "microfinance", _("microfinance institution")
    EMPLOYER = "employer", _("employer")
    PSYCHOSOCIAL = "psychosocial", _("psychosocial support")
    HOUSING = "housing", _("housing")


class FeasibilityItem(models.TextChoices):
    MARKET = "market", _("there is demand in the market")
    SKILLS = "skills", _("the person has or will get the skills")
    PREMISES = "premises", _("premises are available")
    PERMITS = "permits", _("permits and registration are possible")
    COSTS = "costs", _("start-up costs are covered")
    INCOME = "income", _("expected income covers running costs")


class CreditStatus(models.TextChoices):
    NONE = "", _("no application")
    APPLIED = "applied", _("applied")
    GRANTED = "granted", _("granted")
    REFUSED = "refused", _("refused")


class SupportTopic(models.TextChoices):
    ACCOUNTING = "accounting", _("accounting")
    MANAGEMENT = "management", _("management")
    MARKETING = "marketing", _("marketing")
    OTHER = "other", _("other")
