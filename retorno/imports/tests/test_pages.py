"""The import pages, and who may use them: every role asserted explicitly."""

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from retorno.accounts.roles import Role
from retorno.core.models import AuditAction, AuditChannel, AuditEvent
from retorno.imports.models import ImportBatch, ImportStatus
from retorno.imports.services import import_batch_run
from retorno.imports.tests.conftest import GOOD_ROWS, csv_text
from retorno.registry.models import ReturnEvent

MAY_IMPORT = {Role.ADMINISTRATOR, Role.SUPERVISOR, Role.ME_OFFICER}


@pytest.mark.parametrize("role", list(Role))
def test_only_administrators_supervisors_and_me_officers_may_import(
    client: Client,
    users: dict[str, User],
    role: Role,
) -> None:
    client.force_login(users[role])

    for name in ("imports:list", "imports:upload"):
        response = client.get(reverse(name))
        assert response.status_code == (200 if role in MAY_IMPORT else 403), (role, name)


def test_upload_mapping_and_detail_pages_run_an_import(
    client: Client,
    alice: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client.force_login(alice)
    upload = SimpleUploadedFile("returns.csv", csv_text(*GOOD_ROWS).encode())

    response = client.post(
        reverse("imports:upload"),
        {
            "file": upload,
            "source_name": "Brussels export",
            "mode": "valid_rows",
            "encoding": "",
        },
    )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:mapping", args=[batch.pk])

    page = client.get(reverse("imports:mapping", args=[batch.pk]))
    assert page.status_code == 200
    assert "Amina" in page.content.decode()  # the preview
    assert 'value="0" selected' in page.content.decode()  # person_ref suggested

    data = {field: str(index) for field, index in batch.mapping.items()}
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("imports:mapping", args=[batch.pk]), data)
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.QUEUED
    import_batch_run(batch_id=batch.pk)

    status = client.get(reverse("imports:status", args=[batch.pk])).json()
    assert status["finished"] and status["rows_imported"] == 3
    detail = client.get(reverse("imports:detail", args=[batch.pk]))
    assert "<progress" in detail.content.decode()
    assert ReturnEvent.objects.count() == 3


def test_upload_page_shows_the_encoding_error(client: Client, alice: User) -> None:
    client.force_login(alice)
    content = csv_text("BRU-9,José,Pérez,male,,ES,CO,2024-01-01,physical,permanent,assisted,,,,")
    upload = SimpleUploadedFile("returns.csv", content.encode("windows-1252"))

    response = client.post(
        reverse("imports:upload"),
        {
            "file": upload,
            "source_name": "Madrid",
            "mode": "valid_rows",
            "encoding": "",
        },
    )

    assert response.status_code == 200
    assert "Row 2 is not valid UTF-8" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_organisation_is_asked_only_of_people_importing_for_several(
    client: Client,
    alice: User,
    origin_org: Any,
) -> None:
    from retorno.accounts.models import Membership

    client.force_login(alice)
    assert 'name="organisation"' not in client.get(reverse("imports:upload")).content.decode()
    Membership.objects.create(user=alice, organisation=origin_org, role=Role.SUPERVISOR)
    assert 'name="organisation"' in client.get(reverse("imports:upload")).content.decode()


def test_rejection_report_and_download(
    client: Client,
    alice: User,
    run_import: Callable[..., ImportBatch],
) -> None:
    batch = run_import(
        csv_text(
            GOOD_ROWS[0], "BRU-2,-1+1,X,female,,BE,MA,2024-01-01,physical,permanent,assisted,,,,"
        )
    )
    client.force_login(alice)

    report = client.get(reverse("imports:errors", args=[batch.pk]))
    assert report.status_code == 200
    assert "spreadsheet formula" in report.content.decode()
    download = client.get(reverse("imports:errors_csv", args=[batch.pk]))
    body = b"".join(download.streaming_content).decode()  # type: ignore[attr-defined]
    assert download["Content-Type"].startswith("text/csv")
    assert "'-1+1" in body and ",-1+1" not in body
    # The rows of the file carry names and birth dates: each read of them is audited.
    client.get(reverse("imports:detail", args=[batch.pk]))
    reads = AuditEvent.objects.filter(
        entity_id=str(batch.pk), actor=alice, channel=AuditChannel.WEB
    ).values_list("action", "summary")
    assert sorted(reads) == [
        (AuditAction.EXPORT, "rejected rows (CSV)"),
        (AuditAction.VIEW, "rejected rows: 1 shown"),
        (AuditAction.VIEW, "rejected rows: 1 shown"),
    ]


def test_the_mapping_preview_is_audited(
    client: Client, alice: User, upload: Callable[..., ImportBatch]
) -> None:
    batch = upload(csv_text(*GOOD_ROWS))
    client.force_login(alice)

    assert client.get(reverse("imports:mapping", args=[batch.pk])).status_code == 200

    event = AuditEvent.objects.get(entity_id=str(batch.pk), action=AuditAction.VIEW)
    assert event.summary == "preview: 3 shown" and event.actor == alice


def test_omar_cannot_see_alices_imports(
    client: Client,
    omar: User,
    alice: User,
    run_import: Callable[..., ImportBatch],
    make_user: Callable[..., User],
    origin_org: Any,
) -> None:
    batch = run_import(csv_text(*GOOD_ROWS))
    boss = make_user("olga", Role.ADMINISTRATOR, origin_org)

    client.force_login(omar)
    assert client.get(reverse("imports:detail", args=[batch.pk])).status_code == 403
    client.force_login(boss)
    for name in (
        "imports:detail",
        "imports:status",
        "imports:errors",
        "imports:errors_csv",
        "imports:mapping",
    ):
        assert client.get(reverse(name, args=[batch.pk])).status_code == 403, name
    assert batch.file_name not in client.get(reverse("imports:list")).content.decode()


def test_carla_the_caseworker_cannot_upload(client: Client, carla: User) -> None:
    client.force_login(carla)
    upload = SimpleUploadedFile("returns.csv", csv_text(*GOOD_ROWS).encode())

    response = client.post(
        reverse("imports:upload"),
        {
            "file": upload,
            "source_name": "x",
            "mode": "valid_rows",
        },
    )

    assert response.status_code == 403
    assert not ImportBatch.objects.exists()
