"""Helpers for import tests: build files in memory and run them through the services."""

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from retorno.accounts.models import Organisation
from retorno.core.audit import Actor
from retorno.imports.models import ImportBatch
from retorno.imports.services import (
    import_batch_create,
    import_batch_run,
    import_batch_set_mapping,
)

HEADER = (
    "person_ref,given_name,family_name,sex,date_of_birth,from_country,to_country,return_date,"
    "mode,permanence,voluntariness,reasons,intended_stay,settlement_area,assets_bracket"
)
GOOD_ROWS = [
    "BRU-1,Amina,El Amrani,female,1990-04-02,BE,MA,2024-03-01,physical,permanent,assisted,"
    "family|health,for_good,MA-04,under_1k",
    "BRU-2,Ion,Popescu,M,12/07/1985,BEL,MDA,15/01/2024,physical,temporary,spontaneous,"
    "end_of_contract,1_to_5_years,,none",
    "BRU-3,Kwame,Mensah,male,,France,Ghana,2023-11-20,virtual,circular,forced,,undecided,,",
]


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return settings.MEDIA_ROOT


@pytest.fixture
def upload(alice: User, host_org: Organisation) -> Callable[..., ImportBatch]:
    """Upload content as alice, for the host organisation."""

    def make(
        content: str | bytes,
        *,
        name: str = "returns.csv",
        mode: str = "valid_rows",
        encoding: str = "",
        source: str = "Brussels export",
        user: User | None = None,
    ) -> ImportBatch:
        data = content.encode("utf-8") if isinstance(content, str) else content
        return import_batch_create(
            actor=Actor(user=user or alice),
            organisation_id=host_org.pk,
            uploaded_file=SimpleUploadedFile(name, data),
            source_name=source,
            mode=mode,
            encoding=encoding,
        )

    return make


@pytest.fixture
def run_import(upload: Callable[..., ImportBatch], alice: User) -> Callable[..., ImportBatch]:
    """Upload, accept the suggested mapping and run the import; return the finished batch."""

    def run(content: str | bytes, **kwargs: Any) -> ImportBatch:
        batch = upload(content, **kwargs)
        import_batch_set_mapping(actor=Actor(user=alice), batch_id=batch.pk, mapping=batch.mapping)
        return import_batch_run(batch_id=batch.pk)

    return run


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
