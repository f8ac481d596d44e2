"""Read and validate a file chunk by chunk, ready for the writer.

Only one chunk of rows is held at a time, so memory stays flat whatever the
file's size. (Reading ahead in a thread while the database writes was tried:
the database driver's many lock hand-overs made it slower on a busy machine.)
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retorno.imports.readers import TableReader
from retorno.imports.values import RowError, RowParser
from retorno.imports.writer import Prepared


@dataclass
class Chunk:
    """Rows read since the previous chunk: the valid ones prepared, the others' problems."""

    rows: list[Prepared] = field(default_factory=list)
    errors: list[tuple[int, RowError]] = field(default_factory=list)
    read: int = 0
    rejected: int = 0


Prepare = Callable[[list[dict[str, Any]]], list[Prepared]]


def read_chunks(
    path: Path,
    file_format: str,
    encoding: str,
    mapping: dict[str, int],
    *,
    chunk_rows: int,
    prepare: Prepare | None = None,
) -> Iterator[Chunk]:
    """Yield the file's rows in chunks of chunk_rows, validated and (if asked) prepared."""
    with TableReader(path, file_format, encoding) as reader:
        parse = RowParser(mapping, reader.headers).parse
        chunk = Chunk()
        valid: list[dict[str, Any]] = []
        for number, cells in reader:
            chunk.read += 1
            values, problems = parse(cells)
            if problems:
                chunk.rejected += 1
                chunk.errors.extend((number, p) for p in problems)
            else:
                valid.append(values)
            if chunk.read == chunk_rows:
                chunk.rows = prepare(valid) if prepare else []
                yield chunk
                chunk, valid = Chunk(), []
        chunk.rows = prepare(valid) if prepare else []
        yield chunk
