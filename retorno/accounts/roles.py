"""Roles and what each may do: the single table every permission check reads."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("administrator")
    SUPERVISOR = "supervisor", _("supervisor")
    CASEWORKER = "caseworker", _("caseworker")
    RECEPTION_OFFICER = "reception_officer", _("reception officer")
    REINTEGRATION_OFFICER = "reintegration_officer", _("reintegration officer")
    SKILLS_OFFICER = "skills_officer", _("skills officer")
    PROGRAMME_MANAGER = "programme_manager", _("programme manager")
    ME_OFFICER = "me_officer", _("monitoring and evaluation officer")
    STATISTICIAN = "statistician", _("statistician")
    CONTENT_EDITOR = "content_editor", _("content editor")
    PARTNER = "partner", _("partner")


class Perm(StrEnum):
    """Things a role may do inside the organisations where the user holds it."""

    VIEW_PERSON = "view_person"
    CREATE_PERSON = "create_person"
    CHANGE_PERSON = "change_person"
    DELETE_PERSON = "delete_person"
    VIEW_RETURN = "view_return"
    CREATE_RETURN = "create_return"
    CHANGE_RETURN = "change_return"
    REGISTER_ARRIVAL = "register_arrival"
    RECORD_CONSENT = "record_consent"
    IMPORT_RETURNS = "import_returns"
    VIEW_AGGREGATES = "view_aggregates"
    VIEW_AUDIT = "view_audit"
    VIEW_ORGANISATION = "view_organisation"
    # Assisted return and reintegration
    VIEW_CASE = "view_case"
    CREATE_CASE = "create_case"
    CHANGE_CASE = "change_case"
    VIEW_RESTRICTED_NOTES = "view_restricted_notes"
    SIGN_OFF_RISK = "sign_off_risk"
    REFER_CASE = "refer_case"
    OVERRIDE_CONSENT = "override_consent"
    ANSWER_REFERRAL = "answer_referral"
    DRAFT_PLAN = "draft_plan"
    APPROVE_PLAN = "approve_plan"
    RECORD_DELIVERY = "record_delivery"
    MANAGE_PROGRAMMES = "manage_programmes"
    MANAGE_DIRECTORY = "manage_directory"
    VIEW_SUPERVISION = "view_supervision"


_ALL_REGISTRY = {
    Perm.VIEW_PERSON,
    Perm.CREATE_PERSON,
    Perm.CHANGE_PERSON,
    Perm.VIEW_RETURN,
    Perm.CREATE_RETURN,
    Perm.CHANGE_RETURN,
    Perm.REGISTER_ARRIVAL,
    Perm.RECORD_CONSENT,
}
_READ_REGISTRY = {Perm.VIEW_PERSON, Perm.VIEW_RETURN}
# Working on cases: what a caseworker and a reintegration officer share.
_CASEWORK = {
    Perm.VIEW_CASE,
    Perm.CREATE_CASE,
    Perm.CHANGE_CASE,
    Perm.REFER_CASE,
    Perm.ANSWER_REFERRAL,
    Perm.DRAFT_PLAN,
    Perm.RECORD_DELIVERY,
}
# Supervisors sign off what caseworkers may not decide alone.
_SUPERVISION = {
    Perm.VIEW_RESTRICTED_NOTES,
    Perm.SIGN_OFF_RISK,
    Perm.OVERRIDE_CONSENT,
    Perm.APPROVE_PLAN,
    Perm.VIEW_SUPERVISION,
}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.ADMINISTRATOR: frozenset(
        _ALL_REGISTRY
        | {Perm.DELETE_PERSON, Perm.IMPORT_RETURNS, Perm.VIEW_AGGREGATES, Perm.VIEW_AUDIT}
        | {Perm.VIEW_ORGANISATION}
        | _CASEWORK
        | _SUPERVISION
        | {Perm.MANAGE_PROGRAMMES, Perm.MANAGE_DIRECTORY}
    ),
    Role.SUPERVISOR: frozenset(
        _ALL_REGISTRY
        | {Perm.IMPORT_RETURNS, Perm.VIEW_AGGREGATES, Perm.VIEW_ORGANISATION}
        | _CASEWORK
        | _SUPERVISION
        | {Perm.MANAGE_DIRECTORY}
    ),
    Role.CASEWORKER: frozenset(_ALL_REGISTRY | {Perm.VIEW_ORGANISATION} | _CASEWORK),
    Role.RECEPTION_OFFICER: frozenset(_ALL_REGISTRY | {Perm.VIEW_ORGANISATION}),
    Role.REINTEGRATION_OFFICER: frozenset(
        _READ_REGISTRY
        | {Perm.CHANGE_PERSON, Perm.RECORD_CONSENT, Perm.VIEW_ORGANISATION}
        | _CASEWORK
    ),
    Role.SKILLS_OFFICER: frozenset(_READ_REGISTRY | {Perm.VIEW_ORGANISATION}),
    # Programme managers run programmes and approve plans; they read cases, not edit them.
    Role.PROGRAMME_MANAGER: frozenset(
        _READ_REGISTRY
        | {Perm.VIEW_AGGREGATES, Perm.VIEW_ORGANISATION, Perm.VIEW_CASE}
        | {Perm.APPROVE_PLAN, Perm.MANAGE_PROGRAMMES, Perm.MANAGE_DIRECTORY}
    ),
    Role.ME_OFFICER: frozenset(
        _READ_REGISTRY
        | {Perm.IMPORT_RETURNS, Perm.VIEW_AGGREGATES, Perm.VIEW_ORGANISATION, Perm.VIEW_CASE}
    ),
    # Statisticians work on figures, never on individual records.
    Role.STATISTICIAN: frozenset({Perm.VIEW_AGGREGATES, Perm.VIEW_ORGANISATION}),
    Role.CONTENT_EDITOR: frozenset({Perm.VIEW_ORGANISATION}),
    # Partners see individual records only through referrals shared with them.
    Role.PARTNER: frozenset({Perm.VIEW_ORGANISATION, Perm.ANSWER_REFERRAL}),
}
