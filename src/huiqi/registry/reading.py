"""Reading a table file — CSV (UTF-8 with or without BOM, or GBK), Excel (.xlsx) or Parquet — as rows.

Each row comes with the number a person would use to find it: for CSV and Excel the spreadsheet row
(the header is row 1, the first data row is row 2); for Parquet the 1-based record number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class UnreadableFile(ValueError):
    """The file cannot be read as a table (format, encoding, missing header)."""


@dataclass(slots=True)
class Table:
    path: Path
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (row number, {column: raw value})


def _decode(data: bytes, path: Path) -> str:
    # UTF-8 first (the BOM is dropped by utf-8-sig); GB18030 is a superset of GBK and GB2312, the
    # encodings spreadsheets exported on Chinese Windows write.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(f"{path}: neither UTF-8 nor GBK text; save the file as UTF-8 CSV")


def _clean_header(columns: list[Any], path: Path) -> list[str]:
    names = [str(c).strip() if c is not None else "" for c in columns]
    if not any(names):
        raise UnreadableFile(f"{path}: the first row must be a header naming the columns")
    seen: set[str] = set()
    for name in names:
        if name and name in seen:
            raise UnreadableFile(f"{path}: column {name!r} appears twice in the header")
        seen.add(name)
    return names


def _read_csv(path: Path) -> Table:
    text = _decode(path.read_bytes(), path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _clean_header(next(reader), path)
    except StopIteration:
        raise UnreadableFile(f"{path}: the file is empty") from None
    rows: list[tuple[int, dict[str, Any]]] = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header):
            extra = values[len(header) :]
            if any(v.strip() for v in extra):
                raise UnreadableFile(f"{path}, row {reader.line_num}: more values than header columns")
        rows.append((reader.line_num, {h: v for h, v in zip(header, values, strict=False) if h}))
    return Table(path, [h for h in header if h], rows)


def _read_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise UnreadableFile(f"{path}: not a readable .xlsx workbook ({exc})") from exc
    try:
        sheet = workbook.worksheets[0]
        it: Iterator[tuple[Any, ...]] = sheet.iter_rows(values_only=True)
        try:
            header = _clean_header(list(next(it)), path)
        except StopIteration:
            raise UnreadableFile(f"{path}: the first sheet is empty") from None
        rows: list[tuple[int, dict[str, Any]]] = []
        for number, values in enumerate(it, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            rows.append((number, {h: v for h, v in zip(header, values, strict=False) if h}))
    finally:
        workbook.close()
    return Table(path, [h for h in header if h], rows)


def _read_parquet(path: Path) -> Table:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:
        raise UnreadableFile(f"{path}: not a readable Parquet file ({exc})") from exc
    columns = _clean_header(table.column_names, path)
    return Table(path, columns, list(enumerate(table.to_pylist(), start=1)))


READERS = {".csv": _read_csv, ".xlsx": _read_xlsx, ".parquet": _read_parquet}


def read_table(path: Path) -> Table:
    """Read ``path`` by its extension (.csv, .xlsx, .parquet)."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise UnreadableFile(f"{path}: unsupported file type {path.suffix!r}; use .csv, .xlsx or .parquet")
    if not path.is_file():
        raise UnreadableFile(f"{path}: no such file")
    return reader(path)
