"""Forms of the reintegration plan and business plan pages; they parse, the services decide.

Amounts are read as ``Decimal`` (a comma or a point as the decimal mark, following the
page's language), never as floats; currencies are ISO 4217 codes.
"""

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext_lazy as _

from retorno.cases import choices as c
from retorno.cases.models import CaseDocument, Partner
from retorno.registry.forms import DateInput


def version_from(data: Any) -> int | None:
    """The record version a form was filled in against (None when it had none)."""
    value = str(data.get("version", "")).strip()
    return int(value) if value.isdigit() else None


_SPACES = re.compile(r"[\s\u00a0\u202f]")


class LocalDecimalField(forms.DecimalField):
    """A number typed as people write it in the page's language, grouped or not.

    "1 200,50" (French), "1.200,50" (Spanish) and "1,200.50" (English) all read as
    1200.50. A grouping mark in the wrong place is refused rather than guessed:
    in Spanish, "1.20" is neither one euro twenty nor a thousand and twenty.
    """

    default_error_messages = {"grouping": _("Write the number as %(example)s.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = _SPACES.sub("", value)
            decimal_mark = str(get_format("DECIMAL_SEPARATOR"))
            # Where the decimal mark is a comma, people group thousands with a point
            # (or a space, removed above); where it is a point, with a comma.
            grouping_mark = "." if decimal_mark == "," else ","
            if grouping_mark in value:
                whole = value.split(decimal_mark)[0].lstrip("+-")
                if not re.fullmatch(rf"\d{{1,3}}({re.escape(grouping_mark)}\d{{3}})+", whole):
                    raise ValidationError(
                        self.error_messages["grouping"],
                        code="grouping",
                        params={
                            "example": number_format(Decimal("1200.50"), 2, force_grouping=True)
                        },
                    )
                value = value.replace(grouping_mark, "")
        return super().to_python(value)


class AmountField(LocalDecimalField):
    """An amount of money: up to 12 digits before the decimal mark and two after it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        return attrs


class CurrencyField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("min_length", 3)
        kwargs.setdefault("help_text", _("Three-letter ISO 4217 code, for example EUR or MDL."))
        super().__init__(**kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"size": 4, "autocapitalize": "characters", "spellcheck": "false"})
        return attrs

    def clean(self, value: Any) -> str:
        return str(super().clean(value) or "").strip().upper()


class PartnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        where = ", ".join(x for x in (obj.locality, obj.country) if x)
        return f"{obj.name} ({where})" if where else str(obj.name)


class PlanStartForm(forms.Form):
    summary = forms.CharField(
        label=_("The person's goals, in their words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    currency = CurrencyField(label=_("Currency of the plan"))

    def __init__(self, *args: Any, fixed_currency: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_currency:
            # A programme's plans are kept in its currency, where its ceilings are.
            del self.fields["currency"]


class PlanItemForm(forms.Form):
    dimension = forms.ChoiceField(label=_("Part of the plan"), choices=c.PlanDimension.choices)
    kind = forms.ChoiceField(label=_("Type of assistance"), choices=c.AssistanceKind.choices)
    description = forms.CharField(label=_("Description"), max_length=300)
    partner = PartnerChoiceField(
        label=_("Provider"), queryset=Partner.objects.none(), required=False, empty_label="—"
    )
    in_kind = forms.BooleanField(label=_("In kind (no money paid)"), required=False)
    planned_amount = AmountField(label=_("Planned amount"), required=False)
    due_on = forms.DateField(label=_("Due"), required=False, widget=DateInput())

    def __init__(
        self,
        *args: Any,
        partners: Any = None,
        offers: dict[str, Any] | None = None,
        currency: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if partners is not None:
            self.fields["partner"].queryset = partners  # type: ignore[attr-defined]
        if offers:
            # Only what the programme offers, each with its ceiling per person.
            choices: list[tuple[str, str]] = []
            for value, label in c.AssistanceKind.choices:
                offer = offers.get(value)
                if offer is None:
                    continue
                shown = str(label)
                if offer.ceiling is not None:
                    shown = _("%(kind)s — up to %(ceiling)s %(currency)s") % {
                        "kind": label,
                        "ceiling": number_format(offer.ceiling, 2, force_grouping=True),
                        "currency": currency,
                    }
                choices.append((value, shown))
            self.fields["kind"].choices = choices  # type: ignore[attr-defined]
        self.fields["planned_amount"].help_text = (
            _("In %(currency)s. Leave empty for an item given in kind.") % {"currency": currency}
            if currency
            else ""
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("in_kind") and data.get("planned_amount") is None and not self.errors:
            self.add_error("planned_amount", _("Give an amount, or mark the item as in kind."))
        return data


class PlanReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("return", _("Return for changes"))]
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when the plan is returned: say what needs to change."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "return" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say what needs to change."))
        return data


class DeliveryForm(forms.Form):
    method = forms.ChoiceField(label=_("How"), choices=c.DeliveryMethod.choices)
    delivered_on = forms.DateField(label=_("Date"), widget=DateInput())
    amount = AmountField(label=_("Amount paid"), required=False)
    currency = CurrencyField(label=_("Currency paid"), required=False)
    exchange_rate = LocalDecimalField(
        label=_("Exchange rate"),
        required=False,
        max_digits=18,
        decimal_places=8,
        min_value=Decimal("0"),
    )
    proof = forms.ModelChoiceField(
        label=_("Proof"), queryset=CaseDocument.objects.none(), required=False, empty_label="—"
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(
        self, *args: Any, documents: Any = None, plan_currency: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        proof = self.fields["proof"]
        if documents is not None:
            proof.queryset = documents  # type: ignore[attr-defined]
        proof.help_text = _("A document of this case: receipt, transfer slip or signed list.")
        if plan_currency:
            self.fields["currency"].help_text = _(
                "The plan is kept in %(currency)s; for a payment in another currency, "
                "give the exchange rate too."
            ) % {"currency": plan_currency}
            self.fields["exchange_rate"].help_text = _(
                "Only for a payment in another currency: how many %(currency)s one unit of "
                "the currency paid was worth that day."
            ) % {"currency": plan_currency}


class BusinessPlanForm(forms.Form):
    activity = forms.CharField(label=_("Activity"), max_length=200)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    market = forms.CharField(
        label=_("Market and customers"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    currency = CurrencyField(label=_("Currency"))
    startup_costs = AmountField(label=_("Start-up costs"), required=False)
    expected_monthly_income = AmountField(label=_("Expected monthly income"), required=False)
    feasibility = forms.MultipleChoiceField(
        label=_("Feasibility checklist"),
        choices=c.FeasibilityItem.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    credit_partner = PartnerChoiceField(
        label=_("Micro-credit institution"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label="—",
    )
    credit_amount = AmountField(label=_("Micro-credit requested"), required=False)
    credit_status = forms.ChoiceField(
        label=_("Micro-credit application"), choices=c.CreditStatus.choices, required=False
    )

    def __init__(self, *args: Any, lenders: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if lenders is not None:
            self.fields["credit_partner"].queryset = lenders  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("credit_status") and not data.get("credit_partner"):
            self.add_error("credit_partner", _("Choose the institution applied to."))
        return data


class SupportSessionForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    topic = forms.ChoiceField(label=_("Topic"), choices=c.SupportTopic.choices)
    provider = forms.CharField(label=_("Given by"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
