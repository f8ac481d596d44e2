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


# The outermost elements that stick out to the right of the viewport, outside any
# scrolling box (a table in a scrolling wrapper may be wider than the phone).
FIND_OVERFLOW = """() => {
  const limit = window.innerWidth + 1;
  const clips = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(a).overflowX)) return true;
    }
    return false;
  };
  const describe = el => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.classList.length) s += '.' + [...el.classList].join('.');
    const r = el.getBoundingClientRect();
    const text = (el.innerText || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 60);
    return `${s} (right edge ${Math.round(r.right)}px, width ${Math.round(r.width)}px) "${text}"`;
  };
  const wide = [...document.querySelectorAll('body *')].filter(el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.right > limit && !clips(el);
  });
  const outer = wide.filter(el => !wide.includes(el.parentElement));
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    culprits: outer.slice(0, 5).map(describe),
  };
}"""


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


# Cases: a programme, a returnee and a case brought to any stage through the services. --------


@pytest.fixture
def case_media(settings: Any, tmp_path: Path) -> Path:
    """Keep the case documents of a browser test out of var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def avrr_programme(host_org: Organisation, case_media: Path) -> Any:
    """A programme in euros whose plans above 1,000 need somebody other than their author."""
    from decimal import Decimal

    from retorno.cases import choices as cc
    from retorno.cases.models import Programme, ProgrammeAssistance

    programme = Programme.objects.create(
        organisation=host_org,
        name="AVRR Moldova",
        kind=cc.ProgrammeKind.AVRR,
        currency="EUR",
        budget=Decimal("100000"),
        approval_threshold=Decimal("1000"),
    )
    for kind, ceiling in (
        (cc.AssistanceKind.HOUSING, Decimal("1500")),
        (cc.AssistanceKind.MICRO_CREDIT, Decimal("3000")),
        (cc.AssistanceKind.SOCIO_CULTURAL, None),
        (cc.AssistanceKind.TRAINING, Decimal("800")),
    ):
        ProgrammeAssistance.objects.create(programme=programme, kind=kind, ceiling=ceiling)
    return programme


@pytest.fixture
def returnee(host_org: Organisation) -> Any:
    """Ion Rusu, a Moldovan about to go home from Belgium."""
    import datetime

    from retorno.registry.tests.factories import make_person

    return make_person(
        host_org,
        given_name="Ion",
        family_name="Rusu",
        sex="male",
        date_of_birth=datetime.date(1988, 11, 23),
        nationalities=["MD"],
    )


@pytest.fixture
def case_at(users: dict[str, User], host_org: Organisation, avrr_programme: Any) -> Any:
    """Open a case for a person and bring it to a stage through the services, as carla.

    Meets every check on the way: counselling on rights, options and consequences, a
    decision recorded as a statement, screening, travel, and arrival.
    """
    import datetime

    from retorno.cases import choices as cc
    from retorno.cases import services
    from retorno.core.audit import Actor

    carla = users[Role.CASEWORKER]
    actor = Actor(user=carla)
    today = datetime.date.today()
    facts: dict[str, dict[str, Any]] = {
        cc.Stage.SCREENING: {
            "decision_form": cc.DecisionForm.RECORDED_STATEMENT,
            "decision_on": today,
            "decision_statement": "I want to go home to my family.",
        },
        cc.Stage.PRE_DEPARTURE: {"screened_on": today},
        cc.Stage.DEPARTED: {
            "travel_document_ready": True,
            "fit_to_travel": True,
            "itinerary": "BRU-KIV 12:40",
            "departure_date": today,
            "information_pack": True,
        },
        cc.Stage.ARRIVED: {"arrived_on": today, "met_on_arrival": True},
    }
    steps = [
        cc.Stage.COUNSELLING,
        cc.Stage.DECISION,
        cc.Stage.SCREENING,
        cc.Stage.PRE_DEPARTURE,
        cc.Stage.DEPARTED,
        cc.Stage.ARRIVED,
        cc.Stage.PLANNING,
    ]

    def walk(person: Any, stage: str = cc.Stage.INTAKE) -> Any:
        case = services.case_open(
            actor=actor,
            organisation_id=host_org.pk,
            person=person,
            assigned_to=carla,
            programme=avrr_programme,
            host_country="BE",
            origin_country="MD",
            return_region="MD-CU",
        )
        for target in steps:
            if case.stage == stage:
                break
            if target == cc.Stage.DECISION:
                services.counselling_add(
                    actor=actor,
                    case=case,
                    held_on=today,
                    topics=["rights", "options", "consequences"],
                    language="Romanian",
                    interpreter="I. Popescu",
                )
            if target in facts:
                case.refresh_from_db()
                case = services.case_update(
                    actor=actor, case=case, version=case.version, **facts[target]
                )
            case.refresh_from_db()
            case = services.case_transition(
                actor=actor, case=case, target=target, version=case.version
            )
        return case

    return walk
