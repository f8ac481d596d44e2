"""Read and validate a file chunk by chunk, ready for the writer.

Only a few chunks of rows are held at a time, so memory stays flat whatever the
file's size. Large files are read, validated and prepared in a second process
while this one writes: parsing and writing each take about half of the work, and
a machine with two cores then does both at once. (A thread does not help: the
work is pure Python and holds the interpreter lock.)
"""

import multiprocessing
import os
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


# Files smaller than this are read in this process: starting another costs more.
PARALLEL_MIN_BYTES = 2 * 1024 * 1024
# Chunks waiting between the reader process and the writer: bounds the memory used.
_QUEUE_CHUNKS = 3


def read_chunks(
    path: Path,
    file_format: str,
    encoding: str,
    mapping: dict[str, int],
    *,
    chunk_rows: int,
    prepare: Prepare | None = None,
) -> Iterator[Chunk]:
    """Yield the file's rows in chunks, validated and (if asked) prepared.

    Large files are read in a forked process (see the module's docstring).
    """
    arguments = (path, file_format, encoding, mapping)
    if os.path.getsize(path) < PARALLEL_MIN_BYTES or "fork" not in (
        multiprocessing.get_all_start_methods()
    ):
        yield from _read_chunks(*arguments, chunk_rows=chunk_rows, prepare=prepare)
        return
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=_QUEUE_CHUNKS)
    reader = context.Process(
        target=_read_into_queue, args=(queue, arguments, chunk_rows, prepare), daemon=True
    )
    reader.start()
    try:
        while True:
            item = queue.get()
            if item is None:
                break
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        if reader.is_alive():
            reader.terminate()
        reader.join()


def _read_into_queue(
    queue: Any, arguments: tuple[Any, ...], chunk_rows: int, prepare: Prepare | None
) -> None:
    # The forked child never touches the database: it shares the parent's open
    # connection, and it leaves through os._exit, which closes nothing.
    try:
        for chunk in _read_chunks(*arguments, chunk_rows=chunk_rows, prepare=prepare):
            queue.put(chunk)
    except Exception as error:  # handed to the parent, which raises it
        queue.put(error)
    else:
        queue.put(None)


def _read_chunks(
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
