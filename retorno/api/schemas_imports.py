"""What the API reads and writes about imports of return events from files."""

import datetime

from ninja import Field, Schema

from retorno.api.schemas import PageMeta
from retorno.imports.models import ImportBatch, ImportMode, ImportRowError, ImportStatus


class ImportOut(Schema):
    id: int
    organisation: int
    file_name: str
    file_format: str
    file_size: int
    file_sha256: str
    encoding: str
    headers: list[str] = Field(description="The file's column names, in order.")
    mapping: dict[str, int] = Field(
        description="Which column (index into headers) holds each field; suggested at upload."
    )
    source_name: str
    mode: ImportMode
    mode_label: str
    status: ImportStatus
    status_label: str
    finished: bool
    rows_in_file: int | None
    rows_total: int = Field(description="Rows read so far.")
    rows_imported: int
    rows_duplicate: int = Field(description="Rows whose return was already in the registry.")
    rows_rejected: int
    people_created: int
    error: str
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None

    @staticmethod
    def resolve_organisation(obj: ImportBatch) -> int:
        return obj.organisation_id

    @staticmethod
    def resolve_mode_label(obj: ImportBatch) -> str:
        return str(obj.get_mode_display())

    @staticmethod
    def resolve_status_label(obj: ImportBatch) -> str:
        return str(obj.get_status_display())


class ImportPage(PageMeta):
    items: list[ImportOut]


class MappingIn(Schema):
    mapping: dict[str, int] = Field(
        description="Field name → index of the column holding it (0 is the first column)."
    )


class RejectedRowOut(Schema):
    row: int = Field(description="Row number in the file; row 1 holds the column names.")
    column: str
    value: str = Field(description="The value as found (a formula is shown quoted).")
    problem: str = Field(description="What is wrong, in the language asked for.")
    message: str = Field(description="Column, value and problem in one sentence.")

    @staticmethod
    def resolve_row(obj: ImportRowError) -> int:
        return obj.row_number

    @staticmethod
    def resolve_problem(obj: ImportRowError) -> str:
        return obj.problem_text

    @staticmethod
    def resolve_message(obj: ImportRowError) -> str:
        return obj.text


class RejectedRowPage(PageMeta):
    items: list[RejectedRowOut]
