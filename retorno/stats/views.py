"""Aggregate return figures: what statisticians see instead of individual records."""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from retorno.accounts.access import orgs_with
from retorno.accounts.roles import Perm
from retorno.cases import choices as c_cases
from retorno.cases.selectors import outcome_counts as case_outcome_counts
from retorno.core import geo
from retorno.registry import choices as c
from retorno.registry.models import ReturnEvent


def suppress(count: int) -> int | None:
    """Return None for cells small enough to identify a person (shown as suppressed)."""
    return None if 0 < count < settings.RETORNO_MIN_CELL_SIZE else count


def _table(
    rows: list[dict[str, Any]], row_key: str, labels: dict[Any, Any]
) -> list[dict[str, Any]]:
    """Pivot counts into rows by row_key with women, men and total columns, small cells hidden."""
    table: dict[Any, dict[str, int]] = {}
    for row in rows:
        cell = table.setdefault(row[row_key], {})
        cell[row["sex"]] = cell.get(row["sex"], 0) + row["n"]
    result = []
    for key in sorted(table, key=lambda k: (k is None, k)):
        cell = table[key]
        total = sum(cell.values())
        result.append(
            {
                "key": key,
                "label": labels.get(key, key) if labels else key,
                "female": suppress(cell.get(c.Sex.FEMALE, 0)),
                "male": suppress(cell.get(c.Sex.MALE, 0)),
                "total": suppress(total),
            }
        )
    return result


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    orgs = orgs_with(request.user, Perm.VIEW_AGGREGATES)
    if not orgs:
        raise PermissionDenied
    events = ReturnEvent.objects.filter(organisation_id__in=orgs)
    by_voluntariness = list(events.values("voluntariness", "sex").annotate(n=Count("id")))
    by_year = list(
        events.annotate(year=ExtractYear("return_date"))
        .values("year", "sex")
        .annotate(n=Count("id"))
    )
    by_country = list(events.values("to_country", "sex").annotate(n=Count("id")))
    by_permanence = list(events.values("permanence", "sex").annotate(n=Count("id")))
    countries = {row["to_country"]: geo.country_name(row["to_country"]) for row in by_country}
    # Assisted return outcomes: cases under a removal order are never counted as voluntary.
    outcomes = [
        {
            "label": c_cases.Outcome(row["outcome"]).label if row["outcome"] else "",
            "voluntary": suppress(row["voluntary"]),
            "removal_order": suppress(row["removal_order"]),
        }
        for row in case_outcome_counts(request.user)
    ]
    return render(
        request,
        "stats/overview.html",
        {
            "tables": [
                (
                    _("Returns by voluntariness"),
                    _table(by_voluntariness, "voluntariness", dict(c.Voluntariness.choices)),
                ),
                (
                    _("Returns by permanence"),
                    _table(by_permanence, "permanence", dict(c.Permanence.choices)),
                ),
                (_("Returns by country of return"), _table(by_country, "to_country", countries)),
                (_("Returns by year"), _table(by_year, "year", {})),
            ],
            "outcomes": outcomes,
            "min_cell": settings.RETORNO_MIN_CELL_SIZE,
        },
    )
