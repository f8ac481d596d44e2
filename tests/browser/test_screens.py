"""Every other screen, in English, French and Spanish, each with a screenshot and a check.

Interface texts are translated in parallel; assertions rest on links, values,
data, the lang attribute, and what Django and pycountry translate themselves.
"""

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from retorno.accounts.models import ApiToken, Office, Organisation
from retorno.registry.models import Consent, Household, MigrationEpisode, Person, ReturnEvent
from retorno.registry.tests.factories import make_person, make_return

from .conftest import LANGUAGES, switch_language

Shoot = Callable[..., list[Path]]
Login = Callable[[Page, str, str], None]

MENU = {
    "arrival": "/registry/arrival/",
    "people": "/registry/people/",
    "returns": "/registry/returns/",
    "imports": "/imports/",
    "statistics": "/statistics/",
    "audit": "/audit/",
    "organisations": "/accounts/organisations/",
    "definitions": "/definitions/",
    "tokens": "/accounts/tokens/",
}
EVERYONE = {"organisations", "definitions", "tokens"}


def _logout(page: Page, live_server: Any) -> None:
    page.click("form.logout button")
    page.wait_for_url(f"{live_server.url}/accounts/login/")


def _menu(page: Page) -> set[str]:
    hrefs = set(
        page.locator("nav.main a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    )
    return {name for name, href in MENU.items() if href in hrefs}


def test_home_shows_each_role_only_its_menu(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Login,
    users: dict[str, User],
    rita: User,
    shoot_languages: Shoot,
) -> None:
    expected = {
        "stan": EVERYONE | {"statistics"},
        "parker": EVERYONE,
        "rita": EVERYONE | {"arrival", "people", "returns"},
        "mei": EVERYONE | {"people", "returns", "imports", "statistics"},
        "alice": EVERYONE | {"arrival", "people", "returns", "imports", "statistics", "audit"},
    }
    page = new_page("en")
    for username, menu in expected.items():
        login(page, username, PASSWORD)
        assert _menu(page) == menu, username
        # The home cards link only to what the role may open.
        cards = set(
            page.locator("main a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        )
        assert ("/statistics/" in cards) == ("statistics" in menu), username
        assert ("/registry/people/" in cards) == ("people" in menu), username
        if username == "stan":
            shoot_languages(page, "home-statistician", ("fr", "es", "en"))
            # Statisticians see figures, never individual records.
            assert page.goto(f"{live_server.url}/registry/people/").status == 403  # type: ignore[union-attr]
            assert page.goto(f"{live_server.url}/registry/returns/").status == 403  # type: ignore[union-attr]
            page.goto(f"{live_server.url}/")
        if username == "rita":
            expect(page.locator("main")).to_contain_text("Casablanca airport desk")
            shoot_languages(page, "home-reception", ("fr", "es", "en"))
        _logout(page, live_server)


def test_language_choice_persists_across_pages_and_login(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Login,
    alice: User,
) -> None:
    page = new_page("en")
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switch_language(page, "fr")  # before logging in
    assert page.url == f"{live_server.url}/accounts/login/"
    login(page, "alice", PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.click(f"nav.main a[href='{MENU['organisations']}']")
    page.wait_for_url(f"**{MENU['organisations']}")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#language-select option:checked")).to_have_text("Français")
    switch_language(page, "es")
    assert page.url.endswith(MENU["organisations"])  # the switch stays on the same page
    page.goto(f"{live_server.url}/definitions/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("django_language") == "es"


def test_person_return_episode_and_consent_forms(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Login,
    carla: User,
    shoot_languages: Shoot,
) -> None:
    page = new_page("fr")
    login(page, "carla", PASSWORD)

    # Register a person. An empty form gets Django's own (translated) error messages.
    page.goto(f"{live_server.url}/registry/people/new/")
    shoot_languages(page, "person-form", ("en", "es", "fr"))
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".field.has-error").first).to_be_visible()
    expect(page.locator(".field.has-error:has(#id_given_name) .errorlist")).to_have_text(
        "Ce champ est obligatoire."
    )
    page.fill("#id_given_name", "Aïcha")
    page.fill("#id_family_name", "Touré")
    page.check("input[name=sex][value=female]")
    page.fill("#id_date_of_birth", "1992-03-04")
    page.select_option("#id_birth_precision", "exact")
    page.select_option("#id_nationalities", ["ML"])
    page.fill("#id_languages", "fr, bm")
    page.select_option("#id_education_level", "isced3")
    page.select_option("#id_family_status", "single")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".messages li.success")).to_contain_text("Aïcha Touré")
    person = Person.objects.get(family_name="Touré")
    assert page.url.endswith(f"/registry/people/{person.pk}/")
    assert (person.date_of_birth, person.nationalities, person.languages) == (
        datetime.date(1992, 3, 4),
        ["ML"],
        ["fr", "bm"],
    )
    expect(page.locator("h1")).to_have_text("Aïcha TOURÉ")
    expect(page.locator("dl.facts")).to_contain_text("4 mars 1992")  # Django's French date format

    # The return form: mode, permanence and voluntariness as three radio groups with hints.
    page.click(f"a[href='/registry/people/{person.pk}/returns/new/']")
    for axis, count in (("mode", 2), ("permanence", 3), ("voluntariness", 3)):
        group = page.locator(f"fieldset:has(input[name={axis}])")
        expect(group.locator("legend")).to_be_visible()
        expect(group.locator("input[type=radio]")).to_have_count(count)
        hints = group.locator("ul.choices li .hint")
        expect(hints).to_have_count(count)
        for text in hints.all_inner_texts():
            assert len(text) > 20, f"{axis} hint too short: {text!r}"
    # The nationality is the preselected country of return; its regions load by script.
    expect(page.locator("#id_to_country")).to_have_value("ML")
    expect(page.locator("select#id_settlement_area option[value='ML-BKO']")).to_be_attached()
    shoot_languages(page, "return-form", ("en", "es", "fr"))
    page.select_option("#id_to_country", "SN")
    region = page.locator("select#id_settlement_area")
    expect(region.locator("option[value='SN-DK']")).to_be_attached()
    expect(region.locator("option[value='ML-BKO']")).to_have_count(0)
    page.select_option("#id_from_country", "FR")
    page.fill("#id_return_date", "2025-06-30")
    page.check("input[name=permanence][value=temporary]")
    page.check("input[name=voluntariness][value=spontaneous]")
    region.select_option("SN-DK")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".messages li.success")).to_be_visible()
    event = ReturnEvent.objects.get(person=person)
    assert (event.to_country, event.settlement_area, event.mode, event.permanence) == (
        "SN",
        "SN-DK",
        "physical",
        "temporary",
    )
    expect(page.locator("ol.timeline")).to_contain_text("Sénégal")

    # A period abroad.
    page.click(f"a[href='/registry/people/{person.pk}/episodes/new/']")
    shoot_languages(page, "episode-form", ("en", "es", "fr"))
    page.select_option("#id_host_country", "FR")
    page.fill("#id_started_on", "2016-09-01")
    page.fill("#id_ended_on", "2025-06-15")
    page.select_option("#id_status_abroad", "student")
    page.fill("#id_occupation", "23x")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".field.has-error:has(#id_occupation)")).to_contain_text("23x")
    page.fill("#id_occupation", "2310")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".messages li.success")).to_be_visible()
    episode = MigrationEpisode.objects.get(person=person)
    assert (episode.host_country, episode.occupation) == ("FR", "2310")
    expect(page.locator("ol.timeline time[datetime='2016-09-01']")).to_be_visible()

    # Consent.
    page.click(f"a[href='/registry/people/{person.pk}/consents/new/']")
    shoot_languages(page, "consent-form", ("en", "es", "fr"))
    expect(page.locator("fieldset:has(input[name=status]) input[type=radio]")).to_have_count(3)
    page.select_option("#id_purpose", "follow_up")
    page.check("input[name=status][value=given]")
    page.select_option("#id_channel", "oral")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".messages li.success")).to_be_visible()
    consent = Consent.objects.get(person=person)
    assert (consent.purpose, consent.status, consent.channel) == ("follow_up", "given", "oral")
    expect(page.locator("ol.timeline > li")).to_have_count(
        7
    )  # return, episode, consent + their 4 audited creations
    shoot_languages(page, "person-detail-full", ("en", "es", "fr"))


def test_date_inputs_keep_their_value_in_french(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Login,
    carla: User,
    host_org: Organisation,
) -> None:
    person = make_person(host_org, date_of_birth=datetime.date(1992, 3, 4))
    page = new_page("fr")
    login(page, "carla", PASSWORD)
    page.goto(f"{live_server.url}/registry/people/{person.pk}/returns/new/")
    expect(page.locator("#id_return_date")).to_have_value(
        datetime.date.today().isoformat(), timeout=1000
    )
    page.goto(f"{live_server.url}/registry/people/{person.pk}/edit/")
    expect(page.locator("#id_date_of_birth")).to_have_value("1992-03-04", timeout=1000)


def test_household_create_and_detail(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Login,
    carla: User,
    host_org: Organisation,
    shoot_languages: Shoot,
) -> None:
    page = new_page("es")
    login(page, "carla", PASSWORD)
    page.goto(f"{live_server.url}/registry/people/")
    page.click("a[href='/registry/households/new/']")
    shoot_languages(page, "household-form", ("en", "fr", "es"))
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".field.has-error .errorlist")).to_have_text("Este campo es obligatorio.")
    page.fill("#id_reference", "HH-2025-017")
    page.fill("#id_notes", "Returned together from Spain.")
    page.locator("main form button[type=submit]").click()
    household = Household.objects.get(reference="HH-2025-017")
    page.wait_for_url(f"**/registry/households/{household.pk}/")
    expect(page.locator("h1")).to_contain_text("HH-2025-017")
    expect(page.locator("tbody tr td[colspan]")).to_be_visible()  # no members yet
    make_person(
        host_org,
        given_name="Rosa",
        family_name="Quispe",
        household=household,
        household_role="head",
    )
    page.reload()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr a")).to_have_text("Rosa Quispe")
    shoot_languages(page, "household-detail", ("en", "fr", "es"))


def test_statistics_hide_small_cells(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Login,
    users: dict[str, User],
    host_org: Organisation,
    shoot_languages: Shoot,
) -> None:
    for i in range(6):
        make_return(make_person(host_org, given_name=f"Woman{i}", sex="female"), to_country="MA")
    for i in range(2):
        make_return(make_person(host_org, given_name=f"Man{i}", sex="male"), to_country="MA")
    make_return(
        make_person(host_org, given_name="Forced", sex="female"),
        to_country="MA",
        voluntariness="forced",
    )
    page = new_page("en")
    login(page, "stan", PASSWORD)
    page.click("nav.main a[href='/statistics/']")
    by_voluntariness = page.locator("section.card").first.locator("tbody tr")
    expect(by_voluntariness).to_have_count(2)  # forced, spontaneous
    forced, spontaneous = by_voluntariness.nth(0), by_voluntariness.nth(1)
    expect(forced.locator("td")).to_have_text(["<5", "0", "<5"])
    expect(spontaneous.locator("td")).to_have_text(["6", "<5", "8"])
    expect(page.locator("main")).not_to_contain_text("Woman0")
    for language, morocco in zip(LANGUAGES, ("Morocco", "Maroc", "Marruecos"), strict=True):
        switch_language(page, language)
        expect(page.locator("section.card").nth(2).locator("tbody th")).to_have_text([morocco])
        expect(page.locator("section.card").nth(2).locator("tbody td")).to_have_text(
            ["7", "<5", "9"]
        )
    shoot_languages(page, "statistics", LANGUAGES)


def test_audit_trail_shows_who_viewed_what(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Login,
    alice: User,
    carla: User,
    host_org: Organisation,
    shoot_languages: Shoot,
) -> None:
    seen = make_person(host_org, given_name="Mohamed", family_name="Benali")
    unseen = make_person(host_org, given_name="Fatima", family_name="Benali")
    client = Client()
    client.force_login(carla)
    assert client.get(f"/registry/people/{seen.pk}/").status_code == 200
    page = new_page("fr")
    login(page, "alice", PASSWORD)
    page.goto(f"{live_server.url}/registry/people/{unseen.pk}/")  # alice's own view: not carla's
    page.click("nav.main a[href='/audit/']")
    page.fill("#f-who", "carla")
    page.select_option("#f-action", "view")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/audit/?*who=carla*")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td").nth(1)).to_have_text("carla")
    expect(rows.first.locator(f"a[href='/registry/people/{seen.pk}/']")).to_be_visible()
    # Without the filter alice's own view and the logins appear as well.
    page.fill("#f-who", "")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(f"tbody a[href='/registry/people/{unseen.pk}/']")).to_be_visible()
    page.goto(f"{live_server.url}/audit/?who=carla&action=view")
    shoot_languages(page, "audit", ("en", "es", "fr"))
    expect(page.locator("#f-who")).to_have_value("carla")


def test_organisations(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Login,
    alice: User,
    host_office: Office,
    origin_org: Organisation,
    shot: Callable[[Page, str], Path],
) -> None:
    page = new_page("en")
    login(page, "alice", PASSWORD)
    page.click("nav.main a[href='/accounts/organisations/']")
    own = page.locator("tbody tr", has_text="Brussels Return Office")
    other = page.locator("tbody tr", has_text="Ministry of Foreign Affairs of Moldova")
    expect(own.locator(".badge")).to_be_visible()  # "yours"
    expect(other.locator(".badge")).to_have_count(0)
    expect(own).to_contain_text("Brussels")
    # Countries are named by their common names in every language.
    for language, belgium, moldova in (
        ("en", "Belgium", "Moldova"),
        ("fr", "Belgique", "Moldavie"),
        ("es", "Bélgica", "Moldavia"),
    ):
        switch_language(page, language)
        expect(own.locator("td").nth(2)).to_have_text(belgium)
        expect(other.locator("td").nth(2)).to_have_text(moldova)
        shot(page, f"organisations-{language}")


def test_definitions_are_public(
    new_page: Callable[..., Page],
    live_server: Any,
    shoot_languages: Shoot,
) -> None:
    page = new_page("es")
    response = page.goto(f"{live_server.url}/definitions/")
    assert response is not None and response.status == 200  # no login needed
    terms = page.locator("dl.glossary > dt")
    expect(terms.first).to_be_visible()
    count = terms.count()
    assert count >= 6
    expect(page.locator("dl.glossary > dd")).to_have_count(count)
    ids = terms.evaluate_all("dts => dts.map(dt => dt.id)")
    assert all(ids) and len(set(ids)) == count  # each term can be linked to
    shoot_languages(page, "definitions", LANGUAGES)


def test_api_tokens(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Login,
    alice: User,
    host_org: Organisation,
    shot: Callable[[Page, str], Path],
    shoot_languages: Shoot,
) -> None:
    make_person(host_org)
    page = new_page("en")
    login(page, "alice", PASSWORD)
    page.click("nav.main a[href='/accounts/tokens/']")
    shoot_languages(page, "tokens", ("fr", "es", "en"))
    page.fill("#id_name", "Nightly export")
    page.locator("section[aria-labelledby=token-create-title] button[type=submit]").click()
    secret_box = page.locator("#token-secret")
    expect(secret_box).to_be_visible()
    secret = secret_box.inner_text().strip()
    assert secret.startswith("rt_") and len(secret) > 20
    shot(page, "tokens-secret-en")
    token = ApiToken.objects.get(user=alice)
    assert secret not in (token.key_hash, token.prefix) and secret.startswith(token.prefix)
    row = page.locator("tbody tr", has_text="Nightly export")
    expect(row.locator("code")).to_contain_text(token.prefix)

    # The token works for the API until revoked.
    api = Client()
    assert api.get("/api/v1/people", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200

    # The secret is shown once: reloading the page does not show it again.
    page.goto(f"{live_server.url}/accounts/tokens/")
    expect(secret_box).to_have_count(0)
    assert secret not in page.content()
    row.locator("button[type=submit]").click()
    expect(page.locator(".messages li.success")).to_contain_text("Nightly export")
    expect(row.locator("button")).to_have_count(0)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get("/api/v1/people", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_api_docs_load_without_external_requests(
    new_page: Callable[..., Page],
    live_server: Any,
    login: Login,
    alice: User,
    external_requests: list[str],
    shot: Callable[[Page, str], Path],
) -> None:
    page = new_page("en")
    login(page, "alice", PASSWORD)
    for language in LANGUAGES:
        page.goto(f"{live_server.url}/accounts/tokens/")
        switch_language(page, language)
        page.click("main a[href='/api/v1/docs']")
        page.wait_for_url("**/api/v1/docs")
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("Retorno API")
        expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
        assert page.locator(".swagger-ui .opblock").count() > 10
        assert external_requests == []  # Swagger UI's assets come from Retorno itself
        shot(page, f"api-docs-{language}")
