"""Demo data for assisted return and reintegration: programmes, partners, projects and cases.

Unlike the registry's bulk rows, the hundred or so demo cases are written through
the cases services (``case_open``, ``case_transition``, ``plan_submit``,
``referral_create``...), so that their timelines, deadline tasks, versions and
audit trail are exactly what caseworkers would produce. Each case's history is
replayed at the dates it would have happened: while a case is built, Django's
clock (``timezone.now``) reads the demo's clock instead of the wall clock, so
stage dates, events, tasks and audit events all agree, relative to today.

Everything is drawn from ``random.Random`` seeded with the demo's seed. Cases are
added to a registry of at least ``MIN_PEOPLE`` people (the default demo has
2,000): smaller demos are the registry alone, and their people can be deleted
again, which open cases would prevent.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from retorno.accounts.models import Membership, Office, Organisation
from retorno.accounts.roles import Role
from retorno.cases import choices as c
from retorno.cases import services
from retorno.cases.models import (
    Case,
    CaseTask,
    CommunityProject,
    Partner,
    PlanItem,
    Programme,
    ReintegrationPlan,
)
from retorno.cases.workflow import ORDER as _STAGE_ORDER
from retorno.core.audit import Actor, audit_record, command_actor
from retorno.core.models import AuditAction
from retorno.registry.choices import ConsentPurpose, ConsentStatus, StatusAbroad
from retorno.registry.models import Consent, Person

if TYPE_CHECKING:
    from retorno.demo.generate import Setup

MIN_PEOPLE = 500
CASES = 120

# A French-speaking organisation in a country of return that uses Retorno itself:
# the main organisation refers returnees to it, and its caseworker answers.
ORIGIN_ORGANISATION = "Association Marocaine d'Appui aux Migrants de Retour"
ORIGIN_OFFICES = (("Casablanca", "MA-06", "office"), ("Oujda", "MA-02", "office"))
ORIGIN_LOGIN = ("origin", Role.CASEWORKER)
ORIGIN_NAME = ("Nadia", "Benjelloun")

S = c.Stage
ORDER: list[str] = [str(stage) for stage in _STAGE_ORDER]
CENT = Decimal("0.01")

# Open cases by stage: most at the start and in delivery, as in a real caseload.
_OPEN_STAGES: tuple[tuple[str, int], ...] = (
    (S.INTAKE, 10),
    (S.COUNSELLING, 12),
    (S.DECISION, 8),
    (S.SCREENING, 10),
    (S.PRE_DEPARTURE, 8),
    (S.DEPARTED, 5),
    (S.ARRIVED, 8),
    (S.PLANNING, 14),
    (S.DELIVERY, 16),
    (S.MONITORING, 12),
)
# Closed cases: (outcome, last open stage, closed early by a supervisor with a reason).
_CLOSINGS: tuple[tuple[str, str, bool], ...] = (
    (c.Outcome.REINTEGRATED, S.MONITORING, False),
    (c.Outcome.REINTEGRATED, S.MONITORING, False),
    (c.Outcome.REINTEGRATED, S.MONITORING, False),
    (c.Outcome.REINTEGRATED, S.MONITORING, False),
    (c.Outcome.REMIGRATED, S.MONITORING, False),
    (c.Outcome.REMIGRATED, S.DELIVERY, True),
    (c.Outcome.TRANSFERRED, S.SCREENING, True),
    (c.Outcome.LOST_CONTACT, S.MONITORING, False),
    (c.Outcome.LOST_CONTACT, S.COUNSELLING, True),
    (c.Outcome.DECEASED, S.MONITORING, False),
    (c.Outcome.DID_NOT_TRAVEL, S.PRE_DEPARTURE, True),
    (c.Outcome.DID_NOT_TRAVEL, S.DECISION, True),
)
_WITHDRAWN_FROM = (S.COUNSELLING, S.DECISION, S.SCREENING, S.PRE_DEPARTURE, S.PLANNING)
_EARLY_REASONS: dict[str, str] = {
    c.Outcome.REMIGRATED: "The person left again for Spain before the assistance was complete.",
    c.Outcome.TRANSFERRED: "Transferred to the family reunification programme of the host city.",
    c.Outcome.LOST_CONTACT: "No answer to calls, letters or visits for three months.",
    c.Outcome.DID_NOT_TRAVEL: "The appeal against the asylum decision was granted; no return.",
}
_WITHDRAWAL_REASONS = (
    "Found work with a residence permit and wants to stay.",
    "Decided to wait for the outcome of a family reunification request.",
    "Changed their mind after news from home; may come back later.",
    "Prefers to travel on their own without the programme.",
    "Moved to another city; will contact the local office if still interested.",
)
_OUTCOME_REASONS: dict[str, str] = {
    c.Outcome.REINTEGRATED: "",
    c.Outcome.REMIGRATED: "Left again for work abroad, according to the family.",
    c.Outcome.LOST_CONTACT: "Phone disconnected; neighbours say the family moved.",
    c.Outcome.DECEASED: "Died after an illness; the family was informed of the support left.",
}

# How long cases stay in each stage (days): when they move on, and so far when still there.
_DWELL: dict[str, tuple[int, int]] = {
    S.INTAKE: (1, 6),
    S.COUNSELLING: (6, 20),
    S.DECISION: (2, 10),
    S.SCREENING: (4, 15),
    S.PRE_DEPARTURE: (10, 35),
    S.DEPARTED: (1, 1),
    S.ARRIVED: (2, 9),
    S.PLANNING: (12, 35),
    S.DELIVERY: (25, 90),
    S.MONITORING: (100, 330),
}
_SO_FAR: dict[str, tuple[int, int]] = {
    S.INTAKE: (0, 8),
    S.COUNSELLING: (1, 20),
    S.DECISION: (0, 9),
    S.SCREENING: (1, 16),
    S.PRE_DEPARTURE: (2, 30),
    S.DEPARTED: (0, 1),
    S.ARRIVED: (1, 8),
    S.PLANNING: (3, 48),
    S.DELIVERY: (5, 80),
    S.MONITORING: (15, 300),
    S.CLOSED: (3, 240),
    S.WITHDRAWN: (3, 200),
}
_ORIGIN_SIDE = (S.ARRIVED, S.PLANNING, S.DELIVERY, S.MONITORING)

_HOST_OFFICE = {
    "BE": "Brussels",
    "NL": "The Hague",
    "US": "Washington",
    "MX": "Washington",
    "DE": "Berlin",
    "IT": "Rome",
    "PT": "Lisbon",
    "FR": "Paris",
    "GB": "London",
}
_ORIGIN_OFFICE = {
    "MA": "Rabat",
    "SN": "Dakar",
    "MD": "Chișinău",
    "IQ": "Erbil",
    "SV": "San Salvador",
    "CV": "Praia",
    "GH": "Accra",
    "PH": "Manila",
}
_REGIONS = {
    "MA": ("MA-06", "MA-06", "MA-01", "MA-02", "MA-03", "MA-04", "MA-05", "MA-09"),
    "SN": ("SN-DK", "SN-DK", "SN-TH", "SN-KL", "SN-LG", "SN-ZG", "SN-SL"),
    "MD": ("MD-CU", "MD-CU", "MD-BA", "MD-CA", "MD-OR", "MD-UN", "MD-HI"),
    "IQ": ("IQ-KR", "IQ-KR", "IQ-BG", "IQ-NI", "IQ-BA", "IQ-KI"),
    "SV": ("SV-SS", "SV-SS", "SV-SM", "SV-SA", "SV-US", "SV-LI", "SV-AH"),
    "CV": ("CV-S", "CV-S", "CV-B"),
    "GH": ("GH-AA", "GH-AA", "GH-AH", "GH-CP", "GH-TV"),
    "PH": ("PH-00", "PH-00", "PH-03", "PH-40", "PH-07", "PH-06"),
}
_LANGUAGE = {"MA": "fr", "SN": "fr", "SV": "es"}
_SPOKEN = {
    "MA": ("Arabic (Darija)", "French"),
    "SN": ("Wolof", "French"),
    "MD": ("Romanian", "Russian"),
    "IQ": ("Kurdish (Sorani)", "Arabic"),
    "SV": ("Spanish",),
    "CV": ("Portuguese", "Cabo Verdean Creole"),
    "GH": ("English", "Twi"),
    "PH": ("Tagalog", "English"),
}
_INTERPRETERS = ("Amina Haddad", "Ousmane Diop", "Ion Ceban", "Karwan Aziz", "Maria Lopes")
_FLIGHTS = {
    "MA": ("Casablanca Mohammed V airport", "{host} → Casablanca (CMN), Royal Air Maroc AT 841"),
    "SN": ("Dakar Blaise Diagne airport", "{host} → Dakar (DSS), Brussels Airlines SN 201"),
    "MD": ("Chișinău international airport", "{host} → Chișinău (RMO), via Vienna"),
    "IQ": ("Erbil international airport", "{host} → Erbil (EBL), via Istanbul"),
    "SV": ("San Salvador international airport", "{host} → San Salvador (SAL), Avianca AV 583"),
    "CV": ("Praia Nelson Mandela airport", "{host} → Praia (RAI), via Lisbon"),
    "GH": ("Accra Kotoka airport", "{host} → Accra (ACC), British Airways BA 81"),
    "PH": ("Manila Ninoy Aquino airport", "{host} → Manila (MNL), via Doha"),
}
_HOST_AIRPORT = {
    "BE": "Brussels (BRU)",
    "NL": "Amsterdam (AMS)",
    "US": "Houston (IAH)",
    "MX": "Mexico City (MEX)",
    "DE": "Frankfurt (FRA)",
    "IT": "Rome (FCO)",
    "PT": "Lisbon (LIS)",
    "FR": "Paris (CDG)",
    "GB": "London (LHR)",
}
# Local currencies, with how many euros one unit was worth on the day of payment.
_LOCAL_CURRENCY = {
    "MA": ("MAD", Decimal("0.0921")),
    "SN": ("XOF", Decimal("0.00152449")),
    "MD": ("MDL", Decimal("0.0515")),
    "IQ": ("IQD", Decimal("0.000702")),
    "CV": ("CVE", Decimal("0.00906892")),
    "GH": ("GHS", Decimal("0.0603")),
    "PH": ("PHP", Decimal("0.0158")),
}

A = c.AssistanceKind
D = c.PlanDimension


@dataclass(frozen=True)
class _ProgrammeSpec:
    key: str
    name: str
    kind: str
    funding: str
    hosts: tuple[str, ...]
    origins: tuple[tuple[str, float], ...]
    host_weights: tuple[float, ...]
    currency: str
    budget: str
    capacity: int | None
    threshold: str
    plan_due_days: int
    statuses: tuple[str, ...]
    min_months_abroad: int | None
    excludes_removal_orders: bool
    assistance: dict[str, str | None]
    # Plan items offered: (dimension, kind, description, amount or None if in kind).
    items: tuple[tuple[str, str, str, str | None], ...]
    weight: float


_PROGRAMMES: tuple[_ProgrammeSpec, ...] = (
    _ProgrammeSpec(
        key="avrr",
        name="Assisted voluntary return and reintegration from Belgium and the Netherlands",
        kind=c.ProgrammeKind.AVRR,
        funding="Asylum, Migration and Integration Fund; Belgian and Dutch governments",
        hosts=("BE", "NL"),
        origins=(("MA", 35), ("SN", 20), ("MD", 20), ("IQ", 25)),
        host_weights=(55, 45),
        currency="EUR",
        budget="2400000.00",
        capacity=900,
        threshold="1500.00",
        plan_due_days=30,
        statuses=(
            StatusAbroad.REJECTED_ASYLUM_SEEKER,
            StatusAbroad.ASYLUM_SEEKER,
            StatusAbroad.IRREGULAR,
        ),
        min_months_abroad=None,
        excludes_removal_orders=True,
        assistance={
            A.COUNTRY_INFORMATION: None,
            A.TRANSPORT: "600.00",
            A.HOUSING: "1000.00",
            A.MEDICAL_CHECK: "300.00",
            A.HEALTH_INSURANCE: "400.00",
            A.LEGAL: "300.00",
            A.SOCIO_CULTURAL: None,
            A.TRAINING: "1200.00",
            A.BUSINESS_FEASIBILITY: "500.00",
            A.PROJECT_SUPPORT: "1500.00",
            A.MICRO_CREDIT: "2000.00",
            A.MONITORING: None,
        },
        items=(
            (D.ECONOMIC, A.PROJECT_SUPPORT, "Start-up kit for a small shop", "1500.00"),
            (D.ECONOMIC, A.TRAINING, "Vocational course: electrician", "900.00"),
            (D.ECONOMIC, A.MICRO_CREDIT, "Micro-credit guarantee", "1200.00"),
            (D.SOCIAL, A.HOUSING, "Rent for the first four months", "800.00"),
            (D.SOCIAL, A.HEALTH_INSURANCE, "Health insurance for one year", "400.00"),
            (D.SOCIAL, A.LEGAL, "Help to replace lost civil documents", "150.00"),
            (D.PSYCHOSOCIAL, A.SOCIO_CULTURAL, "Sessions with a psychologist", None),
        ),
        weight=60,
    ),
    _ProgrammeSpec(
        key="reception",
        name="Reception on arrival, San Salvador",
        kind=c.ProgrammeKind.RECEPTION,
        funding="Government of El Salvador; regional development bank grant",
        hosts=("US", "MX"),
        origins=(("SV", 1),),
        host_weights=(85, 15),
        currency="USD",
        budget="450000.00",
        capacity=None,
        threshold="800.00",
        plan_due_days=21,
        statuses=(),
        min_months_abroad=None,
        excludes_removal_orders=False,
        assistance={
            A.TRANSPORT: "50.00",
            A.HOUSING: "300.00",
            A.MEDICAL_CHECK: "150.00",
            A.SOCIO_CULTURAL: None,
            A.SKILLS_MATCHING: None,
            A.TRAINING: "800.00",
            A.PROJECT_SUPPORT: "1000.00",
            A.MONITORING: None,
        },
        items=(
            (D.ECONOMIC, A.TRAINING, "Certified course in refrigeration repair", "650.00"),
            (D.ECONOMIC, A.PROJECT_SUPPORT, "Tools for a mobile car-wash business", "900.00"),
            (D.ECONOMIC, A.SKILLS_MATCHING, "Introduction to employers looking for staff", None),
            (D.SOCIAL, A.HOUSING, "Two months in a guest house", "280.00"),
            (D.SOCIAL, A.TRANSPORT, "Bus fare home to the family", "35.00"),
            (D.PSYCHOSOCIAL, A.SOCIO_CULTURAL, "Group support sessions", None),
        ),
        weight=25,
    ),
    _ProgrammeSpec(
        key="qualified",
        name="Return of qualified nationals: health and teaching professionals",
        kind=c.ProgrammeKind.QUALIFIED_TEMPORARY,
        funding="European development cooperation; ministries of health of the countries",
        hosts=("DE", "IT", "PT", "FR", "GB"),
        origins=(("CV", 30), ("GH", 25), ("PH", 25), ("MD", 20)),
        host_weights=(25, 20, 25, 15, 15),
        currency="EUR",
        budget="900000.00",
        capacity=120,
        threshold="3000.00",
        plan_due_days=45,
        statuses=(StatusAbroad.REGULAR_WORKER, StatusAbroad.STUDENT),
        min_months_abroad=24,
        excludes_removal_orders=True,
        assistance={
            A.TRANSPORT: "1000.00",
            A.HOUSING: "2400.00",
            A.HEALTH_INSURANCE: "600.00",
            A.SKILLS_MATCHING: None,
            A.TRAINING: "1500.00",
            A.PROJECT_SUPPORT: "3000.00",
            A.MONITORING: None,
        },
        items=(
            (D.ECONOMIC, A.SKILLS_MATCHING, "Placement at the regional hospital", None),
            (D.ECONOMIC, A.TRAINING, "Recognition of the nursing diploma", "700.00"),
            (D.ECONOMIC, A.PROJECT_SUPPORT, "Equipment for a private practice", "2500.00"),
            (D.SOCIAL, A.HOUSING, "Housing allowance, six months", "2400.00"),
            (D.SOCIAL, A.HEALTH_INSURANCE, "Health insurance for the family", "600.00"),
        ),
        weight=15,
    ),
)
_BY_KEY = {p.key: p for p in _PROGRAMMES}

# The directory: (name, kind, country, region, locality, services, languages, linked org).
_PARTNERS: tuple[tuple[str, str, str, str, str, str, tuple[str, ...], str], ...] = (
    (
        ORIGIN_ORGANISATION,
        c.PartnerKind.NGO,
        "MA",
        "MA-06",
        "Casablanca",
        "Reception, case management after return, family mediation, referrals.",
        ("ar", "fr"),
        ORIGIN_ORGANISATION,
    ),
    (
        "Institut de Formation aux Métiers du Bâtiment de Tanger",
        c.PartnerKind.TRAINING,
        "MA",
        "MA-01",
        "Tanger",
        "Six-month courses: masonry, plumbing, electricity.",
        ("ar", "fr"),
        "",
    ),
    (
        "Caisse Solidaire de Microcrédit de Fès",
        c.PartnerKind.MICROFINANCE,
        "MA",
        "MA-03",
        "Fès",
        "Micro-credit up to 50,000 MAD with business coaching.",
        ("ar", "fr"),
        "",
    ),
    (
        "Centre d'Écoute Psychosociale de Salé",
        c.PartnerKind.PSYCHOSOCIAL,
        "MA",
        "MA-04",
        "Salé",
        "Individual and group counselling; trauma care.",
        ("ar", "fr"),
        "",
    ),
    (
        "Clinique Juridique de l'Oriental",
        c.PartnerKind.LEGAL,
        "MA",
        "MA-02",
        "Oujda",
        "Civil documents, inheritance and land disputes.",
        ("ar", "fr"),
        "",
    ),
    (
        "Dar Al Amal, hébergement temporaire",
        c.PartnerKind.HOUSING,
        "MA",
        "MA-06",
        "Casablanca",
        "Temporary housing for up to three months.",
        ("ar", "fr"),
        "",
    ),
    (
        "Centre de Formation Professionnelle de Thiès",
        c.PartnerKind.TRAINING,
        "SN",
        "SN-TH",
        "Thiès",
        "Agriculture, mechanics and tailoring courses.",
        ("fr", "wo"),
        "Centre de Formation Professionnelle de Thiès",
    ),
    (
        "Mutuelle d'Épargne et de Crédit des Femmes de Kaolack",
        c.PartnerKind.MICROFINANCE,
        "SN",
        "SN-KL",
        "Kaolack",
        "Savings groups and small loans, for women first.",
        ("fr", "wo"),
        "",
    ),
    (
        "Poste de Santé de Louga",
        c.PartnerKind.HEALTH,
        "SN",
        "SN-LG",
        "Louga",
        "Primary care, vaccinations, maternal health.",
        ("fr", "wo"),
        "",
    ),
    (
        "Ferme Avicole Ndiaye et Fils",
        c.PartnerKind.EMPLOYER,
        "SN",
        "SN-TH",
        "Thiès",
        "Hires farm workers; apprenticeships in poultry farming.",
        ("fr", "wo"),
        "",
    ),
    (
        "Centrul de Reintegrare Chișinău",
        c.PartnerKind.NGO,
        "MD",
        "MD-CU",
        "Chișinău",
        "Case management, job search, social benefits.",
        ("ro", "ru"),
        "",
    ),
    (
        "Asociația Juriștilor pentru Migranți",
        c.PartnerKind.LEGAL,
        "MD",
        "MD-CU",
        "Chișinău",
        "Legal advice on documents, pensions and labour rights.",
        ("ro", "ru"),
        "",
    ),
    (
        "Școala Profesională Cahul",
        c.PartnerKind.TRAINING,
        "MD",
        "MD-CA",
        "Cahul",
        "Vocational courses in construction and agriculture.",
        ("ro",),
        "",
    ),
    (
        "Credit Rural Bălți",
        c.PartnerKind.MICROFINANCE,
        "MD",
        "MD-BA",
        "Bălți",
        "Agricultural loans for small farms.",
        ("ro", "ru"),
        "",
    ),
    (
        "Centrul Comunitar de Sănătate Mintală Orhei",
        c.PartnerKind.PSYCHOSOCIAL,
        "MD",
        "MD-OR",
        "Orhei",
        "Psychological support and peer groups.",
        ("ro",),
        "",
    ),
    (
        "Baghdad Returnee Support Centre",
        c.PartnerKind.NGO,
        "IQ",
        "IQ-BG",
        "Baghdad",
        "Reception, cash for the first days, case management.",
        ("ar", "en"),
        "",
    ),
    (
        "Erbil Vocational Training Centre",
        c.PartnerKind.TRAINING,
        "IQ",
        "IQ-KR",
        "Erbil",
        "Courses in mobile-phone repair, welding, hairdressing.",
        ("ku", "ar"),
        "",
    ),
    (
        "Nineveh Legal Aid Network",
        c.PartnerKind.LEGAL,
        "IQ",
        "IQ-NI",
        "Mosul",
        "Civil documentation, housing, land and property claims.",
        ("ar",),
        "",
    ),
    (
        "Basra Primary Health Care Centre",
        c.PartnerKind.HEALTH,
        "IQ",
        "IQ-BA",
        "Basra",
        "General practice and chronic disease care.",
        ("ar",),
        "",
    ),
    (
        "Casa del Retorno San Miguel",
        c.PartnerKind.HOUSING,
        "SV",
        "SV-SM",
        "San Miguel",
        "Shelter for returnees who cannot go home yet.",
        ("es",),
        "",
    ),
    (
        "Agroexportadora del Pacífico",
        c.PartnerKind.EMPLOYER,
        "SV",
        "SV-LI",
        "La Libertad",
        "Seasonal and permanent jobs in packing and logistics.",
        ("es",),
        "Agroexportadora del Pacífico",
    ),
    (
        "Clínica Comunitaria Santa Ana",
        c.PartnerKind.HEALTH,
        "SV",
        "SV-SA",
        "Santa Ana",
        "Medical check after arrival, mental-health referrals.",
        ("es",),
        "",
    ),
    (
        "Instituto Técnico de Oficios La Libertad",
        c.PartnerKind.TRAINING,
        "SV",
        "SV-LI",
        "Santa Tecla",
        "Certified courses: refrigeration, welding, cooking.",
        ("es",),
        "",
    ),
    (
        "Caixa de Crédito Solidário de Santiago",
        c.PartnerKind.MICROFINANCE,
        "CV",
        "CV-S",
        "Praia",
        "Micro-credit and savings for small businesses.",
        ("pt",),
        "Caixa de Crédito Solidário de Santiago",
    ),
    (
        "Accra Health Professionals Placement Desk",
        c.PartnerKind.EMPLOYER,
        "GH",
        "GH-AA",
        "Accra",
        "Places returning nurses and doctors in public hospitals.",
        ("en",),
        "",
    ),
    (
        "Manila Returning Workers Centre",
        c.PartnerKind.NGO,
        "PH",
        "PH-00",
        "Manila",
        "Reintegration counselling and referral to public programmes.",
        ("tl", "en"),
        "",
    ),
)

# (name, description, country, region, currency, budget, returnees, non-migrants, programme).
_PROJECTS: tuple[tuple[str, str, str, str, str, str, int, int, str], ...] = (
    (
        "Construction trades workshop, Tanger",
        "Apprenticeships on building sites for returnees and young people of the district.",
        "MA",
        "MA-01",
        "EUR",
        "180000.00",
        46,
        112,
        "avrr",
    ),
    (
        "Poultry cooperative, Thiès",
        "A cooperative farm run by returnees and members of the village.",
        "SN",
        "SN-TH",
        "EUR",
        "95000.00",
        18,
        57,
        "avrr",
    ),
    (
        "Vegetable growers' cooperative, Cahul",
        "Greenhouses, shared machinery and a market stall in town.",
        "MD",
        "MD-CA",
        "EUR",
        "120000.00",
        31,
        84,
        "avrr",
    ),
    (
        "Community mental-health space, San Miguel",
        "Group sessions and a youth club open to returnees and their neighbours.",
        "SV",
        "SV-SM",
        "USD",
        "150000.00",
        64,
        210,
        "reception",
    ),
)

_NOTES = (
    "Called the family at home; they are ready to receive the person.",
    "Asked for information about schooling for the children after return.",
    "Wants to restart the grocery shop the family used to run.",
    "Prefers to be contacted by messaging in the evening.",
    "Missed the appointment; rescheduled for next week.",
    "Has a job offer from a cousin's workshop; to be confirmed.",
)
_RESTRICTED_NOTES = (
    "Disclosed violence during the journey; referred to a psychologist with consent.",
    "Fears a creditor in the home town; settlement area to be discussed.",
    "Medical condition needing regular treatment; details in the medical file.",
)
_TASKS = (
    "Book the medical check",
    "Collect the travel document from the consulate",
    "Call the family in the country of origin",
    "Ask the training centre for the next course dates",
    "Send the signed plan to the partner",
    "Check the rent receipt",
)
_RISKS = (
    ("Threats from a local armed group in the home district.", c.RiskLevel.HIGH),
    ("No access to the medication needed at the place of return.", c.RiskLevel.MEDIUM),
    ("Family conflict over a forced marriage.", c.RiskLevel.HIGH),
    ("Debt to smugglers; lender lives in the home town.", c.RiskLevel.MEDIUM),
)
_STATEMENTS = (
    "I want to go home to my family; I understand what the programme offers and what it does not.",
    "I decided to return because my mother is ill. Nobody pressed me to decide.",
    "I choose to return. I know I may still appeal, and I do not want to.",
)


@dataclass
class _Spec:
    """One demo case: where it ends up and what happened to it on the way."""

    stage: str
    path: list[str]
    programme: str = ""
    country: str = ""
    host: str = ""
    outcome: str = ""
    early: bool = False
    removal_order: bool = False
    risk: str = ""  # "", "open", "mitigated", "signed_off"
    plan: str = ""  # for cases in planning: "none", "draft", "submitted", "returned"
    referral: str = ""  # "", "pending", "accepted", "partner"
    consent: bool = True
    unassigned: bool = False
    person: Person | None = None
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class CasesResult:
    programmes: int = 0
    partners: int = 0
    projects: int = 0
    cases: int = 0
    referrals: int = 0
    seconds: float = 0.0


class _Clock:
    """What ``timezone.now`` reads while a case's past is replayed; never beyond real time."""

    def __init__(self) -> None:
        self.real: Callable[[], datetime.datetime] = timezone.now
        self.at = self.real()

    def set(self, day: datetime.date, hour: int = 10, minute: int = 0) -> None:
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
        self.at = min(moment, self.real() - datetime.timedelta(minutes=5))

    def now(self) -> datetime.datetime:
        # A millisecond per reading, so that the records of one step keep their order.
        self.at += datetime.timedelta(milliseconds=1)
        return self.at

    def today(self) -> datetime.date:
        return timezone.localtime(self.at).date()

    @contextmanager
    def running(self) -> Iterator[_Clock]:
        timezone.now = self.now
        try:
            yield self
        finally:
            timezone.now = self.real


def ensure_origin_organisation() -> tuple[Organisation, Office, User]:
    """Create (or find) the organisation in Morocco that receives referrals, and its login."""
    org, _ = Organisation.objects.get_or_create(
        name=ORIGIN_ORGANISATION, defaults={"kind": "ngo", "country": "MA"}
    )
    offices = []
    for name, region, kind in ORIGIN_OFFICES:
        office, _ = Office.objects.get_or_create(
            organisation=org,
            name=name,
            defaults={"country": "MA", "subdivision": region, "kind": kind},
        )
        offices.append(office)
    from retorno.demo.generate import DEMO_PASSWORD

    username, role = ORIGIN_LOGIN
    first, last = ORIGIN_NAME
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.retorno.example",
            password=make_password(DEMO_PASSWORD),
        )
    Membership.objects.get_or_create(
        user=user, organisation=org, role=role, defaults={"office": offices[0]}
    )
    return org, offices[0], user


def load_cases(setup: Setup, *, seed: int = 1, today: datetime.date | None = None) -> CasesResult:
    """Add programmes, the directory, community projects and cases, unless cases exist."""
    started = time.monotonic()
    result = CasesResult()
    origin_org, _office, origin_user = ensure_origin_organisation()
    if Case.objects.exists():
        return result
    with transaction.atomic():
        loader = _Loader(setup, seed=seed, today=today or timezone.localdate())
        loader.origin_org, loader.origin_user = origin_org, origin_user
        loader.run(result)
        result.seconds = time.monotonic() - started
        audit_record(
            actor=command_actor(setup.users.get("admin")),
            action=AuditAction.IMPORT,
            entity_type="demo.cases",
            organisation_id=setup.main.pk,
            summary=(
                f"Demo cases: {result.cases} cases, {result.programmes} programmes, "
                f"{result.partners} partners (seed {seed})"
            ),
            after={"seed": seed, "cases": result.cases, "referrals": result.referrals},
        )
    return result


class _Loader:
    def __init__(self, setup: Setup, *, seed: int, today: datetime.date) -> None:
        self.setup = setup
        self.rng = random.Random(f"cases/{seed}")
        self.today = today
        self.clock = _Clock()
        users = setup.users
        self.admin = users["admin"]
        self.supervisor = users["supervisor"]
        self.caseworker = users["caseworker"]
        self.reintegration = users["reintegration"]
        self.manager = users["programme"]
        self.origin_org: Organisation | None = None
        self.origin_user: User | None = None
        self.programmes: dict[str, Programme] = {}
        self.partners: dict[str, list[Partner]] = {}
        self.origin_partner: Partner | None = None

    def actor(self, user: User) -> Actor:
        return command_actor(user)

    # --- programmes, directory, projects ---------------------------------------------------

    def run(self, result: CasesResult) -> None:
        main = self.setup.main
        admin = self.actor(self.admin)
        orgs = {o.name: o for o in Organisation.objects.all()}
        for entry in _PARTNERS:
            name, kind, country, region, locality, offered, languages, linked = entry
            partner = services.partner_save(
                actor=admin,
                partner=Partner(
                    organisation=main,
                    linked_organisation=orgs.get(linked) if linked else None,
                    name=name,
                    kind=kind,
                    country=country,
                    region=region,
                    locality=locality,
                    services=offered,
                    languages=list(languages),
                    phone=f"+{self.rng.randint(200, 399)} {self.rng.randint(100000, 999999)}",
                    email=f"contact@{_slug(name)[:24]}.example.org",
                ),
            )
            self.partners.setdefault(country, []).append(partner)
            if name == ORIGIN_ORGANISATION:
                self.origin_partner = partner
        result.partners = len(_PARTNERS)
        year = self.today.year
        for p in _PROGRAMMES:
            programme = services.programme_save(
                actor=admin,
                programme=Programme(
                    organisation=main,
                    name=p.name,
                    kind=p.kind,
                    funding_source=p.funding,
                    host_countries=list(p.hosts),
                    origin_countries=[code for code, _ in p.origins],
                    currency=p.currency,
                    budget=Decimal(p.budget),
                    capacity=p.capacity,
                    starts_on=datetime.date(year - 2, 1, 1),
                    ends_on=datetime.date(year + 2, 12, 31),
                    approval_threshold=Decimal(p.threshold),
                    plan_due_days=p.plan_due_days,
                    eligible_nationalities=[code for code, _ in p.origins],
                    eligible_statuses=list(p.statuses),
                    min_age=18,
                    min_months_abroad=p.min_months_abroad,
                    excludes_removal_orders=p.excludes_removal_orders,
                ),
                assistance=p.assistance,
            )
            countries = {code for code, _ in p.origins}
            programme.partners.set(
                [x for code in sorted(countries) for x in self.partners.get(code, [])]
            )
            self.programmes[p.key] = programme
        result.programmes = len(_PROGRAMMES)
        for name, text, country, region, currency, budget, back, stayed, key in _PROJECTS:
            services.community_project_save(
                actor=admin,
                project=CommunityProject(
                    organisation=main,
                    programme=self.programmes[key],
                    name=name,
                    description=text,
                    country=country,
                    region=region,
                    currency=currency,
                    budget=Decimal(budget),
                    returnees_served=back,
                    non_migrants_served=stayed,
                    starts_on=datetime.date(year - 1, 3, 1),
                    ends_on=datetime.date(year + 1, 2, 28),
                ),
            )
        result.projects = len(_PROJECTS)
        specs = self.specs()
        self.assign_people(specs)
        with self.clock.running():
            for spec in specs:
                if spec.person is None:
                    continue
                self.build(spec)
                result.cases += 1
                result.referrals += 1 if spec.referral else 0

    # --- what the caseload looks like -------------------------------------------------------

    def specs(self) -> list[_Spec]:
        rng = self.rng
        specs: list[_Spec] = []
        for stage, n in _OPEN_STAGES:
            path = ORDER[: ORDER.index(stage) + 1]
            specs += [_Spec(stage=stage, path=list(path)) for _ in range(n)]
        for outcome, last, early in _CLOSINGS:
            path = ORDER[: ORDER.index(last) + 1]
            specs.append(_Spec(stage=S.CLOSED, path=list(path), outcome=outcome, early=early))
        for last in _WITHDRAWN_FROM:
            path = ORDER[: ORDER.index(last) + 1]
            specs.append(_Spec(stage=S.WITHDRAWN, path=list(path), outcome=c.Outcome.WITHDREW))
        weights = [p.weight for p in _PROGRAMMES]
        for spec in specs:
            spec.programme = rng.choices([p.key for p in _PROGRAMMES], weights=weights)[0]
            p = _BY_KEY[spec.programme]
            spec.host = rng.choices(p.hosts, weights=p.host_weights)[0]
            spec.removal_order = spec.programme == "reception" and rng.random() < 0.5
            if len(spec.path) >= ORDER.index(S.PRE_DEPARTURE) + 1 and rng.random() < 0.15:
                spec.risk = rng.choice(("mitigated", "signed_off"))
        # Screening cases with a risk still open: they wait for a supervisor's sign-off.
        for spec in [s for s in specs if s.stage == S.SCREENING][:4]:
            spec.risk = "open"
        plans = ["none"] * 4 + ["draft"] * 3 + ["submitted"] * 5 + ["returned"] * 2
        for spec, plan in zip([s for s in specs if s.stage == S.PLANNING], plans, strict=False):
            spec.plan = plan
        # Intake cases not yet given to anybody.
        for spec in [s for s in specs if s.stage == S.INTAKE][:2]:
            spec.unassigned = True
        # Referrals to the organisation in Morocco, with and without the person's consent.
        origin_side = [s for s in specs if s.stage in _ORIGIN_SIDE]
        referred = [
            ("pending", True),
            ("accepted", True),
            ("pending", False),
            ("accepted", False),
            ("pending", True),
            ("accepted", True),
        ]
        later = [s for s in origin_side if s.stage != S.ARRIVED]
        pending = [s for s in origin_side if s.stage in (S.ARRIVED, S.PLANNING)]
        for kind, consent in referred:
            pool = pending if kind == "pending" else later
            spec = next(s for s in pool if not s.referral)
            spec.referral, spec.consent = kind, consent
            spec.programme, spec.host, spec.removal_order = "avrr", "BE", False
            spec.country = "MA"
        # Referrals to providers that do not use Retorno.
        for spec in [s for s in origin_side if not s.referral][::3]:
            spec.referral = "partner"
        return specs

    def assign_people(self, specs: list[_Spec]) -> None:
        """Give each case an adult of the main organisation from one of its countries."""
        rng = self.rng
        born_before = self.today.replace(year=self.today.year - 19)
        born_after = self.today.replace(year=self.today.year - 64)
        rows = (
            Person.objects.filter(
                organisation=self.setup.main,
                date_of_birth__lte=born_before,
                date_of_birth__gte=born_after,
            )
            .order_by("id")
            .values_list("id", "nationalities")
        )
        pools: dict[str, list[int]] = {}
        for pk, nationalities in rows:
            if nationalities:
                pools.setdefault(nationalities[0], []).append(pk)
        for pool in pools.values():
            rng.shuffle(pool)
        consenting = set(
            Consent.objects.filter(
                person_id__in=pools.get("MA", []),
                purpose=ConsentPurpose.REFERRAL,
                status=ConsentStatus.GIVEN,
            ).values_list("person_id", flat=True)
        )
        chosen: dict[int, _Spec] = {}
        # The Moroccan referrals first: they need people with, or without, consent.
        for spec in sorted(specs, key=lambda s: not s.country):
            person_id: int | None
            if spec.country:
                pool = pools.get(spec.country, [])
                found = next((x for x in pool if (x in consenting) == spec.consent), None)
                person_id = pool[0] if found is None and pool else found
            else:
                p = _BY_KEY[spec.programme]
                countries = [code for code, _ in p.origins if pools.get(code)]
                if not countries:
                    # This programme's countries have run out of people: another programme.
                    for other in _PROGRAMMES:
                        countries = [code for code, _ in other.origins if pools.get(code)]
                        if countries:
                            spec.programme = other.key
                            spec.host = rng.choices(other.hosts, weights=other.host_weights)[0]
                            break
                if not countries:
                    continue
                weights = dict(_BY_KEY[spec.programme].origins)
                spec.country = rng.choices(countries, weights=[weights[x] for x in countries])[0]
                person_id = pools[spec.country][0]
            if person_id is None:
                continue
            pools[spec.country].remove(person_id)
            chosen[person_id] = spec
        for person in Person.objects.filter(pk__in=list(chosen)):
            chosen[person.pk].person = person

    # --- one case, stage by stage ---------------------------------------------------------

    def dates(self, spec: _Spec) -> dict[str, datetime.date]:
        """When the case entered each stage it went through, ending before today."""
        rng = self.rng
        visited = list(spec.path)
        if spec.stage in (S.CLOSED, S.WITHDRAWN):
            visited.append(spec.stage)
        low, high = _SO_FAR[spec.stage]
        entered = {visited[-1]: self.today - datetime.timedelta(days=rng.randint(low, high))}
        for i in range(len(visited) - 2, -1, -1):
            low, high = _DWELL[visited[i]]
            entered[visited[i]] = entered[visited[i + 1]] - datetime.timedelta(
                days=rng.randint(low, high)
            )
        return entered

    def build(self, spec: _Spec) -> None:
        rng = self.rng
        clock = self.clock
        person = spec.person
        assert person is not None
        entered = self.dates(spec)
        offices = self.setup.main_offices
        clock.set(entered[S.INTAKE], rng.randint(9, 11), rng.randint(0, 59))
        host_user = self.supervisor if rng.random() < 0.1 else self.caseworker
        case = services.case_open(
            actor=self.actor(self.caseworker),
            organisation_id=self.setup.main.pk,
            person=person,
            assigned_to=None if spec.unassigned else host_user,
            office=offices[_HOST_OFFICE[spec.host]],
            programme=self.programmes[spec.programme],
            language=_LANGUAGE.get(spec.country, "en"),
            host_country=spec.host,
            origin_country=spec.country,
            return_region=rng.choice(_REGIONS[spec.country]),
            removal_order=spec.removal_order,
        )
        spec.extras["origin_user"] = self.reintegration if rng.random() < 0.85 else self.supervisor
        if rng.random() < 0.35:
            spec.extras["note_at"] = rng.choice(spec.path)
        if rng.random() < 0.12:
            spec.extras["restricted_at"] = rng.choice(spec.path)
        stages = spec.path
        for i, stage in enumerate(stages):
            start = entered[stage]
            leaving = i + 1 < len(stages) or spec.stage in (S.CLOSED, S.WITHDRAWN)
            if i + 1 < len(stages):
                end = entered[stages[i + 1]]
            elif leaving:
                end = entered[spec.stage]
            else:
                end = self.today
            moving_on = i + 1 < len(stages)
            case = self.work(spec, case, stage, start, end, complete=moving_on)
            self.extras(spec, case, stage, start, end)
            if moving_on:
                case = self.move(spec, case, stages[i + 1], entered[stages[i + 1]])
        if spec.stage in (S.CLOSED, S.WITHDRAWN):
            self.close(spec, case, entered[spec.stage])

    def at(self, start: datetime.date, end: datetime.date, share: float) -> datetime.date:
        """A day between start and end (share of the way), never after end or today."""
        days = max(0, (end - start).days)
        day = start + datetime.timedelta(days=int(days * share))
        return min(day, end, self.today)

    def when(self, day: datetime.date) -> None:
        self.clock.set(day, self.rng.randint(9, 16), self.rng.randint(0, 59))

    def user_for(self, spec: _Spec, stage: str) -> User:
        if stage in _ORIGIN_SIDE:
            user: User = spec.extras["origin_user"]
            return user
        return self.caseworker

    def move(self, spec: _Spec, case: Case, target: str, day: datetime.date) -> Case:
        self.when(day)
        user = self.user_for(spec, target if target in _ORIGIN_SIDE else case.stage)
        case = services.case_transition(
            actor=self.actor(user), case=case, target=target, version=case.version
        )
        if target == S.ARRIVED:
            # The case is taken up by the reintegration side in the country of return.
            case = services.case_update(
                actor=self.actor(user),
                case=case,
                version=case.version,
                assigned_to=spec.extras["origin_user"],
                office=self.setup.main_offices[_ORIGIN_OFFICE[spec.country]],
            )
        return case

    def close(self, spec: _Spec, case: Case, day: datetime.date) -> None:
        self.when(day)
        if spec.stage == S.WITHDRAWN:
            services.case_transition(
                actor=self.actor(self.user_for(spec, case.stage)),
                case=case,
                target=S.WITHDRAWN,
                version=case.version,
                reason=self.rng.choice(_WITHDRAWAL_REASONS),
            )
        elif spec.early:
            services.case_transition(
                actor=self.actor(self.supervisor),
                case=case,
                target=S.CLOSED,
                version=case.version,
                reason=_EARLY_REASONS[spec.outcome],
                outcome=spec.outcome,
            )
        else:
            services.case_transition(
                actor=self.actor(self.user_for(spec, case.stage)),
                case=case,
                target=S.CLOSED,
                version=case.version,
                reason=_OUTCOME_REASONS.get(spec.outcome, ""),
                outcome=spec.outcome,
            )

    def extras(
        self, spec: _Spec, case: Case, stage: str, start: datetime.date, end: datetime.date
    ) -> None:
        """Notes and tasks, here and there."""
        rng = self.rng
        actor = self.actor(self.user_for(spec, stage))
        if spec.extras.get("note_at") == stage:
            self.when(self.at(start, end, 0.4))
            services.note_add(actor=actor, case=case, text=rng.choice(_NOTES))
        if spec.extras.get("restricted_at") == stage:
            self.when(self.at(start, end, 0.5))
            services.note_add(
                actor=actor,
                case=case,
                text=rng.choice(_RESTRICTED_NOTES),
                sensitivity=c.Sensitivity.RESTRICTED,
            )
        if stage == case.stage and spec.stage == stage and rng.random() < 0.3:
            # An open task of the current stage, sometimes already late.
            day = self.at(start, end, 0.3)
            self.when(day)
            services.task_add(
                actor=actor,
                case=case,
                title=rng.choice(_TASKS),
                due_on=day + datetime.timedelta(days=rng.randint(2, 30)),
            )

    def work(
        self,
        spec: _Spec,
        case: Case,
        stage: str,
        start: datetime.date,
        end: datetime.date,
        *,
        complete: bool,
    ) -> Case:
        """What is done in a stage: all of it when the case moves on, some when it is there."""
        rng = self.rng
        user = self.user_for(spec, stage)
        actor = self.actor(user)
        country = spec.country
        if stage == S.COUNSELLING:
            sessions = 2 if complete else rng.choice((0, 1, 1))
            topics = (
                [c.CounsellingTopic.RIGHTS, c.CounsellingTopic.OPTIONS],
                [
                    c.CounsellingTopic.CONSEQUENCES,
                    c.CounsellingTopic.PROGRAMME,
                    c.CounsellingTopic.COUNTRY,
                ],
            )
            for n in range(sessions):
                day = self.at(start, end, 0.2 + 0.5 * n)
                self.when(day)
                interpreter = rng.random() < 0.4
                services.counselling_add(
                    actor=actor,
                    case=case,
                    held_on=day,
                    topics=topics[n],
                    language=_SPOKEN[country][0 if interpreter else -1],
                    interpreter=rng.choice(_INTERPRETERS) if interpreter else "",
                    summary="Went through the person's options and the programme's assistance.",
                )
        elif stage == S.DECISION and (complete or rng.random() < 0.4):
            day = self.at(start, end, 0.5)
            self.when(day)
            case = services.case_update(
                actor=actor,
                case=case,
                version=case.version,
                decision_form=c.DecisionForm.RECORDED_STATEMENT,
                decision_on=day,
                decision_statement=rng.choice(_STATEMENTS),
            )
        elif stage == S.SCREENING:
            if complete or spec.risk == "open" or rng.random() < 0.5:
                day = self.at(start, end, 0.3)
                self.when(day)
                found = []
                if rng.random() < 0.25:
                    found.append(
                        rng.choice(
                            (
                                c.CaseVulnerability.HEALTH_CONDITION,
                                c.CaseVulnerability.OLDER_PERSON,
                                c.CaseVulnerability.GBV,
                            )
                        )
                    )
                case = services.case_update(
                    actor=actor,
                    case=case,
                    version=case.version,
                    vulnerabilities=found,
                    vulnerability_notes="Interview and documents reviewed."
                    + (" Needs follow-up on health." if found else ""),
                    screened_on=day,
                )
            if spec.risk:
                self.when(self.at(start, end, 0.5))
                description, level = rng.choice(_RISKS)
                risk = services.risk_add(
                    actor=actor, case=case, description=description, level=level
                )
                self.when(self.at(start, end, 0.8))
                if spec.risk == "mitigated":
                    services.risk_mitigate(
                        actor=actor,
                        risk=risk,
                        mitigation="Settling with relatives in another region; partner informed.",
                    )
                elif spec.risk == "signed_off":
                    services.risk_sign_off(
                        actor=self.actor(self.supervisor),
                        risk=risk,
                        reason="Risk assessed with the country office: low in the chosen region.",
                    )
        elif stage == S.PRE_DEPARTURE:
            day = self.at(start, end, 0.8)
            self.when(day)
            airport = _HOST_AIRPORT[spec.host]
            fields: dict[str, Any] = {
                "travel_document_ready": complete or rng.random() < 0.5,
                "fit_to_travel": complete or rng.random() < 0.5,
                "health_insurance": rng.random() < 0.7,
                "information_pack": complete or rng.random() < 0.6,
                "luggage_kg": rng.choice((20, 23, 30)),
            }
            if complete:
                fields.update(
                    itinerary=_FLIGHTS[country][1].format(host=airport),
                    departure_date=end,
                    preregistration_ref=f"{country}-{rng.randint(100000, 999999)}",
                    escort_needed=rng.random() < 0.05,
                )
            case = services.case_update(actor=actor, case=case, version=case.version, **fields)
        elif stage == S.DEPARTED and complete:
            self.when(end)
            needs = rng.sample(list(c.ImmediateNeed.values), rng.choice((0, 1, 1, 2)))
            case = services.case_update(
                actor=self.actor(spec.extras["origin_user"]),
                case=case,
                version=case.version,
                arrived_on=end,
                arrival_point=_FLIGHTS[country][0],
                met_on_arrival=rng.random() < 0.85,
                immediate_needs=needs,
            )
        elif stage == S.ARRIVED:
            if spec.referral:
                self.refer(spec, case, start, end)
        elif stage == S.PLANNING:
            self.plan(spec, case, start, end, complete=complete)
        elif stage == S.DELIVERY:
            self.deliver(spec, case, start, end, complete=complete)
        elif stage == S.MONITORING:
            tasks = CaseTask.objects.filter(case=case, done_at__isnull=True).order_by("due_on")
            for task in tasks:
                if task.due_on <= min(end, self.today) and (complete or rng.random() < 0.75):
                    self.when(min(task.due_on + datetime.timedelta(days=rng.randint(0, 6)), end))
                    services.task_complete(actor=actor, task=task)
        return case

    def refer(self, spec: _Spec, case: Case, start: datetime.date, end: datetime.date) -> None:
        rng = self.rng
        day = self.at(start, end, 0.5)
        self.when(day)
        sender = self.actor(spec.extras["origin_user"] if spec.consent else self.supervisor)
        if spec.referral == "partner":
            partner = rng.choice(
                [x for x in self.partners.get(spec.country, []) if not x.linked_organisation_id]
                or [None]
            )
            if partner is None or not services.has_consent(case.person, ConsentPurpose.REFERRAL):
                spec.referral = ""
                return
            referral = services.referral_create(
                actor=self.actor(spec.extras["origin_user"]),
                case=case,
                shared_fields=[c.SharedField.IDENTITY, c.SharedField.CONTACTS],
                to_partner=partner,
                message=f"Please contact the person about: {partner.services.lower()}",
            )
            if rng.random() < 0.6:
                self.when(min(day + datetime.timedelta(days=rng.randint(10, 30)), self.today))
                services.referral_record_outcome(
                    actor=self.actor(spec.extras["origin_user"]),
                    referral=referral,
                    outcome=rng.choice((c.ServiceOutcome.RECEIVED, c.ServiceOutcome.NOT_RECEIVED)),
                )
            return
        override = ""
        if not services.has_consent(case.person, ConsentPurpose.REFERRAL):
            sender = self.actor(self.supervisor)
            override = (
                "The person cannot be reached to give consent and needs urgent medical care "
                "on arrival; sharing only what the receiving caseworker needs."
            )
        referral = services.referral_create(
            actor=sender,
            case=case,
            shared_fields=[
                c.SharedField.IDENTITY,
                c.SharedField.CONTACTS,
                c.SharedField.RETURN,
                c.SharedField.VULNERABILITIES,
            ],
            to_partner=self.origin_partner,
            message="Returned from Belgium; please take up the follow-up in Casablanca.",
            override_reason=override,
        )
        if spec.referral == "accepted":
            assert self.origin_user is not None
            self.when(min(day + datetime.timedelta(days=2), self.today))
            services.referral_answer(
                actor=self.actor(self.origin_user),
                referral=referral,
                accept=True,
                answer="Accepted; our Casablanca office will call the person this week.",
            )

    def plan(
        self, spec: _Spec, case: Case, start: datetime.date, end: datetime.date, *, complete: bool
    ) -> None:
        rng = self.rng
        state = "approved" if complete else spec.plan or "none"
        if state == "none":
            return
        actor = self.actor(spec.extras["origin_user"])
        p = _BY_KEY[spec.programme]
        self.when(self.at(start, end, 0.2))
        plan = services.plan_start(
            actor=actor,
            case=case,
            summary="Wants to earn a living close to the family and to get some training.",
        )
        economic = [x for x in p.items if x[0] == D.ECONOMIC]
        others = [x for x in p.items if x[0] != D.ECONOMIC]
        items = [rng.choice(economic), *rng.sample(others, rng.randint(1, 2))]
        for dimension, kind, description, amount in items:
            self.when(self.at(start, end, 0.3))
            services.plan_item_add(
                actor=actor,
                plan=plan,
                version=plan.version,
                dimension=dimension,
                kind=kind,
                description=description,
                in_kind=amount is None,
                planned_amount=amount,
                due_on=end + datetime.timedelta(days=rng.randint(10, 60)),
            )
        if state == "draft":
            return
        self.when(self.at(start, end, 0.6))
        services.plan_submit(actor=actor, plan=plan, version=plan.version)
        if state == "submitted":
            return
        self.when(self.at(start, end, 0.8))
        # A plan above the threshold needs somebody other than its author.
        drafter = spec.extras["origin_user"]
        reviewer = self.actor(
            self.supervisor if drafter != self.supervisor and rng.random() < 0.7 else self.manager
        )
        approve = state == "approved"
        services.plan_review(
            actor=reviewer,
            plan=plan,
            version=plan.version,
            approve=approve,
            comment="" if approve else "Give the training centre's quote for the course.",
        )
        if approve:
            for task in CaseTask.objects.filter(
                case=case, kind=c.TaskKind.PLAN_DUE, done_at__isnull=True
            ):
                services.task_complete(actor=actor, task=task)

    def deliver(
        self, spec: _Spec, case: Case, start: datetime.date, end: datetime.date, *, complete: bool
    ) -> None:
        rng = self.rng
        plan = ReintegrationPlan.objects.get(case=case)
        items = list(PlanItem.objects.filter(plan=plan).order_by("id"))
        count = len(items) if complete else rng.randint(0, len(items))
        actor = self.actor(spec.extras["origin_user"])
        local = _LOCAL_CURRENCY.get(spec.country)
        for n, item in enumerate(items[:count]):
            day = self.at(start, end, 0.2 + 0.6 * n / max(1, count))
            self.when(day)
            if item.in_kind or item.planned_amount is None:
                services.delivery_record(
                    actor=actor,
                    item=item,
                    method=c.DeliveryMethod.SERVICE_REFERRAL,
                    delivered_on=day,
                    note="Sessions started.",
                )
                continue
            share = Decimal(rng.choice(("1", "1", "0.5", "0.75")))
            amount = (item.planned_amount * share).quantize(CENT)
            if local is not None and plan.currency == "EUR" and rng.random() < 0.6:
                code, rate = local
                paid = (amount / rate).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
                services.delivery_record(
                    actor=actor,
                    item=item,
                    method=rng.choice((c.DeliveryMethod.CASH, c.DeliveryMethod.VOUCHER)),
                    delivered_on=day,
                    amount=paid,
                    currency=code,
                    exchange_rate=rate,
                    note="Paid in local currency at the day's rate.",
                )
            else:
                services.delivery_record(
                    actor=actor,
                    item=item,
                    method=c.DeliveryMethod.BANK_TRANSFER,
                    delivered_on=day,
                    amount=amount,
                    currency=plan.currency,
                )


def _slug(name: str) -> str:
    from retorno.demo.generate import _ascii

    return "".join(ch for ch in _ascii(name) if ch.isalnum()) or "partner"
