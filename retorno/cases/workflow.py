"""The case workflow: which stage may follow which, who may move a case, and what must hold.

Everything about stages lives here, so that pages, the API and the tests read one
table. A transition's guard returns the reasons it cannot happen yet (empty when it
can); the same reasons are the checklist a caseworker sees on the case page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from retorno.accounts.roles import Role
from retorno.cases.choices import Outcome, PlanStatus, RiskStatus, Stage
from retorno.cases.models import Case

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

S = Stage
R = Role

# Who works a case forward in a host country, and who takes it up at arrival.
_HOST_SIDE = frozenset({R.ADMINISTRATOR, R.SUPERVISOR, R.CASEWORKER})
_ORIGIN_SIDE = frozenset({R.ADMINISTRATOR, R.SUPERVISOR, R.CASEWORKER, R.REINTEGRATION_OFFICER})
_ALL_CASEWORK = _HOST_SIDE | _ORIGIN_SIDE

Check = Callable[[Case], list[Any]]


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    roles: frozenset[str]
    label: StrOrPromise
    checks: tuple[Check, ...] = ()
    needs_reason: bool = False
    needs_outcome: bool = False
    outcomes: tuple[str, ...] = field(default_factory=tuple)

    def problems(self, case: Case) -> list[Any]:
        found: list[Any] = []
        for check in self.checks:
            found.extend(check(case))
        return found


def counselled(case: Case) -> list[Any]:
    sessions = list(case.sessions.all())
    if not sessions:
        return [_("Record at least one counselling session.")]
    covered = {topic for s in sessions for topic in s.topics}
    if not {"rights", "options", "consequences"} <= covered:
        return [_("Counselling must cover rights, options and consequences.")]
    return []


def decided(case: Case) -> list[Any]:
    if not case.decision_form or not case.decision_on:
        return [_("Record the person's decision and its date.")]
    if case.decision_form == "signed_form" and not any(
        d.kind == "signed_decision" for d in case.documents.all()
    ):
        return [_("Upload the signed decision form.")]
    if case.decision_form == "recorded_statement" and not case.decision_statement.strip():
        return [_("Write down the person's statement.")]
    return []


def screened(case: Case) -> list[Any]:
    if not case.screened_on:
        return [_("Complete the vulnerability assessment.")]
    return []


def no_open_risk(case: Case) -> list[Any]:
    if any(r.status == RiskStatus.OPEN for r in case.risks.all()):
        return [
            _(
                "A protection risk at the place of return is still open: it must be "
                "mitigated, or signed off by a supervisor with a reason."
            )
        ]
    return []


def ready_to_travel(case: Case) -> list[Any]:
    missing = []
    if not case.travel_document_ready:
        missing.append(_("Travel document not ready."))
    if not case.fit_to_travel:
        missing.append(_("Fit-to-travel check not done."))
    if not case.departure_date or not case.itinerary.strip():
        missing.append(_("No booked itinerary and departure date."))
    if not case.information_pack:
        missing.append(_("Information pack on the country of origin not given."))
    return missing


def arrival_recorded(case: Case) -> list[Any]:
    if not case.arrived_on or case.met_on_arrival is None:
        return [_("Record the arrival date and whether the person was met.")]
    return []


def plan_approved(case: Case) -> list[Any]:
    plan = getattr(case, "plan", None)
    if plan is None or plan.status != PlanStatus.APPROVED:
        return [_("The reintegration plan must be approved.")]
    return []


def something_delivered(case: Case) -> list[Any]:
    plan = getattr(case, "plan", None)
    if plan is None or not any(item.deliveries.all() for item in plan.items.all()):
        return [_("Record at least one delivery of assistance.")]
    return []


_EARLY_OUTCOMES = (
    Outcome.DID_NOT_TRAVEL,
    Outcome.TRANSFERRED,
    Outcome.LOST_CONTACT,
    Outcome.DECEASED,
)
_AFTER_RETURN_OUTCOMES = (
    Outcome.REINTEGRATED,
    Outcome.REMIGRATED,
    Outcome.TRANSFERRED,
    Outcome.LOST_CONTACT,
    Outcome.DECEASED,
)

_BEFORE_TRAVEL = (S.INTAKE, S.COUNSELLING, S.DECISION, S.SCREENING, S.PRE_DEPARTURE)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.INTAKE, S.COUNSELLING, _HOST_SIDE, _("Start counselling")),
    Transition(
        S.COUNSELLING, S.DECISION, _HOST_SIDE, _("Record the decision"), checks=(counselled,)
    ),
    Transition(S.DECISION, S.SCREENING, _HOST_SIDE, _("Go to screening"), checks=(decided,)),
    Transition(
        S.SCREENING,
        S.PRE_DEPARTURE,
        _HOST_SIDE,
        _("Prepare the departure"),
        checks=(screened, no_open_risk),
    ),
    Transition(
        S.PRE_DEPARTURE,
        S.DEPARTED,
        _HOST_SIDE,
        _("Record the departure"),
        checks=(no_open_risk, ready_to_travel),
    ),
    Transition(
        S.DEPARTED, S.ARRIVED, _ALL_CASEWORK, _("Record the arrival"), checks=(arrival_recorded,)
    ),
    Transition(S.ARRIVED, S.PLANNING, _ORIGIN_SIDE, _("Start reintegration planning")),
    Transition(
        S.PLANNING,
        S.DELIVERY,
        _ORIGIN_SIDE,
        _("Start delivering assistance"),
        checks=(plan_approved,),
    ),
    Transition(
        S.DELIVERY,
        S.MONITORING,
        _ORIGIN_SIDE,
        _("Start monitoring"),
        checks=(something_delivered,),
    ),
    Transition(
        S.MONITORING,
        S.CLOSED,
        _ORIGIN_SIDE,
        _("Close the case"),
        needs_outcome=True,
        outcomes=_AFTER_RETURN_OUTCOMES,
    ),
    # Cases that end early: only a supervisor closes them, with a reason.
    *(
        Transition(
            source,
            S.CLOSED,
            frozenset({R.ADMINISTRATOR, R.SUPERVISOR}),
            _("Close the case early"),
            needs_reason=True,
            needs_outcome=True,
            outcomes=_EARLY_OUTCOMES if source in _BEFORE_TRAVEL else _AFTER_RETURN_OUTCOMES,
        )
        for source in (*_BEFORE_TRAVEL, S.DEPARTED, S.ARRIVED, S.PLANNING, S.DELIVERY)
    ),
    # The person may withdraw at any stage; the reason is recorded.
    *(
        Transition(source, S.WITHDRAWN, _ALL_CASEWORK, _("The person withdraws"), needs_reason=True)
        for source in Stage.values
        if source not in (S.CLOSED, S.WITHDRAWN)
    ),
)

_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}


def transition_between(source: str, target: str) -> Transition | None:
    return _BY_PAIR.get((source, target))


def transitions_from(stage: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == stage]


def forward_transition(stage: str) -> Transition | None:
    """The transition that moves a case on in the normal course (not closing or withdrawing)."""
    for t in TRANSITIONS:
        if (
            t.source == stage
            and t.target not in (S.WITHDRAWN,)
            and not (t.target == S.CLOSED and t.needs_reason)
        ):
            return t
    return None


# Stages in the order a case normally goes through them, for dashboards and timelines.
ORDER = [
    S.INTAKE,
    S.COUNSELLING,
    S.DECISION,
    S.SCREENING,
    S.PRE_DEPARTURE,
    S.DEPARTED,
    S.ARRIVED,
    S.PLANNING,
    S.DELIVERY,
    S.MONITORING,
    S.CLOSED,
    S.WITHDRAWN,
]

# Fields each stage's form records.
STAGE_FIELDS: dict[str, tuple[str, ...]] = {
    S.DECISION: ("decision_form", "decision_on", "decision_statement"),
    S.SCREENING: ("vulnerabilities", "vulnerability_notes", "screened_on", "removal_order"),
    S.PRE_DEPARTURE: (
        "travel_document_ready",
        "fit_to_travel",
        "health_insurance",
        "escort_needed",
        "itinerary",
        "departure_date",
        "luggage_kg",
        "preregistration_ref",
        "information_pack",
    ),
    S.DEPARTED: ("arrived_on", "arrival_point", "met_on_arrival", "immediate_needs"),
    S.ARRIVED: ("arrived_on", "arrival_point", "met_on_arrival", "immediate_needs"),
}
