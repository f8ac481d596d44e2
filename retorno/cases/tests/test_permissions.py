"""Who may see and do what on cases, derived role by role from the role table and the workflow.

Expectations are not written out by hand: each one is read from ROLE_PERMISSIONS (and,
for stage changes, from the roles of the workflow's transition), so that changing the
table changes what these tests demand.
"""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from retorno.accounts.access import forget
from retorno.accounts.models import Membership, Organisation
from retorno.accounts.roles import ROLE_PERMISSIONS, Perm, Role
from retorno.cases import choices as c
from retorno.cases import selectors, services, workflow
from retorno.cases.models import Case, Partner, Programme, ProtectionRisk, ReintegrationPlan
from retorno.core.audit import Actor
from retorno.core.errors import NotFound
from retorno.core.models import AuditAction, AuditEvent
from retorno.registry.models import Person
from retorno.registry.tests.factories import make_person

pytestmark = pytest.mark.django_db

ROLES = [str(role) for role in Role]


def holds(role: str, *perms: Perm) -> bool:
    return all(perm in ROLE_PERMISSIONS[role] for perm in perms)


def may_start_counselling(role: str) -> bool:
    transition = workflow.transition_between(c.Stage.INTAKE, c.Stage.COUNSELLING)
    assert transition is not None
    return holds(role, Perm.CHANGE_CASE) and role in transition.roles


def _at_stage(case: Case, stage: str) -> Case:
    """Put a case at a stage directly: these tests are about who, not about the way there."""
    Case.objects.filter(pk=case.pk).update(stage=stage)
    case.refresh_from_db()
    return case


def _submitted_plan(case: Case, carla: User) -> ReintegrationPlan:
    case = _at_stage(case, c.Stage.PLANNING)
    plan = services.plan_start(actor=Actor(user=carla), case=case)
    services.plan_item_add(
        actor=Actor(user=carla),
        plan=plan,
        version=plan.version,
        dimension=c.PlanDimension.ECONOMIC,
        kind=c.AssistanceKind.HOUSING,
        description="Rent",
        planned_amount="300",
    )
    plan.refresh_from_db()
    return services.plan_submit(actor=Actor(user=carla), plan=plan, version=plan.version)


def _approved_plan(case: Case, users: dict[str, User]) -> ReintegrationPlan:
    plan = _submitted_plan(case, users[Role.CASEWORKER])
    return services.plan_review(
        actor=Actor(user=users[Role.SUPERVISOR]), plan=plan, version=plan.version, approve=True
    )


def _open_risk(case: Case, carla: User) -> ProtectionRisk:
    return services.risk_add(
        actor=Actor(user=carla), case=case, description="Threats", level=c.RiskLevel.HIGH
    )


def _expect(allowed: bool, action: Callable[[], Any], denied: type[Exception]) -> Any:
    if allowed:
        return action()
    with pytest.raises(denied):
        action()
    return None


# Reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_case_get_for_follows_view_case(role: str, users: dict[str, User], open_case: Case) -> None:
    actor = Actor(user=users[role])
    found = _expect(
        holds(role, Perm.VIEW_CASE),
        lambda: selectors.case_get_for(actor=actor, case_id=open_case.pk),
        NotFound,
    )
    if found is not None:
        assert found == open_case
        view = AuditEvent.objects.get(action=AuditAction.VIEW, entity_type="cases.case")
        assert view.actor == users[role] and view.person_id == open_case.person_id
    else:
        assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


@pytest.mark.parametrize("role", ROLES)
def test_case_list_for_shows_cases_only_to_view_case(
    role: str, users: dict[str, User], open_case: Case
) -> None:
    rows = list(
        selectors.case_list_for(actor=Actor(user=users[role]), filters=selectors.CaseFilters())
    )
    assert rows == ([open_case] if holds(role, Perm.VIEW_CASE) else [])


@pytest.mark.parametrize(
    "role", [Role.STATISTICIAN, Role.CONTENT_EDITOR, Role.PARTNER, Role.RECEPTION_OFFICER]
)
def test_roles_without_case_work_see_no_case_at_all(
    role: str, users: dict[str, User], open_case: Case
) -> None:
    user = users[role]
    assert not holds(role, Perm.VIEW_CASE)
    with pytest.raises(NotFound):
        selectors.case_get_for(actor=Actor(user=user), case_id=open_case.pk)
    assert not selectors.case_list_for(actor=Actor(user=user), filters=selectors.CaseFilters())
    assert not selectors.case_queryset_for(user).exists()
    dashboard = selectors.caseworker_dashboard(user)
    assert dashboard["open_total"] == 0 and dashboard["overdue"] == []
    assert selectors.supervisor_dashboard(user)["caseload"] == []


# Writing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_case_open_follows_create_case(
    role: str, users: dict[str, User], host_org: Organisation, person: Person
) -> None:
    case = _expect(
        holds(role, Perm.CREATE_CASE),
        lambda: services.case_open(
            actor=Actor(user=users[role]),
            organisation_id=host_org.pk,
            person=person,
            host_country="BE",
            origin_country="MD",
        ),
        PermissionDenied,
    )
    assert Case.objects.count() == (1 if case else 0)


@pytest.mark.parametrize("role", ROLES)
def test_case_update_follows_change_case(
    role: str, users: dict[str, User], open_case: Case
) -> None:
    _expect(
        holds(role, Perm.CHANGE_CASE),
        lambda: services.case_update(
            actor=Actor(user=users[role]),
            case=open_case,
            version=open_case.version,
            return_region="MD-CU",
        ),
        PermissionDenied,
    )
    expected = "MD-CU" if holds(role, Perm.CHANGE_CASE) else ""
    assert Case.objects.get(pk=open_case.pk).return_region == expected


@pytest.mark.parametrize("role", ROLES)
def test_starting_counselling_follows_the_transition_roles(
    role: str, users: dict[str, User], open_case: Case
) -> None:
    allowed = may_start_counselling(role)
    _expect(
        allowed,
        lambda: services.case_transition(
            actor=Actor(user=users[role]),
            case=open_case,
            target=c.Stage.COUNSELLING,
            version=open_case.version,
        ),
        PermissionDenied,
    )
    stage = Case.objects.get(pk=open_case.pk).stage
    assert stage == (c.Stage.COUNSELLING if allowed else c.Stage.INTAKE)


@pytest.mark.parametrize("role", ROLES)
def test_risk_sign_off_follows_sign_off_risk(
    role: str, users: dict[str, User], open_case: Case
) -> None:
    risk = _open_risk(open_case, users[Role.CASEWORKER])
    _expect(
        holds(role, Perm.SIGN_OFF_RISK),
        lambda: services.risk_sign_off(actor=Actor(user=users[role]), risk=risk, reason="Agreed"),
        PermissionDenied,
    )
    status = ProtectionRisk.objects.get(pk=risk.pk).status
    assert status == (c.RiskStatus.SIGNED_OFF if holds(role, Perm.SIGN_OFF_RISK) else "open")


@pytest.mark.parametrize("role", ROLES)
def test_referring_without_consent_follows_refer_case_and_override_consent(
    role: str, users: dict[str, User], open_case: Case, origin_org: Organisation
) -> None:
    allowed = holds(role, Perm.REFER_CASE, Perm.OVERRIDE_CONSENT)
    referral = _expect(
        allowed,
        lambda: services.referral_create(
            actor=Actor(user=users[role]),
            case=open_case,
            to_organisation_id=origin_org.pk,
            shared_fields=["identity"],
            override_reason="Urgent medical need",
        ),
        PermissionDenied,
    )
    assert (referral is not None) == allowed
    assert AuditEvent.objects.filter(action=AuditAction.OVERRIDE).exists() == allowed


@pytest.mark.parametrize("role", ROLES)
def test_plan_review_follows_approve_plan(
    role: str, users: dict[str, User], open_case: Case
) -> None:
    plan = _submitted_plan(open_case, users[Role.CASEWORKER])
    _expect(
        holds(role, Perm.APPROVE_PLAN),
        lambda: services.plan_review(
            actor=Actor(user=users[role]), plan=plan, version=plan.version, approve=True
        ),
        PermissionDenied,
    )
    status = ReintegrationPlan.objects.get(pk=plan.pk).status
    assert status == ("approved" if holds(role, Perm.APPROVE_PLAN) else "submitted")


@pytest.mark.parametrize("role", ROLES)
def test_delivery_record_follows_record_delivery(
    role: str, users: dict[str, User], open_case: Case
) -> None:
    plan = _approved_plan(open_case, users)
    item = plan.items.get()
    _expect(
        holds(role, Perm.RECORD_DELIVERY),
        lambda: services.delivery_record(
            actor=Actor(user=users[role]),
            item=item,
            method=c.DeliveryMethod.CASH,
            delivered_on=datetime.date.today(),
            amount="100",
        ),
        PermissionDenied,
    )
    assert item.deliveries.count() == (1 if holds(role, Perm.RECORD_DELIVERY) else 0)


@pytest.mark.parametrize("role", ROLES)
def test_programme_save_follows_manage_programmes(
    role: str, users: dict[str, User], host_org: Organisation
) -> None:
    programme = Programme(organisation=host_org, name="Return to Georgia", kind="avrr")
    _expect(
        holds(role, Perm.MANAGE_PROGRAMMES),
        lambda: services.programme_save(actor=Actor(user=users[role]), programme=programme),
        PermissionDenied,
    )
    assert Programme.objects.exists() == holds(role, Perm.MANAGE_PROGRAMMES)


@pytest.mark.parametrize("role", ROLES)
def test_partner_save_follows_manage_directory(
    role: str, users: dict[str, User], host_org: Organisation
) -> None:
    partner = Partner(organisation=host_org, name="Clinic", kind="health", country="MD")
    _expect(
        holds(role, Perm.MANAGE_DIRECTORY),
        lambda: services.partner_save(actor=Actor(user=users[role]), partner=partner),
        PermissionDenied,
    )
    assert Partner.objects.exists() == holds(role, Perm.MANAGE_DIRECTORY)


# Another organisation ---------------------------------------------------------------------


@pytest.fixture
def outsiders(omar: User, make_user: Callable[..., User], origin_org: Organisation) -> list[User]:
    """Omar, and an administrator of his organisation: nothing of host_org is theirs."""
    return [omar, make_user("olga", Role.ADMINISTRATOR, origin_org)]


def test_another_organisation_finds_nothing_and_may_do_nothing(
    users: dict[str, User],
    open_case: Case,
    outsiders: list[User],
    host_org: Organisation,
    origin_org: Organisation,
    person: Person,
    programme: Programme,
) -> None:
    carla = users[Role.CASEWORKER]
    plan = _approved_plan(open_case, users)
    item = plan.items.get()
    risk = _open_risk(open_case, carla)
    case = Case.objects.get(pk=open_case.pk)
    partner = services.partner_save(
        actor=Actor(user=users[Role.SUPERVISOR]),
        partner=Partner(organisation=host_org, name="Clinic", kind="health", country="MD"),
    )

    def attempts(actor: Actor) -> list[Callable[[], Any]]:
        return [
            lambda: services.case_open(
                actor=actor,
                organisation_id=host_org.pk,
                person=person,
                host_country="BE",
                origin_country="MD",
            ),
            lambda: services.case_update(
                actor=actor, case=case, version=case.version, return_region="MD-CU"
            ),
            lambda: services.case_transition(
                actor=actor, case=case, target=c.Stage.WITHDRAWN, version=case.version, reason="x"
            ),
            lambda: services.risk_sign_off(actor=actor, risk=risk, reason="Agreed"),
            lambda: services.referral_create(
                actor=actor,
                case=case,
                to_organisation_id=origin_org.pk,
                shared_fields=["identity"],
                override_reason="Urgent",
            ),
            lambda: services.plan_review(
                actor=actor, plan=plan, version=plan.version, approve=False, comment="No"
            ),
            lambda: services.delivery_record(
                actor=actor,
                item=item,
                method=c.DeliveryMethod.CASH,
                delivered_on=datetime.date.today(),
                amount="1",
            ),
            lambda: services.programme_save(
                actor=actor, programme=programme, version=programme.version
            ),
            lambda: services.partner_save(actor=actor, partner=partner),
            lambda: services.note_add(actor=actor, case=case, text="Hello"),
        ]

    for user in outsiders:
        actor = Actor(user=user)
        with pytest.raises(NotFound):
            selectors.case_get_for(actor=actor, case_id=case.pk)
        assert not selectors.case_list_for(actor=actor, filters=selectors.CaseFilters())
        for action in attempts(actor):
            with pytest.raises(PermissionDenied):
                action()
    case.refresh_from_db()
    assert case.stage == c.Stage.PLANNING and case.return_region == ""
    assert ProtectionRisk.objects.get(pk=risk.pk).status == c.RiskStatus.OPEN
    assert not case.referrals.exists() and not item.deliveries.exists()


# Restricted notes -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_restricted_notes_reach_the_assigned_caseworker_and_supervisors_only(
    role: str, users: dict[str, User], open_case: Case
) -> None:
    actor = Actor(user=users[Role.CASEWORKER])
    services.note_add(actor=actor, case=open_case, text="Called the family")
    services.note_add(actor=actor, case=open_case, text="Disclosed abuse", sensitivity="restricted")
    user = users[role]
    texts = set(selectors.notes_for(user, open_case).values_list("text", flat=True))
    if not holds(role, Perm.VIEW_CASE):
        assert texts == set()
    elif open_case.assigned_to == user or holds(role, Perm.VIEW_RESTRICTED_NOTES):
        assert texts == {"Called the family", "Disclosed abuse"}
    else:
        assert texts == {"Called the family"}


def test_restricted_notes_follow_the_assignment(
    users: dict[str, User], open_case: Case, host_org: Organisation
) -> None:
    carla, rene = users[Role.CASEWORKER], users[Role.REINTEGRATION_OFFICER]
    services.note_add(
        actor=Actor(user=carla), case=open_case, text="Disclosed abuse", sensitivity="restricted"
    )
    assert selectors.notes_for(carla, open_case).count() == 1
    assert selectors.notes_for(rene, open_case).count() == 0
    case = services.case_update(
        actor=Actor(user=carla), case=open_case, version=open_case.version, assigned_to=rene
    )
    assert selectors.notes_for(rene, case).count() == 1
    assert selectors.notes_for(carla, case).count() == 0
    # A caseworker who no longer works cases loses the notes of cases still assigned to her.
    case = services.case_update(
        actor=Actor(user=rene), case=case, version=case.version, assigned_to=carla
    )
    Membership.objects.filter(user=carla).update(role=Role.RECEPTION_OFFICER)
    forget(carla)
    assert selectors.notes_for(carla, case).count() == 0


def test_no_role_here_finds_a_case_of_another_organisation(
    users: dict[str, User], origin_org: Organisation, make_user: Callable[..., User]
) -> None:
    olga = make_user("olga", Role.CASEWORKER, origin_org)
    theirs = make_person(origin_org, given_name="Ion")
    case = services.case_open(
        actor=Actor(user=olga),
        organisation_id=origin_org.pk,
        person=theirs,
        host_country="BE",
        origin_country="MD",
    )
    for role in ROLES:
        with pytest.raises(NotFound):
            selectors.case_get_for(actor=Actor(user=users[role]), case_id=case.pk)
        listed = selectors.case_list_for(
            actor=Actor(user=users[role]), filters=selectors.CaseFilters()
        )
        assert case not in listed
