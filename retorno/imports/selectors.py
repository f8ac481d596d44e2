"""Reads of the imports app, each checked against the reader's permissions."""

import csv
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from retorno.accounts.access import orgs_with
from retorno.accounts.roles import Perm
from retorno.core.audit import Actor, audit_record
from retorno.core.models import AuditAction
from retorno.imports.models import ImportBatch, ImportRowError, row_problem_text
from retorno.imports.readers import ImportFileError, TableReader
from retorno.imports.services import batch_file
from retorno.imports.values import neutralise

# What a reader of an import can be shown of its file's rows, for the audit trail.
PREVIEW, REJECTED_ROWS, REJECTED_CSV = "preview", "rejected rows", "rejected rows (CSV)"


def import_batches_visible(user: Any) -> QuerySet[ImportBatch]:
    """Return the imports of every organisation where the user may import."""
    return ImportBatch.objects.filter(organisation_id__in=orgs_with(user, Perm.IMPORT_RETURNS))


def access_import_batch(user: Any, batch_id: int) -> ImportBatch:
    """Return a batch the user may see, or raise (404 if it does not exist, else 403)."""
    try:
        batch = ImportBatch.objects.select_related("organisation", "created_by").get(pk=batch_id)
    except ImportBatch.DoesNotExist:
        raise Http404 from None
    if batch.organisation_id not in orgs_with(user, Perm.IMPORT_RETURNS):
        raise PermissionDenied(Perm.IMPORT_RETURNS)
    return batch


def audit_rows_read(*, actor: Actor, batch: ImportBatch, what: str, shown: int | None) -> None:
    """Record that rows of an import's file (names, birth dates…) were shown or downloaded.

    Nothing is recorded when no row was shown (an import without rejected rows).
    """
    if shown == 0:
        return
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT if what == REJECTED_CSV else AuditAction.VIEW,
        entity=batch,
        organisation_id=batch.organisation_id,
        summary=what if shown is None else f"{what}: {shown} shown",
    )


def import_batch_preview(batch: ImportBatch, rows: int = 5) -> list[list[str]]:
    """Return the first rows of the file, as many cells as there are headers."""
    preview: list[list[str]] = []
    width = len(batch.headers)
    with TableReader(batch_file(batch), batch.file_format, batch.encoding) as reader:
        for _number, cells in reader:
            preview.append((cells + [""] * width)[:width])
            if len(preview) >= rows:
                break
    return preview


class _Echo:
    def write(self, value: str) -> str:
        return value


def rejected_rows_csv(batch: ImportBatch) -> Iterator[str]:
    """Yield the rejected rows as CSV lines: the row number, the problems, then the cells.

    Every cell is neutralised so that opening the report in a spreadsheet runs nothing.
    """
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(
        [_("row"), _("problems"), *(neutralise(h) for h in batch.headers)]
    )
    problems: dict[int, list[str]] = {}
    errors = ImportRowError.objects.filter(batch=batch).order_by("row_number", "id")
    parts = ("row_number", "column", "value", "problem", "params", "message")
    pending = (
        (number, row_problem_text(*wording))
        for number, *wording in errors.values_list(*parts).iterator(chunk_size=2000)
    )
    current = next(pending, None)
    try:
        with TableReader(batch_file(batch), batch.file_format, batch.encoding) as reader:
            for number, cells in reader:
                while current is not None and current[0] <= number:
                    problems.setdefault(current[0], []).append(current[1])
                    current = next(pending, None)
                messages = problems.pop(number, None)
                if messages:
                    yield writer.writerow(
                        [str(number), neutralise(" ".join(messages)), *map(neutralise, cells)]
                    )
                if current is None and not problems:
                    break
    except (ImportFileError, OSError):
        # The file is gone or unreadable: the problems alone are still worth having.
        for number, *wording in errors.values_list(*parts):
            yield writer.writerow([str(number), neutralise(row_problem_text(*wording))])
