"""Measure the caseworker's dashboard and the filtered case list on a large caseload.

Run: ``.venv/bin/python -m bench.caseload --size 200000`` (SQLite), or with
``DATABASE_URL=postgres://…`` for PostgreSQL. The demo generator fills the
registry (one person per case) and its programmes; then --size cases, 25 case
events each and their tasks are written directly in bulk, spread over 50
caseworkers and every stage, the benchmark's caseworker (the demo login
``caseworker``) holding about a fiftieth of them. The dashboard (``/cases/``)
and the case list (``/cases/all/``) with 120 realistic filter combinations
(stage, my cases, programme, country of return, removal order, overdue, a typed
name or reference, later pages) are requested through Django's test client,
logged in as that caseworker. Prints one JSON line: p50/p95 server time per
page, the SQL query counts for page sizes 25, 50 and 200 (which must be equal),
and the speed-up over the same requests with the cases' and tasks' list indexes
dropped (the baseline).
"""

import datetime
import json
import random
import statistics
import time
from typing import Any

from bench.common import Timer, emit, parse_args, peak_rss_mb, setup_database

SEED = 13
EVENTS_PER_CASE = 25
WORKERS = 50
DASHBOARD_REQUESTS = 100
LIST_REQUESTS = 120
BASELINE_REQUESTS = 40
TARGET_P95_MS = 200.0
PAGE_SIZES = (25, 50, 200)
CHUNK = 20_000
# The indexes the baseline goes without.
LIST_INDEXES = (
    "case_worker_stage_idx",
    "case_org_stage_idx",
    "case_org_changed_idx",
    "task_worker_due_idx",
    "task_case_idx",
)

# Share of cases per stage: years of closed cases behind an open caseload.
_STAGES: tuple[tuple[str, float], ...] = (
    ("intake", 3),
    ("counselling", 4),
    ("decision", 2.5),
    ("screening", 3),
    ("pre_departure", 3),
    ("departed", 0.5),
    ("arrived", 2),
    ("planning", 5),
    ("delivery", 7),
    ("monitoring", 12),
    ("closed", 52),
    ("withdrawn", 6),
)
_ORDER = [s for s, _ in _STAGES]
_AFTER_RETURN = ("arrived", "planning", "delivery", "monitoring")
_OTHER_EVENTS = ("counselling", "note", "updated", "task", "document", "referral", "plan")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class _Rows:
    """Tuples for raw inserts: every column of a model, its defaults filled in once."""

    def __init__(self, model: Any, writer: Any) -> None:
        from django.db import models

        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.columns = [f.column for f in self.fields]
        self.index = {f.attname: i for i, f in enumerate(self.fields)}
        base: list[Any] = []
        for f in self.fields:
            value = f.get_default() if f.has_default() else None
            if isinstance(f, models.JSONField):
                value = writer.json(value if value is not None else {})
            elif isinstance(f, models.DateTimeField):
                value = None if f.null else writer.now
            elif isinstance(f, models.CharField | models.TextField) and value is None:
                value = "" if not f.null else None
            base.append(value)
        self.base = base

    def row(self, **values: Any) -> tuple[Any, ...]:
        row = list(self.base)
        for name, value in values.items():
            row[self.index[name]] = value
        return tuple(row)


def generate(size: int, rng: random.Random, today: datetime.date) -> dict[str, Any]:
    """Write size cases with their events and tasks; return what the requests need."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.db import connection, transaction

    from retorno.accounts.models import Membership, Organisation
    from retorno.accounts.roles import Role
    from retorno.cases.models import Case, CaseEvent, CaseTask, Programme
    from retorno.demo.generate import _Writer
    from retorno.registry.models import Person

    main = Organisation.objects.get(name="International Return Agency")
    me = User.objects.get(username="caseworker")
    password = make_password(None)
    User.objects.bulk_create(
        [User(username=f"bench-worker-{n:02d}", password=password) for n in range(1, WORKERS)]
    )
    workers = [me, *User.objects.filter(username__startswith="bench-worker-").order_by("id")]
    Membership.objects.bulk_create(
        [Membership(user=u, organisation=main, role=Role.CASEWORKER) for u in workers[1:]]
    )
    programmes = list(Programme.objects.values_list("id", "origin_countries", "host_countries"))
    people = list(Person.objects.filter(organisation=main).values_list("id", flat=True))
    writer = _Writer()
    cases_rows = _Rows(Case, writer)
    event_rows = _Rows(CaseEvent, writer)
    task_rows = _Rows(CaseTask, writer)
    date, adapt = writer.date, connection.ops.adapt_datetimefield_value
    stages = [s for s, _ in _STAGES]
    weights = [w for _, w in _STAGES]
    first_id = (Case.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    events_written = tasks_written = 0
    start_of_history = today - datetime.timedelta(days=6 * 365)
    tz = datetime.UTC
    for offset in range(0, size, CHUNK):
        n = min(CHUNK, size - offset)
        cases: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        tasks: list[tuple[Any, ...]] = []
        for i in range(n):
            pk = first_id + offset + i
            stage = rng.choices(stages, weights=weights)[0]
            programme, origins, hosts = rng.choice(programmes)
            origin = rng.choice(origins)
            worker = None if rng.random() < 0.02 else rng.choice(workers)
            open_case = stage not in ("closed", "withdrawn")
            # Open cases changed recently; closed ones any time in six years.
            back = rng.randint(0, 120 if open_case else 6 * 365 - 200)
            changed = datetime.datetime.combine(
                today - datetime.timedelta(days=back),
                datetime.time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59)),
                tzinfo=tz,
            )
            opened = changed - datetime.timedelta(days=rng.randint(5, 400))
            opened = max(opened, datetime.datetime.combine(start_of_history, datetime.time(9), tz))
            stage_index = _ORDER.index(stage)
            after_return = stage_index >= _ORDER.index("arrived") and stage != "withdrawn"
            arrived = (changed - datetime.timedelta(days=rng.randint(1, 60))).date()
            outcome = ""
            if stage == "closed":
                outcome = rng.choice(("reintegrated", "reintegrated", "remigrated", "lost_contact"))
            elif stage == "withdrawn":
                outcome = "withdrew"
            cases.append(
                cases_rows.row(
                    organisation_id=main.pk,
                    reference=f"B{main.pk}-{opened.year}-{pk:08X}",
                    person_id=rng.choice(people),
                    programme_id=programme,
                    assigned_to_id=worker.pk if worker else None,
                    stage=stage,
                    stage_changed_at=adapt(changed),
                    language=rng.choice(("en", "fr", "es")),
                    host_country=rng.choice(hosts),
                    origin_country=origin,
                    removal_order=rng.random() < 0.12,
                    arrived_on=date(arrived) if after_return else None,
                    outcome=outcome,
                    closed_at=adapt(changed) if not open_case else None,
                    created_at=adapt(opened),
                    updated_at=adapt(changed),
                    version=EVENTS_PER_CASE,
                )
            )
            # The timeline: opened, the stages in order, and the rest of the work between.
            path = _ORDER[: min(stage_index, _ORDER.index("monitoring")) + 1]
            if not open_case:
                path = [*path[: rng.randint(1, len(path))], stage]
            span = max(1.0, (changed - opened).total_seconds())
            moments = sorted(rng.random() * span for _ in range(EVENTS_PER_CASE - len(path)))
            actor = worker.pk if worker else None
            events.append(
                event_rows.row(
                    case_id=pk,
                    at=adapt(opened),
                    actor_id=actor,
                    kind="opened",
                    to_stage="intake",
                )
            )
            for k in range(1, len(path)):
                at = opened + datetime.timedelta(seconds=span * k / max(1, len(path) - 1))
                events.append(
                    event_rows.row(
                        case_id=pk,
                        at=adapt(at),
                        actor_id=actor,
                        kind="transition",
                        from_stage=path[k - 1],
                        to_stage=path[k],
                    )
                )
            for seconds in moments[: EVENTS_PER_CASE - len(path)]:
                events.append(
                    event_rows.row(
                        case_id=pk,
                        at=adapt(opened + datetime.timedelta(seconds=seconds)),
                        actor_id=actor,
                        kind=rng.choice(_OTHER_EVENTS),
                    )
                )
            # Deadline tasks as the services create them; done unless the case is still there.
            due: list[tuple[str, datetime.date]] = []
            if after_return:
                due.append(("plan_due", arrived + datetime.timedelta(days=30)))
            if stage in ("monitoring", "closed") and after_return:
                due += [
                    ("follow_up_3", arrived + datetime.timedelta(days=91)),
                    ("follow_up_6", arrived + datetime.timedelta(days=182)),
                    ("follow_up_12", arrived + datetime.timedelta(days=365)),
                ]
            if rng.random() < 0.25:
                due.append(
                    ("other", changed.date() + datetime.timedelta(days=rng.randint(-20, 30)))
                )
            for kind, on in due:
                done = (
                    not open_case
                    or (kind == "plan_due" and stage != "planning")
                    or (on < today and rng.random() < 0.8)
                )
                tasks.append(
                    task_rows.row(
                        case_id=pk,
                        kind=kind,
                        title="Call the family" if kind == "other" else "",
                        due_on=date(on),
                        assigned_to_id=actor,
                        done_at=adapt(changed) if done else None,
                        done_by_id=actor if done else None,
                    )
                )
        with transaction.atomic():
            writer.insert(Case, cases_rows.columns, cases)
            writer.insert(CaseEvent, event_rows.columns, events)
            writer.insert(CaseTask, task_rows.columns, tasks)
        events_written += len(events)
        tasks_written += len(tasks)
    with connection.cursor() as cursor:
        if writer.postgres:
            from django.core.management.color import no_style

            for sql in connection.ops.sequence_reset_sql(no_style(), [Case]):
                cursor.execute(sql)
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE")
    return {"me": me, "events": events_written, "tasks": tasks_written}


def combinations(
    rng: random.Random, n: int, names: list[str], refs: list[str]
) -> list[dict[str, str]]:
    """Query strings as caseworkers combine them: mostly my cases, by stage, overdue..."""
    from retorno.cases.models import Programme

    programmes = list(Programme.objects.values_list("id", "origin_countries"))
    open_stages = _ORDER[:-2]
    combos: list[dict[str, str]] = []
    for _ in range(n):
        params: dict[str, str] = {}
        if rng.random() < 0.6:
            params["assigned"] = "me"
        if rng.random() < 0.45:
            params["stage"] = rng.choice(open_stages if rng.random() < 0.9 else _ORDER[-2:])
        if rng.random() < 0.25:
            programme, origins = rng.choice(programmes)
            params["programme"] = str(programme)
            if rng.random() < 0.5:
                params["origin_country"] = rng.choice(origins)
        elif rng.random() < 0.15:
            params["origin_country"] = rng.choice(rng.choice(programmes)[1])
        if rng.random() < 0.12:
            params["removal_order"] = rng.choice(("yes", "no"))
        if rng.random() < 0.2:
            params["overdue"] = "1"
        if rng.random() < 0.15:
            params["q"] = rng.choice(refs) if rng.random() < 0.3 else rng.choice(names)
        if rng.random() < 0.15:
            params["page"] = str(rng.randint(2, 5))
        combos.append(params)
    return combos


def main() -> None:
    args = parse_args(5_000, __doc__ or "")
    setup_database("caseload")

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from retorno.cases.models import Case
    from retorno.cases.selectors import CaseFilters, case_list_for, caseworker_dashboard
    from retorno.core.audit import command_actor
    from retorno.demo.generate import demo_load
    from retorno.registry.models import Person

    rng = random.Random(SEED)
    today = datetime.date.today()
    # The registry first: one person per case, as the demo writes them (with its own cases).
    with Timer() as people_load:
        demo_load(seed=SEED, people=args.size)
    with Timer() as load:
        made = generate(args.size, rng, today)
    me = made["me"]
    cases = Case.objects.count()

    try:
        dashboard_url, list_url = reverse("cases:dashboard"), reverse("cases:list")
        path = "page"
    except NoReverseMatch:
        dashboard_url = list_url = ""
        path = "selector"
    client = Client()
    client.force_login(me)
    actor = command_actor(me)

    def get(url: str, params: dict[str, str]) -> float:
        started = time.perf_counter()
        if path == "page":
            response = client.get(url, params)
            assert response.status_code == 200, (response.status_code, url, params)
        elif url == "dashboard":
            caseworker_dashboard(me)
        else:
            filters = CaseFilters(
                q=params.get("q", ""),
                stage=params.get("stage", ""),
                programme=int(params["programme"]) if "programme" in params else None,
                assigned=params.get("assigned", ""),
                origin_country=params.get("origin_country", ""),
                removal_order=params.get("removal_order", ""),
                overdue=params.get("overdue") == "1",
            )
            size = int(params.get("size", "50"))
            page = int(params.get("page", "1"))
            list(case_list_for(actor=actor, filters=filters)[(page - 1) * size : page * size])
        return (time.perf_counter() - started) * 1000

    dash = dashboard_url or "dashboard"
    names = [
        n.split(" ")[0]
        for n in Person.objects.order_by("?").values_list("family_name", flat=True)[:300]
        if n
    ]
    refs = list(Case.objects.order_by("?").values_list("reference", flat=True)[:50])
    combos = combinations(rng, LIST_REQUESTS, names, refs)

    def measure() -> tuple[list[float], list[float]]:
        for params in combos[:3]:  # warm up caches and lazy imports
            get(list_url or "list", params)
        get(dash, {})
        board = [get(dash, {}) for _ in range(DASHBOARD_REQUESTS)]
        listed = [get(list_url or "list", params) for params in combos]
        return board, listed

    board, listed = measure()
    query_counts: dict[str, int] = {}
    for size in PAGE_SIZES:
        with CaptureQueriesContext(connection) as captured:
            get(list_url or "list", {"size": str(size), "per_page": str(size), "assigned": "me"})
        query_counts[str(size)] = len(captured.captured_queries)
    counts_equal = len(set(query_counts.values())) == 1
    with CaptureQueriesContext(connection) as captured:
        get(dash, {})
    dashboard_queries = len(captured.captured_queries)

    plans: dict[str, list[str]] = {}
    slowest = sorted(zip(listed, combos, strict=True), key=lambda pair: -pair[0])[:5]
    for _, params in slowest[:2]:
        filters = CaseFilters(
            q=params.get("q", ""),
            stage=params.get("stage", ""),
            programme=int(params["programme"]) if "programme" in params else None,
            assigned=params.get("assigned", ""),
            origin_country=params.get("origin_country", ""),
            removal_order=params.get("removal_order", ""),
            overdue=params.get("overdue") == "1",
        )
        qs = case_list_for(actor=actor, filters=filters)[:50]
        plans[json.dumps(params)] = [line for line in qs.explain().splitlines()][:12]

    # Baseline: the same requests without the indexes the dashboard and list are built on.
    with connection.cursor() as cursor:
        for name in LIST_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
        cursor.execute("ANALYZE")
    base_board = [get(dash, {}) for _ in range(BASELINE_REQUESTS)]
    base_list = [get(list_url or "list", params) for params in combos[:BASELINE_REQUESTS]]

    p95_board, p95_list = _percentile(board, 0.95), _percentile(listed, 0.95)
    same = board[:BASELINE_REQUESTS] + listed[:BASELINE_REQUESTS]
    baseline_p95 = _percentile(base_board + base_list, 0.95)
    targets_met = p95_board < TARGET_P95_MS and p95_list < TARGET_P95_MS and counts_equal
    mine = Case.objects.filter(assigned_to=me)
    emit(
        name="caseload",
        size=args.size,
        seconds=(sum(board) + sum(listed)) / 1000,
        baseline=round(baseline_p95, 2),
        ratio=round(baseline_p95 / _percentile(same, 0.95), 1),
        database=connection.vendor,
        path=path,
        cases=cases,
        events=made["events"],
        tasks=made["tasks"],
        my_cases=mine.count(),
        my_open_cases=mine.exclude(stage__in=("closed", "withdrawn")).count(),
        dashboard_requests=len(board),
        dashboard_p50_ms=round(statistics.median(board), 2),
        dashboard_p95_ms=round(p95_board, 2),
        dashboard_queries=dashboard_queries,
        list_requests=len(listed),
        list_p50_ms=round(statistics.median(listed), 2),
        list_p95_ms=round(p95_list, 2),
        list_max_ms=round(max(listed), 2),
        target_p95_ms=TARGET_P95_MS,
        targets_met=targets_met,
        query_counts=query_counts,
        query_counts_equal=counts_equal,
        baseline_is="same requests with the case and task list indexes dropped",
        baseline_dashboard_p50_ms=round(statistics.median(base_board), 2),
        baseline_list_p50_ms=round(statistics.median(base_list), 2),
        slowest=[{"ms": round(ms, 1), "params": params} for ms, params in slowest],
        slowest_plans=plans,
        people_load_seconds=round(people_load.seconds, 1),
        load_seconds=round(load.seconds, 1),
        peak_rss_mb=peak_rss_mb(),
    )
    assert counts_equal, f"The number of queries depends on the page size: {query_counts}"


if __name__ == "__main__":
    main()
