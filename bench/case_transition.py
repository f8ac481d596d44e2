"""Measure case transitions per second, and that concurrent edits of one case lose nothing.

Run: ``.venv/bin/python -m bench.case_transition [--size N] [--postgres]``. With
``--postgres`` (or DATABASE_URL naming PostgreSQL) the PostgreSQL half runs too,
in a second process on a separate benchmark database.

- Throughput: --size cases that have just arrived are moved to reintegration
  planning through ``services.case_transition``, one after the other, each read
  from the database first as a page would: a versioned update, the plan-due
  task, the case event and the audit event, in one transaction.
- Concurrency (PostgreSQL): 20 clients, threads with a connection each, all
  move the SAME cases at once with the version they read: exactly one may win
  per case, the others get StaleEdit. Then the 20 clients each append 10
  distinct lines to one case's notes through ``services.case_update`` with the
  version they read, retrying on StaleEdit; afterwards every line must be there,
  the version must have gone up once per success, and there must be one case
  event per success.
- Baseline: the same appends with a plain ORM ``save()`` and no version check,
  which loses updates under concurrency; the line says how many.
"""

import json
import os
import subprocess
import sys
import threading
import time
from typing import Any

from bench.common import BASE_DIR, Timer, emit, parse_args, peak_rss_mb, setup_database

CLIENTS = 20
CONTENDED_CASES = 10
APPENDS_PER_CLIENT = 10
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/retorno"


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def prepare(n: int) -> dict[str, Any]:
    """Write n cases that have just arrived, assigned to the demo reintegration officer."""
    import datetime

    from django.db import transaction
    from django.utils import timezone

    from retorno.cases.models import Case, Programme
    from retorno.demo.generate import ensure_setup
    from retorno.registry.models import Person

    setup = ensure_setup()
    officer = setup.users["reintegration"]
    programme = Programme.objects.create(
        organisation=setup.main, name="Assisted return", kind="avrr", plan_due_days=30
    )
    now = timezone.now()
    with transaction.atomic():
        people = Person.objects.bulk_create(
            [
                Person(organisation=setup.main, given_name="Amina", family_name=f"Haddad {i}")
                for i in range(n)
            ],
            batch_size=2_000,
        )
        Case.objects.bulk_create(
            [
                Case(
                    organisation=setup.main,
                    reference=f"T-{i:07d}",
                    person=person,
                    programme=programme,
                    assigned_to=officer,
                    stage="arrived",
                    stage_changed_at=now,
                    host_country="BE",
                    origin_country="MA",
                    arrived_on=datetime.date.today(),
                    met_on_arrival=True,
                )
                for i, person in enumerate(people)
            ],
            batch_size=2_000,
        )
    ids = list(Case.objects.order_by("id").values_list("id", flat=True))
    return {"officer": officer, "ids": ids}


def throughput(officer: Any, ids: list[int]) -> float:
    """Move each case from arrived to planning, one after the other; return transitions/s."""
    from retorno.cases import services
    from retorno.cases.models import Case
    from retorno.core.audit import command_actor

    actor = command_actor(officer)
    for pk in ids[:20]:  # warm up
        case = Case.objects.select_related("programme").get(pk=pk)
        services.case_transition(actor=actor, case=case, target="planning", version=case.version)
    rest = ids[20:]
    with Timer() as timer:
        for pk in rest:
            case = Case.objects.select_related("programme").get(pk=pk)
            services.case_transition(
                actor=actor, case=case, target="planning", version=case.version
            )
    return len(rest) / timer.seconds


def _run_clients(work: Any) -> float:
    """Run work(client) in CLIENTS threads started together; return the wall seconds."""
    from django.db import connection

    barrier = threading.Barrier(CLIENTS)
    errors: list[BaseException] = []

    def client(n: int) -> None:
        try:
            barrier.wait()
            work(n)
        except BaseException as exc:  # reported below; a thread must not die silently
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started


def concurrency(officer: Any, ids: list[int]) -> dict[str, Any]:
    """The contention tests: same-case transitions, then appends with and without versions."""
    from retorno.cases import services
    from retorno.cases.models import Case, CaseEvent, CaseTask
    from retorno.core.audit import command_actor
    from retorno.core.errors import StaleEdit

    actor = command_actor(officer)
    lock = threading.Lock()
    counts = {"transitions": 0, "transition_conflicts": 0}
    contended = ids[:CONTENDED_CASES]

    def transition_all(n: int) -> None:
        for pk in contended:
            case = Case.objects.select_related("programme").get(pk=pk)
            try:
                services.case_transition(
                    actor=actor, case=case, target="planning", version=case.version
                )
                key = "transitions"
            except StaleEdit:
                key = "transition_conflicts"
            except Exception:  # a client that read the case after the winner: not a stale edit
                key = "transition_refused"
            with lock:
                counts[key] = counts.get(key, 0) + 1

    transition_seconds = _run_clients(transition_all)
    won = {pk: CaseEvent.objects.filter(case_id=pk, kind="transition").count() for pk in contended}
    tasks = {pk: CaseTask.objects.filter(case_id=pk, kind="plan_due").count() for pk in contended}
    versions = dict(Case.objects.filter(pk__in=contended).values_list("id", "version"))
    transitions_consistent = (
        counts["transitions"] == len(contended)
        and all(n == 1 for n in won.values())
        and all(n == 1 for n in tasks.values())
        and all(v == 2 for v in versions.values())
    )

    def appends(target: int, versioned: bool) -> dict[str, Any]:
        Case.objects.filter(pk=target).update(vulnerability_notes="")
        before = Case.objects.get(pk=target)
        events_before = CaseEvent.objects.filter(case_id=target, kind="updated").count()
        tally = {"successes": 0, "conflicts": 0}

        def work(n: int) -> None:
            for k in range(APPENDS_PER_CLIENT):
                line = f"client {n:02d} note {k:02d}"
                while True:
                    case = Case.objects.get(pk=target)
                    text = f"{case.vulnerability_notes}{line}\n"
                    if not versioned:
                        case.vulnerability_notes = text
                        case.save(update_fields=["vulnerability_notes"])
                        break
                    try:
                        services.case_update(
                            actor=actor,
                            case=case,
                            version=case.version,
                            vulnerability_notes=text,
                        )
                        break
                    except StaleEdit:
                        with lock:
                            tally["conflicts"] += 1
                with lock:
                    tally["successes"] += 1

        seconds = _run_clients(work)
        after = Case.objects.get(pk=target)
        written = set(after.vulnerability_notes.splitlines())
        expected = {
            f"client {n:02d} note {k:02d}"
            for n in range(CLIENTS)
            for k in range(APPENDS_PER_CLIENT)
        }
        events = CaseEvent.objects.filter(case_id=target, kind="updated").count() - events_before
        return {
            "successes": tally["successes"],
            "conflicts": tally["conflicts"],
            "lost_updates": len(expected - written),
            "version_increments": after.version - before.version,
            "events": events,
            "updates_per_s": round(tally["successes"] / seconds, 1),
        }

    target = ids[CONTENDED_CASES]
    safe = appends(target, versioned=True)
    plain = appends(ids[CONTENDED_CASES + 1], versioned=False)
    return {
        "clients": CLIENTS,
        "contended_cases": len(contended),
        "concurrent_transitions": counts["transitions"],
        "concurrent_transition_conflicts": counts["transition_conflicts"],
        "concurrent_transition_refusals": counts.get("transition_refused", 0),
        "concurrent_transition_seconds": round(transition_seconds, 3),
        "transitions_consistent": transitions_consistent,
        "concurrent_successes": safe["successes"],
        "conflicts": safe["conflicts"],
        "lost_updates": safe["lost_updates"],
        "version_increments": safe["version_increments"],
        "update_events": safe["events"],
        "updates_per_s": safe["updates_per_s"],
        "no_update_lost": safe["lost_updates"] == 0
        and safe["version_increments"] == safe["successes"]
        and safe["events"] == safe["successes"],
        "baseline_successes": plain["successes"],
        "baseline_lost_updates": plain["lost_updates"],
        "baseline_updates_per_s": plain["updates_per_s"],
    }


def part(size: int, with_concurrency: bool) -> dict[str, Any]:
    """One database's half: throughput, and the contention tests on PostgreSQL."""
    from django.db import connection

    made = prepare(size + CONTENDED_CASES + 2)
    officer, ids = made["officer"], made["ids"]
    contended, throughput_ids = ids[: CONTENDED_CASES + 2], ids[CONTENDED_CASES + 2 :]
    result: dict[str, Any] = {
        "database": connection.vendor,
        "transitions_per_s": round(throughput(officer, throughput_ids), 1),
    }
    if with_concurrency:
        result.update(concurrency(officer, contended))
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def main() -> None:
    args_size = None
    postgres_flag = "--postgres" in sys.argv
    only_part = "--part" in sys.argv
    argv = [a for a in sys.argv if a not in ("--postgres", "--part")]
    sys.argv = argv
    args = parse_args(2_000, __doc__ or "")
    args_size = args.size
    url = os.environ.get("DATABASE_URL", "")
    if only_part:
        # The PostgreSQL half, run by the parent below in a process of its own.
        setup_database("case_transition")
        print(json.dumps(part(args_size, with_concurrency=True)), flush=True)
        return
    postgres_url = url if _is_postgres(url) else (DEFAULT_POSTGRES if postgres_flag else "")
    os.environ.pop("DATABASE_URL", None)
    setup_database("case_transition")
    with Timer() as timer:
        sqlite = part(args_size, with_concurrency=False)
        pg: dict[str, Any] = {}
        if postgres_url:
            env = {**os.environ, "DATABASE_URL": postgres_url}
            env.pop("DJANGO_SETTINGS_MODULE", None)
            completed = subprocess.run(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "bench.case_transition", "--size", str(args_size), "--part"],
                cwd=BASE_DIR,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            pg = json.loads(
                [line for line in completed.stdout.splitlines() if line.startswith("{")][-1]
            )
    figures: dict[str, Any] = {
        "sqlite_transitions_per_s": sqlite["transitions_per_s"],
        "postgresql_transitions_per_s": pg.get("transitions_per_s"),
        "transition": "arrived → planning (versioned update, plan-due task, case event, audit)",
    }
    if pg:
        figures.update({k: v for k, v in pg.items() if k not in ("database", "transitions_per_s")})
        figures["targets_met"] = bool(
            pg["lost_updates"] == 0 and pg["no_update_lost"] and pg["transitions_consistent"]
        )
    figures["sqlite_peak_rss_mb"] = sqlite["peak_rss_mb"]
    baseline = pg.get("baseline_updates_per_s")
    emit(
        name="case_transition",
        size=args_size,
        seconds=timer.seconds,
        baseline=baseline,
        ratio=round(pg["updates_per_s"] / baseline, 2) if baseline else None,
        **figures,
    )
    if pg:
        assert pg["lost_updates"] == 0, "a versioned update was lost"


if __name__ == "__main__":
    main()
