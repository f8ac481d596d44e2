"""Write validated rows to the registry in chunks, fast and without duplicates.

A million return events cannot go through model instances and ``save()``
(or even ``bulk_create``, which builds one instance per row): the writer sends
plain tuples through ``cursor.executemany``. The SQL is built from the models'
own metadata and the database backend's operations, so it stays correct on
SQLite and PostgreSQL, and columns it does not fill get the models' defaults.
"""

import datetime
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Any

from django.db import connection, models
from django.db.models.constants import OnConflict
from django.utils import timezone

from retorno.imports.columns import fold
from retorno.registry.choices import FactSource
from retorno.registry.models import (
    MigrationEpisode,
    Person,
    PersonNameKey,
    ReturnEvent,
    age_on,
)
from retorno.registry.names import name_keys
from retorno.registry.services import return_fingerprint, time_abroad_months

# Queries with IN (...) are split so that no statement exceeds the parameter
# limits of the databases Retorno runs on.
_IN_BATCH = 2_000
_ROWS_PER_STATEMENT = 100
# Prefix of the reference given to people a file does not identify; keeps them
# apart from real references and lets a second import find them again.
ANONYMOUS_REF_PREFIX = "import:"
# SQLite settings while an import writes: 512 MiB of page cache (inside the 1 GiB
# memory budget of an import) and a checkpoint every 20,000 pages (80 MiB).
_SQLITE_CACHE_KIB = 512 * 1024
_SQLITE_WAL_PAGES = 20_000


class BulkInsert:
    """One INSERT statement for a model, filling the named columns per row."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], **constants: Any) -> None:
        meta = model._meta
        fields = {f.attname: f for f in meta.concrete_fields if not f.primary_key}
        now = timezone.now()
        self.constant_values: list[Any] = []
        constant_names: list[str] = []
        for attname, model_field in fields.items():
            if attname in columns:
                continue
            if attname in constants:
                value = constants[attname]
            elif getattr(model_field, "auto_now", False) or getattr(
                model_field, "auto_now_add", False
            ):
                value = now
            else:
                # The model's default: its declared one, else None or "" as Django would save.
                value = model_field.get_default()
            constant_names.append(attname)
            self.constant_values.append(model_field.get_db_prep_save(value, connection))
        self.constants = tuple(self.constant_values)
        names = [*columns, *constant_names]
        quote = connection.ops.quote_name
        column_sql = ", ".join(quote(fields[n].column) for n in names)
        ops = connection.ops
        suffix = ops.on_conflict_suffix_sql(
            [fields[n] for n in names], OnConflict.IGNORE, None, None
        )
        one_row = "(" + ", ".join(["%s"] * len(names)) + ")"
        # Several rows per statement: far fewer round trips through the driver.
        limit = connection.features.max_query_params or 30_000
        self.rows_per_statement = max(1, min(_ROWS_PER_STATEMENT, limit // len(names)))

        def statement(rows: int) -> str:
            return (
                f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} "
                f"{quote(meta.db_table)} ({column_sql}) VALUES "
                f"{', '.join([one_row] * rows)} {suffix}"
            ).strip()

        self.sql = statement(1)
        self.sql_many = statement(self.rows_per_statement)

    def run(self, rows: Iterable[tuple[Any, ...]]) -> int:
        """Insert the rows (each holding the named columns, in order); return how many went in.

        Rows that hit a unique constraint are skipped by the database and not counted.
        """
        constants = self.constants
        params = [row + constants for row in rows]
        if not params:
            return 0
        per = self.rows_per_statement
        full = len(params) - len(params) % per
        inserted = 0
        with connection.cursor() as cursor:
            if full:
                flat = list(chain.from_iterable(params[:full]))
                width = len(params[0]) * per
                cursor.executemany(
                    self.sql_many,
                    [flat[start : start + width] for start in range(0, len(flat), width)],
                )
                inserted += max(cursor.rowcount, 0)
            if full < len(params):
                cursor.executemany(self.sql, params[full:])
                inserted += max(cursor.rowcount, 0)
        return inserted


@contextmanager
def bulk_write_session() -> Iterator[None]:
    """Tune the connection for a long run of inserts, and restore it afterwards.

    On SQLite a larger page cache keeps the registry's indexes in memory while a
    million rows go in, and a longer write-ahead log lets each hot index page be
    copied back to the database once per few chunks rather than at every commit.
    PostgreSQL needs nothing here.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_size = cursor.fetchone()[0]
        cursor.execute("PRAGMA wal_autocheckpoint")
        autocheckpoint = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-_SQLITE_CACHE_KIB}")
        cursor.execute(f"PRAGMA wal_autocheckpoint = {_SQLITE_WAL_PAGES}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(autocheckpoint)}")
            if not connection.in_atomic_block:
                # Fresh statistics: without them SQLite may sort a million returns to
                # show the newest fifty, instead of reading the date index.
                cursor.execute("PRAGMA optimize")


@lru_cache(maxsize=4096)
def _json(value: tuple[str, ...]) -> Any:
    return ReturnEvent._meta.get_field("reasons").get_db_prep_save(list(value), connection)


@lru_cache(maxsize=65_536)
def _keys_of(given_name: str, family_name: str) -> tuple[str, ...]:
    # The keys registry.services.person_key_rows gives a person with these names (an
    # imported person has no other names yet), without building a model instance
    # per row; names repeat a lot in a large file, so they are worth remembering.
    return tuple(sorted(name_keys(given_name, family_name)))


def person_key(values: dict[str, Any]) -> str:
    """Return the reference a row's person is found by: the file's own, or a digest."""
    if values["person_ref"]:
        return str(values["person_ref"])
    born = values["date_of_birth"]
    facts = "\x1f".join(
        (
            fold(values["given_name"]),
            fold(values["family_name"]),
            born.isoformat() if born else "",
            values["sex"],
        )
    )
    digest = hashlib.sha1(facts.encode("utf-8"), usedforsecurity=False).hexdigest()
    return ANONYMOUS_REF_PREFIX + digest


def row_fingerprint(source_name: str, key: str, values: dict[str, Any]) -> str:
    """Return the fingerprint of one row's return, the same however often it is imported."""
    return return_fingerprint(
        {
            "source": source_name,
            "person": key,
            "from_country": values["from_country"],
            "to_country": values["to_country"],
            "return_date": values["return_date"].isoformat(),
            "mode": values["mode"],
            "permanence": values["permanence"],
            "voluntariness": values["voluntariness"],
            "reasons": ",".join(values["reasons"]),
            "intended_stay": values["intended_stay"],
            "settlement_area": values["settlement_area"],
            "assets_bracket": values["assets_bracket"],
        }
    )


# One valid row, ready for the database, built in the reader process so that the
# writer only adds what needs the registry (the person's id and, for somebody
# already known, what their record says). Plain tuples: they cross between
# processes several times faster than dictionaries or named tuples.
#   fingerprint, person key, person columns (PERSON_COLUMNS), name keys, birth year,
#   return date, age at return by the file's birth date, return columns from
#   from_country to assets_bracket, sex
Prepared = tuple[
    str,
    str,
    tuple[Any, ...],
    tuple[str, ...],
    int | None,
    datetime.date,
    int | None,
    tuple[Any, ...],
    str,
]


@dataclass
class ChunkResult:
    imported: int = 0
    duplicate: int = 0
    people_created: int = 0
    seen: set[str] = field(default_factory=set)


def _as_date(value: Any) -> datetime.date | None:
    # Raw queries return dates as text on SQLite and as dates on PostgreSQL.
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def _in_batches(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), _IN_BATCH):
        yield values[start : start + _IN_BATCH]


class ReturnWriter:
    """Write chunks of validated rows of one import batch."""

    PERSON_COLUMNS = (
        "given_name",
        "family_name",
        "sex",
        "date_of_birth",
        "nationalities",
        "source_ref",
    )
    RETURN_COLUMNS = (
        "person_id",
        "from_country",
        "to_country",
        "return_date",
        "mode",
        "permanence",
        "voluntariness",
        "reasons",
        "intended_stay",
        "settlement_area",
        "assets_bracket",
        "time_abroad_months",
        "age_at_return",
        "sex",
        "fingerprint",
    )

    def __init__(
        self, *, organisation_id: int, batch_id: int, user_id: int | None, source_name: str
    ) -> None:
        self.organisation_id = organisation_id
        self.source_name = source_name
        owned = {"organisation_id": organisation_id, "created_by_id": user_id}
        self.people = BulkInsert(Person, self.PERSON_COLUMNS, **owned)
        self.name_keys = BulkInsert(
            PersonNameKey, ("person_id", "key", "birth_year"), organisation_id=organisation_id
        )
        self.returns = BulkInsert(
            ReturnEvent,
            self.RETURN_COLUMNS,
            **owned,
            import_batch_id=batch_id,
            source=FactSource.IMPORT.value,
        )
        self.adapt_date = connection.ops.adapt_datefield_value

    def _select_in(
        self, model: type[models.Model], key: str, columns: str, values: list[str]
    ) -> list[tuple[Any, ...]]:
        # Written out because the registry's unique indexes are partial (WHERE NOT
        # (key = '')): SQLite only uses such an index when the query repeats that
        # condition literally, which the ORM does not (it binds '' as a parameter).
        quote = connection.ops.quote_name
        found: list[tuple[Any, ...]] = []
        with connection.cursor() as cursor:
            for part in _in_batches(values):
                cursor.execute(
                    f"SELECT {columns} FROM {quote(model._meta.db_table)} "  # noqa: S608
                    f"WHERE {quote('organisation_id')} = %s AND NOT ({quote(key)} = '') "
                    f"AND {quote(key)} IN ({', '.join(['%s'] * len(part))})",
                    [self.organisation_id, *part],
                )
                found.extend(cursor.fetchall())
        return found

    def _existing_people(self, keys: list[str]) -> dict[str, tuple[int, datetime.date | None]]:
        quote = connection.ops.quote_name
        rows = self._select_in(
            Person,
            "source_ref",
            f"{quote('source_ref')}, {quote('id')}, {quote('date_of_birth')}",
            keys,
        )
        return {ref: (pk, _as_date(born)) for ref, pk, born in rows}

    def _person_ids(self, keys: list[str]) -> dict[str, int]:
        quote = connection.ops.quote_name
        rows = self._select_in(Person, "source_ref", f"{quote('source_ref')}, {quote('id')}", keys)
        return dict(rows)

    def _episodes(self, person_ids: list[int]) -> dict[int, list[MigrationEpisode]]:
        episodes: dict[int, list[MigrationEpisode]] = {}
        for part in _in_batches(person_ids):
            for episode in MigrationEpisode.objects.filter(person_id__in=part):
                episodes.setdefault(episode.person_id, []).append(episode)
        return episodes

    def prepare(self, rows: list[dict[str, Any]]) -> list[Prepared]:
        """Return the rows ready for write(): pure Python, safe in another process."""
        source = self.source_name
        adapt_date = self.adapt_date
        prepared: list[Prepared] = []
        for v in rows:
            key = person_key(v)
            born, returned = v["date_of_birth"], v["return_date"]
            prepared.append(
                (
                    row_fingerprint(source, key, v),
                    key,
                    (
                        v["given_name"],
                        v["family_name"],
                        v["sex"],
                        adapt_date(born),
                        _json((v["nationality"],) if v["nationality"] else ()),
                        key,
                    ),
                    _keys_of(v["given_name"], v["family_name"]),
                    born.year if born else None,
                    returned,
                    age_on(born, returned),
                    (
                        v["from_country"],
                        v["to_country"],
                        adapt_date(returned),
                        v["mode"],
                        v["permanence"],
                        v["voluntariness"],
                        _json(v["reasons"]),
                        v["intended_stay"],
                        v["settlement_area"],
                        v["assets_bracket"],
                    ),
                    v["sex"],
                )
            )
        return prepared

    def write(self, prepared: list[Prepared]) -> ChunkResult:
        """Write one chunk of prepared rows; call inside a transaction."""
        result = ChunkResult()
        # Rows already in the registry are skipped by the fingerprint's unique index
        # (INSERT ... ON CONFLICT DO NOTHING) and counted from what the insert reports;
        # their people exist already, since the person is part of the fingerprint.
        todo: list[Prepared] = []
        for row in prepared:
            fp = row[0]
            if fp in result.seen:
                result.duplicate += 1
                continue
            result.seen.add(fp)
            todo.append(row)
        if not todo:
            return result

        known = self._existing_people(sorted({row[1] for row in todo}))
        new_people: dict[str, Prepared] = {}
        for row in todo:
            if row[1] not in known and row[1] not in new_people:
                new_people[row[1]] = row
        ids = {key: pk for key, (pk, _born) in known.items()}
        if new_people:
            self.people.run(row[2] for row in new_people.values())
            created = self._person_ids(list(new_people))
            ids.update(created)
            result.people_created = len(new_people)
            self.name_keys.run(
                (created[key], name_key, row[4])
                for key, row in new_people.items()
                for name_key in row[3]
            )
        # Only people already in the registry can have periods abroad recorded, and
        # their age at return follows the birth date their record holds.
        episodes = self._episodes([pk for pk, _born in known.values()]) if known else {}

        event_rows = []
        for fp, key, _person, _keys, _year, returned, age, event, sex in todo:
            person_id = ids[key]
            abroad = None
            if key in known:
                age = age_on(known[key][1], returned)
                if person_id in episodes:
                    abroad = time_abroad_months(episodes[person_id], returned)
            event_rows.append((person_id, *event, abroad, age, sex, fp))
        result.imported = self.returns.run(event_rows)
        result.duplicate += len(event_rows) - result.imported
        return result
