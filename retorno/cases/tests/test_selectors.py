"""The case reads: list filters, dashboards, budgets, eligibility and outcome counts."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from retorno.accounts.models import Organisation
from retorno.accounts.roles import Role
from retorno.cases import choices as c
from retorno.cases import selectors, services
from retorno.cases.models import Case, Programme, ReintegrationPlan
from retorno.cases.selectors import CaseFilters
from retorno.core.audit import Actor
from retorno.core.models import AuditAction, AuditEvent
from retorno.registry.choices import StatusAbroad
from retorno.registry.models import MigrationEpisode, Person
from retorno.registry.tests.factories import make_person

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today
DAY = datetime.timedelta(days=1)


@pytest.fixture
def new_case(
    users: dict[str, User], host_org: Organisation, programme: Programme
) -> Callable[..., Case]:
    """Open a case for a new person, then put it at a stage directly."""
    carla = users[Role.CASEWORKER]
    count = iter(range(1000))

    def make(
        stage: str = c.Stage.INTAKE,
        *,
        given_name: str = "",
        family_name: str = "Popescu",
        assigned_to: Any = "carla",
        **fields: Any,
    ) -> Case:
        person = make_person(
            host_org,
            given_name=given_name or f"Person{next(count)}",
            family_name=family_name,
            nationalities=["MD"],
        )
        values: dict[str, Any] = {
            "host_country": "BE",
            "origin_country": "MD",
            "programme": programme,
        }
        values.update(fields)
        case = services.case_open(
            actor=Actor(user=carla),
            organisation_id=host_org.pk,
            person=person,
            assigned_to=carla if assigned_to == "carla" else assigned_to,
            **values,
        )
        if stage != c.Stage.INTAKE:
            Case.objects.filter(pk=case.pk).update(stage=stage)
            case.refresh_from_db()
        return case

    return make


def _list(user: User, **filters: Any) -> list[Case]:
    return list(selectors.case_list_for(actor=Actor(user=user), filters=CaseFilters(**filters)))


# The list -----------------------------------------------------------------------------------


def test_closed_and_withdrawn_cases_are_left_out_unless_asked(
    carla: User, new_case: Callable[..., Case]
) -> None:
    open_one = new_case()
    closed = new_case(c.Stage.CLOSED)
    withdrawn = new_case(c.Stage.WITHDRAWN)
    assert _list(carla) == [open_one]
    assert set(_list(carla, include_closed=True)) == {open_one, closed, withdrawn}
    assert _list(carla, stage=c.Stage.CLOSED) == [closed]


def test_the_list_filters_by_stage_programme_and_country(
    carla: User, new_case: Callable[..., Case], host_org: Organisation
) -> None:
    other_programme = Programme.objects.create(organisation=host_org, name="Georgia", kind="avrr")
    intake = new_case()
    counselling = new_case(c.Stage.COUNSELLING)
    georgian = new_case(programme=other_programme, origin_country="GE")
    assert _list(carla, stage=c.Stage.COUNSELLING) == [counselling]
    assert set(_list(carla, stage=c.Stage.INTAKE)) == {intake, georgian}
    assert _list(carla, programme=other_programme.pk) == [georgian]
    assert _list(carla, origin_country="ge") == [georgian]
    assert set(_list(carla, origin_country="MD")) == {intake, counselling}


def test_the_list_filters_by_assignment(
    users: dict[str, User], new_case: Callable[..., Case]
) -> None:
    carla, rene = users[Role.CASEWORKER], users[Role.REINTEGRATION_OFFICER]
    mine = new_case()
    renes = new_case(assigned_to=rene)
    nobodys = new_case(assigned_to=None)
    assert _list(carla, assigned="me") == [mine]
    assert _list(rene, assigned="me") == [renes]
    assert _list(carla, assigned="none") == [nobodys]
    assert _list(carla, assigned=str(rene.pk)) == [renes]
    assert set(_list(carla, assigned="")) == {mine, renes, nobodys}


def test_the_list_filters_by_removal_order(carla: User, new_case: Callable[..., Case]) -> None:
    voluntary = new_case()
    removal = new_case(removal_order=True)
    assert _list(carla, removal_order="yes") == [removal]
    assert _list(carla, removal_order="no") == [voluntary]
    assert set(_list(carla, removal_order="maybe")) == {voluntary, removal}


def test_the_list_filters_overdue_cases_once_each(
    carla: User, new_case: Callable[..., Case]
) -> None:
    late = new_case()
    on_time = new_case()
    done = new_case()
    actor = Actor(user=carla)
    for title in ("Call", "Write"):
        services.task_add(actor=actor, case=late, title=title, due_on=TODAY() - DAY)
    services.task_add(actor=actor, case=on_time, title="Call", due_on=TODAY())
    task = services.task_add(actor=actor, case=done, title="Call", due_on=TODAY() - DAY)
    services.task_complete(actor=actor, task=task)
    assert _list(carla, overdue=True) == [late]


def test_the_list_searches_reference_and_names(carla: User, new_case: Callable[..., Case]) -> None:
    ion = new_case(given_name="Ion", family_name="Rusu")
    maria = new_case(given_name="Maria", family_name="Ionescu")
    other = new_case(given_name="Ana", family_name="Lungu")
    # Names are matched as the registry matches them: by sound, through the name keys.
    assert _list(carla, q="ionescu") == [maria]
    assert _list(carla, q="Ionesku") == [maria]
    assert _list(carla, q=" rus ") == [ion]
    assert _list(carla, q=other.reference.lower()) == [other]
    # The beginning of a reference is enough, as read off a letter or a phone call.
    assert _list(carla, q=other.reference[:-2]) == [other]


def test_listing_is_audited_and_lists_newest_change_first(
    carla: User, new_case: Callable[..., Case]
) -> None:
    first = new_case()
    second = new_case()
    Case.objects.filter(pk=first.pk).update(stage_changed_at=second.stage_changed_at + DAY)
    assert _list(carla, q="Popescu") == [first, second]
    listed = AuditEvent.objects.get(action=AuditAction.LIST)
    assert listed.actor == carla and listed.entity_type == "cases.case"
    assert "Popescu" in listed.summary


def test_the_list_takes_the_same_queries_for_one_case_or_many(
    carla: User, new_case: Callable[..., Case], django_assert_num_queries: Any
) -> None:
    def read() -> list[tuple[str, Any, Any]]:
        rows = selectors.case_list_for(actor=Actor(user=carla), filters=CaseFilters())
        return [(r.person.given_name, r.assigned_to, r.programme) for r in rows]

    new_case()
    read()  # the user's permissions are read once and kept
    with django_assert_num_queries(2):  # the audit line and the list
        assert len(read()) == 1
    for _ in range(5):
        new_case()
    new_case(assigned_to=None)
    with django_assert_num_queries(2):
        assert len(read()) == 7


# Dashboards -----------------------------------------------------------------------------------


def test_caseworker_dashboard_counts_my_open_cases_and_tasks(
    users: dict[str, User], new_case: Callable[..., Case]
) -> None:
    carla, rene = users[Role.CASEWORKER], users[Role.REINTEGRATION_OFFICER]
    first = new_case()
    new_case()
    new_case(c.Stage.COUNSELLING)
    new_case(c.Stage.CLOSED)
    new_case(c.Stage.WITHDRAWN)
    new_case(assigned_to=rene)
    actor = Actor(user=carla)

    def task(days: int, **kwargs: Any) -> Any:
        return services.task_add(
            actor=actor, case=first, title=f"in {days}", due_on=TODAY() + days * DAY, **kwargs
        )

    late = task(-3)
    today, in_30 = task(0), task(30)
    task(31)
    task(-1, assigned_to=rene)
    services.task_complete(actor=actor, task=task(-5))
    dashboard = selectors.caseworker_dashboard(carla)
    by_stage = dict(dashboard["by_stage"])
    assert by_stage[c.Stage.INTAKE] == 2 and by_stage[c.Stage.COUNSELLING] == 1
    assert sum(by_stage.values()) == dashboard["open_total"] == 3
    assert [s for s, _ in dashboard["by_stage"]] == list(c.OPEN_STAGES)
    assert dashboard["overdue"] == [late]
    assert dashboard["upcoming"] == [today, in_30]
    renes = selectors.caseworker_dashboard(rene)
    assert renes["open_total"] == 1 and [t.title for t in renes["overdue"]] == ["in -1"]


def test_supervisor_dashboard_shows_caseload_risks_and_plans_waiting(
    users: dict[str, User], new_case: Callable[..., Case]
) -> None:
    carla, rene, sam = (
        users[Role.CASEWORKER],
        users[Role.REINTEGRATION_OFFICER],
        users[Role.SUPERVISOR],
    )
    actor = Actor(user=carla)
    screening = new_case(c.Stage.SCREENING)
    before_departure = new_case(c.Stage.PRE_DEPARTURE)
    mitigated = new_case(c.Stage.SCREENING)
    new_case(c.Stage.CLOSED)
    new_case(assigned_to=rene)
    new_case(assigned_to=None)
    for case in (screening, before_departure, mitigated):
        for n in range(2):
            risk = services.risk_add(
                actor=actor, case=case, description=f"risk {n}", level=c.RiskLevel.HIGH
            )
    services.risk_mitigate(actor=actor, risk=risk, mitigation="Moved")
    mitigated.risks.exclude(pk=risk.pk).update(status=c.RiskStatus.SIGNED_OFF)
    planning = new_case(c.Stage.PLANNING)
    plan = services.plan_start(actor=actor, case=planning)
    services.plan_item_add(
        actor=actor,
        plan=plan,
        version=plan.version,
        dimension=c.PlanDimension.ECONOMIC,
        kind=c.AssistanceKind.HOUSING,
        description="Rent",
        planned_amount="300",
    )
    plan.refresh_from_db()
    services.plan_submit(actor=actor, plan=plan, version=plan.version)
    services.plan_start(actor=actor, case=new_case(c.Stage.PLANNING))  # a draft waits for no one

    dashboard = selectors.supervisor_dashboard(sam)
    caseload = {row["assigned_to__username"]: row["total"] for row in dashboard["caseload"]}
    assert caseload == {"carla": 5, "rene": 1, None: 1}
    assert dashboard["caseload"][0]["assigned_to__username"] == "carla"
    assert set(dashboard["waiting_sign_off"]) == {screening, before_departure}
    assert len(dashboard["waiting_sign_off"]) == 2
    assert dashboard["plans"] == [plan]
    # A caseworker supervises nobody.
    assert selectors.supervisor_dashboard(carla) == {
        "caseload": [],
        "waiting_sign_off": [],
        "plans": [],
    }


# Budgets --------------------------------------------------------------------------------------


def _approved_plan(
    case: Case, users: dict[str, User], amounts: list[str], currency: str = ""
) -> ReintegrationPlan:
    carla, sam = users[Role.CASEWORKER], users[Role.SUPERVISOR]
    plan = services.plan_start(actor=Actor(user=carla), case=case, currency=currency)
    for amount in amounts:
        plan.refresh_from_db()
        services.plan_item_add(
            actor=Actor(user=carla),
            plan=plan,
            version=plan.version,
            dimension=c.PlanDimension.ECONOMIC,
            kind=c.AssistanceKind.HOUSING,
            description="Rent",
            planned_amount=amount,
        )
    plan.refresh_from_db()
    services.plan_submit(actor=Actor(user=carla), plan=plan, version=plan.version)
    return services.plan_review(
        actor=Actor(user=sam), plan=plan, version=plan.version, approve=True
    )


def _pay(plan: ReintegrationPlan, user: User, amount: str, **kwargs: Any) -> None:
    services.delivery_record(
        actor=Actor(user=user),
        item=plan.items.earliest("id"),
        method=c.DeliveryMethod.CASH,
        delivered_on=TODAY(),
        amount=amount,
        **kwargs,
    )


def test_plan_budget_converts_each_payment_at_its_own_rate(
    users: dict[str, User], new_case: Callable[..., Case]
) -> None:
    carla = users[Role.CASEWORKER]
    plan = _approved_plan(new_case(c.Stage.PLANNING), users, ["600", "200.50"])
    _pay(plan, carla, "100")
    _pay(plan, carla, "3000", currency="MDL", exchange_rate="0.05")
    _pay(plan, carla, "1000", currency="MDL", exchange_rate="0.0512345")
    services.delivery_record(
        actor=Actor(user=carla),
        item=plan.items.earliest("id"),
        method=c.DeliveryMethod.IN_KIND,
        delivered_on=TODAY(),
    )
    budget = selectors.plan_budget(plan)
    assert budget.planned == Decimal("800.50")
    assert budget.paid == Decimal("100") + Decimal("150.00") + Decimal("51.23")
    assert budget.remaining == Decimal("800.50") - Decimal("301.23")
    assert all(isinstance(v, Decimal) for v in (budget.planned, budget.paid, budget.remaining))


def test_programme_budget_counts_plans_in_other_currencies_apart(
    users: dict[str, User], new_case: Callable[..., Case], programme: Programme
) -> None:
    carla = users[Role.CASEWORKER]
    euros = _approved_plan(new_case(c.Stage.PLANNING), users, ["600"])
    _pay(euros, carla, "200")
    _pay(euros, carla, "1000", currency="MDL", exchange_rate="0.05")
    # A plan is kept in its programme's currency, so that ceilings and the approval
    # threshold compare like with like.
    with pytest.raises(ValidationError, match="programme's currency"):
        _approved_plan(new_case(c.Stage.PLANNING), users, ["900"], currency="MDL")
    # Submitted but not yet approved: commits nothing.
    waiting = services.plan_start(actor=Actor(user=carla), case=new_case(c.Stage.PLANNING))
    services.plan_item_add(
        actor=Actor(user=carla),
        plan=waiting,
        version=waiting.version,
        dimension=c.PlanDimension.ECONOMIC,
        kind=c.AssistanceKind.HOUSING,
        description="Rent",
        planned_amount="400",
    )
    budget = selectors.programme_budget(programme)
    assert budget == {
        "budget": Decimal("100000"),
        "committed": Decimal("600"),
        "paid": Decimal("250"),
        "available": Decimal("99400"),
        "other_currency_plans": 0,
    }


# Eligibility ----------------------------------------------------------------------------------


def _rules(programme: Programme, person: Person, **kwargs: Any) -> dict[str, Any]:
    return {
        str(r.rule): (r.passed, r.explanation)
        for r in selectors.eligibility(programme, person, **kwargs)
    }


def test_a_programme_without_rules_admits_everybody(programme: Programme, person: Person) -> None:
    assert selectors.eligibility(programme, person) == []


def test_nationality_rule_says_which_nationality_counts(
    programme: Programme, person: Person, host_org: Organisation
) -> None:
    programme.eligible_nationalities = ["MD", "GE"]
    assert _rules(programme, person)["nationality"] == (True, "Holds Moldova.")
    stranger = make_person(host_org, nationalities=["RO"])
    passed, why = _rules(programme, stranger)["nationality"]
    assert not passed and "Moldova" in why and "Georgia" in why


def test_age_rule_explains_the_age_and_the_range(
    programme: Programme, host_org: Organisation
) -> None:
    programme.min_age, programme.max_age = 18, 35
    today = TODAY()
    adult = make_person(host_org, date_of_birth=today.replace(year=today.year - 30))
    child = make_person(host_org, date_of_birth=today.replace(year=today.year - 16))
    unknown = make_person(host_org, date_of_birth=None)
    assert _rules(programme, adult)["age"] == (True, "Aged 30; the programme admits 18 to 35.")
    assert _rules(programme, child)["age"] == (False, "Aged 16; the programme admits 18 to 35.")
    assert _rules(programme, unknown)["age"] == (False, "The date of birth is not known.")
    programme.max_age = None
    assert _rules(programme, adult)["age"][1].endswith("18 to 150.")


def test_status_host_country_and_time_abroad_rules_read_the_episodes(
    programme: Programme, person: Person
) -> None:
    programme.eligible_statuses = [StatusAbroad.REJECTED_ASYLUM_SEEKER]
    programme.host_countries = ["BE", "NL"]
    programme.min_months_abroad = 12
    rules = _rules(programme, person)
    assert rules["status abroad"][0] is False
    assert rules["host country"] == (False, "No recorded stay in a host country of the programme.")
    assert rules["time abroad"] == (False, "0 months abroad; at least 12 needed.")
    MigrationEpisode.objects.create(
        person=person,
        host_country="FR",
        started_on=TODAY() - datetime.timedelta(days=200),
        status_abroad=StatusAbroad.STUDENT,
    )
    rules = _rules(programme, person)
    assert rules["status abroad"][0] is False and rules["host country"][0] is False
    assert rules["time abroad"][0] is False and rules["time abroad"][1].startswith("6 months")
    MigrationEpisode.objects.create(
        person=person,
        host_country="BE",
        started_on=TODAY() - datetime.timedelta(days=800),
        ended_on=TODAY() - datetime.timedelta(days=300),
        status_abroad=StatusAbroad.REJECTED_ASYLUM_SEEKER,
    )
    rules = _rules(programme, person)
    assert rules["status abroad"] == (True, "A recorded status abroad is admitted.")
    assert rules["host country"] == (True, "Has lived in a host country of the programme.")
    assert rules["time abroad"][0] is True


def test_removal_order_rule_applies_only_when_the_programme_excludes_them(
    programme: Programme, person: Person
) -> None:
    assert "removal order" not in _rules(programme, person, removal_order=True)
    programme.excludes_removal_orders = True
    assert _rules(programme, person, removal_order=True)["removal order"] == (
        False,
        "Under a removal order: not admitted.",
    )
    assert _rules(programme, person)["removal order"] == (True, "No removal order.")


def test_an_ended_programme_admits_nobody(programme: Programme, person: Person) -> None:
    programme.ends_on = TODAY()
    assert "dates" not in _rules(programme, person)
    programme.ends_on = TODAY() - DAY
    assert _rules(programme, person)["dates"] == (False, "The programme has ended.")


def test_capacity_counts_cases_but_not_withdrawn_ones(
    programme: Programme, person: Person, new_case: Callable[..., Case]
) -> None:
    programme.capacity = 2
    programme.save()
    new_case()
    new_case(c.Stage.WITHDRAWN)
    assert _rules(programme, person)["capacity"] == (True, "1 of 2 places taken.")
    new_case(c.Stage.CLOSED)
    assert _rules(programme, person)["capacity"] == (False, "2 of 2 places taken.")


# Outcomes -------------------------------------------------------------------------------------


def test_outcome_counts_never_count_removal_orders_as_voluntary(
    users: dict[str, User], new_case: Callable[..., Case], make_user: Any, origin_org: Any
) -> None:
    def closed(outcome: str, removal_order: bool) -> None:
        case = new_case(c.Stage.CLOSED, removal_order=removal_order)
        Case.objects.filter(pk=case.pk).update(outcome=outcome)

    closed(c.Outcome.REINTEGRATED, False)
    closed(c.Outcome.REINTEGRATED, False)
    closed(c.Outcome.REINTEGRATED, True)
    closed(c.Outcome.REMIGRATED, True)
    withdrawn = new_case(c.Stage.WITHDRAWN)
    Case.objects.filter(pk=withdrawn.pk).update(outcome=c.Outcome.WITHDREW)
    new_case(c.Stage.MONITORING, removal_order=True)  # still open: not an outcome yet
    counts = {row["outcome"]: row for row in selectors.outcome_counts(users[Role.STATISTICIAN])}
    assert counts == {
        "reintegrated": {"outcome": "reintegrated", "voluntary": 2, "removal_order": 1},
        "remigrated": {"outcome": "remigrated", "voluntary": 0, "removal_order": 1},
        "withdrew": {"outcome": "withdrew", "voluntary": 1, "removal_order": 0},
    }
    # Figures only for those who may see figures, and only of their organisations.
    assert selectors.outcome_counts(users[Role.CASEWORKER]) == []
    outsider = make_user("olga", Role.STATISTICIAN, origin_org)
    assert selectors.outcome_counts(outsider) == []
