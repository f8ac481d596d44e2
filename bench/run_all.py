"""Run every benchmark at its issue size and keep the latest table in docs/benchmarks.md.

Each benchmark runs in its own process (each sets up its own database) and
prints one JSON line; this collects the lines, adds the machine and the date,
and rewrites the table.
"""

import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
FULL_SIZES = {
    "import_returns": 1_000_000,
    "person_search": 1_000_000,
    "registry_list": 1_000_000,
    "caseload": 200_000,
    "case_transition": 2_000,
}
# Benchmarks that measure SQLite and PostgreSQL in one run, given PostgreSQL's URL.
BOTH_DATABASES = {"case_transition"}
DOC = BASE_DIR / "docs" / "benchmarks.md"
NOTES_HEADING = "## What each measures"


def run(name: str, size: int, database_url: str | None) -> dict[str, object]:
    """Run one benchmark in a fresh process and return its JSON line."""
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", f"bench.{name}", "--size", str(size)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("{")]
    result: dict[str, object] = json.loads(lines[-1])
    result["database"] = "postgresql" if database_url else "sqlite"
    if name in BOTH_DATABASES:
        result["database"] = "sqlite and postgresql" if database_url else "sqlite"
    return result


def table(results: list[dict[str, object]]) -> str:
    """Return the Markdown table of the results."""
    rows = [
        "| benchmark | database | size | seconds | figures | baseline | ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        figures = ", ".join(f"{k}={v}" for k, v in dict(r["figures"]).items())  # type: ignore[call-overload]
        rows.append(
            f"| {r['name']} | {r['database']} | {r['size']:,} | {r['seconds']} | {figures} "
            f"| {r['baseline']} | {r['ratio']} |"
        )
    return "\n".join(rows)


def main() -> None:
    postgres = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/retorno")
    results = []
    for name, size in FULL_SIZES.items():
        for url in (postgres,) if name in BOTH_DATABASES else (None, postgres):
            line = run(name, size, url)
            print(json.dumps(line), flush=True)
            results.append(line)
    header = (
        "# Benchmarks\n\n"
        f"Latest full run: {datetime.date.today().isoformat()}, `make bench`, on "
        f"{platform.machine()} with {os.cpu_count()} cores, Python {platform.python_version()}.\n"
        "Each line is what `.venv/bin/python -m bench.NAME --size N` printed; the targets are\n"
        "those of the issue that asked for the benchmark.\n\n"
    )
    lines = "\n".join(json.dumps(r) for r in results)
    # Keep the hand-written explanations that follow the figures.
    old = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    notes = old[old.index(NOTES_HEADING) :] if NOTES_HEADING in old else ""
    DOC.write_text(
        f"{header}{table(results)}\n\n## The lines\n\n```\n{lines}\n```\n\n{notes}",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
