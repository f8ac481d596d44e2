"""Every write to the registry: each in one transaction with its audit event."""

import datetime
import hashlib
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from retorno.accounts.access import require
from retorno.accounts.roles import Perm
from retorno.core.audit import Actor, audit_record, changed_fields, snapshot
from retorno.core.models import AuditAction
from retorno.core.versioning import update_if_current
from retorno.registry.models import (
    Consent,
    Contact,
    Household,
    IdentityDocument,
    MigrationEpisode,
    Person,
    PersonNameKey,
    ReturnEvent,
    age_on,
)
from retorno.registry.names import name_keys

PERSON_FIELDS = (
    "given_name",
    "family_name",
    "name_original_script",
    "aliases",
    "sex",
    "date_of_birth",
    "birth_precision",
    "nationalities",
    "languages",
    "education_level",
    "education_field",
    "occupations",
    "family_status",
    "household",
    "household_role",
    "vulnerabilities",
    "source_ref",
    "office",
)
RETURN_FIELDS = (
    "from_country",
    "to_country",
    "return_date",
    "mode",
    "permanence",
    "voluntariness",
    "reasons",
    "intended_stay",
    "settlement_area",
    "settlement_locality",
    "assets_bracket",
    "source",
    "fact_sources",
    "office",
)


def person_key_rows(person: Person) -> list[PersonNameKey]:
    """Build the search keys of a person (not saved)."""
    year = person.date_of_birth.year if person.date_of_birth else None
    keys = name_keys(
        person.given_name, person.family_name, person.name_original_script, *person.aliases
    )
    return [
        PersonNameKey(person=person, organisation_id=person.organisation_id, key=k, birth_year=year)
        for k in sorted(keys)
    ]


_LIST_FIELDS = ("aliases", "nationalities", "languages", "occupations", "vulnerabilities")


def _person_validate(person: Person) -> None:
    """Check what the model cannot: list fields, country codes and vulnerability values."""
    from retorno.core.geo import is_country
    from retorno.registry.choices import Vulnerability

    for name in _LIST_FIELDS:
        if getattr(person, name) is None:
            setattr(person, name, [])
    person.nationalities = [code.upper() for code in person.nationalities]
    person.full_clean(exclude=["organisation", "household", "office", "created_by"])
    errors: dict[str, str] = {}
    if not all(is_country(code) for code in person.nationalities):
        errors["nationalities"] = _("Not a known country code.")
    if set(person.vulnerabilities) - set(Vulnerability.values):
        errors["vulnerabilities"] = _("Unknown vulnerability.")
    if person.date_of_birth and person.date_of_birth > datetime.date.today():
        errors["date_of_birth"] = _("The date of birth is in the future.")
    if errors:
        raise ValidationError(errors)


def _person_keys_refresh(person: Person) -> None:
    PersonNameKey.objects.filter(person=person).delete()
    PersonNameKey.objects.bulk_create(person_key_rows(person))


@transaction.atomic
def person_create(*, actor: Actor, organisation_id: int, **fields: Any) -> Person:
    """Register a new person in an organisation the actor may create people in."""
    require(actor.user, Perm.CREATE_PERSON, organisation_id)
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"Unknown person fields: {sorted(unknown)}")
    person = Person(organisation_id=organisation_id, created_by=actor.user, **fields)
    _person_validate(person)
    person.save()
    _person_keys_refresh(person)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        entity=person,
        person_id=person.pk,
        after=snapshot(person),
    )
    return person


def _save_if_current(record: Any, *, version: int, fields: Any, **derived: Any) -> None:
    """Write the named fields (and derived values) unless somebody saved the record since."""
    update_if_current(
        record, version, **{name: getattr(record, name) for name in fields}, **derived
    )


def _audit_update(
    *,
    actor: Actor,
    record: Any,
    before: dict[str, Any],
    person_id: int | None,
    organisation_id: int | None = None,
) -> None:
    after = snapshot(record)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        entity=record,
        organisation_id=organisation_id,
        person_id=person_id,
        before=before,
        after=after,
        summary=", ".join(changed_fields(before, after)),
    )


@transaction.atomic
def person_update(*, actor: Actor, person: Person, version: int, **fields: Any) -> Person:
    """Change a person's record, refusing the edit if somebody saved it meanwhile."""
    require(actor.user, Perm.CHANGE_PERSON, person.organisation_id)
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"Unknown person fields: {sorted(unknown)}")
    before = snapshot(person)
    for name, value in fields.items():
        setattr(person, name, value)
    _person_validate(person)
    _save_if_current(person, version=version, fields=fields)
    if {"given_name", "family_name", "name_original_script", "aliases", "date_of_birth"} & set(
        fields
    ):
        _person_keys_refresh(person)
    if {"date_of_birth", "sex"} & set(fields):
        _returns_refresh_derived(person)
    _audit_update(actor=actor, record=person, before=before, person_id=person.pk)
    return person


@transaction.atomic
def person_delete(*, actor: Actor, person: Person) -> None:
    """Erase a person and everything recorded about them (the audit trail stays)."""
    require(actor.user, Perm.DELETE_PERSON, person.organisation_id)
    before = snapshot(person)
    pk = person.pk
    audit_record(actor=actor, action=AuditAction.DELETE, entity=person, person_id=pk, before=before)
    person.delete()


@transaction.atomic
def household_create(
    *, actor: Actor, organisation_id: int, reference: str, notes: str = ""
) -> Household:
    require(actor.user, Perm.CREATE_PERSON, organisation_id)
    household = Household(organisation_id=organisation_id, reference=reference, notes=notes)
    # Validating the organisation too checks that the reference is unique within it.
    household.full_clean()
    household.save()
    audit_record(
        actor=actor, action=AuditAction.CREATE, entity=household, after=snapshot(household)
    )
    return household


@transaction.atomic
def household_update(
    *, actor: Actor, household: Household, version: int, **fields: Any
) -> Household:
    require(actor.user, Perm.CHANGE_PERSON, household.organisation_id)
    before = snapshot(household)
    for name, value in fields.items():
        setattr(household, name, value)
    household.full_clean()
    _save_if_current(household, version=version, fields=fields)
    _audit_update(actor=actor, record=household, before=before, person_id=None)
    return household


@transaction.atomic
def consent_record(
    *, actor: Actor, person: Person, purpose: str, status: str, channel: str, note: str = ""
) -> Consent:
    """Record a consent decision; earlier decisions for the purpose stay in the history."""
    require(actor.user, Perm.RECORD_CONSENT, person.organisation_id)
    consent = Consent(
        person=person,
        purpose=purpose,
        status=status,
        channel=channel,
        note=note,
        recorded_by=actor.user if getattr(actor.user, "pk", None) else None,
    )
    consent.full_clean(exclude=["person", "recorded_by"])
    consent.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        entity=consent,
        organisation_id=person.organisation_id,
        person_id=person.pk,
        after=snapshot(consent),
    )
    return consent


def time_abroad_months(episodes: Iterable[MigrationEpisode], until: datetime.date) -> int | None:
    """Return the months spent abroad before a date, counting overlapping episodes once."""
    spans = sorted(
        (e.started_on, min(e.ended_on or until, until)) for e in episodes if e.started_on < until
    )
    if not spans:
        return None
    total = 0
    current_start, current_end = spans[0]
    for start, end in spans[1:]:
        if start <= current_end:
            current_end = max(current_end, end)
            continue
        total += _months_between(current_start, current_end)
        current_start, current_end = start, end
    total += _months_between(current_start, current_end)
    return total


def _months_between(start: datetime.date, end: datetime.date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(0, months)


def _returns_refresh_derived(person: Person) -> None:
    episodes = list(person.episodes.all())
    for event in person.returns.all():
        event.time_abroad_months = time_abroad_months(episodes, event.return_date)
        event.age_at_return = age_on(person.date_of_birth, event.return_date)
        ReturnEvent.objects.filter(pk=event.pk).update(
            time_abroad_months=event.time_abroad_months,
            age_at_return=event.age_at_return,
            sex=person.sex,
        )


def _episode_validate(episode: MigrationEpisode) -> None:
    from retorno.core.geo import is_country

    episode.host_country = (episode.host_country or "").upper()
    episode.full_clean(exclude=["person"])
    if not is_country(episode.host_country):
        raise ValidationError({"host_country": _("Not a known country code.")})
    if episode.ended_on and episode.ended_on < episode.started_on:
        raise ValidationError({"ended_on": _("The end date is before the start date.")})


@transaction.atomic
def episode_create(*, actor: Actor, person: Person, **fields: Any) -> MigrationEpisode:
    """Add a period abroad to a person's history."""
    require(actor.user, Perm.CHANGE_PERSON, person.organisation_id)
    episode = MigrationEpisode(person=person, **fields)
    _episode_validate(episode)
    episode.save()
    _returns_refresh_derived(person)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        entity=episode,
        organisation_id=person.organisation_id,
        person_id=person.pk,
        after=snapshot(episode),
    )
    return episode


@transaction.atomic
def episode_update(
    *, actor: Actor, episode: MigrationEpisode, version: int, **fields: Any
) -> MigrationEpisode:
    person = episode.person
    require(actor.user, Perm.CHANGE_PERSON, person.organisation_id)
    before = snapshot(episode)
    for name, value in fields.items():
        setattr(episode, name, value)
    _episode_validate(episode)
    _save_if_current(episode, version=version, fields=fields)
    _returns_refresh_derived(person)
    _audit_update(
        actor=actor,
        record=episode,
        before=before,
        person_id=person.pk,
        organisation_id=person.organisation_id,
    )
    return episode


def _return_normalise(event: ReturnEvent) -> None:
    event.from_country = (event.from_country or "").upper()
    event.to_country = (event.to_country or "").upper()
    event.settlement_area = (event.settlement_area or "").upper()
    event.reasons = list(event.reasons or [])
    event.fact_sources = dict(event.fact_sources or {})


def _return_validate(event: ReturnEvent) -> None:
    from retorno.core.geo import is_country, is_subdivision
    from retorno.registry.choices import FactSource, ReturnReason

    errors: dict[str, str] = {}
    event.full_clean(exclude=["organisation", "person", "office", "import_batch", "created_by"])
    for name in ("from_country", "to_country"):
        if not is_country(getattr(event, name)):
            errors[name] = _("Not a known country code.")
    if event.from_country and event.from_country == event.to_country:
        errors["to_country"] = _("A return goes to a different country from the one left.")
    if event.settlement_area:
        if not is_subdivision(event.settlement_area):
            errors["settlement_area"] = _("Not a known region code.")
        elif not event.settlement_area.upper().startswith(event.to_country.upper() + "-"):
            errors["settlement_area"] = _("The region is not in the country of return.")
    if event.return_date and event.return_date > datetime.date.today() + datetime.timedelta(
        days=366
    ):
        errors["return_date"] = _("The date is too far in the future.")
    bad_reasons = set(event.reasons) - set(ReturnReason.values)
    if bad_reasons:
        errors["reasons"] = _("Unknown reason: %(reason)s") % {
            "reason": ", ".join(sorted(bad_reasons))
        }
    if any(v not in FactSource.values for v in event.fact_sources.values()):
        errors["fact_sources"] = _("Unknown source.")
    if errors:
        raise ValidationError(errors)


def return_fingerprint(values: dict[str, Any]) -> str:
    """Return a stable digest of a return's identifying facts, to skip re-imports.

    80 bits are plenty to tell a million returns of one organisation apart (the
    chance of two colliding is about one in 10^12), and a short key keeps the
    unique index small, which matters on every imported row.
    """
    parts = [f"{k}={values.get(k, '')}" for k in sorted(values)]
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=10)
    return digest.hexdigest()


@transaction.atomic
def return_event_create(*, actor: Actor, person: Person, **fields: Any) -> ReturnEvent:
    """Record a return of a person to a country."""
    require(actor.user, Perm.CREATE_RETURN, person.organisation_id)
    unknown = set(fields) - set(RETURN_FIELDS)
    if unknown:
        raise TypeError(f"Unknown return fields: {sorted(unknown)}")
    event = ReturnEvent(
        organisation_id=person.organisation_id,
        person=person,
        created_by=actor.user if getattr(actor.user, "pk", None) else None,
        **fields,
    )
    _return_normalise(event)
    _return_validate(event)
    event.time_abroad_months = time_abroad_months(person.episodes.all(), event.return_date)
    event.age_at_return = person.age_on(event.return_date)
    event.sex = person.sex
    event.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        entity=event,
        person_id=person.pk,
        after=snapshot(event),
    )
    return event


@transaction.atomic
def return_event_update(
    *, actor: Actor, event: ReturnEvent, version: int, **fields: Any
) -> ReturnEvent:
    require(actor.user, Perm.CHANGE_RETURN, event.organisation_id)
    unknown = set(fields) - set(RETURN_FIELDS)
    if unknown:
        raise TypeError(f"Unknown return fields: {sorted(unknown)}")
    before = snapshot(event)
    for name, value in fields.items():
        setattr(event, name, value)
    _return_normalise(event)
    _return_validate(event)
    person = event.person
    _save_if_current(
        event,
        version=version,
        fields=fields,
        time_abroad_months=time_abroad_months(person.episodes.all(), event.return_date),
        age_at_return=person.age_on(event.return_date),
        sex=person.sex,
    )
    _audit_update(actor=actor, record=event, before=before, person_id=person.pk)
    return event


def _document_validate(document: IdentityDocument) -> None:
    from retorno.core.geo import is_country

    document.issuing_country = (document.issuing_country or "").upper()
    if document.issuing_country and not is_country(document.issuing_country):
        raise ValidationError({"issuing_country": _("Not a known country code.")})


# What each kind of person detail checks beyond its model's own validation.
_DETAIL_CHECKS: dict[type[Any], Any] = {IdentityDocument: _document_validate, Contact: None}


@transaction.atomic
def person_detail_add(
    *, actor: Actor, person: Person, model: type[IdentityDocument | Contact], **fields: Any
) -> IdentityDocument | Contact:
    """Record an identity document or a contact on a person's record."""
    require(actor.user, Perm.CHANGE_PERSON, person.organisation_id)
    item = model(person=person, **fields)
    check = _DETAIL_CHECKS[model]
    if check is not None:
        check(item)
    item.full_clean(exclude=["person"])
    item.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        entity=item,
        organisation_id=person.organisation_id,
        person_id=person.pk,
        after=snapshot(item),
    )
    return item


@transaction.atomic
def person_detail_remove(*, actor: Actor, item: IdentityDocument | Contact) -> None:
    """Remove a document or contact from a person's record."""
    person = item.person
    require(actor.user, Perm.CHANGE_PERSON, person.organisation_id)
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        entity=item,
        organisation_id=person.organisation_id,
        person_id=person.pk,
        before=snapshot(item),
    )
    item.delete()
