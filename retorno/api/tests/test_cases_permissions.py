"""What each role may do to a case through the API, derived from ROLE_PERMISSIONS and the workflow.

Expectations are computed from the role table and the transitions' roles, never
written per user: 404 when the role does not see cases, 403 when it sees the case
but may not act, 200 when it may.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from retorno.accounts.roles import ROLE_PERMISSIONS, Perm, Role
from retorno.api.tests.conftest import ApiClient
from retorno.cases import choices as cc
from retorno.cases import services, workflow
from retorno.cases.models import Case, ProtectionRisk, ReintegrationPlan
from retorno.cases.tests import conftest as case_fixtures
from retorno.core.audit import Actor

pytestmark = pytest.mark.django_db

# The case builders, shared with the case tests (media_root keeps uploads in a temporary folder).
media_root = case_fixtures.media_root
open_case = case_fixtures.open_case
person = case_fixtures.person
programme = case_fixtures.programme

ROLES = [str(role) for role in Role]
FIRST_MOVE = workflow.transition_between(cc.Stage.INTAKE, cc.Stage.COUNSELLING)


@dataclass
class Setting:
    case: Case
    risk: ProtectionRisk
    plan: ReintegrationPlan


@pytest.fixture
def setting(open_case: Case, users: dict[str, User]) -> Setting:
    """A case at intake with an open risk and a small plan waiting for approval."""
    carla = Actor(user=users[Role.CASEWORKER])
    risk = services.risk_add(actor=carla, case=open_case, description="Threats", level="high")
    plan = services.plan_start(actor=carla, case=open_case)
    services.plan_item_add(
        actor=carla,
        plan=plan,
        version=plan.version,
        dimension=cc.PlanDimension.SOCIAL,
        kind=cc.AssistanceKind.HOUSING,
        description="Rent",
        planned_amount=Decimal("100"),
    )
    plan.refresh_from_db()
    services.plan_submit(actor=carla, plan=plan, version=plan.version)
    open_case.refresh_from_db()
    return Setting(case=open_case, risk=risk, plan=plan)


def _expected(perms: frozenset[Perm], allowed: bool) -> int:
    """The status of an action: 404 without sight of cases, 403 when not allowed, else 200."""
    if Perm.VIEW_CASE not in perms:
        return 404
    return 200 if allowed else 403


def _may_move(role: str, perms: frozenset[Perm]) -> bool:
    assert FIRST_MOVE is not None
    return Perm.CHANGE_CASE in perms and role in FIRST_MOVE.roles


@pytest.mark.parametrize("role", ROLES)
def test_case_actions_by_role(
    role: str, users: dict[str, User], setting: Setting, client_for: Callable[..., ApiClient]
) -> None:
    perms = ROLE_PERMISSIONS[role]
    api = client_for(users[role])
    case = setting.case

    read = api.get(f"/cases/{case.pk}")
    assert read.status_code == _expected(perms, True), read.content
    if read.status_code == 200:
        body = read.json()
        assert body["reference"] == case.reference and body["stage"] == "intake"
        assert {t["target"] for t in body["allowed_transitions"]} == {
            t.target for t in workflow.transitions_from(cc.Stage.INTAKE) if role in t.roles
        }
    else:
        assert read.json()["detail"] == "Not found."

    moved = api.post(
        f"/cases/{case.pk}/transition", {"target": "counselling", "version": case.version}
    )
    assert moved.status_code == _expected(perms, _may_move(role, perms)), moved.content
    stage = Case.objects.get(pk=case.pk).stage
    assert stage == (cc.Stage.COUNSELLING if moved.status_code == 200 else cc.Stage.INTAKE)

    signed = api.post(f"/risks/{setting.risk.pk}/sign-off", {"reason": "Protection arranged"})
    assert signed.status_code == _expected(perms, Perm.SIGN_OFF_RISK in perms), signed.content
    status = ProtectionRisk.objects.get(pk=setting.risk.pk).status
    assert status == (cc.RiskStatus.SIGNED_OFF if signed.status_code == 200 else cc.RiskStatus.OPEN)

    version = ReintegrationPlan.objects.get(pk=setting.plan.pk).version
    reviewed = api.post(f"/cases/{case.pk}/plan/review", {"version": version, "approve": True})
    assert reviewed.status_code == _expected(perms, Perm.APPROVE_PLAN in perms), reviewed.content
    plan_status = ReintegrationPlan.objects.get(pk=setting.plan.pk).status
    assert plan_status == (
        cc.PlanStatus.APPROVED if reviewed.status_code == 200 else cc.PlanStatus.SUBMITTED
    )

    assert api.get("/supervision").status_code == (200 if Perm.VIEW_SUPERVISION in perms else 403)


def test_another_organisation_sees_nothing_of_the_case(
    omar: User, setting: Setting, client_for: Callable[..., ApiClient]
) -> None:
    api = client_for(omar)
    case = setting.case
    responses = [
        api.get(f"/cases/{case.pk}"),
        api.post(f"/cases/{case.pk}/transition", {"target": "counselling", "version": 1}),
        api.post(f"/risks/{setting.risk.pk}/sign-off", {"reason": "x"}),
        api.post(
            f"/cases/{case.pk}/plan/review",
            {"version": setting.plan.version, "approve": True},
        ),
        api.get(f"/cases/{case.pk}/notes"),
        api.get(f"/cases/{case.pk}/plan"),
    ]
    assert [r.status_code for r in responses] == [404] * len(responses)
    # A case of another organisation answers like one that never existed.
    assert responses[0].json() == api.get("/cases/999999").json()
    assert api.get("/cases").json()["items"] == []
    assert Case.objects.get(pk=case.pk).stage == cc.Stage.INTAKE


def test_the_matrix_covers_every_answer() -> None:
    """Keep the matrix honest: each action is allowed, refused and hidden for some role."""
    for allowed in (
        lambda role, perms: True,
        _may_move,
        lambda role, perms: Perm.SIGN_OFF_RISK in perms,
        lambda role, perms: Perm.APPROVE_PLAN in perms,
    ):
        statuses = {_expected(ROLE_PERMISSIONS[r], allowed(r, ROLE_PERMISSIONS[r])) for r in ROLES}
        assert statuses >= {200, 404}
    moves = {_expected(ROLE_PERMISSIONS[r], _may_move(r, ROLE_PERMISSIONS[r])) for r in ROLES}
    assert moves == {200, 403, 404}
