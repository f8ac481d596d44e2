"""The arrival desk in a browser: a reception officer registers an arrival quickly, by keyboard.

The issue asks for "an arrival in under two minutes: fast and keyboard-friendly";
these tests time the officer's part of the work and use the keyboard to pick the
person among the candidates.
"""

import datetime
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from retorno.accounts.models import Organisation
from retorno.registry.models import Person, ReturnEvent
from retorno.registry.tests.factories import make_person

from .conftest import LANGUAGES, switch_language

#: Generous: the page does it in a second or two; the issue allows two minutes.
OFFICER_SECONDS = 30


@pytest.fixture
def known(host_org: Organisation) -> list[Person]:
    return [
        make_person(
            host_org,
            given_name="Mohamed",
            family_name="Benali",
            sex="male",
            date_of_birth=datetime.date(1987, 5, 9),
        ),
        make_person(
            host_org,
            given_name="Fatima",
            family_name="Benali",
            sex="female",
            date_of_birth=datetime.date(1990, 7, 1),
        ),
        make_person(
            host_org, given_name="Moussa", family_name="Diallo", sex="male", date_of_birth=None
        ),
    ]


def _type_who(page: Page, name: str, date_of_birth: str) -> None:
    """Type the name key by key (the look-up runs as the officer types), then the birth date."""
    name_input = page.locator("#id_name")
    expect(name_input).to_be_focused()  # autofocus: the officer can type straight away
    page.keyboard.type(name)
    page.fill("#id_date_of_birth", date_of_birth)


def _tab_to_candidates(page: Page) -> None:
    """Press Tab until the focus reaches the radio buttons of the candidate list."""
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.name") == "person":
            return
    raise AssertionError("Tab never reached the candidate list")


def _fill_the_return(page: Page) -> None:
    """Fill the facts of the return; the desk's country (Morocco) is already chosen."""
    expect(page.locator("#id_to_country")).to_have_value("MA")
    page.select_option("#id_from_country", "ES")
    # Typed, not pre-filled: in French and Spanish the pre-filled date is lost (see
    # test_date_inputs_keep_their_value in test_screens.py).
    page.fill("#id_return_date", datetime.date.today().isoformat())
    page.check("input[name=voluntariness][value=assisted]")
    page.check("input[name=permanence][value=permanent]")
    page.check("input[name=reasons][value=family]")
    page.select_option("#id_intended_stay", "for_good")
    # The script turns the settlement-area text box into the country's regions.
    region = page.locator("select#id_settlement_area")
    expect(region.locator("option[value='MA-04']")).to_be_attached()
    region.select_option("MA-04")


def test_reception_officer_registers_a_known_person_in_french(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Callable[[Page, str, str], None],
    rita: User,
    known: list[Person],
    shot: Callable[[Page, str], Path],
) -> None:
    mohamed = known[0]
    page = new_page("fr")
    login(page, "rita", PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#language-select option:checked")).to_have_text("Français")

    page.goto(f"{live_server.url}/registry/arrival/")
    started = time.monotonic()
    _type_who(page, "Muhammad Ben Ali", "1987-05-09")

    # The misspelt name still finds Mohamed Benali, first, with his birth date.
    choice = page.locator(f"#person-{mohamed.pk}")
    expect(choice).to_be_visible()
    first = page.locator("#candidates .candidates li").first
    expect(first).to_contain_text("Mohamed")
    expect(first).to_contain_text("09/05/1987")  # Django's French short date format
    expect(page.locator("#person-new")).to_be_checked()
    expect(page.locator("#new-person-fields")).to_be_visible()

    # Keyboard only: Tab into the list (it lands on "new person"), arrows up to Mohamed.
    _tab_to_candidates(page)
    for _ in range(page.locator("#candidates input[name=person]").count()):
        if choice.is_checked():
            break
        page.keyboard.press("ArrowUp")
    expect(choice).to_be_checked()
    expect(choice).to_be_focused()
    page.keyboard.press("Space")  # a space on a checked radio keeps it checked
    expect(choice).to_be_checked()
    # Sex and other new-person fields are hidden once a known person is chosen.
    expect(page.locator("#new-person-fields")).to_be_hidden()
    expect(page.locator(f"#candidates li:has(#person-{mohamed.pk})")).to_have_class("selected")

    _fill_the_return(page)
    shot(page, "arrival-filled-fr")
    page.click("#register-button")
    message = page.locator(".messages li.success")
    expect(message).to_be_visible()
    expect(message).to_contain_text("Mohamed Benali")
    elapsed = time.monotonic() - started
    print(f"\narrival of a known person, officer's part: {elapsed:.2f} s")
    assert elapsed < OFFICER_SECONDS

    # The form is empty again for the next arrival, with a link to the record just made.
    expect(page.locator("#id_name")).to_have_value("")
    expect(page.locator(f"a[href='/registry/people/{mohamed.pk}/']")).to_be_visible()
    event = ReturnEvent.objects.get()
    assert event.person_id == mohamed.pk
    assert (event.from_country, event.to_country, event.settlement_area) == ("ES", "MA", "MA-04")
    assert (event.voluntariness, event.permanence, event.mode) == (
        "assisted",
        "permanent",
        "physical",
    )
    assert event.reasons == ["family"] and event.intended_stay == "for_good"
    assert event.source == "border_record"
    assert event.office is not None and event.office.kind == "airport"
    assert Person.objects.count() == len(known)


def test_reception_officer_registers_a_new_person_in_french(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Callable[[Page, str, str], None],
    rita: User,
    known: list[Person],
) -> None:
    page = new_page("fr")
    login(page, "rita", PASSWORD)
    page.goto(f"{live_server.url}/registry/arrival/")
    started = time.monotonic()
    _type_who(page, "Zineb Alaoui", "1995-02-14")
    new = page.locator("#person-new")
    expect(new).to_be_visible()  # the list came back: nobody alike, only "new person"
    expect(page.locator("#candidates .candidates li")).to_have_count(1)
    _tab_to_candidates(page)
    expect(new).to_be_focused()
    page.keyboard.press("Space")
    expect(new).to_be_checked()
    expect(page.locator("#new-person-fields")).to_be_visible()
    page.check("input[name=sex][value=female]")
    _fill_the_return(page)
    page.click("#register-button")
    expect(page.locator(".messages li.success")).to_contain_text("Zineb Alaoui")
    elapsed = time.monotonic() - started
    print(f"\narrival of a new person, officer's part: {elapsed:.2f} s")
    assert elapsed < OFFICER_SECONDS

    person = Person.objects.get(family_name="Alaoui")
    assert (person.given_name, person.sex, person.date_of_birth) == (
        "Zineb",
        "female",
        datetime.date(1995, 2, 14),
    )
    assert person.nationalities == ["MA"]
    assert person.office is not None and person.office.kind == "airport"
    event = person.returns.get()
    assert event.settlement_area == "MA-04" and event.voluntariness == "assisted"
    assert Person.objects.count() == len(known) + 1


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_arrival_desk_screenshots(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Callable[[Page, str, str], None],
    rita: User,
    known: list[Person],
    shot: Callable[[Page, str], Path],
    phone: bool,
) -> None:
    page = new_page("en", phone=phone)
    login(page, "rita", PASSWORD)
    # The no-script search (GET) shows the same candidates; it survives a language switch.
    page.goto(f"{live_server.url}/registry/arrival/?name=Muhammad+Ben+Ali&date_of_birth=1987-05-09")
    name = "arrival-phone" if phone else "arrival"
    for language in LANGUAGES:
        switch_language(page, language)
        expect(page.locator(f"#person-{known[0].pk}")).to_be_visible()
        expect(page.locator("#id_name")).to_have_value("Muhammad Ben Ali")
        # Country names follow the language (pycountry's translations).
        morocco = {"en": "Morocco", "fr": "Maroc", "es": "Marruecos"}[language]
        expect(page.locator("#id_to_country option:checked")).to_have_text(morocco)
        expect(page.locator("select#id_settlement_area")).to_be_attached()
        if phone:
            # Nothing may force the phone to scroll sideways.
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"arrival page is {width}px wide on a phone in {language}"
        shot(page, f"{name}-{language}")
