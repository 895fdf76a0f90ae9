"""Parquet in and out. Every write goes to a temporary file renamed into place on success, so a
failed or interrupted step never leaves a half-written table behind."""

import contextlib
import itertools
import json
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
from polars.io.plugins import register_io_source

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
    """Write a table that arrives in pieces, in row groups the size of the first piece; return its
    rows.

    The pieces stream through polars' Parquet sink (as a lazy source read one piece at a time), so
    memory stays at the size of a few pieces however long the table grows.
    """
    pieces = iter(chunks)
    first = next(pieces, None)
    if first is None:
        raise ValueError(f"{path}: no rows to write")
    rows = 0
    # An error while the pieces are made is kept and raised once the sink has finished: raised
    # inside polars' reader it could leave the sink writing the file after it was cleaned up.
    failed: list[Exception] = []

    def source(with_columns, predicate, _n_rows, _batch_size) -> Iterator[pl.DataFrame]:
        nonlocal rows
        try:
            for piece in itertools.chain([first], pieces):
                if piece.schema != first.schema:
                    raise ValueError(
                        f"{path}: a piece has columns {piece.schema}, the first {first.schema}"
                    )
                rows += piece.height
                columns = piece if with_columns is None else piece.select(with_columns)
                yield columns if predicate is None else columns.filter(predicate)
        except Exception as error:  # raised below, after the sink
            failed.append(error)

    lazy = register_io_source(source, schema=first.schema, explain_name="table pieces")
    with atomic_path(path) as tmp:
        lazy.sink_parquet(
            tmp, compression=COMPRESSION, statistics=True, row_group_size=max(first.height, 1)
        )
        if failed:
            raise failed[0]
    return rows


def read_table(path: str | os.PathLike, columns: list[str] | None = None) -> pl.DataFrame:
    return pl.read_parquet(path, columns=columns)


def scan_table(path: str | os.PathLike) -> pl.LazyFrame:
    return pl.scan_parquet(path)


def read_tables(paths: Iterable[str | os.PathLike]) -> dict[str, pl.DataFrame]:
    """Tables by their file's stem (``results/tables/metrics.parquet`` -> ``metrics``)."""
    return {Path(path).stem: read_table(path) for path in paths}


def read_benchmarks(paths: Iterable[str | os.PathLike]) -> dict[str, pl.DataFrame]:
    """Snakemake's benchmark files (tab-separated) by their file's stem."""
    return {Path(path).stem: pl.read_csv(path, separator="\t") for path in paths}


def read_files(paths: Iterable[str | os.PathLike]) -> dict[str, bytes]:
    """Each file's bytes (a figure's PNG, say) by its stem."""
    return {Path(path).stem: Path(path).read_bytes() for path in paths}


def write_text(text: str, path: str | os.PathLike) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def read_json(path: str | os.PathLike) -> Any:
    """The value of a JSON file."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write_json(value: Any, path: str | os.PathLike) -> None:
    """Write ``value`` as compact JSON, atomically."""
    write_text(json.dumps(value, separators=(",", ":")), path)
