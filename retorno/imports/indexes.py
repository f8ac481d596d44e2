"""Build a large import's registry indexes once, at the end, rather than row by row.

SQLite keeps each index up to date as every row goes in, and an imported row lands
at a random place in most of them (names, birth dates, return dates, countries):
at a million rows that upkeep is most of an import's time. Building an index after
the rows are in sorts them once, which is far cheaper: at a million rows the
inserts took 39 s with the indexes kept row by row, 14 to 15 s without them, and building
them afterwards about 10 s (docs/benchmarks.md). So when an import brings at least
as many rows as the registry holds already (a registry's first load, or a move from
another system), it drops the non-unique indexes of the tables it fills and builds
them again when it ends. Unique indexes stay: they are how the import finds the
people it knows and skips the returns it has already. Indexes led by the person
stay too: new people's ids only grow, so their entries go at the end of those
indexes at little cost, and a person's page stays quick while the import runs.

Each dropped index is recorded in the same transaction that drops it
(SuspendedIndex), so an import cut off half-way leaves a record of what to build:
the next import, and the next ``migrate`` (which ``make run`` runs), build it.

Only on SQLite. On PostgreSQL, DROP INDEX locks the table against every reader until
the import's transaction ends; there the indexes stay and are kept row by row.
"""

import re

from django.db import connection, transaction

from retorno.imports.models import SuspendedIndex
from retorno.registry.models import Person, PersonNameKey, ReturnEvent

# Below this many rows the upkeep is cheap, and rebuilding costs more than it saves.
SUSPEND_MIN_ROWS = 100_000
# The tables an import fills.
_TABLES = tuple(model._meta.db_table for model in (Person, PersonNameKey, ReturnEvent))
_PERSON_COLUMN = ReturnEvent._meta.get_field("person").column
_CREATE_INDEX = re.compile(r"^\s*CREATE\s+INDEX\s+(?!IF\s+NOT\s+EXISTS)", re.IGNORECASE)


def worth_suspending(expected_rows: int) -> bool:
    """Say whether an import of this many rows should build its indexes at the end."""
    if connection.vendor != "sqlite" or expected_rows < SUSPEND_MIN_ROWS:
        return False
    # Rebuilding sorts every row of the table, old and new: worth it once the new
    # rows are at least as many as the old.
    return expected_rows >= ReturnEvent.objects.count()


def suspend_indexes(batch_id: int | None) -> list[str]:
    """Drop the non-unique indexes of the tables an import fills; return their names.

    Call inside the transaction of the import's first rows: the record of what was
    dropped commits with the drop, or neither does.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("Indexes are suspended inside the import's transaction.")
    if connection.vendor != "sqlite":
        return []
    marks = ", ".join(["%s"] * len(_TABLES))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master "  # noqa: S608
            f"WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks}) "
            "ORDER BY name",
            list(_TABLES),
        )
        found = [(name, table, sql) for name, table, sql in cursor.fetchall()]
        dropped = []
        for name, table, sql in found:
            if not _CREATE_INDEX.match(sql):
                continue  # unique indexes stay
            cursor.execute(f"PRAGMA index_info({connection.ops.quote_name(name)})")
            if [column for _seq, _cid, column in cursor.fetchall()][:1] == [_PERSON_COLUMN]:
                continue
            SuspendedIndex.objects.create(name=name, table=table, sql=sql, batch_id=batch_id)
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            dropped.append(name)
    return dropped


def restore_indexes() -> list[str]:
    """Build every suspended index again; return their names (none if nothing was suspended)."""
    restored = []
    with transaction.atomic():
        for suspended in SuspendedIndex.objects.select_for_update().order_by("name"):
            with connection.cursor() as cursor:
                # The statement SQLite itself kept for the index, made safe to repeat.
                cursor.execute(_CREATE_INDEX.sub("CREATE INDEX IF NOT EXISTS ", suspended.sql))
            suspended.delete()
            restored.append(suspended.name)
    return restored
