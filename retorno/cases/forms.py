"""Forms of the case pages; they parse input, the services validate and write."""

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from retorno.cases import choices as c
from retorno.cases.models import Case, Programme
from retorno.core import geo
from retorno.registry.forms import CountryField, DateInput

_TEXTAREA = {"rows": 3}


def _model_field(name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", Case._meta.get_field(name))


def _label(name: str) -> Any:
    return capfirst(_model_field(name).verbose_name)


def _help(name: str) -> Any:
    return _model_field(name).help_text


def _check_region(form: forms.Form, country_field: str = "origin_country") -> None:
    """A region must be an ISO 3166-2 code of the country of return."""
    region = (form.cleaned_data.get("return_region") or "").upper()
    country = form.cleaned_data.get(country_field) or ""
    form.cleaned_data["return_region"] = region
    if region and (not geo.is_subdivision(region) or not region.startswith(f"{country}-")):
        form.add_error(
            "return_region", _("Not a region of the country of return (ISO 3166-2 code).")
        )


class _PageForm(forms.Form):
    """A form that shares the case page with others: its ids start with its own name."""

    id_prefix = "form"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class CaseworkerField(forms.ModelChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", _("nobody yet"))
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class CaseOpenForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=_("none yet"),
    )
    assigned_to = CaseworkerField(
        label=_("Caseworker"), queryset=get_user_model().objects.none(), required=False
    )
    host_country = CountryField(label=_("Host country"))
    origin_country = CountryField(label=_("Country of return"))
    return_region = forms.CharField(
        label=_("Region of return"),
        required=False,
        max_length=6,
        help_text=_("ISO 3166-2 code, for example MD-CU."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    language = forms.ChoiceField(label=_("Language of the case"), choices=settings.LANGUAGES)
    removal_order = forms.BooleanField(
        label=_("Under a removal order"),
        required=False,
        help_text=_("A case under a removal order is never counted as a voluntary return."),
    )

    def __init__(
        self, *args: Any, programmes: QuerySet[Any], caseworkers: QuerySet[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        self.fields["assigned_to"].queryset = caseworkers  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        _check_region(self)
        return self.cleaned_data


class CaseDetailsForm(_PageForm):
    """The facts of the case that do not belong to one stage."""

    id_prefix = "details"

    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=_("none yet"),
    )
    host_country = CountryField(label=_("Host country"))
    origin_country = CountryField(label=_("Country of return"))
    return_region = forms.CharField(
        label=_("Region of return"),
        required=False,
        max_length=6,
        help_text=_("ISO 3166-2 code, for example MD-CU."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    language = forms.ChoiceField(label=_("Language of the case"), choices=settings.LANGUAGES)
    removal_order = forms.BooleanField(
        label=_("Under a removal order"),
        required=False,
        help_text=_("A case under a removal order is never counted as a voluntary return."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    FIELDS = (
        "programme",
        "host_country",
        "origin_country",
        "return_region",
        "language",
        "removal_order",
    )

    def __init__(self, *args: Any, programmes: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        _check_region(self)
        return self.cleaned_data

    @classmethod
    def initial_from(cls, case: Case) -> dict[str, Any]:
        return {
            **{name: getattr(case, name) for name in cls.FIELDS},
            "programme": case.programme_id,
            "version": case.version,
        }

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


_YES_NO_UNKNOWN = [("", _("not recorded")), ("True", _("yes")), ("False", _("no"))]


def _stage_field(name: str) -> forms.Field:
    """The form field that records one of a stage's facts."""
    label, help_text = _label(name), _help(name)
    common: dict[str, Any] = {"label": label, "help_text": help_text, "required": False}
    if name == "decision_form":
        return forms.ChoiceField(
            choices=[("", _("not recorded")), *c.DecisionForm.choices],
            widget=forms.RadioSelect,
            **common,
        )
    if name == "vulnerabilities":
        return forms.MultipleChoiceField(
            choices=c.CaseVulnerability.choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if name == "immediate_needs":
        return forms.MultipleChoiceField(
            choices=c.ImmediateNeed.choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if name == "met_on_arrival":
        return forms.NullBooleanField(widget=forms.RadioSelect(choices=_YES_NO_UNKNOWN), **common)
    field = _model_field(name)
    internal = field.get_internal_type()
    if internal == "BooleanField":
        return forms.BooleanField(**common)
    if internal == "DateField":
        return forms.DateField(widget=DateInput(), **common)
    if internal == "TextField":
        return forms.CharField(widget=forms.Textarea(attrs=_TEXTAREA), **common)
    if internal == "PositiveSmallIntegerField":
        return forms.IntegerField(min_value=0, max_value=32767, **common)
    return forms.CharField(
        max_length=getattr(field, "max_length", None),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        **common,
    )


class CaseStageForm(_PageForm):
    """The current stage's form: its fields come from the workflow's table."""

    id_prefix = "stage"

    version = forms.IntegerField(widget=forms.HiddenInput)
    stage = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, field_names: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field_names = field_names
        for name in field_names:
            self.fields[name] = _stage_field(name)

    @classmethod
    def initial_from(cls, case: Case, field_names: tuple[str, ...]) -> dict[str, Any]:
        return {
            **{name: getattr(case, name) for name in field_names},
            "version": case.version,
            "stage": case.stage,
        }

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.field_names}


class TransitionForm(forms.Form):
    target = forms.ChoiceField(choices=c.Stage.choices)
    version = forms.IntegerField()
    reason = forms.CharField(required=False, max_length=2000)
    outcome = forms.ChoiceField(required=False, choices=[("", ""), *c.Outcome.choices])


class AssignForm(_PageForm):
    id_prefix = "assign"
    assigned_to = CaseworkerField(
        label=_("Caseworker"), queryset=get_user_model().objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, caseworkers: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = caseworkers  # type: ignore[attr-defined]


class CounsellingForm(_PageForm):
    id_prefix = "counselling"
    held_on = forms.DateField(label=_("Date"), widget=DateInput())
    topics = forms.MultipleChoiceField(
        label=_("Topics covered"),
        choices=c.CounsellingTopic.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.CharField(
        label=_("Language used"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    interpreter = forms.CharField(
        label=_("Interpreter"),
        max_length=120,
        required=False,
        help_text=_("Name, if one was present."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs=_TEXTAREA)
    )


class RiskForm(_PageForm):
    id_prefix = "risk"
    description = forms.CharField(
        label=_("Risk at the place of return"), widget=forms.Textarea(attrs=_TEXTAREA)
    )
    level = forms.ChoiceField(label=_("Level"), choices=c.RiskLevel.choices)


class MitigateForm(forms.Form):
    mitigation = forms.CharField(
        label=_("How the risk was mitigated"), widget=forms.Textarea(attrs={"rows": 2})
    )


class SignOffForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for accepting the risk"), widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(_PageForm):
    id_prefix = "note"
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs=_TEXTAREA))
    sensitivity = forms.ChoiceField(
        label=_("Who may read it"),
        choices=c.Sensitivity.choices,
        initial=c.Sensitivity.NORMAL,
        widget=forms.RadioSelect,
    )


class TaskForm(_PageForm):
    id_prefix = "task"
    title = forms.CharField(
        label=_("Task"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    due_on = forms.DateField(label=_("Due"), widget=DateInput())


class DocumentForm(_PageForm):
    id_prefix = "document"
    kind = forms.ChoiceField(label=_("Kind of document"), choices=c.DocumentKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG or PNG, up to 10 MB."),
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
