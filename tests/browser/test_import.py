"""Importing a file of returns in a browser: upload, mapping, progress, rejection report."""

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import FilePayload, Page, expect

from conftest import PASSWORD
from retorno.imports.models import ImportBatch
from retorno.registry.models import Person, ReturnEvent

HEADER = (
    "Référence,Prénom,Nom,Sexe,Date de naissance,"
    "from_country,to_country,return_date,mode,permanence,voluntariness"
)
ROWS = [
    "BRU-1,Amina,El Amrani,female,1990-04-02,BE,MA,2024-03-01,physical,permanent,assisted",
    "BRU-2,Ion,Popescu,male,1985-07-12,BE,MD,2024-01-15,physical,temporary,spontaneous",
    "BRU-3,Kwame,Mensah,male,,FR,GH,2023-11-20,virtual,circular,forced",
    "BRU-4,Nadia,Haddad,female,1992-01-01,BE,Atlantis,2024-02-01,physical,permanent,assisted",
    "BRU-5,Luis,Pérez,male,1980-05-05,ES,CO,2024-02-31,physical,permanent,spontaneous",
    'BRU-6,"=HYPERLINK(""http://evil.example/"",""click"")",Smith,male,1970-01-01,BE,GH,2024-01-02,'
    "physical,permanent,forced",
]


@pytest.fixture(autouse=True)
def immediate_tasks(settings: Any, tmp_path: Path) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"


def test_import_with_rejected_rows(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Callable[[Page, str, str], None],
    alice: User,
    shoot_languages: Callable[..., list[Path]],
    tmp_path: Path,
) -> None:
    page = new_page("en")
    login(page, "alice", PASSWORD)
    page.click("nav.main a[href='/imports/']")
    page.click("main a[href='/imports/new/']")
    shoot_languages(page, "import-upload", ("fr", "es", "en"))
    content = ("\n".join([HEADER, *ROWS]) + "\n").encode()
    payload: FilePayload = {"name": "returns.csv", "mimeType": "text/csv", "buffer": content}
    page.set_input_files("#id_file", files=[payload])
    page.fill("#id_source_name", "Brussels export")
    expect(page.locator("input[name=mode][value=valid_rows]")).to_be_checked()
    page.locator("main form button[type=submit]").click()

    # Mapping: French column names are recognised; the preview shows the first rows.
    batch = ImportBatch.objects.get()
    page.wait_for_url(f"**/imports/{batch.pk}/mapping/")
    expect(page.locator("#id_given_name")).to_have_value("1")
    expect(page.locator("#id_date_of_birth")).to_have_value("4")
    expect(page.locator("#id_voluntariness")).to_have_value("10")
    expect(page.locator("table")).to_contain_text("Amina")
    shoot_languages(page, "import-mapping", ("fr", "es", "en"))
    page.locator("main form button[type=submit]").click()

    # Progress, until finished: 3 imported, 3 rejected.
    page.wait_for_url(f"**/imports/{batch.pk}/")
    progress = page.locator("#import-progress")
    expect(progress).to_have_attribute("data-finished", "true", timeout=20_000)
    expect(progress.locator("[data-field=rows_imported]")).to_have_text("3")
    expect(progress.locator("[data-field=rows_rejected]")).to_have_text("3")
    expect(progress.locator("[data-field=people_created]")).to_have_text("3")
    assert ReturnEvent.objects.count() == 3
    assert not Person.objects.filter(given_name__contains="HYPERLINK").exists()
    shoot_languages(page, "import-detail", ("fr", "es", "en"))

    # The per-row report.
    page.click(f"main a[href='/imports/{batch.pk}/rejected/']")
    rows = page.locator("tbody tr")
    expect(rows.first).to_be_visible()
    report = {row[0]: row for row in (r.locator("td").all_inner_texts() for r in rows.all())}
    assert {"5", "6", "7"} <= set(report), report  # file lines of BRU-4, BRU-5, BRU-6
    assert "Atlantis" in report["5"][2]
    assert "2024-02-31" in report["6"][2]
    assert "HYPERLINK" in report["7"][2] and "formula" in report["7"][3]
    shoot_languages(page, "import-errors", ("fr", "es", "en"))

    # The rejected rows as CSV, with formulas neutralised.
    with page.expect_download() as info:
        page.click(f"main a[href='/imports/{batch.pk}/rejected.csv']")
    path = tmp_path / "rejected.csv"
    info.value.save_as(path)
    lines = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
    assert [line[0] for line in lines[1:]] == ["5", "6", "7"]
    assert lines[0][2:] == HEADER.split(",")
    formula_row = lines[3]
    assert formula_row[3].startswith("'=HYPERLINK")
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line)
