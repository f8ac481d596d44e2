"""Imports through the API: upload, mapping, progress, rejected rows, and who may do what."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from retorno.accounts.models import Organisation
from retorno.accounts.roles import ROLE_PERMISSIONS, Perm, Role
from retorno.api.tests.conftest import API, ApiClient
from retorno.core.models import AuditAction, AuditChannel, AuditEvent
from retorno.imports.models import ImportBatch
from retorno.imports.services import import_batch_run
from retorno.imports.tests.conftest import GOOD_ROWS, csv_text
from retorno.registry.models import ReturnEvent

pytestmark = pytest.mark.django_db

BAD_ROW = "BRU-4,Ana,López,female,1992-01-01,ES,CO,2024-13-01,physical,permanent,assisted,,,,"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def olivia(make_user: Callable[..., User], origin_org: Organisation) -> User:
    """An administrator of the other organisation, who may import there."""
    return make_user("olivia", Role.ADMINISTRATOR, origin_org)


def upload(api: ApiClient, content: str, **fields: Any) -> Any:
    data = {"source_name": "Brussels export", **fields}
    data["file"] = SimpleUploadedFile("returns.csv", content.encode())
    return api.client.post(f"{API}/imports", data)


def test_upload_map_run_and_read_the_report(
    alice: User, client_for: Callable[..., ApiClient]
) -> None:
    api = client_for(alice)

    uploaded = upload(api, csv_text(*GOOD_ROWS, BAD_ROW))
    assert uploaded.status_code == 201, uploaded.content
    body = uploaded.json()
    assert body["status"] == "uploaded" and body["rows_in_file"] == 4
    assert body["headers"][0] == "person_ref" and body["mapping"]["given_name"] == 1
    assert ReturnEvent.objects.count() == 0  # nothing imported before the mapping

    started = api.client.put(
        f"{API}/imports/{body['id']}/mapping",
        {"mapping": body["mapping"]},
        content_type="application/json",
    )
    assert started.status_code == 202, started.content
    assert started.json()["status"] == "queued"
    import_batch_run(batch_id=body["id"])  # what the background worker does

    done = api.get(f"/imports/{body['id']}").json()
    assert done["finished"] and done["status"] == "done"
    assert (done["rows_imported"], done["rows_rejected"]) == (3, 1)
    assert [i["id"] for i in api.get("/imports").json()["items"]] == [body["id"]]

    rejected = api.get(f"/imports/{body['id']}/rejected", language="es").json()
    assert rejected["count"] == 1
    row = rejected["items"][0]
    assert (row["row"], row["column"], row["value"]) == (5, "return_date", "2024-13-01")
    assert row["problem"].startswith("no es una fecha") and "return_date" in row["message"]
    report = api.client.get(f"{API}/imports/{body['id']}/rejected.csv")
    assert report.status_code == 200
    assert "2024-13-01" in b"".join(report.streaming_content).decode()  # type: ignore[attr-defined]
    # Reading rows of the file (names, birth dates) is audited, through the API.
    reads = AuditEvent.objects.filter(
        entity_id=str(body["id"]), channel=AuditChannel.API, actor=alice
    ).values_list("action", flat=True)
    assert sorted(reads) == sorted([AuditAction.VIEW, AuditAction.EXPORT])


def test_bad_files_and_mappings_get_translated_422s(
    alice: User, client_for: Callable[..., ApiClient]
) -> None:
    api = client_for(alice, **{"Accept-Language": "fr"})

    latin1 = api.client.post(
        f"{API}/imports",
        {
            "source_name": "Export",
            "file": SimpleUploadedFile(
                "r.csv", csv_text(*GOOD_ROWS).encode() + "Zoé".encode("latin-1")
            ),
        },
    )
    assert latin1.status_code == 422
    message = latin1.json()["errors"]["file"][0]
    assert "UTF-8" in message and "ligne 5" in message.lower(), message
    nameless = upload(api, csv_text(*GOOD_ROWS), source_name="  ")
    assert nameless.status_code == 422
    assert not ImportBatch.objects.exists()

    body = upload(api, csv_text(*GOOD_ROWS)).json()
    mapping = {k: v for k, v in body["mapping"].items() if k != "return_date"}
    refused = api.client.put(
        f"{API}/imports/{body['id']}/mapping", {"mapping": mapping}, content_type="application/json"
    )
    assert refused.status_code == 422
    assert "return_date" in refused.json()["errors"]["mapping"][0]
    assert ImportBatch.objects.get().status == "uploaded"


def test_bad_mode_is_refused(alice: User, client_for: Callable[..., ApiClient]) -> None:
    response = upload(client_for(alice), csv_text(*GOOD_ROWS), mode="whenever")
    assert response.status_code == 422
    assert "mode" in response.json()["errors"]


@pytest.mark.parametrize("role", [str(role) for role in Role])
def test_who_may_import(
    role: str,
    users: dict[str, User],
    alice: User,
    olivia: User,
    client_for: Callable[..., ApiClient],
) -> None:
    theirs = upload(client_for(olivia), csv_text(*GOOD_ROWS)).json()  # another organisation's
    ours = upload(client_for(alice), csv_text(*GOOD_ROWS)).json()
    api = client_for(users[role])
    may = Perm.IMPORT_RETURNS in ROLE_PERMISSIONS[role]

    assert upload(api, csv_text(*GOOD_ROWS)).status_code == (201 if may else 403)
    listed = api.get("/imports")
    assert listed.status_code == (200 if may else 403)
    if may:
        assert ours["id"] in {i["id"] for i in listed.json()["items"]}
        assert theirs["id"] not in {i["id"] for i in listed.json()["items"]}
    assert api.get(f"/imports/{ours['id']}").status_code == (200 if may else 404)
    assert api.get(f"/imports/{ours['id']}/rejected").status_code == (200 if may else 404)
    assert api.get(f"/imports/{theirs['id']}").status_code == 404
    assert api.get(f"/imports/{theirs['id']}/rejected.csv").status_code == 404
    started = api.client.put(
        f"{API}/imports/{theirs['id']}/mapping",
        {"mapping": theirs["mapping"]},
        content_type="application/json",
    )
    assert started.status_code == 404


def test_an_import_goes_to_the_importers_own_organisation(
    olivia: User, origin_org: Organisation, client_for: Callable[..., ApiClient]
) -> None:
    response = upload(client_for(olivia), csv_text(*GOOD_ROWS))
    assert response.status_code == 201
    assert response.json()["organisation"] == origin_org.pk


def test_imports_are_in_the_openapi_schema(client: Any) -> None:
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert {
        "/api/v1/imports",
        "/api/v1/imports/{batch_id}",
        "/api/v1/imports/{batch_id}/mapping",
        "/api/v1/imports/{batch_id}/rejected",
        "/api/v1/imports/{batch_id}/rejected.csv",
    } <= set(paths)
