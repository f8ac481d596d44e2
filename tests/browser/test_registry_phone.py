"""The registry's screens (people, returns, imports, statistics, audit, accounts) on a phone.

Each screen, in each language, must fit a 390 px wide phone without sideways
scrolling (tables may scroll inside their own box), answer 200, and be
photographed for a person to look at.
"""

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from retorno.accounts.models import Organisation
from retorno.core.audit import Actor
from retorno.imports.services import (
    import_batch_create,
    import_batch_run,
    import_batch_set_mapping,
)
from retorno.registry.models import Household, MigrationEpisode
from retorno.registry.tests.factories import make_person, make_return

from .conftest import FIND_OVERFLOW, LANGUAGES, PHONE, SCREENSHOTS

FILE = (
    "person_ref,given_name,family_name,sex,date_of_birth,from_country,to_country,"
    "return_date,mode,permanence,voluntariness\n"
    "BRU-1,Amina,El Amrani,female,1990-04-02,BE,MA,2024-03-01,physical,permanent,assisted\n"
    "BRU-2,Maximiliano Alejandro,Fernández de la Concepción,male,1985-07-12,ES,CO,"
    "2024-02-31,physical,permanent,spontaneous\n"
    "BRU-3,Nadia,Haddad,female,1992-01-01,BE,Atlantis,2024-02-01,physical,permanent,assisted\n"
)


@pytest.fixture
def screens(settings: Any, tmp_path: Path, alice: User, host_org: Organisation) -> dict[str, str]:
    """Build a person with everything a record can hold, and two imports; return the paths."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    household = Household.objects.create(organisation=host_org, reference="HH-0042")
    person = make_person(
        host_org,
        given_name="Maximiliano Alejandro",
        family_name="Fernández de la Concepción Villanueva",
        name_original_script="Максимилиан",
        aliases=["Max Fernandez", "Maximilien Fernandes"],
        nationalities=["CO", "ES"],
        household=household,
    )
    MigrationEpisode.objects.create(
        person=person,
        host_country="ES",
        started_on=datetime.date(2012, 5, 1),
        ended_on=datetime.date(2024, 1, 10),
        status_abroad="regular_worker",
    )
    event = make_return(
        person,
        from_country="ES",
        to_country="CO",
        return_date=datetime.date(2024, 1, 15),
        reasons=["family", "end_of_contract", "opportunity_at_home"],
        settlement_area="CO-ANT",
        settlement_locality="Medellín, comuna 13 (San Javier), barrio Las Independencias",
    )
    actor = Actor(user=alice)

    def upload(name: str) -> Any:
        return import_batch_create(
            actor=actor,
            organisation_id=host_org.pk,
            uploaded_file=SimpleUploadedFile(name, FILE.encode()),
            source_name="Consulado de Colombia en Madrid, registro de retornos 2024",
        )

    done = upload("registro_de_retornos_consulado_madrid_2024_enero_a_diciembre.csv")
    import_batch_set_mapping(actor=actor, batch_id=done.pk, mapping=done.mapping)
    import_batch_run(batch_id=done.pk)
    waiting = upload("returns.csv")
    p = person.pk
    return {
        "home": "/",
        "arrival": "/registry/arrival/",
        "people": "/registry/people/",
        "person": f"/registry/people/{p}/",
        "person-new": "/registry/people/new/",
        "person-edit": f"/registry/people/{p}/edit/",
        "person-erase": f"/registry/people/{p}/erase/",
        "episode-new": f"/registry/people/{p}/episodes/new/",
        "return-new": f"/registry/people/{p}/returns/new/",
        "return-edit": f"/registry/people/{p}/returns/{event.pk}/edit/",
        "consent-new": f"/registry/people/{p}/consents/new/",
        "document-new": f"/registry/people/{p}/document/new/",
        "contact-new": f"/registry/people/{p}/contact/new/",
        "household-new": "/registry/households/new/",
        "household": f"/registry/households/{household.pk}/",
        "returns": "/registry/returns/",
        "return": f"/registry/returns/{event.pk}/",
        "imports": "/imports/",
        "import-upload": "/imports/new/",
        "import-mapping": f"/imports/{waiting.pk}/mapping/",
        "import": f"/imports/{done.pk}/",
        "import-rejected": f"/imports/{done.pk}/rejected/",
        "statistics": "/statistics/",
        "audit": "/audit/",
        "organisations": "/accounts/organisations/",
        "definitions": "/definitions/",
        "tokens": "/accounts/tokens/",
    }


def test_registry_screens_fit_a_phone_in_every_language(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Callable[[Page, str, str], None],
    screens: dict[str, str],
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = new_page("en", phone=True)
    failures: list[str] = []
    overflows: list[str] = []
    page.on("pageerror", lambda error: failures.append(f"script error: {error}"))
    login(page, "alice", PASSWORD)
    for language in LANGUAGES:
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for name, path in screens.items():
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None
            if response.status != 200:
                failures.append(f"{name} ({language}): HTTP {response.status}")
                continue
            expect(page.locator("html")).to_have_attribute("lang", language)
            if name.startswith("import") and language != "en":
                # Rejected rows are worded in the reader's language, not the worker's.
                assert "not a date" not in page.locator("main").inner_text(), (name, language)
            found = page.evaluate(FIND_OVERFLOW)
            if found["scrollWidth"] > found["innerWidth"] + 1:
                overflows.append(
                    f"{name} ({language}): {found['scrollWidth']}px wide; "
                    + "; ".join(found["culprits"])
                )
            page.screenshot(path=SCREENSHOTS / f"phone-{name}-{language}.png", full_page=True)
    # The login page, signed out.
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    found = page.evaluate(FIND_OVERFLOW)
    if found["scrollWidth"] > found["innerWidth"] + 1:
        overflows.append(f"login: {found['scrollWidth']}px wide; " + "; ".join(found["culprits"]))

    assert failures == [], "\n".join(failures)
    assert overflows == [], "sideways scrolling on a phone:\n" + "\n".join(overflows)
