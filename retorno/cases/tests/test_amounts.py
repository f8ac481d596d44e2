"""Amounts typed as people write them in each language, and ambiguous ones refused."""

from decimal import Decimal

import pytest
from django.utils import translation

from retorno.cases.forms_plan import AmountField


@pytest.mark.parametrize(
    ("language", "typed", "read"),
    [
        ("en", "1,200.50", Decimal("1200.50")),
        ("en", "1200.5", Decimal("1200.50")),
        ("fr", "1 200,50", Decimal("1200.50")),
        ("fr", "1\u202f200,50", Decimal("1200.50")),
        ("es", "1.200,50", Decimal("1200.50")),
        ("es", "1200,50", Decimal("1200.50")),
        ("es", "12.000.000", Decimal("12000000")),
    ],
)
def test_grouped_amounts_read_as_written(language: str, typed: str, read: Decimal) -> None:
    with translation.override(language):
        assert AmountField().clean(typed) == read


@pytest.mark.parametrize(("language", "typed"), [("es", "1.20"), ("en", "1,2"), ("es", "12.00,5")])
def test_a_misplaced_grouping_mark_is_refused_not_guessed(language: str, typed: str) -> None:
    from django.core.exceptions import ValidationError

    with translation.override(language), pytest.raises(ValidationError) as refused:
        AmountField().clean(typed)
    assert refused.value.code == "grouping"
