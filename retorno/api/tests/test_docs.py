"""The OpenAPI schema and the browsable docs, served without anything from outside."""

import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from retorno.api.tests.conftest import API

pytestmark = pytest.mark.django_db

EXPECTED_PATHS = {
    "/api/v1/organisations",
    "/api/v1/organisations/{organisation_id}",
    "/api/v1/people",
    "/api/v1/people/search",
    "/api/v1/people/{person_id}",
    "/api/v1/people/{person_id}/episodes",
    "/api/v1/episodes/{episode_id}",
    "/api/v1/households",
    "/api/v1/households/{household_id}",
    "/api/v1/returns",
    "/api/v1/returns/{event_id}",
}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)


def test_openapi_schema_lists_the_paths() -> None:
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["info"]["title"] == "Retorno API"
    assert schema["info"]["version"] == "1"
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= EXPECTED_PATHS
    components = schema["components"]
    assert set(components["schemas"]["Voluntariness"]["enum"]) == {
        "spontaneous",
        "assisted",
        "forced",
    }
    assert {"TokenAuth", "SessionAuth"} <= set(components["securitySchemes"])


def test_docs_page_uses_only_local_assets() -> None:
    response = Client().get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    parser = _Links()
    parser.feed(html)
    assert parser.urls, "the docs page should load the Swagger UI"
    for url in parser.urls:
        assert not re.match(r"^(https?:)?//", url), f"external asset: {url}"
        assert url.startswith("/static/"), url
        # The asset ships inside django-ninja and is served from our own /static/.
        assert finders.find(url.removeprefix("/static/")), f"asset not found: {url}"
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html
