"""The import services: contracts, idempotency, encodings, formats and formula injection."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User

from retorno.core.audit import Actor
from retorno.core.models import AuditAction, AuditEvent
from retorno.imports.models import ImportBatch, ImportRowError, ImportStatus
from retorno.imports.readers import ImportFileError
from retorno.imports.selectors import rejected_rows_csv
from retorno.imports.services import import_batch_run, import_batch_set_mapping
from retorno.imports.tests.conftest import GOOD_ROWS, HEADER, csv_text, xlsx_bytes
from retorno.registry.models import Person, PersonNameKey, ReturnEvent
from retorno.registry.services import person_key_rows

BAD_ROWS = [
    "BRU-4,Ana,López,female,1992-01-01,ES,CO,2024-13-01,physical,permanent,assisted,,,,",
    "BRU-5,José,Ortiz,male,1980-01-01,ES,XX,2024-01-01,physical,sometimes,assisted,,,,",
]
Run = Callable[..., ImportBatch]


def test_good_file_imports_every_row_with_normalised_values(run_import: Run) -> None:
    batch = run_import(csv_text(*GOOD_ROWS))

    assert batch.status == ImportStatus.DONE
    assert (batch.rows_total, batch.rows_imported, batch.rows_rejected) == (3, 3, 0)
    assert batch.people_created == 3
    amina = ReturnEvent.objects.get(person__source_ref="BRU-1")
    assert amina.reasons == ["family", "health"]
    assert amina.settlement_area == "MA-04"
    assert amina.age_at_return == 33
    assert amina.time_abroad_months is None
    assert amina.import_batch_id == batch.pk
    assert amina.source == "import"
    ion = ReturnEvent.objects.get(person__source_ref="BRU-2")
    assert (ion.from_country, ion.to_country) == ("BE", "MD")
    assert ion.return_date == datetime.date(2024, 1, 15)
    assert ion.person.date_of_birth == datetime.date(1985, 7, 12)
    assert ion.person.sex == "male"
    kwame = ReturnEvent.objects.get(person__source_ref="BRU-3")
    assert (kwame.from_country, kwame.to_country, kwame.mode) == ("FR", "GH", "virtual")
    assert kwame.age_at_return is None
    assert PersonNameKey.objects.filter(person=amina.person).exists()


def test_imported_people_get_the_same_search_keys_as_people_entered_by_hand(
    run_import: Run,
) -> None:
    run_import(csv_text(*GOOD_ROWS))

    for person in Person.objects.all():
        stored = sorted(person.name_keys.values_list("key", "birth_year"))
        expected = sorted((k.key, k.birth_year) for k in person_key_rows(person))
        assert stored == expected and stored


def test_import_is_audited_once_per_batch_by_the_uploader(run_import: Run, alice: User) -> None:
    batch = run_import(csv_text(*GOOD_ROWS))

    events = AuditEvent.objects.filter(action=AuditAction.IMPORT)
    assert events.count() == 1
    event = events.get()
    assert event.actor == alice
    assert event.entity_id == str(batch.pk)
    assert event.after is not None and event.after["rows_imported"] == 3


def test_valid_rows_contract_keeps_good_rows_and_reports_bad_ones(run_import: Run) -> None:
    batch = run_import(csv_text(*GOOD_ROWS, *BAD_ROWS))

    assert batch.status == ImportStatus.DONE
    assert (batch.rows_imported, batch.rows_rejected) == (3, 2)
    assert ReturnEvent.objects.count() == 3
    errors = list(ImportRowError.objects.filter(batch=batch))
    assert [e.row_number for e in errors] == [5, 6, 6]
    assert errors[0].column == "return_date" and errors[0].value == "2024-13-01"
    assert "not a date" in errors[0].text and "return_date" in errors[0].text
    assert {e.column for e in errors[1:]} == {"to_country", "permanence"}


def test_rejected_rows_read_in_each_readers_language(run_import: Run) -> None:
    from django.utils import translation

    batch = run_import(csv_text(*GOOD_ROWS, *BAD_ROWS))
    error = ImportRowError.objects.filter(batch=batch).first()
    assert error is not None

    texts = {}
    for language in ("en", "fr", "es"):
        with translation.override(language):
            texts[language] = (
                error.text,
                error.problem_text,
                b"".join(part.encode() for part in rejected_rows_csv(batch)).decode(),
            )
    assert texts["en"][1] == "not a date (write YYYY-MM-DD or DD/MM/YYYY)"
    # French typography: no-break spaces inside the quotes.
    assert texts["fr"][0].startswith("Colonne «\xa0return_date\xa0», valeur «\xa02024-13-01\xa0»")
    assert "date non valide" in texts["fr"][1] and "date non valide" in texts["fr"][2]
    assert texts["es"][0].startswith("Columna «return_date», valor «2024-13-01»")
    assert "no es una fecha" in texts["es"][1] and "no es una fecha" in texts["es"][2]
    # A problem with values keeps them in every language.
    choice = ImportRowError.objects.get(batch=batch, column="permanence")
    with translation.override("fr"):
        assert "permanent, temporary, circular" in choice.text


def test_an_import_writes_its_own_messages_in_the_language_of_who_started_it(
    upload: Callable[..., ImportBatch], alice: User
) -> None:
    from django.utils import translation

    batch = upload(csv_text(*GOOD_ROWS))
    with translation.override("es"):
        import_batch_set_mapping(actor=Actor(user=alice), batch_id=batch.pk, mapping=batch.mapping)
    batch = import_batch_run(batch_id=batch.pk)

    assert batch.language == "es"
    event = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert "filas importadas: 3" in event.summary, event.summary


def test_all_or_nothing_contract_writes_nothing_when_a_row_is_rejected(run_import: Run) -> None:
    batch = run_import(csv_text(*GOOD_ROWS, *BAD_ROWS), mode="all_or_nothing")

    assert batch.status == ImportStatus.REJECTED
    assert batch.rows_rejected == 2 and batch.rows_imported == 0
    assert not ReturnEvent.objects.exists()
    assert not Person.objects.exists()
    assert ImportRowError.objects.filter(batch=batch).count() == 3


def test_all_or_nothing_contract_writes_everything_when_all_rows_pass(run_import: Run) -> None:
    batch = run_import(csv_text(*GOOD_ROWS), mode="all_or_nothing")

    assert batch.status == ImportStatus.DONE
    assert ReturnEvent.objects.count() == 3


def test_importing_the_same_file_twice_adds_nothing(run_import: Run) -> None:
    content = csv_text(*GOOD_ROWS)
    run_import(content)
    second = run_import(content)

    assert second.status == ImportStatus.DONE
    assert (second.rows_imported, second.rows_duplicate, second.people_created) == (0, 3, 0)
    assert ReturnEvent.objects.count() == 3
    assert Person.objects.count() == 3


def test_rows_without_a_reference_are_recognised_on_reimport(run_import: Run) -> None:
    rows = [",Leila,Haddad,female,1991-05-05,FR,MA,2024-02-02,physical,permanent,assisted,,,,"]
    run_import(csv_text(*rows))
    second = run_import(csv_text(*rows))

    assert second.rows_duplicate == 1
    assert Person.objects.count() == 1
    assert ReturnEvent.objects.count() == 1


def test_a_second_return_of_a_known_person_is_added_to_that_person(run_import: Run) -> None:
    run_import(csv_text(GOOD_ROWS[0]))
    again = GOOD_ROWS[0].replace("2024-03-01", "2025-01-10")
    batch = run_import(csv_text(again))

    assert (batch.rows_imported, batch.people_created) == (1, 0)
    assert Person.objects.get().returns.count() == 2


def test_wrong_encoding_is_refused_with_the_row_and_the_right_one_imports_accents(
    upload: Callable[..., ImportBatch],
    run_import: Run,
) -> None:
    content = csv_text(
        GOOD_ROWS[0],
        "BRU-9,José,Pérez,male,1980-01-01,ES,CO,2024-01-01,physical,permanent,assisted,,,,",
    ).encode("windows-1252")

    with pytest.raises(ImportFileError) as refused:
        upload(content)
    assert "Row 3" in str(refused.value) and "encoding" in str(refused.value)
    assert not ImportBatch.objects.exists()

    batch = run_import(content, encoding="windows-1252")
    assert batch.rows_imported == 2
    assert Person.objects.get(source_ref="BRU-9").family_name == "Pérez"


def test_utf16_file_with_byte_order_mark_is_read(run_import: Run) -> None:
    content = csv_text(GOOD_ROWS[0].replace("Amina", "Aïcha")).encode("utf-16")

    batch = run_import(content)

    assert batch.encoding == "utf-16"
    assert Person.objects.get().given_name == "Aïcha"


def test_utf8_byte_order_mark_does_not_spoil_the_first_header(
    upload: Callable[..., ImportBatch],
) -> None:
    batch = upload(b"\xef\xbb\xbf" + csv_text(GOOD_ROWS[0]).encode("utf-8"))

    assert batch.headers[0] == "person_ref"
    assert batch.mapping["person_ref"] == 0


def test_semicolon_delimited_file_is_detected(run_import: Run) -> None:
    rows = [r.replace(",", ";").replace("family|health", "family|health") for r in GOOD_ROWS]
    batch = run_import(csv_text(*rows, header=HEADER.replace(",", ";")))

    assert batch.rows_imported == 3
    assert ReturnEvent.objects.get(person__source_ref="BRU-1").reasons == ["family", "health"]


def test_french_and_spanish_headers_and_values_are_understood(run_import: Run) -> None:
    header = (
        "Référence;Prénom;Nom;Sexe;Date de naissance;Pays de provenance;Pays d'origine;"
        "Fecha de retorno;Modo;Permanencia;Tipo de retorno;Motivos"
    )
    rows = [
        "R1;Aïcha;Traoré;Femme;1990-01-01;France;Sénégal;2024-05-01;physique;temporaire;assisté;"
        "famille|santé",
        "R2;Juan;Pérez;hombre;1985-02-02;Espagne;COL;2024-06-01;físico;permanente;forzoso;familia",
    ]
    batch = run_import(csv_text(*rows, header=header))

    assert batch.rows_imported == 2, list(ImportRowError.objects.values_list("problem", flat=True))
    aicha = ReturnEvent.objects.get(person__source_ref="R1")
    assert (aicha.to_country, aicha.permanence, aicha.voluntariness) == (
        "SN",
        "temporary",
        "assisted",
    )
    assert aicha.reasons == ["family", "health"]
    assert aicha.person.sex == "female"
    juan = ReturnEvent.objects.get(person__source_ref="R2")
    assert (juan.from_country, juan.voluntariness) == ("ES", "forced")


def test_english_labels_are_accepted_whatever_their_case_and_accents(run_import: Run) -> None:
    row = (
        "BRU-7,Elena,Rusu,FEMALE,1990-01-01,IT,MD,2024-01-01,Physical Return,Circular Return,"
        "Assisted Voluntary Return,End of contract or studies;Family,3 to 12 months,,None"
    )
    batch = run_import(csv_text(row))

    assert batch.rows_imported == 1
    event = ReturnEvent.objects.get()
    assert (event.mode, event.permanence, event.voluntariness) == (
        "physical",
        "circular",
        "assisted",
    )
    assert event.reasons == ["end_of_contract", "family"]
    assert (event.intended_stay, event.assets_bracket) == ("3_to_12_months", "none")


def test_formula_injection_is_rejected_and_neutralised_in_the_report(run_import: Run) -> None:
    row = (
        'BRU-8,"=HYPERLINK(""http://x"",""y"")",@SUM(A1),female,1990-01-01,BE,MA,2024-01-01,'
        "physical,permanent,+assisted,,,,"
    )
    batch = run_import(csv_text(GOOD_ROWS[0], row))

    assert (batch.rows_imported, batch.rows_rejected) == (1, 1)
    errors = list(ImportRowError.objects.filter(batch=batch))
    assert len(errors) == 3
    assert all("spreadsheet formula" in e.text for e in errors)
    assert all(e.value.startswith("'") for e in errors)
    report = "".join(rejected_rows_csv(batch))
    lines = report.splitlines()
    assert len(lines) == 2
    assert "'=HYPERLINK" in lines[1] and "'@SUM(A1)" in lines[1] and "'+assisted" in lines[1]
    for cell in next(iter(__import__("csv").reader([lines[1]]))):
        assert not cell.startswith(("=", "+", "-", "@"))


def test_oversized_file_is_refused_before_reading(
    upload: Callable[..., ImportBatch],
    settings: Any,
) -> None:
    settings.RETORNO_IMPORT_MAX_BYTES = 100

    with pytest.raises(ImportFileError, match="larger than the limit"):
        upload(csv_text(*GOOD_ROWS))
    assert not ImportBatch.objects.exists()


def test_corrupt_xlsx_is_refused(upload: Callable[..., ImportBatch]) -> None:
    with pytest.raises(ImportFileError, match="not a valid XLSX"):
        upload(b"this is not a workbook", name="returns.xlsx")
    with pytest.raises(ImportFileError, match="not a valid XLSX"):
        upload(b"PK\x03\x04broken zip", name="returns.xlsx")


def test_xlsx_file_imports_dates_and_numbers(run_import: Run) -> None:
    header = HEADER.split(",")
    rows = [
        [
            "BRU-1",
            "Amina",
            "El Amrani",
            "female",
            datetime.datetime(1990, 4, 2),
            "BE",
            "MA",
            datetime.datetime(2024, 3, 1),
            "physical",
            "permanent",
            "assisted",
            "family",
            "",
            "",
            "",
        ],
        [
            1002,
            "Ion",
            "Popescu",
            "male",
            "1985-07-12",
            "BE",
            "MD",
            "2024-01-15",
            "physical",
            "temporary",
            "spontaneous",
            "",
            "",
            "",
            "",
        ],
    ]
    batch = run_import(xlsx_bytes([header, *rows]), name="returns.xlsx")

    assert batch.file_format == "xlsx"
    assert batch.rows_imported == 2
    assert ReturnEvent.objects.get(person__source_ref="BRU-1").return_date == datetime.date(
        2024, 3, 1
    )
    assert Person.objects.filter(source_ref="1002").exists()


def test_xlsx_formula_cell_rejects_its_row(run_import: Run) -> None:
    header = HEADER.split(",")
    row = [
        "BRU-1",
        '=CONCAT("A","mina")',
        "El Amrani",
        "female",
        "1990-04-02",
        "BE",
        "MA",
        "2024-03-01",
        "physical",
        "permanent",
        "assisted",
        "",
        "",
        "",
        "",
    ]
    batch = run_import(xlsx_bytes([header, row]), name="returns.xlsx")

    assert (batch.rows_imported, batch.rows_rejected) == (0, 1)
    error = ImportRowError.objects.get(batch=batch)
    assert "formula" in error.text and error.value.startswith("'=")


def test_missing_required_column_is_refused_at_mapping(
    upload: Callable[..., ImportBatch],
    alice: User,
) -> None:
    batch = upload(csv_text(*GOOD_ROWS))
    mapping = {k: v for k, v in batch.mapping.items() if k != "return_date"}

    with pytest.raises(ImportFileError, match="return_date"):
        import_batch_set_mapping(actor=Actor(user=alice), batch_id=batch.pk, mapping=mapping)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.UPLOADED


def test_confirming_the_mapping_queues_the_task_which_runs_the_import(
    upload: Callable[..., ImportBatch],
    alice: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    batch = upload(csv_text(*GOOD_ROWS))

    with django_capture_on_commit_callbacks(execute=True):
        import_batch_set_mapping(actor=Actor(user=alice), batch_id=batch.pk, mapping=batch.mapping)

    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE
    assert ReturnEvent.objects.count() == 3


def test_a_batch_runs_only_once(run_import: Run) -> None:
    batch = run_import(csv_text(*GOOD_ROWS))

    again = import_batch_run(batch_id=batch.pk)

    assert again.status == ImportStatus.DONE
    assert ReturnEvent.objects.count() == 3


@pytest.mark.parametrize("mode", ["valid_rows", "all_or_nothing"])
def test_large_files_are_read_in_a_second_process_with_the_same_result(
    run_import: Run, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    from retorno.imports import pipeline, services

    # Make this small file count as large, and its chunks small, to use the reader process.
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)
    batch = run_import(csv_text(*GOOD_ROWS, *BAD_ROWS), mode=mode)

    assert batch.rows_total == 5 and batch.rows_rejected == 2
    if mode == "valid_rows":
        assert batch.status == ImportStatus.DONE and ReturnEvent.objects.count() == 3
        assert [e.row_number for e in ImportRowError.objects.filter(batch=batch)] == [5, 6, 6]
    else:
        assert batch.status == ImportStatus.REJECTED and not ReturnEvent.objects.exists()


def test_a_file_that_breaks_midway_fails_cleanly_in_the_reader_process(
    upload: Callable[..., ImportBatch], alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from retorno.imports import pipeline, services

    monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)
    monkeypatch.setattr(services, "COMMIT_ROWS", 2)
    batch = upload(csv_text(*GOOD_ROWS))
    services.import_batch_set_mapping(
        actor=Actor(user=alice), batch_id=batch.pk, mapping=batch.mapping
    )
    # The stored file is damaged after upload (a disk fault): its last row is no longer UTF-8.
    stored = services.batch_file(batch)
    stored.write_bytes(stored.read_bytes() + "BRU-9,Zoë".encode("cp1252") + b",X\n")
    batch = services.import_batch_run(batch_id=batch.pk)

    assert batch.status == ImportStatus.FAILED
    assert "Row 5" in batch.error
    # The chunks committed before the fault stay, as the contract says.
    assert ReturnEvent.objects.count() == 2


def test_upload_counts_data_rows_not_lines(upload: Callable[..., ImportBatch]) -> None:
    # A quoted cell holding a line break and a blank line between rows: three data rows.
    rows = [row.replace(",", ";") for row in GOOD_ROWS]
    rows[0] = rows[0].replace("El Amrani", '"El\nAmrani"')
    content = "\n".join([HEADER.replace(",", ";"), rows[0], "", rows[1], ";;;", rows[2]])

    batch = upload(content.encode("cp1252"), encoding="windows-1252")

    assert batch.rows_in_file == 3


def test_upload_names_the_row_with_a_bad_encoding(upload: Callable[..., ImportBatch]) -> None:
    content = csv_text(*GOOD_ROWS).encode("utf-8") + "BRU-9,Zoé,Ba".encode("latin-1") + b"\n"

    with pytest.raises(ImportFileError, match="Row 5 is not valid UTF-8"):
        upload(content)
