"""A large import builds the registry's indexes at its end, and never leaves them missing."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction

from retorno.core.audit import Actor
from retorno.imports import indexes, services
from retorno.imports.models import ImportBatch, ImportStatus, SuspendedIndex
from retorno.imports.tests.conftest import GOOD_ROWS, csv_text
from retorno.imports.writer import ReturnWriter
from retorno.registry.models import Person, ReturnEvent
from retorno.registry.selectors import person_search

Run = Callable[..., ImportBatch]
TABLES = ("registry_person", "registry_personnamekey", "registry_returnevent")


def registry_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN (%s, %s, %s)",
            list(TABLES),
        )
        return {name for (name,) in cursor.fetchall()}


@pytest.fixture
def sqlite_only() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("indexes are suspended on SQLite only")


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    # One row per chunk and per commit: the file's three rows take three transactions.
    monkeypatch.setattr(indexes, "SUSPEND_MIN_ROWS", 1)
    monkeypatch.setattr(services, "CHUNK_ROWS", 1)
    monkeypatch.setattr(services, "COMMIT_ROWS", 1)


@pytest.fixture
def seen_while_writing(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[set[str]]]:
    """Record the registry's indexes as each chunk holding rows is written."""
    seen: list[set[str]] = []
    write = ReturnWriter.write

    def spy(self: ReturnWriter, prepared: Any) -> Any:
        if prepared:
            seen.append(registry_indexes())
        return write(self, prepared)

    monkeypatch.setattr(ReturnWriter, "write", spy)
    yield seen


def fail_on_call(monkeypatch: pytest.MonkeyPatch, number: int) -> None:
    """Make the writer fail on its number-th chunk, as a full disk would."""
    calls = {"n": 0}
    write = ReturnWriter.write

    def failing(self: ReturnWriter, prepared: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == number:
            raise OSError("disk full")
        return write(self, prepared)

    monkeypatch.setattr(ReturnWriter, "write", failing)


@pytest.mark.usefixtures("sqlite_only", "small_chunks")
def test_a_first_large_import_writes_without_the_sorting_indexes_and_builds_them_after(
    run_import: Run, seen_while_writing: list[set[str]], alice: Any
) -> None:
    before = registry_indexes()

    batch = run_import(csv_text(*GOOD_ROWS))

    assert batch.status == ImportStatus.DONE and ReturnEvent.objects.count() == 3
    assert len(seen_while_writing) == 3
    missing = before - seen_while_writing[0]
    # Indexes over names, birth dates, return dates and countries wait for the end...
    assert {
        "person_org_name_idx",
        "person_dob_idx",
        "namekey_key_year_idx",
        "return_date_idx",
        "return_to_date_idx",
        "return_vol_date_idx",
    } <= missing
    # ...while those the import reads (unique references and fingerprints) and those
    # led by the person (appended at the end) stay all along.
    for kept in (
        "person_unique_source_ref",
        "return_unique_fingerprint",
        "namekey_person_key_idx",
    ):
        assert all(kept in seen for seen in seen_while_writing)
    assert registry_indexes() == before
    assert not SuspendedIndex.objects.exists()
    # The rebuilt indexes serve the arrival desk at once.
    found = person_search(actor=Actor(user=alice), name="Amina El Amrani")
    assert [c.person.source_ref for c in found][:1] == ["BRU-1"]


@pytest.mark.usefixtures("sqlite_only", "small_chunks")
def test_an_import_smaller_than_the_registry_keeps_every_index(
    run_import: Run, seen_while_writing: list[set[str]]
) -> None:
    run_import(csv_text(*GOOD_ROWS))
    before = registry_indexes()
    seen_while_writing.clear()

    batch = run_import(
        csv_text(GOOD_ROWS[0].replace("BRU-1", "BRU-7").replace("2024-03-01", "2024-05-02"))
    )

    assert batch.status == ImportStatus.DONE and batch.rows_imported == 1
    assert seen_while_writing == [before]


def test_the_choice_follows_the_size_of_the_registry(
    run_import: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not indexes.worth_suspending(indexes.SUSPEND_MIN_ROWS - 1)
    assert indexes.worth_suspending(indexes.SUSPEND_MIN_ROWS) is (connection.vendor == "sqlite")
    monkeypatch.setattr(indexes, "SUSPEND_MIN_ROWS", 1)
    run_import(csv_text(*GOOD_ROWS))

    assert not indexes.worth_suspending(2)
    assert indexes.worth_suspending(3) is (connection.vendor == "sqlite")


@pytest.mark.usefixtures("sqlite_only", "small_chunks")
def test_indexes_come_back_when_an_import_fails_half_way(
    run_import: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = registry_indexes()
    fail_on_call(monkeypatch, 2)

    batch = run_import(csv_text(*GOOD_ROWS))

    assert batch.status == ImportStatus.FAILED
    # The first row's transaction committed and stays, as the contract says.
    assert ReturnEvent.objects.count() == 1
    assert registry_indexes() == before
    assert not SuspendedIndex.objects.exists()


@pytest.mark.usefixtures("sqlite_only", "small_chunks")
def test_all_or_nothing_failure_leaves_rows_and_indexes_as_they_were(
    run_import: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = registry_indexes()
    fail_on_call(monkeypatch, 2)

    batch = run_import(csv_text(*GOOD_ROWS), mode="all_or_nothing")

    assert batch.status == ImportStatus.FAILED
    assert not ReturnEvent.objects.exists() and not Person.objects.exists()
    assert registry_indexes() == before
    assert not SuspendedIndex.objects.exists()


@pytest.mark.usefixtures("sqlite_only")
def test_indexes_left_by_an_import_that_was_cut_off_are_built_at_the_next_migrate(
    db: Any,
) -> None:
    before = registry_indexes()
    # What a killed worker leaves behind: the drop committed with its record.
    with transaction.atomic():
        dropped = indexes.suspend_indexes(None)
    assert dropped and not set(dropped) & registry_indexes()
    assert set(SuspendedIndex.objects.values_list("name", flat=True)) == set(dropped)

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert registry_indexes() == before
    assert not SuspendedIndex.objects.exists()


@pytest.mark.usefixtures("sqlite_only")
def test_the_next_import_builds_indexes_left_suspended(run_import: Run) -> None:
    before = registry_indexes()
    with transaction.atomic():
        indexes.suspend_indexes(None)

    batch = run_import(csv_text(*GOOD_ROWS))

    assert batch.status == ImportStatus.DONE
    assert registry_indexes() == before


def test_indexes_are_suspended_only_inside_a_transaction() -> None:
    with pytest.raises(RuntimeError):
        indexes.suspend_indexes(None)


def test_postgresql_keeps_its_indexes(db: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL side of the choice")
    with transaction.atomic():
        assert indexes.suspend_indexes(None) == []
    assert not indexes.worth_suspending(10**9)
