"""Generate realistic, deterministic demo data: organisations, users and returnees.

The data is drawn from ``random.Random(seed)`` only, so a seed always gives the
same people. Rows are written in bulk (executemany on SQLite, COPY on
PostgreSQL) chunk by chunk, each chunk in its own transaction, so memory stays
flat at any size: demo data is generated, not entered by anybody, so it does not
go through the audited per-row services; one audit event records the load.
Derived fields are still computed by the registry's own code
(``services.time_abroad_months``, ``services.person_key_rows``, ``age_on``), so
the demo rows look exactly like rows written through the services.
"""

import datetime
import itertools
import json
import math
import random
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pycountry
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from retorno.accounts.models import Membership, Office, Organisation
from retorno.accounts.roles import Role
from retorno.core.audit import audit_record, command_actor
from retorno.core.models import AuditAction
from retorno.demo import cases as demo_cases
from retorno.demo import data
from retorno.demo.data import Origin
from retorno.registry import choices as c
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
from retorno.registry.services import person_key_rows, time_abroad_months

# Published on purpose: the demo is for trying Retorno out, never for real data.
DEMO_PASSWORD = "retorno-demo"  # noqa: S105

# One login per role, all in the main organisation; shown by `retorno run` and the README.
DEMO_LOGINS: list[tuple[str, str]] = [
    ("admin", Role.ADMINISTRATOR),
    ("supervisor", Role.SUPERVISOR),
    ("caseworker", Role.CASEWORKER),
    ("reception", Role.RECEPTION_OFFICER),
    ("reintegration", Role.REINTEGRATION_OFFICER),
    ("skills", Role.SKILLS_OFFICER),
    ("programme", Role.PROGRAMME_MANAGER),
    ("me", Role.ME_OFFICER),
    ("statistician", Role.STATISTICIAN),
    ("editor", Role.CONTENT_EDITOR),
    ("partner", Role.PARTNER),
]

_STAFF_NAMES = {
    "admin": ("Lucía", "Ferrer"),
    "supervisor": ("Samuel", "Owusu"),
    "caseworker": ("Carla", "Tavares"),
    "reception": ("René", "Portillo"),
    "reintegration": ("Fatou", "Sarr"),
    "skills": ("Dorin", "Rusu"),
    "programme": ("Priya", "Ramdin"),
    "me": ("Minh", "Trần"),
    "statistician": ("Hassan", "Benali"),
    "editor": ("Claire", "Dubois"),
    "partner": ("Kwame", "Mensah"),
}
# Where each demo user sits: receptions happen at the airport, the rest at headquarters.
_STAFF_OFFICES = {
    "reception": "Arrivals desk, San Salvador international airport",
    "caseworker": "Brussels",
    "reintegration": "San Salvador",
    "skills": "San Salvador",
}

FIRST_RETURN_DATE = datetime.date(2015, 1, 1)
# People written per transaction: big enough to amortise the commit, small enough for memory.
CHUNK_SIZE = 5_000
# Fewer returns were possible while borders were closed in 2020.
_YEAR_WEIGHTS = {2015: 0.75, 2016: 0.85, 2017: 0.9, 2018: 0.95, 2019: 1.0, 2020: 0.55, 2021: 0.8}

_V = c.Voluntariness
_S = c.StatusAbroad
_R = c.ReturnReason
_P = c.Permanence
_STATUS_BY_VOLUNTARINESS: dict[str, tuple[tuple[str, float], ...]] = {
    _V.SPONTANEOUS: (
        (_S.REGULAR_WORKER, 62),
        (_S.STUDENT, 14),
        (_S.FAMILY, 14),
        (_S.ASYLUM_SEEKER, 2),
        (_S.IRREGULAR, 6),
        (_S.OTHER, 2),
    ),
    _V.ASSISTED: (
        (_S.REJECTED_ASYLUM_SEEKER, 35),
        (_S.ASYLUM_SEEKER, 20),
        (_S.IRREGULAR, 25),
        (_S.REGULAR_WORKER, 12),
        (_S.FAMILY, 5),
        (_S.STUDENT, 3),
    ),
    _V.FORCED: (
        (_S.IRREGULAR, 50),
        (_S.REJECTED_ASYLUM_SEEKER, 38),
        (_S.REGULAR_WORKER, 7),
        (_S.ASYLUM_SEEKER, 3),
        (_S.OTHER, 2),
    ),
}
# Chosen so that about 60% of all returns are permanent, 30% temporary, 10% circular.
_PERMANENCE_BY_VOLUNTARINESS: dict[str, tuple[tuple[str, float], ...]] = {
    _V.SPONTANEOUS: ((_P.PERMANENT, 52), (_P.TEMPORARY, 36), (_P.CIRCULAR, 12)),
    _V.ASSISTED: ((_P.PERMANENT, 80), (_P.TEMPORARY, 17), (_P.CIRCULAR, 3)),
    _V.FORCED: ((_P.PERMANENT, 85), (_P.TEMPORARY, 12), (_P.CIRCULAR, 3)),
}
_I = c.IntendedStay
_STAY_BY_PERMANENCE: dict[str, tuple[tuple[str, float], ...]] = {
    _P.PERMANENT: ((_I.FOR_GOOD, 45), (_I.OVER_5_YEARS, 20), (_I.UNDECIDED, 30), (_I.YEARS_1_5, 5)),
    _P.TEMPORARY: (
        (_I.UNDER_3_MONTHS, 15),
        (_I.MONTHS_3_12, 40),
        (_I.YEARS_1_5, 30),
        (_I.UNDECIDED, 15),
    ),
    _P.CIRCULAR: ((_I.UNDER_3_MONTHS, 40), (_I.MONTHS_3_12, 45), (_I.UNDECIDED, 15)),
}
_SOURCE_BY_VOLUNTARINESS: dict[str, tuple[tuple[str, float], ...]] = {
    _V.SPONTANEOUS: (
        (c.FactSource.SELF_DECLARED, 60),
        (c.FactSource.BORDER_RECORD, 20),
        (c.FactSource.DOCUMENT, 10),
        (c.FactSource.PARTNER, 5),
        (c.FactSource.ESTIMATED, 5),
    ),
    _V.ASSISTED: (
        (c.FactSource.SELF_DECLARED, 50),
        (c.FactSource.DOCUMENT, 30),
        (c.FactSource.PARTNER, 15),
        (c.FactSource.ADMINISTRATIVE, 5),
    ),
    _V.FORCED: (
        (c.FactSource.ADMINISTRATIVE, 50),
        (c.FactSource.BORDER_RECORD, 40),
        (c.FactSource.DOCUMENT, 10),
    ),
}
_A = c.AssetsBracket
_ASSETS_POOR: tuple[tuple[str, float], ...] = (
    (_A.NONE, 45),
    (_A.UNDER_1K, 35),
    (_A.FROM_1K_TO_5K, 10),
    (_A.NOT_DECLARED, 10),
)
_ASSETS_SHORT: tuple[tuple[str, float], ...] = (
    (_A.NONE, 8),
    (_A.UNDER_1K, 22),
    (_A.FROM_1K_TO_5K, 32),
    (_A.FROM_5K_TO_20K, 20),
    (_A.OVER_20K, 6),
    (_A.NOT_DECLARED, 12),
)
_ASSETS_LONG: tuple[tuple[str, float], ...] = (
    (_A.NONE, 5),
    (_A.UNDER_1K, 10),
    (_A.FROM_1K_TO_5K, 25),
    (_A.FROM_5K_TO_20K, 30),
    (_A.OVER_20K, 18),
    (_A.NOT_DECLARED, 12),
)
_E = c.EducationLevel
_LEVELS = (
    _E.NONE,
    _E.PRIMARY,
    _E.LOWER_SECONDARY,
    _E.UPPER_SECONDARY,
    _E.POST_SECONDARY,
    _E.SHORT_TERTIARY,
    _E.BACHELOR,
    _E.MASTER,
    _E.DOCTORAL,
)
# Indices into _LEVELS, plus two that are not on the adult ladder.
_UNKNOWN_LEVEL = -1
_EARLY_CHILDHOOD = -2
_LEVEL_WEIGHTS = (4, 12, 20, 30, 6, 6, 14, 6, 1.2)
_ISCO_BY_LEVEL: dict[int, tuple[tuple[str, float], ...]] = {
    0: (("9", 40), ("6", 20), ("7", 20), ("5", 15), ("8", 5)),
    1: (("5", 25), ("7", 25), ("8", 15), ("9", 15), ("4", 10), ("3", 5), ("6", 3), ("0", 2)),
    2: (("3", 35), ("4", 20), ("5", 15), ("7", 15), ("2", 5), ("1", 5), ("8", 5)),
    3: (("2", 55), ("1", 15), ("3", 20), ("4", 10)),
}
_FIELDS_TERTIARY = tuple(f for f in c.EducationField.values if f != c.EducationField.GENERIC)
_SPONTANEOUS_REASONS: tuple[tuple[str, float], ...] = (
    (_R.FAMILY, 30),
    (_R.END_OF_CONTRACT, 20),
    (_R.GOAL_ACHIEVED, 18),
    (_R.OPPORTUNITY_AT_HOME, 15),
    (_R.DIFFICULTY_ABROAD, 7),
    (_R.HEALTH, 4),
    (_R.OTHER, 3),
)
_ASSISTED_REASONS: tuple[tuple[str, float], ...] = (
    (_R.DIFFICULTY_ABROAD, 60),
    (_R.FAMILY, 20),
    (_R.HEALTH, 10),
    (_R.OTHER, 10),
)
_HOUSEHOLD_SIZES: tuple[tuple[int, float], ...] = ((2, 30), (3, 30), (4, 22), (5, 12), (6, 6))
# Share of units that are households, so that about a third of people live in one.
_HOUSEHOLD_SHARE = 0.135
_SPOUSE_TAKES_NAME = {"PH", "GH", "SL", "MU", "CV", "MD"}


class _Choice:
    """Weighted choice with precomputed cumulative weights (random.choices is slower)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, pairs: Sequence[tuple[Any, float]]) -> None:
        self.items = [item for item, _ in pairs]
        self.cum = list(itertools.accumulate(weight for _, weight in pairs))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.items[_bisect(self.cum, rng.random() * self.total)]


def _bisect(cum: list[float], x: float) -> int:
    lo, hi = 0, len(cum) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] > x:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _table(table: dict[Any, tuple[tuple[Any, float], ...]]) -> dict[Any, _Choice]:
    return {key: _Choice(pairs) for key, pairs in table.items()}


_pick_origin = _Choice([(o, o.weight) for o in data.ORIGINS])
_pick_hosts = {o.code: _Choice(o.hosts) for o in data.ORIGINS}
_pick_voluntariness = {
    o.code: _Choice(
        list(zip((_V.SPONTANEOUS, _V.ASSISTED, _V.FORCED), o.voluntariness, strict=True))
    )
    for o in data.ORIGINS
}
_pick_status = _table(_STATUS_BY_VOLUNTARINESS)
_pick_permanence = _table(_PERMANENCE_BY_VOLUNTARINESS)
_pick_stay = _table(_STAY_BY_PERMANENCE)
_pick_source = _table(_SOURCE_BY_VOLUNTARINESS)
_pick_isco = _table(_ISCO_BY_LEVEL)
_pick_level = _Choice(list(zip(range(len(_LEVELS)), _LEVEL_WEIGHTS, strict=True)))
_pick_household_size = _Choice(_HOUSEHOLD_SIZES)
_pick_spontaneous_reason = _Choice(_SPONTANEOUS_REASONS)
_pick_assisted_reason = _Choice(_ASSISTED_REASONS)
_pick_assets_poor = _Choice(_ASSETS_POOR)
_pick_assets_short = _Choice(_ASSETS_SHORT)
_pick_assets_long = _Choice(_ASSETS_LONG)


_ORIGINS_BY_CODE = {o.code: o for o in data.ORIGINS}


@lru_cache(maxsize=32)
def _region_choice(code: str) -> _Choice:
    """Return a choice of ISO 3166-2 regions, weighted towards the capital but spread."""
    origin = _ORIGINS_BY_CODE[code]
    subs = pycountry.subdivisions.get(country_code=origin.code) or []
    fine = [s for s in subs if s.parent_code] if origin.fine_regions else []
    codes = sorted(s.code for s in (fine or [s for s in subs if not s.parent_code]))
    # Uninhabited or tiny outer islands get almost nobody.
    codes = [code for code in codes if code not in {"MU-AG", "MU-CC"}]
    # A fixed shuffle per country, so that region sizes differ but never with the seed.
    order = random.Random(origin.code).sample(codes, len(codes))
    pairs: list[tuple[str, float]] = []
    rest = [code for code in order if code != origin.capital]
    for rank, code in enumerate(rest):
        pairs.append((code, 1.0 / (rank + 1) ** 0.7))
    spread = sum(weight for _, weight in pairs)
    # The capital region takes about 30% of returnees (Colombia's lesson: most settle there).
    pairs.append((origin.capital, spread * 0.43))
    return _Choice(pairs)


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalpha()).lower()


@dataclass
class Setup:
    """The organisations, offices and users the generated records point at."""

    main: Organisation
    main_offices: dict[str, Office]
    government: dict[str, Organisation]
    government_offices: dict[str, Office]
    ngos: dict[str, Organisation]
    ngo_offices: dict[str, Office]
    users: dict[str, User]


def ensure_setup() -> Setup:
    """Create (or find) the demo organisations, their offices and one user per role."""
    main, _ = Organisation.objects.get_or_create(
        name=data.MAIN_ORGANISATION, defaults={"kind": "international", "country": "CH"}
    )
    main_offices: dict[str, Office] = {}
    for name, country, region, kind in data.MAIN_OFFICES:
        office, _ = Office.objects.get_or_create(
            organisation=main,
            name=name,
            defaults={"country": country, "subdivision": region, "kind": kind},
        )
        main_offices[name] = office
    government: dict[str, Organisation] = {}
    government_offices: dict[str, Office] = {}
    ngos: dict[str, Organisation] = {}
    ngo_offices: dict[str, Office] = {}
    for name, kind, country, offices in data.OTHER_ORGANISATIONS:
        org, _ = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "country": country}
        )
        first: Office | None = None
        for office_name, region, office_kind in offices:
            office, _ = Office.objects.get_or_create(
                organisation=org,
                name=office_name,
                defaults={"country": country, "subdivision": region, "kind": office_kind},
            )
            # Returns are registered where they are received: at the airport desk if any.
            if first is None or office_kind == "airport":
                first = office
        assert first is not None
        if kind == "government":
            government[country], government_offices[country] = org, first
        elif kind == "ngo":
            ngos[country], ngo_offices[country] = org, first
    return Setup(
        main=main,
        main_offices=main_offices,
        government=government,
        government_offices=government_offices,
        ngos=ngos,
        ngo_offices=ngo_offices,
        users=ensure_users(main, main_offices),
    )


def ensure_users(main: Organisation, offices: dict[str, Office]) -> dict[str, User]:
    """Create the demo logins that are missing; existing users keep their password."""
    # One hash for all: the password is published anyway, and hashing is slow on purpose.
    hashed = make_password(DEMO_PASSWORD)
    users: dict[str, User] = {}
    for username, role in DEMO_LOGINS:
        first, last = _STAFF_NAMES[username]
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "password": hashed,
                "email": f"{username}@demo.retorno.example",
            },
        )
        office = offices.get(_STAFF_OFFICES.get(username, "Geneva headquarters"))
        Membership.objects.get_or_create(
            user=user, organisation=main, role=role, defaults={"office": office}
        )
        users[username] = user
    return users


Row = tuple[Any, ...]

_HOUSEHOLD_COLUMNS = (
    "id",
    "organisation_id",
    "created_at",
    "updated_at",
    "version",
    "reference",
    "notes",
)
_KEY_COLUMNS = ("person_id", "organisation_id", "key", "birth_year")
_DOCUMENT_COLUMNS = ("person_id", "kind", "number", "issuing_country", "expires_on")
_CONTACT_COLUMNS = ("person_id", "kind", "value", "is_preferred")
_CONSENT_COLUMNS = (
    "person_id",
    "purpose",
    "status",
    "channel",
    "recorded_by_id",
    "recorded_at",
    "note",
)
_EPISODE_COLUMNS = (
    "person_id",
    "host_country",
    "started_on",
    "ended_on",
    "status_abroad",
    "occupation",
    "version",
)
_RETURN_COLUMNS = (
    "organisation_id",
    "created_at",
    "updated_at",
    "version",
    "person_id",
    "office_id",
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
    "time_abroad_months",
    "age_at_return",
    "sex",
    "import_batch_id",
    "fingerprint",
    "created_by_id",
)


class _Writer:
    """Insert plain rows by the driver's fastest path: COPY on PostgreSQL, executemany else.

    Building a model instance per row and letting bulk_create compile it costs about ten
    times more than the database's own work; at a million people that is the difference
    between minutes and an hour. So rows are tuples of values already in the database's
    format, and only Person stays a model instance, because the registry's own
    person_key_rows needs one.
    """

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())
        self._person_fields = [f for f in Person._meta.concrete_fields]

    def date(self, value: datetime.date | None) -> Any:
        """Return a date as the driver wants it."""
        if value is None or self.postgres:
            return value
        return value.isoformat()

    @staticmethod
    def json(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    def person_row(self, person: Person) -> Row:
        row: list[Any] = []
        for f in self._person_fields:
            value = getattr(person, f.attname)
            if isinstance(f, models.JSONField):
                value = self.json(value)
            elif isinstance(f, models.DateTimeField):
                value = self.now
            elif isinstance(f, models.DateField):
                value = self.date(value)
            row.append(value)
        return tuple(row)

    def insert(self, model: type[models.Model], columns: Sequence[str], rows: list[Row]) -> None:
        if not rows:
            return
        qn = connection.ops.quote_name
        table = qn(model._meta.db_table)
        names = ", ".join(qn(column) for column in columns)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                # Table and column names come from the models, quoted; values are parameters.
                sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, rows)

    def analyse(self) -> None:
        """Refresh the query planner's statistics after a bulk load.

        Without them SQLite takes ``organisation_id IN (...)`` for selective and sorts
        every matching return to show the newest 50 (seconds at a million rows), where
        a backward scan of the date index takes milliseconds.
        """
        tables = [m._meta.db_table for m in (Household, Person, PersonNameKey, ReturnEvent)]
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
            else:
                cursor.execute("ANALYZE")

    def reset_sequences(self) -> None:
        """Move the id sequences past the ids given explicitly (PostgreSQL only needs it)."""
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Household, Person]):
                cursor.execute(sql)


@dataclass
class _Chunk:
    """The rows of one chunk, in the order they must be written."""

    households: list[Row] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    documents: list[Row] = field(default_factory=list)
    contacts: list[Row] = field(default_factory=list)
    consents: list[Row] = field(default_factory=list)
    episodes: list[Row] = field(default_factory=list)
    returns: list[Row] = field(default_factory=list)

    def save(self, writer: _Writer) -> None:
        keys: list[Row] = [
            (k.person_id, k.organisation_id, k.key, k.birth_year)
            for person in self.people
            for k in person_key_rows(person)
        ]
        with transaction.atomic():
            writer.insert(Household, _HOUSEHOLD_COLUMNS, self.households)
            columns = [f.column for f in writer._person_fields]
            writer.insert(Person, columns, [writer.person_row(p) for p in self.people])
            writer.insert(PersonNameKey, _KEY_COLUMNS, keys)
            writer.insert(IdentityDocument, _DOCUMENT_COLUMNS, self.documents)
            writer.insert(Contact, _CONTACT_COLUMNS, self.contacts)
            writer.insert(Consent, _CONSENT_COLUMNS, self.consents)
            writer.insert(MigrationEpisode, _EPISODE_COLUMNS, self.episodes)
            writer.insert(ReturnEvent, _RETURN_COLUMNS, self.returns)


@dataclass
class _Unit:
    """What the members of one returning household share."""

    origin: Origin
    host: str
    voluntariness: str
    return_date: datetime.date
    organisation_id: int
    office_id: int
    created_by_id: int | None
    region: str
    reasons: list[str]
    source: str


class Generator:
    """Draws people, households, episodes and returns from one random stream."""

    def __init__(
        self,
        *,
        seed: int,
        setup: Setup,
        start: int,
        today: datetime.date,
        writer: _Writer,
        first_ids: tuple[int, int],
    ) -> None:
        # Appended data gets a stream of its own, so it does not repeat the first load.
        self.rng = random.Random(seed if start == 0 else f"{seed}/{start}")
        self.seed = seed
        self.setup = setup
        self.index = start
        self.today = today
        self.w = writer
        self.next_person_id, self.next_household_id = first_ids
        years = range(FIRST_RETURN_DATE.year, today.year + 1)
        # The current year only counts for the part of it already past.
        elapsed = (today - datetime.date(today.year, 1, 1)).days / 365
        self.pick_year = _Choice(
            [(y, _YEAR_WEIGHTS.get(y, 1.0) * (elapsed if y == today.year else 1)) for y in years]
        )

    # --- the draw of one unit ----------------------------------------------------------

    def chunk(self, size: int) -> _Chunk:
        """Generate exactly size people, in households and alone."""
        out = _Chunk()
        made = 0
        while made < size:
            members = 1
            if self.rng.random() < _HOUSEHOLD_SHARE:
                members = min(_pick_household_size(self.rng), size - made)
            self._unit(out, members)
            made += members
        return out

    def _return_date(self) -> datetime.date:
        year = self.pick_year(self.rng)
        start = datetime.date(year, 1, 1)
        end = min(datetime.date(year, 12, 31), self.today - datetime.timedelta(days=1))
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def _unit(self, out: _Chunk, members: int) -> None:
        rng = self.rng
        origin: Origin = _pick_origin(rng)
        host = _pick_hosts[origin.code](rng)
        voluntariness = _pick_voluntariness[origin.code](rng)
        organisation, office, created_by = self._registrar(origin.code, host, voluntariness)
        unit = _Unit(
            origin=origin,
            host=host,
            voluntariness=voluntariness,
            return_date=self._return_date(),
            organisation_id=organisation.pk,
            office_id=office.pk,
            created_by_id=created_by.pk if created_by else None,
            region=_region_choice(origin.code)(rng),
            reasons=[],
            source=_pick_source[voluntariness](rng),
        )
        household: int | None = None
        if members > 1:
            household = self.next_household_id
            self.next_household_id += 1
            now = self.w.now
            out.households.append(
                (
                    household,
                    organisation.pk,
                    now,
                    now,
                    1,
                    f"HH-{self.seed}-{self.index + 1:07d}",
                    "",
                )
            )
        head_sex = c.Sex.MALE if rng.random() < origin.male_share else c.Sex.FEMALE
        if household is None:
            age = self._principal_age(alone=True)
        else:
            age = max(20, self._principal_age(alone=False))
        head = self._person(
            out,
            unit,
            sex=head_sex,
            age=age,
            household=household,
            role=c.HouseholdRole.HEAD if household else "",
        )
        if household is None:
            return
        has_spouse = rng.random() < 0.85
        family = head.family_name
        for n in range(1, members):
            if n == 1 and has_spouse:
                sex = c.Sex.FEMALE if head_sex == c.Sex.MALE else c.Sex.MALE
                spouse_family = ""
                if origin.code in _SPOUSE_TAKES_NAME and sex == c.Sex.FEMALE and rng.random() < 0.5:
                    spouse_family = family
                spouse = self._person(
                    out,
                    unit,
                    sex=sex,
                    age=max(18, age + rng.randint(-6, 4)),
                    household=household,
                    role=c.HouseholdRole.SPOUSE,
                    family=spouse_family,
                    married=True,
                )
                if origin.double_family and " " in family and spouse.family_name:
                    # Spanish and Portuguese children take one family name from each parent.
                    family = f"{family.split(' ')[0]} {spouse.family_name.split(' ')[0]}"
                continue
            roll = rng.random()
            if roll < 0.08 and age < 55:
                self._person(
                    out,
                    unit,
                    sex=_sex(rng),
                    age=age + rng.randint(22, 32),
                    household=household,
                    role=c.HouseholdRole.PARENT,
                )
            elif roll < 0.13:
                self._person(
                    out,
                    unit,
                    sex=_sex(rng),
                    age=rng.randint(14, 40),
                    household=household,
                    role=c.HouseholdRole.OTHER_RELATIVE,
                    family=family,
                )
            else:
                oldest = max(0, min(age - 17, 26))
                child_age = rng.randint(0, min(oldest, 17)) if rng.random() < 0.85 else oldest
                self._person(
                    out,
                    unit,
                    sex=_sex(rng),
                    age=child_age,
                    household=household,
                    role=c.HouseholdRole.CHILD,
                    family=family,
                )
        if not has_spouse and any(
            p.household_role == c.HouseholdRole.CHILD for p in out.people[-members:]
        ):
            head.vulnerabilities = [*head.vulnerabilities, c.Vulnerability.SINGLE_PARENT]

    def _registrar(
        self, origin: str, host: str, voluntariness: str
    ) -> tuple[Organisation, Office, User | None]:
        """Return who registered the return: the agency, a government or an NGO."""
        s = self.setup
        rng = self.rng
        if voluntariness == _V.ASSISTED and host in s.ngos and rng.random() < 0.3:
            return s.ngos[host], s.ngo_offices[host], None
        if voluntariness != _V.ASSISTED and origin in s.government and rng.random() < 0.3:
            return s.government[origin], s.government_offices[origin], None
        offices = s.main_offices
        if voluntariness == _V.FORCED and origin == "SV":
            office = offices["Arrivals desk, San Salvador international airport"]
        elif voluntariness == _V.FORCED and origin == "SN":
            office = offices["Arrivals desk, Dakar airport"]
        elif voluntariness == _V.ASSISTED:
            office = (
                _office_in(offices, host)
                or _office_in(offices, origin)
                or offices["Geneva headquarters"]
            )
        else:
            office = _office_in(offices, origin) or offices["Geneva headquarters"]
        user_name = "caseworker" if voluntariness == _V.ASSISTED else "reception"
        return s.main, office, s.users.get(user_name)

    def _principal_age(self, *, alone: bool) -> int:
        roll = self.rng.random()
        if alone and roll < 0.01:
            return self.rng.randint(15, 17)
        if roll < 0.05:
            return self.rng.randint(56, 78)
        return int(self.rng.triangular(19, 56, 29))

    # --- one person, with everything recorded about them ---------------------------------

    def _person(
        self,
        out: _Chunk,
        unit: _Unit,
        *,
        sex: str,
        age: int,
        household: int | None,
        role: str,
        family: str = "",
        married: bool = False,
    ) -> Person:
        rng = self.rng
        origin = unit.origin
        self.index += 1
        is_head = role in ("", c.HouseholdRole.HEAD)
        given = rng.choice(origin.male if sex == c.Sex.MALE else origin.female)
        if not family:
            family = rng.choice(origin.family)
            if rng.random() < origin.double_family:
                second = rng.choice(origin.family)
                if second != family:
                    family = f"{family} {second}"
        birth = unit.return_date - datetime.timedelta(days=int((age + rng.random()) * 365.2425))
        precision = c.DatePrecision.EXACT
        roll = rng.random()
        if roll < (0.2 if origin.code == "AF" else 0.04):
            # Where births are not registered, people know the year only: 1 January by convention.
            birth, precision = datetime.date(birth.year, 1, 1), c.DatePrecision.YEAR
        elif roll > 0.98:
            precision = c.DatePrecision.ESTIMATED
        age = age_on(birth, unit.return_date) or 0
        script = " ".join(origin.script.get(part, "") for part in (given, family)).strip()
        if origin.script and len(script.split()) < 2:
            script = ""
        aliases = self._aliases(given, family, origin)
        level = self._education(age, origin)
        voluntariness = unit.voluntariness
        status = _pick_status[voluntariness](rng)
        if status == _S.STUDENT and age > 35:
            status = _S.REGULAR_WORKER
        if (not is_head and role != c.HouseholdRole.SPOUSE) or age < 18:
            status = _S.FAMILY if voluntariness == _V.SPONTANEOUS or rng.random() < 0.5 else status
        occupations = self._occupations(age, level)
        person = Person(
            id=self.next_person_id,
            organisation_id=unit.organisation_id,
            office_id=unit.office_id,
            given_name=given,
            family_name=family,
            name_original_script=script,
            aliases=aliases,
            sex=sex,
            date_of_birth=birth,
            birth_precision=precision,
            nationalities=[origin.code] + ([unit.host] if rng.random() < 0.04 else []),
            languages=self._languages(origin, unit.host),
            education_level=(
                _LEVELS[level]
                if level >= 0
                else _E.EARLY_CHILDHOOD
                if level == _EARLY_CHILDHOOD
                else _E.UNKNOWN
            ),
            education_field=self._field(level),
            occupations=occupations,
            family_status=self._family_status(age, married or role == c.HouseholdRole.SPOUSE),
            household_id=household,
            household_role=role,
            vulnerabilities=self._vulnerabilities(age, sex, voluntariness, household),
            source_ref=f"DEMO-{self.seed}-{self.index:07d}",
            created_by_id=unit.created_by_id,
        )
        self.next_person_id += 1
        if is_head and role == c.HouseholdRole.HEAD and household is not None:
            person.family_status = (
                c.FamilyStatus.MARRIED if rng.random() < 0.85 else person.family_status
            )
        out.people.append(person)
        self._documents(out, person, unit, age)
        self._contacts(out, person, origin, age)
        self._consents(out, person, voluntariness)
        self._history(
            out,
            person,
            unit,
            status=status,
            age=age,
            is_head=is_head,
            level=level,
            occupations=occupations,
        )
        return person

    def _aliases(self, given: str, family: str, origin: Origin) -> list[str]:
        rng = self.rng
        if rng.random() > 0.08:
            return []
        variants = data.NAME_VARIANTS.get(given)
        if variants:
            return [f"{rng.choice(variants)} {family}"]
        if family.startswith(("Al-", "El ")):
            return [f"{given} {family[3:]}"]
        if " " in family:
            return [f"{given} {family.split(' ')[0]}"]
        plain = _ascii(family)
        if plain != family.lower():
            return [f"{given} {plain.capitalize()}"]
        return [f"{given} {family}s"] if origin.code in {"GH", "SL"} else []

    def _education(self, age: int, origin: Origin) -> int:
        rng = self.rng
        if age < 18:
            if age < 3:
                return 0
            if age < 6:
                return _EARLY_CHILDHOOD if rng.random() < 0.6 else 0
            return 1 if age < 12 else (2 if age < 15 else 3 if rng.random() < 0.6 else 2)
        if rng.random() < 0.02:
            return _UNKNOWN_LEVEL
        level = _pick_level(rng)
        if origin.schooling and rng.random() < 0.5:
            level = max(0, min(len(_LEVELS) - 1, level + origin.schooling))
        if age < 22:
            level = min(level, 4)
        return level

    def _field(self, level: int) -> str:
        if level < 3:
            return ""
        if level <= 4 and self.rng.random() < 0.6:
            return c.EducationField.GENERIC
        return self.rng.choice(_FIELDS_TERTIARY)

    def _occupations(self, age: int, level: int) -> list[str]:
        if age < 18:
            return []
        rng = self.rng
        band = 0 if level <= 1 else 1 if level <= 3 else 2 if level <= 5 else 3
        jobs = [rng.choice(data.ISCO_UNITS[_pick_isco[band](rng)])]
        if rng.random() < 0.15:
            other = rng.choice(data.ISCO_UNITS[_pick_isco[band](rng)])
            if other != jobs[0]:
                jobs.append(other)
        return jobs

    def _family_status(self, age: int, married: bool) -> str:
        if married:
            return c.FamilyStatus.MARRIED if self.rng.random() < 0.9 else c.FamilyStatus.PARTNERSHIP
        if age < 18:
            return c.FamilyStatus.SINGLE
        roll = self.rng.random()
        if roll < 0.02:
            return c.FamilyStatus.UNKNOWN
        if age < 25:
            return c.FamilyStatus.SINGLE if roll < 0.75 else c.FamilyStatus.MARRIED
        if age < 45:
            return (
                c.FamilyStatus.MARRIED
                if roll < 0.55
                else c.FamilyStatus.SINGLE
                if roll < 0.83
                else c.FamilyStatus.PARTNERSHIP
                if roll < 0.9
                else c.FamilyStatus.DIVORCED
                if roll < 0.95
                else c.FamilyStatus.SEPARATED
            )
        return (
            c.FamilyStatus.MARRIED
            if roll < 0.65
            else c.FamilyStatus.WIDOWED
            if roll < 0.75
            else c.FamilyStatus.DIVORCED
            if roll < 0.85
            else c.FamilyStatus.SINGLE
            if roll < 0.95
            else c.FamilyStatus.SEPARATED
        )

    def _languages(self, origin: Origin, host: str) -> list[str]:
        rng = self.rng
        languages = list(origin.languages[: 1 + (rng.random() < 0.6)])
        host_language = data.HOST_LANGUAGE[host]
        if host_language not in languages and rng.random() < 0.6:
            languages.append(host_language)
        return languages

    def _vulnerabilities(
        self, age: int, sex: str, voluntariness: str, household: int | None
    ) -> list[str]:
        rng = self.rng
        V = c.Vulnerability
        found: list[str] = []
        assisted = voluntariness == _V.ASSISTED
        if age < 18 and household is None:
            found.append(V.UNACCOMPANIED_CHILD)
        if age >= 65 and rng.random() < 0.6:
            found.append(V.OLDER_PERSON)
        if rng.random() < 0.015:
            found.append(V.HEALTH_CONDITION)
        if rng.random() < 0.008:
            found.append(V.DISABILITY)
        if sex == c.Sex.FEMALE and 18 <= age <= 40 and rng.random() < 0.015:
            found.append(V.PREGNANCY)
        if age >= 16 and rng.random() < (0.02 if assisted else 0.003):
            found.append(V.TRAFFICKING)
        if sex == c.Sex.FEMALE and age >= 16 and rng.random() < (0.03 if assisted else 0.006):
            found.append(V.GBV)
        return found

    def _documents(self, out: _Chunk, person: Person, unit: _Unit, age: int) -> None:
        rng = self.rng
        K = c.DocumentKind
        origin = unit.origin.code
        pid = person.pk

        def add(kind: str, number: str, country: str, expires: Any) -> None:
            out.documents.append((pid, kind, number, country, expires))

        if rng.random() < (0.85 if age >= 18 else 0.65):
            issued = unit.return_date - datetime.timedelta(days=rng.randint(30, 3000))
            expires = issued + datetime.timedelta(days=3650 if age >= 18 else 1825)
            number = f"{_letters(rng, 2)}{rng.randint(0, 9_999_999):07d}"
            add(K.PASSPORT, number, origin, self.w.date(expires))
        elif age < 18:
            year = person.date_of_birth.year if person.date_of_birth else ""
            add(K.BIRTH_CERTIFICATE, f"{rng.randint(1, 999):03d}/{year}", origin, None)
        if age >= 18 and rng.random() < 0.6:
            number = f"{rng.randint(10_000_000, 99_999_999)}-{rng.randint(0, 9)}"
            add(K.NATIONAL_ID, number, origin, None)
        if unit.voluntariness == _V.FORCED and rng.random() < 0.4:
            expires = unit.return_date + datetime.timedelta(days=30)
            add(K.LAISSEZ_PASSER, f"LP{rng.randint(0, 999_999):06d}", origin, self.w.date(expires))
        elif rng.random() < 0.1:
            number = f"{_letters(rng, 1)}{rng.randint(0, 99_999_999):08d}"
            add(K.RESIDENCE_PERMIT, number, unit.host, None)

    def _contacts(self, out: _Chunk, person: Person, origin: Origin, age: int) -> None:
        rng = self.rng
        if age < 16:
            return
        phone = f"{origin.phone} {rng.randint(600, 999)} {rng.randint(0, 999_999):06d}"
        if rng.random() < 0.9:
            out.contacts.append((person.pk, c.ContactKind.PHONE, phone, True))
            if rng.random() < 0.25:
                out.contacts.append((person.pk, c.ContactKind.MESSAGING, phone, False))
        if rng.random() < 0.35:
            local = f"{_ascii(person.given_name)[:12]}.{_ascii(person.family_name)[:16]}"
            email = f"{local}{rng.randint(1, 99)}@example.org"
            out.contacts.append((person.pk, c.ContactKind.EMAIL, email, False))

    def _consents(self, out: _Chunk, person: Person, voluntariness: str) -> None:
        rng = self.rng
        P, S = c.ConsentPurpose, c.ConsentStatus
        channel = rng.choice(
            (
                c.ConsentChannel.WRITTEN,
                c.ConsentChannel.WRITTEN,
                c.ConsentChannel.ORAL,
                c.ConsentChannel.ELECTRONIC,
            )
        )
        recorded_by, pid, now = person.created_by_id, person.pk, self.w.now

        def add(purpose: str, status: str) -> None:
            out.consents.append((pid, purpose, status, channel, recorded_by, now, ""))

        add(P.REGISTRATION, S.GIVEN if rng.random() < 0.97 else S.REFUSED)
        if voluntariness == _V.ASSISTED:
            add(P.CASE_MANAGEMENT, S.GIVEN)
            if rng.random() < 0.7:
                add(P.REFERRAL, S.GIVEN)
        if rng.random() < 0.7:
            add(P.STATISTICS, S.GIVEN)
        if rng.random() < 0.45:
            add(P.FOLLOW_UP, S.GIVEN)
            # A later decision overrides an earlier one: some people change their mind.
            if rng.random() < 0.08:
                add(P.FOLLOW_UP, S.WITHDRAWN)
        if rng.random() < 0.3:
            add(P.CONTACT, S.GIVEN if rng.random() < 0.95 else S.REFUSED)

    def _history(
        self,
        out: _Chunk,
        person: Person,
        unit: _Unit,
        *,
        status: str,
        age: int,
        is_head: bool,
        level: int,
        occupations: list[str],
    ) -> None:
        """Write the episodes abroad and the returns that end them."""
        rng = self.rng
        voluntariness = unit.voluntariness
        return_date = unit.return_date
        months = int(math.exp(rng.gauss(math.log(30 if status == _S.STUDENT else 40), 0.8)))
        months = max(6, min(months, 300))
        # Adults left at 14 at the earliest; children may have been born abroad.
        months = min(months, max(6, (age - 14) * 12)) if age >= 18 else min(months, age * 12 + 6)
        start = return_date - datetime.timedelta(days=int(months * 30.44) + rng.randint(0, 20))
        if person.date_of_birth and start < person.date_of_birth:
            start = person.date_of_birth
        virtual = (
            person.household_id is None
            and voluntariness == _V.SPONTANEOUS
            and status in (_S.REGULAR_WORKER, _S.STUDENT)
            and rng.random() < 0.07
        )
        end = (
            None
            if virtual
            else max(start, return_date - datetime.timedelta(days=rng.randint(0, 14)))
        )
        occupation = ""
        if occupations and (status not in (_S.STUDENT, _S.FAMILY) or rng.random() < 0.3):
            # Many migrants work below their qualifications abroad.
            occupation = (
                occupations[0]
                if rng.random() < 0.7
                else rng.choice(data.ISCO_UNITS[rng.choice("59")])
            )
        episodes: list[MigrationEpisode] = []
        if rng.random() < 0.1 and age >= 25:
            # An earlier stay, in another host country or the same one years before.
            prior_end = start - datetime.timedelta(days=rng.randint(90, 1500))
            prior_start = prior_end - datetime.timedelta(days=rng.randint(180, 1500))
            if person.date_of_birth and prior_start > person.date_of_birth + datetime.timedelta(
                days=16 * 365
            ):
                episodes.append(
                    MigrationEpisode(
                        host_country=_pick_hosts[unit.origin.code](rng),
                        started_on=prior_start,
                        ended_on=prior_end,
                        status_abroad=status,
                        occupation=occupation,
                    )
                )
        episodes.append(
            MigrationEpisode(
                host_country=unit.host,
                started_on=start,
                ended_on=end,
                status_abroad=status,
                occupation=occupation,
            )
        )
        permanence = _pick_permanence[voluntariness](rng)
        if virtual and permanence == _P.PERMANENT:
            permanence = _P.TEMPORARY
        first = self._return(person, unit, episodes, return_date, permanence, virtual, is_head)
        out.returns.append(first)
        # Temporary and circular returnees often leave again and come back once more.
        if permanence != _P.PERMANENT and not virtual and rng.random() < 0.35:
            leave = return_date + datetime.timedelta(days=rng.randint(60, 900))
            back = leave + datetime.timedelta(days=rng.randint(180, 1100))
            if back < self.today:
                host = unit.host if rng.random() < 0.7 else _pick_hosts[unit.origin.code](rng)
                episodes.append(
                    MigrationEpisode(
                        host_country=host,
                        started_on=leave,
                        ended_on=back - datetime.timedelta(days=rng.randint(0, 7)),
                        status_abroad=_S.REGULAR_WORKER if status != _S.FAMILY else status,
                        occupation=occupation,
                    )
                )
                again = (
                    _P.CIRCULAR
                    if permanence == _P.CIRCULAR and rng.random() < 0.7
                    else _P.PERMANENT
                    if rng.random() < 0.6
                    else _P.TEMPORARY
                )
                second_unit = _Unit(
                    origin=unit.origin,
                    host=host,
                    voluntariness=_V.SPONTANEOUS,
                    return_date=back,
                    organisation_id=unit.organisation_id,
                    office_id=unit.office_id,
                    created_by_id=unit.created_by_id,
                    region=unit.region,
                    reasons=[],
                    source=unit.source,
                )
                out.returns.append(
                    self._return(person, second_unit, episodes, back, again, False, True)
                )
        date = self.w.date
        out.episodes.extend(
            (
                person.pk,
                e.host_country,
                date(e.started_on),
                date(e.ended_on),
                e.status_abroad,
                e.occupation,
                1,
            )
            for e in episodes
        )

    def _return(
        self,
        person: Person,
        unit: _Unit,
        episodes: list[MigrationEpisode],
        when: datetime.date,
        permanence: str,
        virtual: bool,
        is_head: bool,
    ) -> Row:
        """Return the row of one return event, its derived fields computed as services do."""
        rng = self.rng
        voluntariness = unit.voluntariness
        status = episodes[-1].status_abroad if episodes else _S.OTHER
        age = age_on(person.date_of_birth, when)
        if is_head or not unit.reasons:
            unit.reasons = self._reasons(voluntariness, status, age or 30)
        stay = _pick_stay[permanence](rng)
        if voluntariness == _V.FORCED and rng.random() < 0.6:
            stay = _I.UNDECIDED
        months = time_abroad_months(episodes, when)
        if voluntariness == _V.FORCED or status == _S.IRREGULAR or voluntariness == _V.ASSISTED:
            assets = _pick_assets_poor(rng)
        else:
            assets = (_pick_assets_long if (months or 0) > 96 else _pick_assets_short)(rng)
        if not is_head:
            assets = _A.NOT_DECLARED
        fact_sources: dict[str, str] = {}
        roll = rng.random()
        if roll < 0.06:
            fact_sources["return_date"] = c.FactSource.BORDER_RECORD
        elif roll < 0.1:
            fact_sources["assets_bracket"] = c.FactSource.ESTIMATED
        from_country = next(
            (e.host_country for e in reversed(episodes) if e.started_on <= when), unit.host
        )
        w = self.w
        return (
            unit.organisation_id,
            w.now,
            w.now,
            1,
            person.pk,
            unit.office_id,
            from_country,
            unit.origin.code,
            w.date(when),
            c.ReturnMode.VIRTUAL if virtual else c.ReturnMode.PHYSICAL,
            permanence,
            voluntariness,
            w.json(unit.reasons),
            _I.UNDECIDED if virtual else stay,
            "" if virtual else unit.region,
            "",
            assets,
            unit.source,
            w.json(fact_sources),
            months,
            age,
            person.sex,
            None,
            "",
            unit.created_by_id,
        )

    def _reasons(self, voluntariness: str, status: str, age: int) -> list[str]:
        rng = self.rng
        if voluntariness == _V.FORCED:
            return [_R.ORDER_TO_LEAVE]
        if voluntariness == _V.ASSISTED:
            reasons = [_pick_assisted_reason(rng)]
            if status == _S.REJECTED_ASYLUM_SEEKER and rng.random() < 0.4:
                reasons.append(_R.ORDER_TO_LEAVE)
            return reasons
        if status == _S.STUDENT and rng.random() < 0.7:
            first = _R.END_OF_CONTRACT
        elif age >= 58 and rng.random() < 0.5:
            first = _R.RETIREMENT
        else:
            first = _pick_spontaneous_reason(rng)
        reasons = [first]
        if rng.random() < 0.3:
            second = _pick_spontaneous_reason(rng)
            if second != first:
                reasons.append(second)
        return reasons


def _sex(rng: random.Random) -> str:
    return c.Sex.MALE if rng.random() < 0.5 else c.Sex.FEMALE


def _letters(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(n))


def _office_in(offices: dict[str, Office], country: str) -> Office | None:
    for office in offices.values():
        if office.country == country and office.kind == "office":
            return office
    return None


@dataclass
class LoadResult:
    """What a demo load did."""

    people: int = 0
    households: int = 0
    returns: int = 0
    cases: int = 0
    seconds: float = 0.0
    skipped: bool = False


def demo_load(
    *,
    seed: int = 1,
    people: int = 2_000,
    append: bool = False,
    today: datetime.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LoadResult:
    """Load demo data unless the registry already has people (or append is set)."""
    started = time.monotonic()
    if not append and Person.objects.exists():
        ensure_setup()
        return LoadResult(skipped=True)
    setup = ensure_setup()
    start = Person.objects.count() if append else 0
    writer = _Writer()
    first_ids = (
        (Person.objects.aggregate(m=Max("id"))["m"] or 0) + 1,
        (Household.objects.aggregate(m=Max("id"))["m"] or 0) + 1,
    )
    generator = Generator(
        seed=seed,
        setup=setup,
        start=start,
        today=today or datetime.date.today(),
        writer=writer,
        first_ids=first_ids,
    )
    result = LoadResult()
    written = 0
    while written < people:
        size = min(CHUNK_SIZE, people - written)
        chunk = generator.chunk(size)
        chunk.save(writer)
        written += size
        result.households += len(chunk.households)
        result.returns += len(chunk.returns)
        if progress:
            progress(written, people)
    writer.reset_sequences()
    writer.analyse()
    if not append and written >= demo_cases.MIN_PEOPLE:
        result.cases = demo_cases.load_cases(setup, seed=seed, today=today).cases
    result.people = written
    result.seconds = time.monotonic() - started
    audit_record(
        actor=command_actor(setup.users.get("admin")),
        action=AuditAction.IMPORT,
        entity_type="demo.load",
        organisation_id=setup.main.pk,
        summary=f"Demo data: {written} people, {result.returns} returns (seed {seed})",
        after={"seed": seed, "people": written, "append": append, "vendor": connection.vendor},
    )
    return result


def logins_table() -> str:
    """Return the demo logins as an aligned text table."""
    labels = dict(Role.choices)
    width = max(len(name) for name, _ in DEMO_LOGINS)
    lines = [f"  {'username'.ljust(width)}  role", f"  {'-' * width}  {'-' * 28}"]
    lines += [f"  {name.ljust(width)}  {labels[role]}" for name, role in DEMO_LOGINS]
    # The one login outside the main organisation: it answers referrals in Morocco.
    name, role = demo_cases.ORIGIN_LOGIN
    lines.append(f"  {name.ljust(width)}  {labels[role]}, {demo_cases.ORIGIN_ORGANISATION}")
    lines.append(f"  password for all: {DEMO_PASSWORD}")
    return "\n".join(lines)
