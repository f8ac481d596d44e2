"""Helpers shared by every benchmark: arguments, a throwaway database, the result line.

Import this module before anything from Django: ``setup_database`` chooses the
database through the environment, which Django reads once at start-up.
"""

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / "var" / "bench"
BENCH_DB_NAME = "retorno_bench"


def parse_args(default_size: int, description: str = "") -> argparse.Namespace:
    """Return the command-line arguments every benchmark takes (--size N)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--size", type=int, default=default_size, help="rows to generate")
    return parser.parse_args()


def _postgres_bench_url(url: str) -> str:
    """Return the URL of a separate benchmark database on the same server, creating it."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB_NAME}")
        conn.execute(f"CREATE DATABASE {BENCH_DB_NAME}")
    return urlunsplit(parts._replace(path=f"/{BENCH_DB_NAME}"))


def setup_database(name: str) -> str:
    """Point Django at a fresh database for the benchmark, migrate it, and return its URL.

    SQLite unless DATABASE_URL names PostgreSQL, in which case a separate database
    is used so that the real one is never touched.
    """
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        url = _postgres_bench_url(url)
    else:
        db_path = BENCH_DIR / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db_path}"
    os.environ["DATABASE_URL"] = url
    # Uploaded files and the secret key of the benchmark stay under var/bench.
    os.environ.setdefault("RETORNO_VAR_DIR", str(BENCH_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    return url


def peak_rss_mb() -> float:
    """Return the process's peak resident memory so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kibibytes, macOS bytes.
    return round(peak / (2**20 if sys.platform == "darwin" else 2**10), 1)


class Timer:
    """Measure the wall-clock seconds of a with-block."""

    seconds: float = 0.0

    def __enter__(self) -> "Timer":
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._start


def emit(
    *,
    name: str,
    size: int,
    seconds: float,
    baseline: float | None = None,
    ratio: float | None = None,
    **figures: Any,
) -> dict[str, Any]:
    """Print the benchmark's result as one JSON line and return it."""
    line = {
        "name": name,
        "size": size,
        "seconds": round(seconds, 3),
        "figures": figures,
        "baseline": baseline,
        "ratio": ratio,
    }
    print(json.dumps(line, sort_keys=False), flush=True)
    return line
