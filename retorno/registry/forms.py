"""Forms of the registry pages; they parse input, the services validate and write."""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from retorno.core import geo
from retorno.registry import choices as c
from retorno.registry.models import Household

_ISCO = re.compile(r"^\d{1,4}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


class DateInput(forms.DateInput):
    """A native date picker; its value must be ISO whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class CountryField(forms.ChoiceField):
    """A country select whose names follow the active language."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=self._choices_now, **kwargs)

    @staticmethod
    def _choices_now() -> list[tuple[str, str]]:
        return [("", "—"), *geo.country_choices()]


class CountriesField(forms.MultipleChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=geo.country_choices, **kwargs)


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]", value or "") if part.strip()]


class PersonForm(forms.Form):
    given_name = forms.CharField(label=_("Given name"), max_length=120)
    family_name = forms.CharField(label=_("Family name"), max_length=120, required=False)
    name_original_script = forms.CharField(
        label=_("Name in original script"),
        max_length=200,
        required=False,
        help_text=_("As written in the person's own alphabet, for example Arabic or Cyrillic."),
    )
    aliases = forms.CharField(
        label=_("Other names and spellings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: earlier names, other transliterations, nicknames."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=c.Sex.choices, widget=forms.RadioSelect)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    birth_precision = forms.ChoiceField(
        label=_("Precision of the date of birth"),
        choices=c.DatePrecision.choices,
        help_text=_(
            "If only the year is known, enter 1 January of that year and choose “year only”."
        ),
    )
    nationalities = CountriesField(label=_("Nationalities"), required=False)
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        help_text=_("ISO 639 codes separated by commas, for example: ar, fr, en."),
    )
    education_level = forms.ChoiceField(
        label=_("Education level (ISCED 2011)"), choices=c.EducationLevel.choices
    )
    education_field = forms.ChoiceField(
        label=_("Field of education (ISCED-F 2013)"),
        required=False,
        choices=[("", "—"), *c.EducationField.choices],
    )
    occupations = forms.CharField(
        label=_("Occupations (ISCO-08 codes)"),
        required=False,
        help_text=_("One to four digits each, separated by commas, for example: 7115, 5120."),
    )
    family_status = forms.ChoiceField(label=_("Family status"), choices=c.FamilyStatus.choices)
    household = forms.ModelChoiceField(
        label=_("Household"), queryset=Household.objects.none(), required=False
    )
    household_role = forms.ChoiceField(
        label=_("Role in household"), required=False, choices=[("", "—"), *c.HouseholdRole.choices]
    )
    vulnerabilities = forms.MultipleChoiceField(
        label=_("Vulnerabilities"),
        required=False,
        choices=c.Vulnerability.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, households: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if households is not None:
            self.fields["household"].queryset = households  # type: ignore[attr-defined]

    def clean_aliases(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["aliases"].splitlines() if line.strip()]

    def clean_languages(self) -> list[str]:
        codes = [code.lower() for code in _split(self.cleaned_data["languages"])]
        bad = [code for code in codes if not _LANGUAGE.match(code)]
        if bad:
            raise ValidationError(
                _("Not a language code: %(codes)s"), params={"codes": ", ".join(bad)}
            )
        return codes

    def clean_occupations(self) -> list[str]:
        codes = _split(self.cleaned_data["occupations"])
        bad = [code for code in codes if not _ISCO.match(code)]
        if bad:
            raise ValidationError(
                _("Not an ISCO-08 code: %(codes)s"), params={"codes": ", ".join(bad)}
            )
        return codes

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


class EpisodeForm(forms.Form):
    host_country = CountryField(label=_("Host country"))
    started_on = forms.DateField(label=_("From"), widget=DateInput())
    ended_on = forms.DateField(
        label=_("To"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty if the person still lives there."),
    )
    status_abroad = forms.ChoiceField(label=_("Status abroad"), choices=c.StatusAbroad.choices)
    occupation = forms.CharField(
        label=_("Occupation abroad (ISCO-08)"),
        required=False,
        max_length=4,
        validators=[lambda v: _check_isco(v)],
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _check_isco(value: str) -> None:
    if value and not _ISCO.match(value):
        raise ValidationError(_("Not an ISCO-08 code: %(codes)s"), params={"codes": value})


class ReturnEventForm(forms.Form):
    from_country = CountryField(label=_("Returned from"))
    to_country = CountryField(label=_("Returned to"))
    return_date = forms.DateField(label=_("Date of return"), widget=DateInput())
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=c.ReturnMode.choices,
        widget=forms.RadioSelect,
        initial=c.ReturnMode.PHYSICAL,
    )
    permanence = forms.ChoiceField(
        label=_("Permanence"), choices=c.Permanence.choices, widget=forms.RadioSelect
    )
    voluntariness = forms.ChoiceField(
        label=_("Voluntariness"), choices=c.Voluntariness.choices, widget=forms.RadioSelect
    )
    reasons = forms.MultipleChoiceField(
        label=_("Reasons for return"),
        choices=c.ReturnReason.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    intended_stay = forms.ChoiceField(
        label=_("Intended length of stay"),
        choices=c.IntendedStay.choices,
        initial=c.IntendedStay.UNDECIDED,
    )
    settlement_area = forms.CharField(
        label=_("Settlement area"),
        required=False,
        max_length=6,
        help_text=_("The region where the person settles (ISO 3166-2)."),
    )
    settlement_locality = forms.CharField(
        label=_("Town or village"), required=False, max_length=120
    )
    assets_bracket = forms.ChoiceField(
        label=_("Declared savings and assets"),
        choices=c.AssetsBracket.choices,
        initial=c.AssetsBracket.NOT_DECLARED,
    )
    source = forms.ChoiceField(
        label=_("Source of the facts"),
        choices=c.FactSource.choices,
        initial=c.FactSource.SELF_DECLARED,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for fact in c.SOURCED_FACTS:
            label = self.fields[fact].label
            self.fields[f"source_{fact}"] = forms.ChoiceField(
                label=label,
                required=False,
                choices=[("", _("same as the main source")), *c.FactSource.choices],
            )

    def source_fields(self) -> list[Any]:
        return [self[f"source_{fact}"] for fact in c.SOURCED_FACTS]

    def service_fields(self) -> dict[str, Any]:
        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if not k.startswith("source_") and k != "version"
        }
        data["fact_sources"] = {
            fact: self.cleaned_data[f"source_{fact}"]
            for fact in c.SOURCED_FACTS
            if self.cleaned_data.get(f"source_{fact}")
        }
        return data

    @classmethod
    def initial_from(cls, event: Any) -> dict[str, Any]:
        initial = {
            name: getattr(event, name)
            for name in (
                "from_country",
                "to_country",
                "return_date",
                "mode",
                "permanence",
                "voluntariness",
                "reasons",
                "intended_stay",
                "settlement_area",
                "settlement_locality",
                "assets_bracket",
                "source",
                "version",
            )
        }
        for fact, source in (event.fact_sources or {}).items():
            initial[f"source_{fact}"] = source
        return initial


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=c.ConsentPurpose.choices)
    status = forms.ChoiceField(
        label=_("Decision"), choices=c.ConsentStatus.choices, widget=forms.RadioSelect
    )
    channel = forms.ChoiceField(label=_("How it was given"), choices=c.ConsentChannel.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class HouseholdForm(forms.Form):
    reference = forms.CharField(label=_("Reference"), max_length=60)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ArrivalSearchForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())


class ArrivalForm(forms.Form):
    """The arrival desk: who arrived (found or new) and the facts of the return."""

    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("Given name and family name, as the person says them."),
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DateInput())
    person = forms.CharField(required=False, widget=forms.HiddenInput)
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=c.Sex.choices,
        widget=forms.RadioSelect,
        initial=c.Sex.UNKNOWN,
        required=False,
    )
    from_country = CountryField(label=_("Arriving from"))
    to_country = CountryField(label=_("Country of arrival"))
    return_date = forms.DateField(label=_("Date of arrival"), widget=DateInput())
    permanence = forms.ChoiceField(
        label=_("Permanence"),
        choices=c.Permanence.choices,
        widget=forms.RadioSelect,
        initial=c.Permanence.PERMANENT,
    )
    voluntariness = forms.ChoiceField(
        label=_("Voluntariness"),
        choices=c.Voluntariness.choices,
        widget=forms.RadioSelect,
        initial=c.Voluntariness.SPONTANEOUS,
    )
    reasons = forms.MultipleChoiceField(
        label=_("Reasons for return"),
        choices=c.ReturnReason.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    intended_stay = forms.ChoiceField(
        label=_("Intended length of stay"),
        choices=c.IntendedStay.choices,
        initial=c.IntendedStay.UNDECIDED,
    )
    settlement_area = forms.CharField(label=_("Settlement area"), required=False, max_length=6)

    def clean_person(self) -> str:
        value = self.cleaned_data.get("person") or "new"
        if value != "new" and not value.isdigit():
            raise ValidationError(_("Choose a person from the list or “new person”."))
        return value


class IdentityDocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=c.DocumentKind.choices)
    number = forms.CharField(label=_("Number"), max_length=60)
    issuing_country = CountryField(label=_("Issuing country"), required=False)
    expires_on = forms.DateField(label=_("Expires"), required=False, widget=DateInput())


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=c.ContactKind.choices)
    value = forms.CharField(label=_("Value"), max_length=200)
    is_preferred = forms.BooleanField(label=_("Preferred"), required=False)
