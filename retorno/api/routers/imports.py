"""Imports of return events from CSV and XLSX files: upload, mapping, progress, report.

The same services and permission checks as the import pages: only roles that may
import (administrators, supervisors, M&E officers) and only for their organisations.
The import itself runs in the background; poll ``GET /imports/{id}`` until
``finished`` is true.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, StreamingHttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from retorno.accounts.access import require
from retorno.accounts.roles import Perm
from retorno.api.common import api_actor, organisation_for_create, page, plain
from retorno.api.schemas import ErrorOut, PageParams
from retorno.api.schemas_imports import (
    ImportOut,
    ImportPage,
    MappingIn,
    RejectedRowPage,
)
from retorno.core.errors import NotFound
from retorno.imports import selectors, services
from retorno.imports.models import ImportBatch, ImportMode
from retorno.imports.readers import ImportFileError
from retorno.imports.views import rejected_rows_download

router = Router(tags=["imports"])

READ_ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _batch(request: HttpRequest, batch_id: int) -> ImportBatch:
    # Another organisation's import answers 404, like a missing one.
    try:
        return selectors.access_import_batch(request.user, batch_id)
    except (Http404, PermissionDenied):
        raise NotFound() from None


def _refused(error: ImportFileError, field: str) -> ValidationError:
    return ValidationError({field: [str(error)]})


@router.get("/imports", response={200: ImportPage, **READ_ERRORS}, summary="List imports")
def import_list(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    """The imports of every organisation where the caller may import, newest first."""
    require(request.user, Perm.IMPORT_RETURNS)
    qs: QuerySet[ImportBatch] = selectors.import_batches_visible(request.user)
    items, meta = page(qs.order_by("-created_at", "-id"), params.limit, params.offset)
    return {**meta, "items": items}


@router.post(
    "/imports",
    response={201: ImportOut, **WRITE_ERRORS},
    summary="Upload a file to import (multipart)",
)
def import_upload(
    request: HttpRequest,
    file: File[UploadedFile],
    source_name: Form[str],
    mode: Form[ImportMode] = ImportMode.VALID_ROWS,
    encoding: Form[str] = "",
    organisation: Form[int | None] = None,
) -> Status[ImportBatch]:
    """Keep the file, read its columns and suggest a mapping; nothing is imported yet.

    `mode` is the transactional contract: `valid_rows` commits every valid row and
    reports each rejected one; `all_or_nothing` commits nothing if any row is
    rejected. `encoding` is one of utf-8, windows-1252, iso-8859-1, utf-16 (empty:
    UTF-8 unless the file has a byte-order mark).
    """
    require(request.user, Perm.IMPORT_RETURNS)
    organisation_id = organisation_for_create(request.user, organisation, Perm.IMPORT_RETURNS)
    try:
        batch = services.import_batch_create(
            actor=api_actor(request),
            organisation_id=organisation_id,
            uploaded_file=file,
            source_name=source_name,
            mode=plain(mode),
            encoding=encoding,
        )
    except ImportFileError as error:
        raise _refused(error, "file") from None
    return Status(201, batch)


@router.get(
    "/imports/{int:batch_id}", response={200: ImportOut, **READ_ERRORS}, summary="An import"
)
def import_get(request: HttpRequest, batch_id: int) -> ImportBatch:
    """The import's state and counters; poll it while the import runs."""
    return _batch(request, batch_id)


@router.put(
    "/imports/{int:batch_id}/mapping",
    response={202: ImportOut, **WRITE_ERRORS},
    summary="Confirm the column mapping and start the import",
)
def import_start(request: HttpRequest, batch_id: int, payload: MappingIn) -> Status[ImportBatch]:
    """Say which column holds each field (see the import's `headers`); the import is queued."""
    batch = _batch(request, batch_id)
    try:
        batch = services.import_batch_set_mapping(
            actor=api_actor(request), batch_id=batch.pk, mapping=payload.mapping
        )
    except ImportFileError as error:
        raise _refused(error, "mapping") from None
    return Status(202, batch)


@router.get(
    "/imports/{int:batch_id}/rejected",
    response={200: RejectedRowPage, **READ_ERRORS},
    summary="The rejected rows of an import",
)
def import_rejected(
    request: HttpRequest, batch_id: int, params: Query[PageParams]
) -> dict[str, Any]:
    """Each problem found: row, column, value and what is wrong (reading them is audited)."""
    batch = _batch(request, batch_id)
    items, meta = page(batch.row_errors.all(), params.limit, params.offset)
    selectors.audit_rows_read(
        actor=api_actor(request), batch=batch, what=selectors.REJECTED_ROWS, shown=len(items)
    )
    return {**meta, "items": items}


@router.get(
    "/imports/{int:batch_id}/rejected.csv",
    response={200: None, **READ_ERRORS},
    summary="The rejected rows as CSV, with their cells",
)
def import_rejected_csv(request: HttpRequest, batch_id: int) -> StreamingHttpResponse:
    """Every rejected row with its problems and cells; formulas are neutralised."""
    return rejected_rows_download(api_actor(request), _batch(request, batch_id))
