"""Forms of the import pages: they parse input, the services decide."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from retorno.accounts.models import Organisation
from retorno.imports.columns import TARGET_FIELDS
from retorno.imports.models import ImportMode
from retorno.imports.readers import ENCODING_CHOICES

MODE_HELP = {
    ImportMode.VALID_ROWS: _(
        "Rows that pass every check are saved as the file is read; the others are listed "
        "in a report you can download, fix and upload again."
    ),
    ImportMode.ALL_OR_NOTHING: _(
        "The whole file is checked first. If a single row is rejected, nothing is saved "
        "and you get the report; otherwise every row is saved at once."
    ),
}


class UploadForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Import for"), coerce=int)
    file = forms.FileField(
        label=_("File"), help_text=_("CSV or XLSX, with the column names in the first row.")
    )
    source_name = forms.CharField(
        label=_("Source"),
        max_length=120,
        help_text=_("The agency or system the file comes from."),
    )
    mode = forms.ChoiceField(
        label=_("Contract"),
        choices=ImportMode.choices,
        initial=ImportMode.VALID_ROWS,
        widget=forms.RadioSelect,
    )
    encoding = forms.ChoiceField(
        label=_("Encoding of a CSV file"),
        choices=ENCODING_CHOICES,
        required=False,
        help_text=_("Leave on detect unless the file's accents come out wrong."),
    )

    def __init__(self, *args: Any, organisation_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Somebody importing for one organisation only is not asked which.
        if len(organisation_ids) > 1:
            names = Organisation.objects.filter(pk__in=organisation_ids).order_by("name")
            field = self.fields["organisation"]
            assert isinstance(field, forms.TypedChoiceField)
            field.choices = [(o.pk, o.name) for o in names]
        else:
            del self.fields["organisation"]


class MappingForm(forms.Form):
    """One select per target field, listing the file's columns."""

    def __init__(
        self, *args: Any, headers: list[str], mapping: dict[str, int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        columns = [("", _("— not in the file —"))] + [
            (str(i), h or _("column %(number)s") % {"number": i + 1}) for i, h in enumerate(headers)
        ]
        for target in TARGET_FIELDS:
            suggested = mapping.get(target.name)
            self.fields[target.name] = forms.ChoiceField(
                label=str(target.label),
                choices=columns,
                required=target.required,
                initial="" if suggested is None else str(suggested),
                help_text=str(target.help),
            )

    def mapping(self) -> dict[str, int]:
        return {name: int(value) for name, value in self.cleaned_data.items() if value != ""}
