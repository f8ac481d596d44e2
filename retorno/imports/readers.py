"""Read the rows of an uploaded CSV or XLSX file, one at a time, in constant memory.

Agencies send files saved by every spreadsheet and database on earth, so the
readers guess what can be guessed safely (byte-order marks, the delimiter) and
refuse what cannot: a file that does not decode is reported with its row number
and never decoded with replacement characters, which would silently corrupt names.
"""

import codecs
import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CSV = "csv"
XLSX = "xlsx"

# Encodings a user may choose; a byte-order mark in the file overrides the choice.
ENCODING_CHOICES = [
    ("", gettext_lazy("detect (UTF-8 unless the file says otherwise)")),
    ("utf-8", "UTF-8"),
    ("windows-1252", "Windows-1252 (Excel on Windows, Western Europe)"),
    ("iso-8859-1", "ISO-8859-1 (Latin-1)"),
    ("utf-16", "UTF-16"),
]
ENCODINGS = frozenset(code for code, _label in ENCODING_CHOICES if code)
DELIMITERS = (",", ";", "\t")


class ImportFileError(Exception):
    """The file cannot be read at all; the message is translated and shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def detect_format(file_name: str, head: bytes) -> str:
    """Return CSV or XLSX from the file's name and first bytes, or raise ImportFileError."""
    suffix = Path(file_name).suffix.lower()
    if suffix == ".xls":
        raise ImportFileError(
            _("Old Excel files (.xls) cannot be read. Save the sheet as .xlsx or CSV.")
        )
    if suffix in {".xlsx", ".xlsm"} or head.startswith(b"PK\x03\x04"):
        return XLSX
    return CSV


def cell_text(value: Any) -> str:
    """Return a spreadsheet cell's value as the text a person would read in it."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class TableReader:
    """Iterate over (row number, cells) of a file; row 1 holds the column headers."""

    headers: list[str]
    encoding: str
    delimiter: str

    def __init__(self, path: Path, file_format: str, encoding: str = "") -> None:
        self.path = path
        self.file_format = file_format
        self.requested_encoding = encoding
        self.encoding = ""
        self.delimiter = ""
        self.headers = []
        self._rows: Iterator[tuple[int, list[str]]] = iter(())
        self._closers: list[Any] = []

    def __enter__(self) -> Self:
        if self.file_format == XLSX:
            self._open_xlsx()
        else:
            self._open_csv()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the file handles."""
        for closer in reversed(self._closers):
            closer.close()
        self._closers.clear()

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        return self._rows

    # CSV ---------------------------------------------------------------

    def _open_csv(self) -> None:
        raw: IO[bytes] = self.path.open("rb")
        self._closers.append(raw)
        head = raw.read(4)
        raw.seek(0)
        if head.startswith(codecs.BOM_UTF8):
            self.encoding = "utf-8-sig"
            raw.seek(len(codecs.BOM_UTF8))
            lines = self._decoded_lines(raw, "utf-8")
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self.encoding = "utf-16"
            lines = self._utf16_lines(raw)
        else:
            self.encoding = self.requested_encoding or "utf-8"
            if self.encoding == "utf-16":
                # Without a byte-order mark, UTF-16 is most likely little-endian (Windows).
                self.encoding = "utf-16-le"
                lines = self._utf16_lines(raw, "utf-16-le")
            else:
                lines = self._decoded_lines(raw, self.encoding)
        first = self._first_line(lines)
        self.delimiter = sniff_delimiter(first)
        reader = csv.reader(_chain_one(first, lines), delimiter=self.delimiter)
        self._rows = self._csv_rows(reader)
        try:
            header_row = next(self._rows, None)
        except ImportFileError:
            raise
        if header_row is None:
            raise ImportFileError(_("The file is empty."))
        self.headers = [h.strip() for h in header_row[1]]
        if not any(self.headers):
            raise ImportFileError(_("The first row must hold the column names."))

    def _decoded_lines(self, raw: IO[bytes], encoding: str) -> Iterator[str]:
        decode = codecs.getdecoder(encoding)
        for line in raw:
            try:
                yield decode(line)[0]
            except UnicodeDecodeError as error:
                raise _DecodeError(encoding) from error

    def _utf16_lines(self, raw: IO[bytes], encoding: str = "utf-16") -> Iterator[str]:
        text = io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")
        self._closers.append(text)
        try:
            yield from text
        except UnicodeDecodeError as error:
            raise _DecodeError(encoding) from error

    def _first_line(self, lines: Iterator[str]) -> str:
        try:
            return next(lines, "")
        except _DecodeError as error:
            raise self._decode_failure(error, 1) from error

    def _csv_rows(self, reader: Any) -> Iterator[tuple[int, list[str]]]:
        # Rows are numbered as in a spreadsheet: the header is row 1.
        number = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except _DecodeError as error:
                raise self._decode_failure(error, number + 1) from error
            except csv.Error as error:
                raise ImportFileError(
                    _("Row %(row)s cannot be read as CSV: %(problem)s")
                    % {"row": number + 1, "problem": error}
                ) from error
            number += 1
            if not any(cells):
                continue
            yield number, cells

    def _decode_failure(self, error: "_DecodeError", row: int) -> ImportFileError:
        return ImportFileError(
            _(
                "Row %(row)s is not valid %(encoding)s text. The file was probably saved "
                "in another encoding: choose it (for example Windows-1252 for files saved "
                "by Excel on Windows) and upload the file again."
            )
            % {"row": row, "encoding": error.encoding.upper()}
        )

    # XLSX --------------------------------------------------------------

    def _open_xlsx(self) -> None:
        from openpyxl import load_workbook

        not_xlsx = _("This file is not a valid XLSX workbook. Save it again as .xlsx or CSV.")
        if not zipfile.is_zipfile(self.path):
            raise ImportFileError(not_xlsx)
        try:
            with zipfile.ZipFile(self.path) as archive:
                if "xl/workbook.xml" not in archive.namelist():
                    raise ImportFileError(not_xlsx)
            workbook = load_workbook(self.path, read_only=True, data_only=False)
        except ImportFileError:
            raise
        except Exception as error:
            # openpyxl raises many kinds of errors on damaged files; all mean the same here.
            raise ImportFileError(not_xlsx) from error
        self._closers.append(workbook)
        self.encoding = ""
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        self._rows = self._xlsx_rows(rows)
        header_row = next(self._rows, None)
        if header_row is None:
            raise ImportFileError(_("The file is empty."))
        self.headers = [cell_text(h) for h in header_row[1]]
        while self.headers and not self.headers[-1]:
            self.headers.pop()
        if not any(self.headers):
            raise ImportFileError(_("The first row must hold the column names."))

    def _xlsx_rows(self, rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, list[str]]]:
        for number, values in enumerate(rows, start=1):
            cells = [cell_text(v) for v in values]
            if any(cells):
                yield number, cells


class _DecodeError(Exception):
    def __init__(self, encoding: str) -> None:
        super().__init__(encoding)
        self.encoding = encoding


def _chain_one(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def sniff_delimiter(header_line: str) -> str:
    """Return the delimiter of a CSV file from its header line."""
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if counts[best]:
        return best
    try:
        return csv.Sniffer().sniff(header_line, delimiters="".join(DELIMITERS) + "|").delimiter
    except csv.Error:
        # A single column has no delimiter at all; the comma is as good as any.
        return ","
