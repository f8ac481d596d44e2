"""Bulk imports of return events from other agencies' files."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from retorno.accounts.models import Organisation


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("uploaded, waiting for column mapping")
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("finished")
    REJECTED = "rejected", _("nothing imported: errors found")
    FAILED = "failed", _("failed")


class ImportMode(models.TextChoices):
    VALID_ROWS = "valid_rows", _("import every valid row and report the rejected ones")
    ALL_OR_NOTHING = "all_or_nothing", _("import nothing if any row is rejected")


class ImportBatch(models.Model):
    """One uploaded file of return events, its column mapping and the outcome of its import."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    file_name = models.CharField(_("file"), max_length=255)
    file_format = models.CharField(_("format"), max_length=8)
    file_size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    file_sha256 = models.CharField(max_length=64)
    stored_path = models.CharField(max_length=500)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    headers = models.JSONField(_("columns in the file"), default=list)
    mapping = models.JSONField(_("column mapping"), default=dict)
    source_name = models.CharField(
        _("source"), max_length=120, help_text=_("The agency or system the file comes from.")
    )
    mode = models.CharField(
        _("contract"),
        max_length=16,
        choices=ImportMode.choices,
        default=ImportMode.VALID_ROWS,
        help_text=_(
            "Every valid row: valid rows are saved in chunks as the file is read and each "
            "rejected row is reported. All or nothing: the whole file is checked first; if any "
            "row is rejected nothing is saved, otherwise every row is saved in one transaction. "
            "Either way a row already imported is never added twice."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    # The language of whoever started the import: its messages are written in it.
    language = models.CharField(max_length=8, blank=True)
    rows_in_file = models.PositiveIntegerField(
        _("rows in the file"),
        null=True,
        blank=True,
        help_text=_("Counted at upload (estimated for XLSX); the progress bar's end."),
    )
    rows_total = models.PositiveIntegerField(_("rows read"), default=0)
    rows_imported = models.PositiveIntegerField(_("rows imported"), default=0)
    rows_duplicate = models.PositiveIntegerField(_("rows already imported"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    people_created = models.PositiveIntegerField(_("people created"), default=0)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def finished(self) -> bool:
        """Whether the import has ended, whatever its outcome."""
        return self.status in (ImportStatus.DONE, ImportStatus.REJECTED, ImportStatus.FAILED)


class ImportRowError(models.Model):
    """Why one row of a file was rejected."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=120, blank=True)
    value = models.CharField(_("value"), max_length=200, blank=True)
    # The problem in the source language (a catalogue entry) with its values, so that
    # each reader sees it in their own language, whatever language the import ran in.
    problem = models.CharField(max_length=200, blank=True)
    params = models.JSONField(default=dict, blank=True)
    # The whole message as written when the problem is not a catalogue entry.
    message = models.CharField(_("problem"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        ordering = ["row_number", "id"]
        indexes = [models.Index(fields=["batch", "row_number"], name="importerr_batch_row_idx")]

    def __str__(self) -> str:
        return f"{self.row_number}: {self.text}"

    @property
    def text(self) -> str:
        """The problem, in the active language: which column, which value, what is wrong."""
        return row_problem_text(self.column, self.value, self.problem, self.params, self.message)

    @property
    def problem_text(self) -> str:
        """Only what is wrong, in the active language (for a table that shows column and value)."""
        return _problem_text(self.problem, self.params) if self.problem else self.message


def row_problem_text(
    column: str, value: str, problem: str, params: dict[str, Any], message: str = ""
) -> str:
    """Word a rejected value's problem in the active language."""
    if not problem:
        return message
    return gettext("Column “%(column)s”, value “%(value)s”: %(problem)s") % {
        "column": column,
        "value": value[:60],
        "problem": _problem_text(problem, params),
    }


def _problem_text(problem: str, params: dict[str, Any]) -> str:
    return gettext(problem) % params if params else gettext(problem)


class SuspendedIndex(models.Model):
    """A registry index dropped while a large import writes, to be built again after it.

    Kept in the database, in the transaction that dropped the index, so that an import
    cut off half-way (a killed worker, a power cut) leaves a record of what to rebuild
    rather than a registry quietly missing an index.
    """

    name = models.CharField(max_length=128, unique=True)
    table = models.CharField(max_length=128)
    sql = models.TextField()
    batch = models.ForeignKey(ImportBatch, null=True, on_delete=models.SET_NULL, related_name="+")
    suspended_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name
