"""Forms of the programme, directory and community-project pages: they parse, services validate."""

import gettext
import re
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pycountry
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from retorno.cases import choices as c
from retorno.cases.forms_plan import AmountField
from retorno.cases.models import Partner, Programme
from retorno.core import geo
from retorno.registry import choices as rc
from retorno.registry.forms import CountriesField, CountryField, DateInput

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


@lru_cache(maxsize=8)
def _currency_choices(language: str) -> tuple[tuple[str, str], ...]:
    names = gettext.translation(
        "iso4217", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )
    pairs = [
        (cur.alpha_3, f"{cur.alpha_3} — {names.gettext(cur.name)}") for cur in pycountry.currencies
    ]
    return tuple(sorted(pairs))


def currency_choices() -> list[tuple[str, str]]:
    """ISO 4217 currencies by code, named in the active language."""
    return list(_currency_choices((get_language() or "en").split("-")[0]))


class CurrencyField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=currency_choices, **kwargs)


class RegionField(forms.CharField):
    """An ISO 3166-2 code; shown as a list of the country's regions when the country is known."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 6)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("ISO 3166-2 code, for example MD-CU."))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value) or "").strip().upper()


def _use_region_list(form: forms.Form, country_field: str, region_field: str) -> None:
    """Offer the chosen country's regions as a list (the page works with a typed code too)."""
    country = form.data.get(country_field) if form.is_bound else form.initial.get(country_field)
    if not country or not geo.is_country(str(country)):
        return
    regions = geo.subdivision_choices(str(country).upper())
    if regions:
        form.fields[region_field].widget = forms.Select(choices=[("", "—"), *regions])
        form.fields[region_field].help_text = ""


def _check_region(form: forms.Form, country: str, region: str, field: str = "region") -> None:
    if region and (not geo.is_subdivision(region) or not region.startswith(f"{country}-")):
        form.add_error(field, _("Not a region of the chosen country."))


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=c.ProgrammeKind.choices)
    funding_source = forms.CharField(label=_("Funding source"), max_length=200, required=False)
    host_countries = CountriesField(
        label=_("Host countries"),
        required=False,
        help_text=_("Leave empty to admit people from any host country."),
    )
    origin_countries = CountriesField(label=_("Countries of origin"), required=False)
    currency = CurrencyField(label=_("Currency (ISO 4217)"), initial="EUR")
    budget = AmountField(label=_("Budget"))
    capacity = forms.IntegerField(label=_("Capacity (people)"), required=False, min_value=0)
    starts_on = forms.DateField(label=_("Starts"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("Ends"), required=False, widget=DateInput())
    approval_threshold = AmountField(
        label=_("Approval threshold"),
        help_text=_(
            "Plans above this total need somebody other than their author to approve them."
        ),
        initial=Decimal("1000"),
    )
    plan_due_days = forms.IntegerField(
        label=_("Days after arrival for the reintegration plan"),
        min_value=0,
        max_value=32767,
        initial=30,
    )
    eligible_nationalities = CountriesField(
        label=_("Nationalities admitted"),
        required=False,
        help_text=_("Leave empty to admit every nationality."),
    )
    eligible_statuses = forms.MultipleChoiceField(
        label=_("Statuses abroad admitted"),
        required=False,
        choices=rc.StatusAbroad.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    min_age = forms.IntegerField(label=_("Minimum age"), required=False, min_value=0, max_value=150)
    max_age = forms.IntegerField(label=_("Maximum age"), required=False, min_value=0, max_value=150)
    min_months_abroad = forms.IntegerField(
        label=_("Minimum time abroad (months)"), required=False, min_value=0, max_value=32767
    )
    excludes_removal_orders = forms.BooleanField(
        label=_("Not open to people under a removal order"), required=False
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partners"),
        queryset=Partner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # Plain model fields the form sets on the programme before the service saves it.
    MODEL_FIELDS = (
        "name",
        "kind",
        "funding_source",
        "host_countries",
        "origin_countries",
        "currency",
        "budget",
        "capacity",
        "starts_on",
        "ends_on",
        "approval_threshold",
        "plan_due_days",
        "eligible_nationalities",
        "eligible_statuses",
        "min_age",
        "max_age",
        "min_months_abroad",
        "excludes_removal_orders",
        "is_active",
    )

    def __init__(self, *args: Any, partners: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if partners is not None:
            self.fields["partners"].queryset = partners  # type: ignore[attr-defined]
        # The assistance catalogue: one row per kind, offered or not, with its ceiling.
        for kind, label in c.AssistanceKind.choices:
            self.fields[f"offer_{kind}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"ceiling_{kind}"] = AmountField(
                label=_("Ceiling per person for: %(kind)s") % {"kind": label},
                required=False,
            )

    @classmethod
    def initial_from(cls, programme: Programme) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(programme, name) for name in cls.MODEL_FIELDS}
        initial["partners"] = list(programme.partners.all())
        initial["version"] = programme.version
        for item in programme.assistance.all():
            initial[f"offer_{item.kind}"] = True
            initial[f"ceiling_{item.kind}"] = item.ceiling
        return initial

    def catalogue_rows(self) -> list[tuple[Any, Any]]:
        """(offered, ceiling) bound fields, one pair per kind of assistance."""
        return [
            (self[f"offer_{kind}"], self[f"ceiling_{kind}"]) for kind in c.AssistanceKind.values
        ]

    def main_fields(self) -> list[Any]:
        return [
            self[name]
            for name in self.fields
            if not name.startswith(("offer_", "ceiling_")) and name != "version"
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and high < low:
            self.add_error("max_age", _("The maximum age is below the minimum age."))
        for kind in c.AssistanceKind.values:
            if data.get(f"ceiling_{kind}") is not None and not data.get(f"offer_{kind}"):
                self.add_error(
                    f"offer_{kind}", _("Tick the assistance to offer it with this ceiling.")
                )
        return data

    def assistance(self) -> dict[str, Any]:
        """The catalogue as the service takes it: {kind: ceiling or None}."""
        return {
            kind: self.cleaned_data.get(f"ceiling_{kind}")
            for kind in c.AssistanceKind.values
            if self.cleaned_data.get(f"offer_{kind}")
        }

    def apply_to(self, programme: Programme) -> None:
        for name in self.MODEL_FIELDS:
            setattr(programme, name, self.cleaned_data.get(name))


class EligibilityForm(forms.Form):
    q = forms.CharField(label=_("Find a person by name"), required=False, max_length=100)
    person = forms.IntegerField(label=_("Person number"), required=False, min_value=1)
    removal_order = forms.BooleanField(label=_("Under a removal order"), required=False)


def _split_codes(value: str) -> list[str]:
    return [part.strip().lower() for part in re.split(r"[,;\s]+", value or "") if part.strip()]


class PartnerForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=c.PartnerKind.choices)
    country = CountryField(label=_("Country"))
    region = RegionField(label=_("Region"))
    locality = forms.CharField(label=_("Town or city"), max_length=100, required=False)
    services = forms.CharField(
        label=_("Services offered"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        help_text=_("ISO 639 codes separated by commas, for example: ro, ru, en."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    linked_organisation: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Organisation in Retorno"),
        queryset=None,
        required=False,
        help_text=_("If the provider uses Retorno, referrals then reach its staff."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    MODEL_FIELDS = (
        "name",
        "kind",
        "country",
        "region",
        "locality",
        "services",
        "languages",
        "phone",
        "email",
        "address",
        "linked_organisation",
        "is_active",
    )

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from retorno.accounts.models import Organisation

        queryset = organisations if organisations is not None else Organisation.objects.none()
        self.fields["linked_organisation"].queryset = queryset  # type: ignore[attr-defined]
        _use_region_list(self, "country", "region")

    @classmethod
    def initial_from(cls, partner: Partner) -> dict[str, Any]:
        initial = {name: getattr(partner, name) for name in cls.MODEL_FIELDS}
        initial["languages"] = ", ".join(partner.languages)
        initial["version"] = partner.version
        return initial

    def clean_languages(self) -> list[str]:
        codes = _split_codes(self.cleaned_data["languages"])
        bad = [code for code in codes if not _LANGUAGE.match(code)]
        if bad:
            raise ValidationError(
                _("Not a language code: %(codes)s"), params={"codes": ", ".join(bad)}
            )
        return codes

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_region(self, data.get("country") or "", data.get("region") or "")
        return data

    def apply_to(self, partner: Partner) -> None:
        for name in self.MODEL_FIELDS:
            setattr(partner, name, self.cleaned_data.get(name))


class CommunityProjectForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    country = CountryField(label=_("Country"))
    region = RegionField(label=_("Region"))
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), required=False
    )
    currency = CurrencyField(label=_("Currency (ISO 4217)"), initial="EUR")
    budget = AmountField(label=_("Budget"))
    returnees_served = forms.IntegerField(label=_("Returnees served"), min_value=0, initial=0)
    non_migrants_served = forms.IntegerField(
        label=_("Non-migrants served"),
        min_value=0,
        initial=0,
        help_text=_("People of the area who never migrated."),
    )
    starts_on = forms.DateField(label=_("Starts"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("Ends"), required=False, widget=DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    MODEL_FIELDS = (
        "name",
        "description",
        "country",
        "region",
        "programme",
        "currency",
        "budget",
        "returnees_served",
        "non_migrants_served",
        "starts_on",
        "ends_on",
    )

    def __init__(self, *args: Any, programmes: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if programmes is not None:
            self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        _use_region_list(self, "country", "region")

    @classmethod
    def initial_from(cls, project: Any) -> dict[str, Any]:
        initial = {name: getattr(project, name) for name in cls.MODEL_FIELDS}
        initial["version"] = project.version
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_region(self, data.get("country") or "", data.get("region") or "")
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The end is before the start."))
        return data

    def apply_to(self, project: Any) -> None:
        for name in self.MODEL_FIELDS:
            setattr(project, name, self.cleaned_data.get(name))
