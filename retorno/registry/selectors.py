"""Every permission-scoped read of the registry, used by pages, the API and exports alike.

Reads of personal data are audited here, so no entry point can forget to.
"""

import contextlib
import datetime
from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from rapidfuzz import fuzz

from retorno.accounts.access import orgs_with
from retorno.accounts.roles import Perm
from retorno.core.audit import Actor, audit_record
from retorno.core.errors import NotFound
from retorno.core.models import AuditAction
from retorno.registry import choices as c
from retorno.registry.models import Household, Person, PersonNameKey, ReturnEvent
from retorno.registry.names import name_keys, normalise, skeleton, tokens


def person_queryset_for(user: Any, perm: Perm = Perm.VIEW_PERSON) -> QuerySet[Person]:
    return Person.objects.filter(organisation_id__in=orgs_with(user, perm))


def person_get_for(
    *, actor: Actor, person_id: Any, perm: Perm = Perm.VIEW_PERSON, audit: bool = True
) -> Person:
    """Return the person if the actor may see (or, with perm, change) them; audit the view."""
    try:
        person = (
            person_queryset_for(actor.user, perm)
            .select_related("household", "office")
            .get(pk=int(person_id))
        )
    except (Person.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc
    if audit:
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            entity=person,
            person_id=person.pk,
            summary=person.full_name,
        )
    return person


def household_get_for(
    *, actor: Actor, household_id: Any, perm: Perm = Perm.VIEW_PERSON
) -> Household:
    try:
        household = Household.objects.filter(organisation_id__in=orgs_with(actor.user, perm)).get(
            pk=int(household_id)
        )
    except (Household.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc
    audit_record(
        actor=actor, action=AuditAction.VIEW, entity=household, summary=household.reference
    )
    return household


def household_list_for(*, user: Any) -> QuerySet[Household]:
    return Household.objects.filter(organisation_id__in=orgs_with(user, Perm.VIEW_PERSON))


def return_event_get_for(
    *, actor: Actor, event_id: Any, perm: Perm = Perm.VIEW_RETURN, audit: bool = True
) -> ReturnEvent:
    try:
        event = (
            ReturnEvent.objects.filter(organisation_id__in=orgs_with(actor.user, perm))
            .select_related("person", "office")
            .get(pk=int(event_id))
        )
    except (ReturnEvent.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc
    if audit:
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            entity=event,
            person_id=event.person_id,
            summary=str(event),
        )
    return event


def _parse_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _one_of(value: Any, allowed: list[str]) -> str:
    return str(value) if value in allowed else ""


@dataclass
class ReturnFilters:
    """The filters of the return-event list, shared by the page, the API and exports."""

    q: str = ""
    from_country: str = ""
    to_country: str = ""
    mode: str = ""
    permanence: str = ""
    voluntariness: str = ""
    sex: str = ""
    age_group: str = ""
    region: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    person: int | None = None
    organisation: int | None = None
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_params(cls, params: Any) -> "ReturnFilters":
        """Build filters from a query dict, dropping values that are not valid choices."""
        get = params.get
        person = get("person")
        organisation = get("organisation")
        return cls(
            q=str(get("q") or "").strip()[:100],
            from_country=str(get("from_country") or "").upper()[:2],
            to_country=str(get("to_country") or "").upper()[:2],
            mode=_one_of(get("mode"), c.ReturnMode.values),
            permanence=_one_of(get("permanence"), c.Permanence.values),
            voluntariness=_one_of(get("voluntariness"), c.Voluntariness.values),
            sex=_one_of(get("sex"), c.Sex.values),
            age_group=_one_of(get("age_group"), c.AgeGroup.values),
            region=str(get("region") or "").upper()[:6],
            date_from=_parse_date(get("date_from")),
            date_to=_parse_date(get("date_to")),
            person=int(person) if str(person or "").isdigit() else None,
            organisation=int(organisation) if str(organisation or "").isdigit() else None,
        )

    def active(self) -> dict[str, Any]:
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name != "errors" and getattr(self, f.name) not in ("", None)
        }


def return_event_list_for(*, user: Any, filters: ReturnFilters) -> QuerySet[ReturnEvent]:
    """Return the return events the user may see, filtered; newest first."""
    qs = ReturnEvent.objects.filter(organisation_id__in=orgs_with(user, Perm.VIEW_RETURN))
    if filters.organisation:
        qs = qs.filter(organisation_id=filters.organisation)
    if filters.person:
        qs = qs.filter(person_id=filters.person)
    for name in ("from_country", "to_country", "mode", "permanence", "voluntariness"):
        value = getattr(filters, name)
        if value:
            qs = qs.filter(**{name: value})
    if filters.region:
        qs = qs.filter(settlement_area=filters.region)
    if filters.sex:
        qs = qs.filter(sex=filters.sex)
    if filters.age_group:
        low, high = c.AgeGroup(filters.age_group).bounds
        qs = qs.filter(age_at_return__gte=low, age_at_return__lte=high)
    if filters.date_from:
        qs = qs.filter(return_date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(return_date__lte=filters.date_to)
    if filters.q:
        qs = qs.filter(text_match(filters.q, "person_id"))
    return qs.select_related("person").order_by("-return_date", "-id")


_PREFIX_MIN = 2
# People a typed word may match before it counts as common (see text_match).
_FEW_PEOPLE = 5_000
_FETCH_PEOPLE = 50_000


def _key_filter(word: str) -> Q | None:
    key = skeleton(word)
    if not key:
        return None
    if len(key) >= _PREFIX_MIN:
        # Keys are lower-case ASCII letters: "{" sorts just after "z", closing the range.
        return Q(key__gte=key, key__lt=key + "{")
    # A one-letter key (a name of vowels and one sound) would match a third of all
    # names by prefix: only an exact match helps.
    return Q(key=key)


def text_match(text: str, person_field: str) -> Q:
    """Return a condition on person_field for people whose names sound like typed text.

    Each typed word must begin the phonetic key of one of the person's names, so
    "moham" finds Mohamed and Muhammad, and "kam" finds Kamara; text with a digit
    is also looked up as a reference from the source system. Names are matched
    through the name-key index, never by scanning names.

    When the typed words together fit few people (at most _FEW_PEOPLE), those
    people are resolved first and the list reads only their records. When they
    fit many, each record is checked as the list is read newest first, which
    stops as soon as a page is full.
    """
    fetched: set[int] | None = None
    common: list[Q] = []
    for word in tokens(text)[:4]:
        keys = _key_filter(word)
        if keys is None:
            continue
        ids = list(
            PersonNameKey.objects.filter(keys)
            .values_list("person_id", flat=True)
            .distinct()[: _FETCH_PEOPLE + 1]
        )
        if len(ids) > _FETCH_PEOPLE:
            common.append(keys)
        else:
            fetched = set(ids) if fetched is None else fetched & set(ids)
    if fetched is not None and len(fetched) <= _FEW_PEOPLE:
        for keys in common:  # narrow the few people by the very common words
            fetched = {
                pid
                for part in _chunks(sorted(fetched), 2_000)
                for pid in PersonNameKey.objects.filter(keys, person_id__in=part).values_list(
                    "person_id", flat=True
                )
            }
        condition = Q(**{f"{person_field}__in": sorted(fetched)})
    elif fetched is not None or common:
        # Many people: check each record as the list is read, newest first.
        condition = Q()
        for word in tokens(text)[:4]:
            keys = _key_filter(word)
            if keys is not None:
                matching = PersonNameKey.objects.filter(keys, person_id=OuterRef(person_field))
                condition &= Q(Exists(matching.values("pk")))
    else:
        condition = Q(pk__in=[])
    reference = text.strip()
    if any(ch.isdigit() for ch in reference):
        condition |= Q(
            **{f"{person_field}__in": Person.objects.filter(source_ref=reference).values("pk")}
        )
    return condition


def _chunks(values: list[int], size: int) -> list[list[int]]:
    return [values[start : start + size] for start in range(0, len(values), size)]


def person_list_for(
    *, user: Any, q: str = "", sex: str = "", household: int | None = None
) -> QuerySet[Person]:
    qs = person_queryset_for(user)
    if q:
        qs = qs.filter(text_match(q.strip()[:100], "pk"))
    if sex in c.Sex.values:
        qs = qs.filter(sex=sex)
    if household:
        qs = qs.filter(household_id=household)
    return qs.order_by("family_name", "given_name", "id")


def count_capped(qs: QuerySet[Any], cap: int = 2_000) -> tuple[int, bool]:
    """Count up to cap rows; say whether there are more. Keeps big lists fast."""
    n = qs.order_by().values("pk")[: cap + 1].count()
    return min(n, cap), n > cap


def audit_list(*, actor: Actor, entity_type: str, filters: dict[str, Any], shown: int) -> None:
    """Record that a list of personal data was shown, with the filters that produced it."""
    audit_record(
        actor=actor,
        action=AuditAction.LIST,
        entity_type=entity_type,
        summary=f"{shown} shown",
        after={k: str(v) for k, v in filters.items()},
    )


# --- Arrival desk search -------------------------------------------------------------


@dataclass
class Candidate:
    person: Person
    score: float
    name_score: float
    birth_score: float


def _birth_score(
    query: datetime.date | None, year: int | None, known: datetime.date | None
) -> float:
    if query is None:
        return 0.5
    if known is None:
        return 0.35 if year is None else (0.5 if abs(year - query.year) <= 1 else 0.0)
    if known == query:
        return 1.0
    if (known.year, known.month, known.day) == (query.year, query.day, query.month):
        return 0.85  # day and month swapped, a common slip on forms
    if known.year == query.year and (known.month == query.month or known.day == query.day):
        return 0.7
    diff = abs((known - query).days)
    if diff <= 31:
        return 0.6
    if known.year == query.year:
        return 0.5
    if abs(known.year - query.year) == 1 and (known.month, known.day) == (query.month, query.day):
        return 0.6
    if abs(known.year - query.year) <= 1:
        return 0.25
    return 0.0


def person_search(
    *,
    actor: Actor,
    name: str,
    date_of_birth: datetime.date | None = None,
    limit: int = 5,
    perm: Perm = Perm.VIEW_PERSON,
    audit: bool = True,
) -> list[Candidate]:
    """Find the people a typed name and birth date most likely refer to.

    Candidates come from two indexed look-ups, a phonetic key of any name word
    (within a year of the birth year) and the exact birth date (or with day and
    month swapped); they are then ranked on spelling similarity and date
    agreement. Spelling mistakes that change a key are still found by the date.
    """
    org_ids = orgs_with(actor.user, perm)
    query_norm = normalise(name)
    if not org_ids or len(query_norm) < 2:
        return []
    keys = name_keys(name)
    candidate_ids: set[int] = set()
    if keys:
        key_qs = PersonNameKey.objects.filter(key__in=keys, organisation_id__in=org_ids)
        if date_of_birth is not None:
            year = date_of_birth.year
            key_qs = key_qs.filter(
                Q(birth_year__gte=year - 1, birth_year__lte=year + 1) | Q(birth_year__isnull=True)
            )
        # People who share more of the typed name's keys come first, so that the cap keeps
        # the likeliest ones: a common key ("amd": Ahmed, Ahmad, Amadou) alone matches
        # thousands of people in a national registry, and an arbitrary 400 of them missed
        # the person whose birth date was typed a day off.
        ranked = (
            key_qs.values("person_id")
            .annotate(matched=Count("key", distinct=True))
            .order_by("-matched", "person_id")
        )
        candidate_ids.update(row["person_id"] for row in ranked[:400])
    if date_of_birth is not None:
        dates = {date_of_birth}
        with contextlib.suppress(ValueError):  # the swapped date may not exist (31 → month)
            dates.add(date_of_birth.replace(month=date_of_birth.day, day=date_of_birth.month))
        candidate_ids.update(
            Person.objects.filter(organisation_id__in=org_ids, date_of_birth__in=dates).values_list(
                "pk", flat=True
            )[:400]
        )
    if not candidate_ids:
        return []
    people = Person.objects.filter(pk__in=candidate_ids).only(
        "id",
        "organisation_id",
        "given_name",
        "family_name",
        "name_original_script",
        "aliases",
        "sex",
        "date_of_birth",
        "birth_precision",
    )
    results: list[Candidate] = []
    for person in people:
        names = [
            f"{person.given_name} {person.family_name}",
            person.name_original_script,
            *person.aliases,
        ]
        name_score = max(
            fuzz.token_sort_ratio(query_norm, normalise(n)) / 100.0 for n in names if n
        )
        key_overlap = len(keys & name_keys(*names)) / len(keys) if keys else 0.0
        name_score = max(name_score, 0.55 * name_score + 0.45 * key_overlap)
        known_year = person.date_of_birth.year if person.date_of_birth else None
        birth = _birth_score(date_of_birth, known_year, person.date_of_birth)
        score = 0.65 * name_score + 0.35 * birth if date_of_birth else name_score
        results.append(Candidate(person, round(score, 3), round(name_score, 3), birth))
    results.sort(key=lambda cand: (-cand.score, cand.person.pk))
    top = results[:limit]
    if audit:
        audit_record(
            actor=actor,
            action=AuditAction.SEARCH,
            entity_type="registry.person",
            summary=f"{len(top)} found",
            after={"name": name, "date_of_birth": str(date_of_birth or "")},
        )
    return top
