"""``retorno run``: everything needed to try Retorno on one machine, in one command.

It migrates the database, loads the demo data into an empty registry, starts the
background task worker and serves the site with waitress. Ctrl-C stops both.
"""

import io
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from retorno.demo.generate import logins_table
from retorno.registry.models import Person


def worker_command() -> list[str]:
    """Return the command line of the background worker (django_tasks_db's db_worker)."""
    manage = Path(settings.BASE_DIR) / "manage.py"
    if manage.exists():
        return [sys.executable, str(manage), "db_worker"]
    # An installed package has no manage.py; Django's own entry point does the same job.
    return [sys.executable, "-m", "django", "db_worker"]


class Command(BaseCommand):
    help = (
        "Migrate, load demo data into an empty registry, start the task worker and serve "
        "Retorno with waitress."
    )
    # Migrations may not have run yet: the command checks what it needs itself.
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get("PORT") or 8000),
            help="port to listen on (default: $PORT or 8000)",
        )
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument(
            "--no-demo", action="store_true", help="do not load demo data into an empty registry"
        )
        parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database is up to date.")
        show_logins = False
        if not options["no_demo"] and not Person.objects.exists():
            self.stdout.write("The registry is empty: loading demo data (seed 1)…")
            call_command("demo", seed=1, stdout=io.StringIO())
            show_logins = True
        elif not options["no_demo"]:
            # Demo users may exist from an earlier run; only mention them if they do.
            from django.contrib.auth.models import User

            show_logins = User.objects.filter(username="admin").exists()

        worker = subprocess.Popen(worker_command(), env=os.environ.copy())  # noqa: S603
        # A SIGTERM (systemd, docker stop) must stop the worker too, like Ctrl-C does.
        previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        try:
            self._serve(options, show_logins)
        except KeyboardInterrupt:
            self.stdout.write("\nStopping.")
        finally:
            signal.signal(signal.SIGTERM, previous)
            _stop(worker)

    def _serve(self, options: dict[str, Any], show_logins: bool) -> None:
        import waitress

        from config.wsgi import application

        host, port = options["host"], options["port"]
        shown_host = f"[{host}]" if ":" in host else host
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Retorno is running at http://{shown_host}:{port}/"))
        if show_logins:
            self.stdout.write("Demo logins:\n" + logins_table())
        self.stdout.write("Press Ctrl-C to stop.")
        self.stdout.flush()
        waitress.serve(application, host=host, port=port, threads=options["threads"])


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _stop(worker: subprocess.Popen[bytes]) -> None:
    """Stop the worker, giving it time to finish the task in hand."""
    if worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
