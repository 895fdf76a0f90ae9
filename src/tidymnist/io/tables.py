"""Parquet in and out. Every write goes to a temporary file renamed into place on success, so a
failed or interrupted step never leaves a half-written table behind."""

import contextlib
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

log = logging.getLogger(__name__)

COMPRESSION = "zstd"


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial")
    try:
        yield tmp
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def write_table(frame: pl.DataFrame, path: str | os.PathLike) -> None:
    """Write one table as Parquet."""
    with atomic_path(path) as tmp:
        frame.write_parquet(tmp, compression=COMPRESSION, statistics=True)


def write_table_chunks(chunks: Iterable[pl.DataFrame], path: str | os.PathLike) -> int:
    """Write a table that arrives in pieces, one Parquet row group per piece; return its rows.

    Memory stays at the size of one piece however long the table grows.
    """
    rows = 0
    writer = None
    with atomic_path(path) as tmp:
        try:
            for chunk in chunks:
                table = chunk.to_arrow()
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema, compression=COMPRESSION)
                writer.write_table(table, row_group_size=len(table))
                rows += len(table)
        finally:
            if writer is not None:
                writer.close()
        if writer is None:
            raise ValueError(f"{path}: no rows to write")
    return rows


def read_table(path: str | os.PathLike, columns: list[str] | None = None) -> pl.DataFrame:
    return pl.read_parquet(path, columns=columns)


def scan_table(path: str | os.PathLike) -> pl.LazyFrame:
    return pl.scan_parquet(path)
