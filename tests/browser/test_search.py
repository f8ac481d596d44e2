"""Finding people and returns, in Spanish: the people list, the return filters, the timeline.

The interface texts are being translated in parallel, so the assertions rest on
the lang attribute, the data shown, and what Django and pycountry translate
themselves: date formats and country names.
"""

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from retorno.accounts.models import Organisation
from retorno.registry.models import MigrationEpisode, Person, ReturnEvent
from retorno.registry.tests.factories import make_person, make_return


@pytest.fixture
def registry(host_org: Organisation) -> dict[str, Any]:
    mohamed = make_person(
        host_org,
        given_name="Mohamed",
        family_name="Benali",
        sex="male",
        date_of_birth=datetime.date(1987, 5, 9),
        nationalities=["MA"],
    )
    fatima = make_person(
        host_org,
        given_name="Fatima",
        family_name="Benali",
        sex="female",
        date_of_birth=datetime.date(1990, 7, 1),
        nationalities=["MA"],
    )
    moussa = make_person(
        host_org,
        given_name="Moussa",
        family_name="Diallo",
        sex="male",
        date_of_birth=datetime.date(1979, 1, 20),
        nationalities=["SN"],
    )
    amina = make_person(host_org, given_name="Amina", family_name="Kamara")
    MigrationEpisode.objects.create(
        person=mohamed,
        host_country="ES",
        started_on=datetime.date(2015, 6, 1),
        ended_on=datetime.date(2024, 2, 28),
        status_abroad="regular_worker",
    )
    return {
        "mohamed": mohamed,
        "fatima": fatima,
        "moussa": moussa,
        "amina": amina,
        "mohamed_return": make_return(
            mohamed,
            from_country="ES",
            to_country="MA",
            voluntariness="assisted",
            return_date=datetime.date(2024, 3, 1),
            settlement_area="MA-04",
        ),
        "fatima_return": make_return(
            fatima, from_country="FR", to_country="MA", return_date=datetime.date(2024, 5, 2)
        ),
        "moussa_return": make_return(
            moussa,
            from_country="FR",
            to_country="SN",
            voluntariness="assisted",
            return_date=datetime.date(2023, 11, 15),
        ),
        "amina_return": make_return(
            amina, voluntariness="forced", return_date=datetime.date(2022, 8, 30)
        ),
    }


def _rows(page: Page) -> Any:
    return page.locator("table tbody tr")


def test_search_in_spanish(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Callable[[Page, str, str], None],
    carla: User,
    registry: dict[str, Any],
    shot: Callable[[Page, str], Path],
    shoot_languages: Callable[..., list[Path]],
) -> None:
    mohamed: Person = registry["mohamed"]
    event: ReturnEvent = registry["mohamed_return"]
    page = new_page("es")
    login(page, "carla", PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("#language-select option:checked")).to_have_text("Español")

    # People: the search box has the focus; a search for the family name finds both Benalis.
    page.goto(f"{live_server.url}/registry/people/")
    expect(_rows(page)).to_have_count(4)
    search = page.locator("#f-q")
    expect(search).to_be_focused()
    search.fill("benali")
    search.press("Enter")
    page.wait_for_url("**/registry/people/?q=benali*")
    expect(_rows(page)).to_have_count(2)
    expect(_rows(page).nth(0)).to_contain_text("BENALI Fatima")
    expect(_rows(page).nth(1)).to_contain_text("BENALI Mohamed")
    expect(_rows(page).nth(1)).to_contain_text("09/05/1987")  # Spanish short date
    expect(_rows(page).nth(1)).to_contain_text("Marruecos")  # nationality, named in Spanish
    expect(page.locator("table")).not_to_contain_text("Diallo")
    # Then narrowed by sex.
    page.select_option("#f-sex", "male")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url("**sex=male*")
    expect(_rows(page)).to_have_count(1)
    expect(_rows(page).first).to_contain_text("Mohamed")
    shoot_languages(page, "person-list", ("en", "fr", "es"))
    expect(search).to_have_value("benali")  # the search survives the language switches

    # Returns: filter by voluntariness, sex and country of return.
    page.goto(f"{live_server.url}/registry/returns/")
    expect(_rows(page)).to_have_count(4)
    page.select_option("#f-vol", "assisted")
    page.select_option("#f-sex", "male")
    page.select_option("#f-to", label="Marruecos")  # the country list is in Spanish
    page.get_by_role("search").locator("button[type=submit]").click()
    page.wait_for_url("**voluntariness=assisted*")
    assert "to_country=MA" in page.url and "sex=male" in page.url
    expect(_rows(page)).to_have_count(1)
    row = _rows(page).first
    expect(row).to_contain_text("BENALI Mohamed")
    expect(row).to_contain_text("01/03/2024")
    expect(row).to_contain_text("España")
    expect(row.locator(".badge.assisted")).to_be_visible()
    # With a country chosen, the region filter becomes a list of its regions, in Spanish order.
    expect(page.locator("select#f-region option[value='MA-04']")).to_be_attached()
    expect(page.locator("#f-vol")).to_have_value("assisted")
    shoot_languages(page, "return-list", ("en", "fr", "es"))
    expect(_rows(page)).to_have_count(1)

    # The return's page, then the person's, with the timeline.
    row.locator(f"a[href='/registry/returns/{event.pk}/']").click()
    page.wait_for_url(f"**/registry/returns/{event.pk}/")
    expect(page.locator("h1")).to_contain_text("Mohamed Benali")
    expect(page.locator("h1")).to_contain_text("1 de marzo de 2024")  # Django's Spanish DATE_FORMAT
    facts = page.locator("dl.facts").first
    expect(facts).to_contain_text("España")
    expect(facts).to_contain_text("Marruecos")
    expect(facts).to_contain_text("Rabat")  # MA-04, the settlement region
    shoot_languages(page, "return-detail", ("en", "fr", "es"))

    page.locator(
        f"main .actions a[href='/registry/people/{mohamed.pk}/']"
    ).click()  # back to the person
    page.wait_for_url(f"**/registry/people/{mohamed.pk}/")
    expect(page.locator("h1")).to_have_text("Mohamed BENALI")
    timeline = page.locator("ol.timeline > li")
    expect(timeline).to_have_count(2)  # the return and the period abroad, newest first
    expect(timeline.nth(0).locator("time")).to_have_attribute("datetime", "2024-03-01")
    expect(timeline.nth(0)).to_contain_text("01/03/2024")
    expect(timeline.nth(0)).to_contain_text("España")
    expect(timeline.nth(1).locator("time")).to_have_attribute("datetime", "2015-06-01")
    expect(timeline.nth(1)).to_contain_text("España")
    shoot_languages(page, "person-detail", ("en", "fr", "es"))
    expect(timeline).to_have_count(2)
    # Birth date in the long format of the language last chosen (Spanish).
    expect(page.locator("dl.facts")).to_contain_text("9 de mayo de 1987")


def test_search_screens_on_a_phone(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Callable[[Page, str, str], None],
    carla: User,
    registry: dict[str, Any],
    shoot_languages: Callable[..., list[Path]],
) -> None:
    mohamed: Person = registry["mohamed"]
    page = new_page("es", phone=True)
    login(page, "carla", PASSWORD)
    page.goto(f"{live_server.url}/registry/returns/?voluntariness=assisted")
    expect(_rows(page)).to_have_count(2)
    # Narrow columns are hidden on a phone; the table must not widen the page.
    expect(page.locator("table th.hide-small").first).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot_languages(page, "return-list-phone", ("en", "fr", "es"))
    page.goto(f"{live_server.url}/registry/people/{mohamed.pk}/")
    expect(page.locator("ol.timeline > li")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot_languages(page, "person-detail-phone", ("en", "fr", "es"))
