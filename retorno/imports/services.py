"""Every write of the imports app: upload, column mapping, and the import run itself.

The transactional contract (also in docs/imports.md):

* ``valid_rows``: valid rows are committed every COMMIT_ROWS rows as the file is
  read, with the progress counters updated at each commit; every rejected row
  is reported as ImportRowError rows.
* ``all_or_nothing``: a first pass validates the whole file; if any row is
  rejected nothing at all is written to the registry (status "rejected", the
  report lists the rows), otherwise a second pass writes every row in one
  transaction.

In both, importing the same rows again adds nothing: people are found by their
reference in the source, returns by their fingerprint.
"""

import csv
import hashlib
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from retorno.accounts.access import require
from retorno.accounts.roles import Perm
from retorno.core.audit import Actor, audit_record
from retorno.core.models import AuditAction, AuditChannel
from retorno.imports.columns import FIELD_NAMES, REQUIRED_FIELDS, suggest_mapping
from retorno.imports.indexes import restore_indexes, suspend_indexes, worth_suspending
from retorno.imports.models import ImportBatch, ImportMode, ImportRowError, ImportStatus
from retorno.imports.pipeline import Chunk, read_chunks
from retorno.imports.readers import (
    CSV,
    ENCODINGS,
    XLSX,
    ImportFileError,
    TableReader,
    detect_format,
)
from retorno.imports.values import RowError
from retorno.imports.writer import ReturnWriter, bulk_write_session

logger = logging.getLogger(__name__)

CHUNK_ROWS = 5_000
# Rows per transaction in valid_rows mode. Each commit writes every index page the
# transaction touched; on a large registry a chunk touches most pages of the random
# indexes (fingerprints, names, dates), so committing ten chunks at once costs about
# what one chunk did.
COMMIT_ROWS = 200_000
_COPY_BYTES = 1024 * 1024


def batch_directory(batch_id: int) -> Path:
    """Return where an import's file is kept: under MEDIA_ROOT, never under static files."""
    return Path(settings.MEDIA_ROOT) / "imports" / str(batch_id)


def batch_file(batch: ImportBatch) -> Path:
    return Path(settings.MEDIA_ROOT) / batch.stored_path


def _store(uploaded_file: UploadedFile, batch_id: int) -> tuple[Path, str, int]:
    directory = batch_directory(batch_id)
    directory.mkdir(parents=True, exist_ok=True)
    name = get_valid_filename(Path(uploaded_file.name or "upload").name) or "upload"
    path = directory / name
    digest = hashlib.sha256()
    size = 0
    with path.open("wb") as out:
        for piece in uploaded_file.chunks(_COPY_BYTES):
            digest.update(piece)
            size += len(piece)
            out.write(piece)
    return path, digest.hexdigest(), size


def _count_rows(path: Path, file_format: str, encoding: str) -> int:
    """Return the number of data rows, reading a CSV through so a bad encoding shows now."""
    with TableReader(path, file_format, encoding) as reader:
        if file_format == XLSX:
            return 0
        detected, delimiter = reader.encoding, reader.delimiter
    # The whole file decoded at once is several times faster than row by row; only
    # a file that fails is read again row by row, to say which row is wrong.
    try:
        with path.open(encoding=detected, errors="strict", newline="") as text:
            rows = sum(1 for cells in csv.reader(text, delimiter=delimiter) if any(cells))
        return max(rows - 1, 0)
    except (UnicodeDecodeError, csv.Error):
        with TableReader(path, file_format, encoding) as reader:
            return sum(1 for _row in reader)


def _xlsx_rows_estimate(path: Path) -> int | None:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    try:
        rows = workbook.worksheets[0].max_row
    finally:
        workbook.close()
    return rows - 1 if rows else None


@transaction.atomic
def import_batch_create(
    *,
    actor: Actor,
    organisation_id: int,
    uploaded_file: UploadedFile,
    source_name: str,
    mode: str = ImportMode.VALID_ROWS,
    encoding: str = "",
) -> ImportBatch:
    """Keep an uploaded file, read its column headers and suggest a column mapping.

    Raises ImportFileError, with a message for the user, if the file cannot be read.
    """
    require(actor.user, Perm.IMPORT_RETURNS, organisation_id)
    limit = settings.RETORNO_IMPORT_MAX_BYTES
    if (uploaded_file.size or 0) > limit:
        raise ImportFileError(
            _("The file is larger than the limit of %(limit)s MB.") % {"limit": limit // 2**20}
        )
    if mode not in ImportMode.values:
        raise ValueError(f"Unknown import mode {mode!r}")
    if encoding and encoding not in ENCODINGS:
        raise ImportFileError(_("This encoding is not supported."))
    source_name = source_name.strip()
    if not source_name:
        raise ImportFileError(_("Say which agency or system the file comes from."))
    uploaded_file.seek(0)
    head = uploaded_file.read(8)
    uploaded_file.seek(0)
    file_format = detect_format(uploaded_file.name or "", head)
    batch = ImportBatch.objects.create(
        organisation_id=organisation_id,
        created_by=actor.user,
        file_name=uploaded_file.name or "",
        file_format=file_format,
        source_name=source_name[:120],
        mode=mode,
        encoding=encoding,
    )
    path, sha256, size = _store(uploaded_file, batch.pk)
    try:
        if size > limit:
            raise ImportFileError(
                _("The file is larger than the limit of %(limit)s MB.") % {"limit": limit // 2**20}
            )
        with TableReader(path, file_format, encoding) as reader:
            headers = reader.headers
            detected = reader.encoding
        rows = (
            _count_rows(path, file_format, encoding)
            if file_format == CSV
            else (_xlsx_rows_estimate(path))
        )
    except BaseException:
        # The batch row is rolled back with the transaction; the file must go too.
        shutil.rmtree(batch_directory(batch.pk), ignore_errors=True)
        raise
    batch.stored_path = str(path.relative_to(settings.MEDIA_ROOT))
    batch.file_sha256 = sha256
    batch.file_size = size
    batch.encoding = detected
    batch.headers = headers
    batch.mapping = suggest_mapping(headers)
    batch.rows_in_file = rows
    batch.save()
    return batch


def mapping_problems(mapping: dict[str, int], headers: list[str]) -> list[str]:
    """Return what is wrong with a column mapping, as messages for the user."""
    problems = []
    for field in sorted(REQUIRED_FIELDS - set(mapping), key=FIELD_NAMES.index):
        problems.append(_("Choose the column holding “%(field)s”.") % {"field": field})
    for field, index in mapping.items():
        if field not in FIELD_NAMES or not 0 <= index < len(headers):
            problems.append(_("Unknown column for “%(field)s”.") % {"field": field})
    return problems


@transaction.atomic
def import_batch_set_mapping(
    *, actor: Actor, batch_id: int, mapping: dict[str, int]
) -> ImportBatch:
    """Confirm which column holds each field and queue the import."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
    require(actor.user, Perm.IMPORT_RETURNS, batch.organisation_id)
    if batch.status != ImportStatus.UPLOADED:
        raise ImportFileError(_("This import has already been started."))
    problems = mapping_problems(mapping, batch.headers)
    if problems:
        raise ImportFileError(" ".join(problems))
    batch.mapping = mapping
    batch.status = ImportStatus.QUEUED
    batch.language = translation.get_language() or ""
    batch.save(update_fields=["mapping", "status", "language"])

    def enqueue() -> None:
        from retorno.imports.tasks import run_import

        run_import.enqueue(batch.pk)

    transaction.on_commit(enqueue)
    return batch


def _save_errors(batch_id: int, errors: list[tuple[int, RowError]]) -> None:
    ImportRowError.objects.bulk_create(
        ImportRowError(
            batch_id=batch_id,
            row_number=row,
            column=column[:120],
            value=value[:200],
            problem=problem,
            params=params,
        )
        for row, (column, value, problem, params) in errors
    )


class _Run:
    """The counters of one import run, and the chunks of its file."""

    def __init__(self, batch: ImportBatch) -> None:
        self.batch = batch
        self.writer = ReturnWriter(
            organisation_id=batch.organisation_id,
            batch_id=batch.pk,
            user_id=batch.created_by_id,
            source_name=batch.source_name,
        )
        self.read = self.rejected = self.imported = self.duplicate = self.people_created = 0

    def chunks(self, *, record_errors: bool, prepare: bool) -> Iterator[Chunk]:
        """Yield the file's chunks, counting rows and saving the rejected rows' problems."""
        batch = self.batch
        self.read = self.rejected = 0
        for chunk in read_chunks(
            batch_file(batch),
            batch.file_format,
            batch.encoding,
            {k: int(v) for k, v in batch.mapping.items()},
            chunk_rows=CHUNK_ROWS,
            prepare=self.writer.prepare if prepare else None,
        ):
            self.read += chunk.read
            self.rejected += chunk.rejected
            if record_errors and chunk.errors:
                _save_errors(batch.pk, chunk.errors)
            yield chunk

    def write(self, chunk: Chunk) -> None:
        result = self.writer.write(chunk.rows)
        self.imported += result.imported
        self.duplicate += result.duplicate
        self.people_created += result.people_created

    def counters(self) -> dict[str, int]:
        return {
            "rows_total": self.read,
            "rows_imported": self.imported,
            "rows_duplicate": self.duplicate,
            "rows_rejected": self.rejected,
            "people_created": self.people_created,
        }

    def save_progress(self) -> None:
        ImportBatch.objects.filter(pk=self.batch.pk).update(**self.counters())


def _run_valid_rows(run: _Run, *, suspend: bool) -> str:
    chunks = run.chunks(record_errors=True, prepare=True)
    finished = False
    while not finished:
        # Each group of chunks (their returns, rejected rows and the counters) commits
        # on its own, so a failure keeps what was committed before it.
        with transaction.atomic():
            if suspend:
                # Built again by import_batch_run once the rows are in, or after a failure.
                suspend_indexes(run.batch.pk)
                suspend = False
            rows = 0
            while rows < COMMIT_ROWS:
                chunk = next(chunks, None)
                if chunk is None:
                    finished = True
                    break
                run.write(chunk)
                rows += chunk.read
            run.save_progress()
    return ImportStatus.DONE


def _run_all_or_nothing(run: _Run, *, suspend: bool) -> str:
    for _chunk in run.chunks(record_errors=True, prepare=False):
        run.save_progress()
    if run.rejected:
        return ImportStatus.REJECTED
    with transaction.atomic():
        # One transaction: the indexes are dropped and built again inside it, so a
        # failure leaves them as they were, like the rows.
        if suspend:
            suspend_indexes(run.batch.pk)
        for chunk in run.chunks(record_errors=False, prepare=True):
            run.write(chunk)
        if suspend:
            restore_indexes()
    return ImportStatus.DONE


def import_batch_run(*, batch_id: int) -> ImportBatch:
    """Import a queued batch's rows (the background task calls this); return the batch.

    Rejected rows are recorded language-neutral and worded for each reader; the
    import's own messages (a failure, the audit summary) are written in the language
    of the person who started it.
    """
    language = ImportBatch.objects.filter(pk=batch_id).values_list("language", flat=True).first()
    with translation.override(language or settings.LANGUAGE_CODE):
        return _import_batch_run(batch_id)


def _import_batch_run(batch_id: int) -> ImportBatch:
    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now(), error=""
    )
    batch = ImportBatch.objects.get(pk=batch_id)
    if not claimed:
        # Already run, or running elsewhere: a task delivered twice does nothing.
        return batch
    ImportRowError.objects.filter(batch_id=batch_id).delete()
    # Indexes an earlier import left suspended (if it was cut off) come back first.
    restore_indexes()
    run = _Run(batch)
    suspend = worth_suspending(batch.rows_in_file or 0)
    error = ""
    try:
        with bulk_write_session():
            try:
                if batch.mode == ImportMode.ALL_OR_NOTHING:
                    status = _run_all_or_nothing(run, suspend=suspend)
                else:
                    status = _run_valid_rows(run, suspend=suspend)
            finally:
                restore_indexes()
    except ImportFileError as failure:
        status, error = ImportStatus.FAILED, str(failure)
    except Exception:
        logger.exception("Import %s failed", batch_id)
        status = ImportStatus.FAILED
        error = _("The import stopped because of an unexpected error; the rows saved so far stay.")
    with transaction.atomic():
        ImportBatch.objects.filter(pk=batch_id).update(
            status=status, error=error, finished_at=timezone.now(), **run.counters()
        )
        batch.refresh_from_db()
        counters = run.counters()
        audit_record(
            actor=Actor(user=batch.created_by, channel=AuditChannel.IMPORT),
            action=AuditAction.IMPORT,
            entity=batch,
            summary=_(
                "%(file)s: %(imported)s imported, %(duplicate)s already there, "
                "%(rejected)s rejected"
            )
            % {
                "file": batch.file_name,
                "imported": run.imported,
                "duplicate": run.duplicate,
                "rejected": run.rejected,
            },
            after={"status": status, **counters},
        )
    return batch
