"""``retorno run``: migrate, demo data, worker, server; the worker stops with the server."""

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from retorno.core.management.commands import run
from retorno.registry.models import Person

pytestmark = pytest.mark.django_db


class FakeWorker:
    """Stands in for the db_worker subprocess."""

    def __init__(self, args: list[str], **kwargs: Any) -> None:
        self.args = args
        self.terminated = False

    def poll(self) -> int | None:
        return 0 if self.terminated else None

    def terminate(self) -> None:
        self.terminated = True

    def wait(self, timeout: float | None = None) -> int:
        return 0


@pytest.fixture
def fake_world(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def popen(args: list[str], **kwargs: Any) -> FakeWorker:
        seen["worker"] = FakeWorker(args, **kwargs)
        return seen["worker"]

    def serve(app: Any, **kwargs: Any) -> None:
        seen["serve"] = kwargs
        raise KeyboardInterrupt

    monkeypatch.setattr(run.subprocess, "Popen", popen)
    monkeypatch.setattr("waitress.serve", serve)
    return seen


def test_run_loads_demo_serves_and_stops_the_worker(fake_world: dict[str, Any]) -> None:
    out = io.StringIO()
    # Role names are printed in the active language; other tests may leave another active.
    with translation.override("en"):
        call_command("run", "--port", "8123", stdout=out)
    text = out.getvalue()
    assert Person.objects.count() == 2_000
    assert "http://127.0.0.1:8123/" in text
    assert "reception officer" in text and "retorno-demo" in text
    assert fake_world["serve"] == {"host": "127.0.0.1", "port": 8123, "threads": 8}
    assert fake_world["worker"].args[-1] == "db_worker"
    assert fake_world["worker"].terminated


def test_run_without_demo_leaves_the_registry_empty(fake_world: dict[str, Any]) -> None:
    out = io.StringIO()
    call_command("run", "--no-demo", "--host", "0.0.0.0", stdout=out)  # noqa: S104
    assert not Person.objects.exists()
    assert "http://0.0.0.0:" in out.getvalue()
    assert fake_world["worker"].terminated


def test_port_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "9001")
    parser = run.Command().create_parser("retorno", "run")
    assert parser.parse_args([]).port == 9001


def test_worker_command_is_db_worker() -> None:
    command = run.worker_command()
    assert command[-1] == "db_worker"
    assert command[1].endswith("manage.py")
