"""Measure the return-event list page (GET /registry/returns/) on a large registry.

Run: ``.venv/bin/python -m bench.registry_list --size 1000000``. The registry is
filled by the demo generator with about --size return events; the page is
requested through Django's test client, logged in as the demo administrator
(given administrator rights in every organisation, so nothing is scoped away),
with 100 realistic filter combinations: country, each typology axis, sex, age
group, date range, region and free text. Prints one JSON line with p50/p95
server time, the SQL query counts for page sizes 25, 50 and 200 (which must be
equal: no query per row), and the speed-up over the same page counting every
matching row with Django's default Paginator.
"""

import datetime
import math
import random
import statistics
import time
from typing import Any

from bench.common import Timer, emit, parse_args, peak_rss_mb, setup_database

SEED = 11
COMBINATIONS = 100
BASELINE_COMBINATIONS = 40
TARGET_P95_MS = 200.0
PAGE_SIZES = (25, 50, 200)
# The demo writes about 1.09 return events per person (some return twice).
RETURNS_PER_PERSON = 1.09

_AXES: tuple[tuple[str, float], ...] = (
    ("to_country", 30),
    ("from_country", 15),
    ("mode", 4),
    ("permanence", 10),
    ("voluntariness", 25),
    ("sex", 15),
    ("age_group", 12),
    ("dates", 25),
    ("region", 10),
    ("q", 15),
)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def filter_combinations(
    rng: random.Random, n: int, names: list[str], today: datetime.date
) -> list[dict[str, str]]:
    """Return n query-string dicts mixing filters the way officers and analysts do."""
    import pycountry

    from retorno.demo import data
    from retorno.registry import choices as c

    origins = [o.code for o in data.ORIGINS]
    regions = {
        code: sorted(
            s.code for s in pycountry.subdivisions.get(country_code=code) or [] if not s.parent_code
        )
        for code in origins
    }
    axes = [name for name, _ in _AXES]
    weights = [weight for _, weight in _AXES]
    combos: list[dict[str, str]] = []
    for _ in range(n):
        how_many = rng.choices((0, 1, 2, 3), weights=(6, 40, 36, 18))[0]
        chosen: set[str] = set()
        while len(chosen) < how_many:
            chosen.add(rng.choices(axes, weights=weights)[0])
        params: dict[str, str] = {}
        for axis in sorted(chosen):
            if axis == "to_country":
                params["to_country"] = rng.choice(origins)
            elif axis == "from_country":
                params["from_country"] = rng.choice(data.HOSTS)
            elif axis == "mode":
                params["mode"] = rng.choice(c.ReturnMode.values)
            elif axis == "permanence":
                params["permanence"] = rng.choice(c.Permanence.values)
            elif axis == "voluntariness":
                params["voluntariness"] = rng.choice(c.Voluntariness.values)
            elif axis == "sex":
                params["sex"] = rng.choice((c.Sex.FEMALE, c.Sex.MALE))
            elif axis == "age_group":
                params["age_group"] = rng.choice(c.AgeGroup.values)
            elif axis == "dates":
                start = datetime.date(rng.randint(2015, today.year), rng.randint(1, 12), 1)
                params["date_from"] = start.isoformat()
                if rng.random() < 0.7:
                    end = start + datetime.timedelta(days=rng.choice((30, 91, 182, 365, 730)))
                    params["date_to"] = min(end, today).isoformat()
            elif axis == "region":
                country = params.get("to_country") or rng.choice(origins)
                params["to_country"] = country
                params["region"] = rng.choice(regions[country])
            elif axis == "q":
                name = rng.choice(names)
                params["q"] = name if rng.random() < 0.7 else name[: max(3, len(name) // 2)]
        combos.append(params)
    return combos


def main() -> None:
    args = parse_args(100_000, __doc__ or "")
    setup_database("registry_list")

    from django.contrib.auth.models import User
    from django.db import connection
    from django.db.models import Max, Min
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from retorno.accounts.models import Membership, Organisation
    from retorno.accounts.roles import Role
    from retorno.demo.generate import demo_load
    from retorno.registry import selectors
    from retorno.registry.models import Person, ReturnEvent

    # demo_load ends with ANALYZE, as every bulk load should, so plans match a live registry.
    with Timer() as load:
        demo_load(seed=SEED, people=math.ceil(args.size / RETURNS_PER_PERSON))
    returns = ReturnEvent.objects.count()

    admin = User.objects.get(username="admin")
    for organisation in Organisation.objects.all():
        Membership.objects.get_or_create(
            user=admin, organisation=organisation, role=Role.ADMINISTRATOR
        )
    client = Client()
    client.force_login(admin)
    url = reverse("registry:return_list")

    rng = random.Random(SEED)
    # Sample by id: ORDER BY random() over a million rows would itself be slow.
    bounds = Person.objects.aggregate(low=Min("id"), high=Max("id"))
    sample = rng.sample(range(bounds["low"], bounds["high"] + 1), 300)
    names = list(Person.objects.filter(pk__in=sample).values_list("family_name", flat=True))
    names = [n.split(" ")[0] for n in names if n]
    combos = filter_combinations(rng, COMBINATIONS, names, datetime.date.today())

    def get(params: dict[str, str]) -> float:
        started = time.perf_counter()
        response = client.get(url, params)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (response.status_code, params)
        return elapsed

    for params in combos[:3]:  # warm up caches and lazy imports
        get(params)
    timings = [get(params) for params in combos]

    query_counts: dict[str, int] = {}
    for size in PAGE_SIZES:
        with CaptureQueriesContext(connection) as captured:
            get({"size": str(size)})
        query_counts[str(size)] = len(captured.captured_queries)
    counts_equal = len(set(query_counts.values())) == 1

    # Baseline: the same page, but counting every matching row as Django's Paginator does.
    capped = selectors.count_capped

    def count_all(qs: Any, cap: int = 0) -> tuple[int, bool]:
        return qs.count(), False

    selectors.count_capped = count_all
    try:
        baseline = [get(params) for params in combos[:BASELINE_COMBINATIONS]]
    finally:
        selectors.count_capped = capped
    same_sample = timings[:BASELINE_COMBINATIONS]

    p50, p95 = statistics.median(timings), _percentile(timings, 0.95)
    baseline_p95 = _percentile(baseline, 0.95)
    slowest = sorted(zip(timings, combos, strict=True), key=lambda pair: -pair[0])[:5]
    emit(
        name="registry_list",
        size=returns,
        seconds=sum(timings) / 1000,
        baseline=round(baseline_p95, 2),
        ratio=round(baseline_p95 / _percentile(same_sample, 0.95), 1),
        database=connection.vendor,
        path="page",
        people=Person.objects.count(),
        requests=len(timings),
        p50_ms=round(p50, 2),
        p95_ms=round(p95, 2),
        max_ms=round(max(timings), 2),
        target_p95_ms=TARGET_P95_MS,
        targets_met=p95 < TARGET_P95_MS and counts_equal,
        query_counts=query_counts,
        query_counts_equal=counts_equal,
        baseline_p50_ms=round(statistics.median(baseline), 2),
        baseline_requests=len(baseline),
        slowest=[{"ms": round(ms, 1), "params": params} for ms, params in slowest],
        load_seconds=round(load.seconds, 1),
        peak_rss_mb=peak_rss_mb(),
    )
    assert counts_equal, f"The number of queries depends on the page size: {query_counts}"


if __name__ == "__main__":
    main()
