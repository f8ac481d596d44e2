from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from conftest import PASSWORD


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_log_in_and_out(
    new_page: Callable[..., Page],
    live_server: Any,
    alice: User,
    shot: Callable[[Page, str], Any],
    language: str,
) -> None:
    page = new_page(language)
    page.goto(f"{live_server.url}/accounts/login/")
    shot(page, f"login-{language}")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "wrong password")
    page.click("button[type=submit]")
    expect(page.locator(".alert")).to_be_visible()
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator("nav.main")).to_be_visible()
    shot(page, f"home-{language}")
    page.click("form.logout button")
    page.wait_for_url(f"{live_server.url}/accounts/login/")
