from pathlib import Path

import pytest
from django.test import Client

from config.env import envbool, envint, envlist, envstr, persistent_secret
from retorno.core.geo import country_name, subdivision_name


def test_healthz_reports_the_database(client: Client, db: None) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_settings_helpers_read_environment_and_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RT_FLAG", "yes")
    monkeypatch.setenv("RT_NUMBER", "42")
    monkeypatch.setenv("RT_LIST", "a, b,,c")
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-a-file\n")
    monkeypatch.setenv("RT_SECRET_FILE", str(secret_file))
    assert envbool("RT_FLAG") is True
    assert envbool("RT_MISSING", True) is True
    assert envint("RT_NUMBER", 1) == 42
    assert envlist("RT_LIST", []) == ["a", "b", "c"]
    assert envstr("RT_SECRET") == "from-a-file"
    monkeypatch.setenv("RT_FLAG", "perhaps")
    with pytest.raises(ValueError):
        envbool("RT_FLAG")


def test_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    first = persistent_secret(path)
    assert len(first) >= 50
    assert persistent_secret(path) == first
    assert path.stat().st_mode & 0o077 == 0


def test_country_and_region_names_follow_the_language() -> None:
    assert country_name("NL", "fr") == "Pays-Bas"
    assert country_name("NL", "es") == "Países Bajos"
    assert country_name("CV", "en") == "Cabo Verde"
    assert subdivision_name("SL-N", "fr") == "Nord"
    assert country_name("ZZ") == "ZZ"


@pytest.mark.parametrize(
    ("language", "word"), [("en", "Definitions"), ("fr", "Définitions"), ("es", "Definiciones")]
)
def test_glossary_is_public_and_translated(
    client: Client, db: None, language: str, word: str
) -> None:
    response = client.get("/definitions/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert f'lang="{language}"' in response.content.decode()
    assert word in response.content.decode()


def test_language_choice_is_kept(client: Client, db: None) -> None:
    client.post("/i18n/setlang/", {"language": "es", "next": "/definitions/"})
    assert 'lang="es"' in client.get("/definitions/").content.decode()


def test_unknown_pages_answer_with_a_translated_404(client: Client, db: None) -> None:
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 404
    assert 'lang="fr"' in response.content.decode()
