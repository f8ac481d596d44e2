"""Browser tests: Playwright drives Debian's Chromium against a live Retorno server.

Screenshots land in var/screenshots/ so that people can look at every screen
in every language after a run.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from retorno.accounts.models import Membership, Office, Organisation
from retorno.accounts.roles import Role

# Playwright's synchronous API runs an event loop in this thread; the ORM calls
# made by fixtures are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("RETORNO_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: run `make chromium`.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def external_requests() -> list[str]:
    """Collect every request a page makes outside the live server (there must be none)."""
    return []


@pytest.fixture
def new_page(
    browser: Browser, live_server: Any, external_requests: list[str]
) -> Iterator[Callable[..., Page]]:
    contexts = []

    def make(language: str = "en", phone: bool = False) -> Page:
        context = browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            locale=language,
            extra_http_headers={"Accept-Language": language},
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)

        def watch(request: Any) -> None:
            if not request.url.startswith((live_server.url, "data:", "about:")):
                external_requests.append(request.url)

        page.on("request", watch)
        return page

    yield make
    for context in contexts:
        context.close()
    assert external_requests == [], f"pages loaded assets from outside Retorno: {external_requests}"


@pytest.fixture
def login(live_server: Any) -> Callable[[Page, str, str], None]:
    def do(page: Page, username: str, password: str) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

    return do


@pytest.fixture
def shot() -> Callable[[Page, str], Path]:
    """Save a full-page screenshot under var/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


LANGUAGES = ("en", "fr", "es")
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español"}


def switch_language(page: Page, language: str) -> None:
    """Choose a language in the header select, as a user would, and wait for the page in it."""
    select = page.locator("#language-select")
    if select.input_value() == language:
        return
    with page.expect_navigation():
        select.select_option(language)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#language-select option:checked")).to_have_text(LANGUAGE_NAMES[language])


@pytest.fixture
def shoot_languages(shot: Callable[[Page, str], Path]) -> Callable[..., list[Path]]:
    """Screenshot the current page once per language, switching with the header select.

    The languages are visited in the order given, so the page ends in the last one.
    """

    def take(page: Page, name: str, languages: tuple[str, ...] = LANGUAGES) -> list[Path]:
        paths = []
        for language in languages:
            switch_language(page, language)
            paths.append(shot(page, f"{name}-{language}"))
        return paths

    return take


@pytest.fixture
def rita(users: dict[str, User], host_org: Organisation) -> User:
    """The reception officer, working at an airport desk in Morocco."""
    office = Office.objects.create(
        organisation=host_org, name="Casablanca airport desk", kind="airport", country="MA"
    )
    Membership.objects.filter(user=users[Role.RECEPTION_OFFICER]).update(office=office)
    return users[Role.RECEPTION_OFFICER]
