"""Reading a catalog file: UTF-8 text, then JSON Lines or CSV lines of raw values."""

import csv
import io
import json
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

from ...inputs import ListingInput
from .reports import NON_FIELD, CatalogInvalid, CatalogProblem

JSONL_SUFFIXES = frozenset({".jsonl", ".json", ".ndjson"})
LIST_COLUMNS = frozenset({"tags", "asset_formats"})
JSON_COLUMNS = frozenset({"license_offers"})


@dataclass
class _Line:
    number: int
    values: dict


def _read_text(file: IO) -> str:
    raw = file.read()
    if isinstance(raw, str):
        return raw.removeprefix("\ufeff")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problem = CatalogProblem(line, "file", f"not UTF-8 text (byte 0x{raw[error.start]:02x})")
        raise CatalogInvalid([problem]) from None


def _is_jsonl(name: str, text: str) -> bool:
    suffix = PurePath(name or "").suffix.lower()
    if suffix in JSONL_SUFFIXES or suffix == ".csv":
        return suffix != ".csv"
    return text.lstrip()[:1] == "{"  # an upload without a useful name: sniff


def _jsonl_lines(text: str, problems: list[CatalogProblem]) -> list[_Line]:
    lines = []
    # split("\n"), not splitlines(): JSON strings may hold U+2028 and friends raw.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            values = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(CatalogProblem(
                number, NON_FIELD, f"not valid JSON: {error.msg} (column {error.colno})"
            ))
            continue
        if not isinstance(values, dict):
            problems.append(CatalogProblem(number, NON_FIELD, "expected a JSON object {...}"))
            continue
        lines.append(_Line(number, values))
    return lines


def _csv_cell(column: str, cell: str):
    """A CSV cell as the JSON value it stands for; ValueError with the reason."""
    cell = cell.strip()
    if column in JSON_COLUMNS or (column in LIST_COLUMNS and cell.startswith("[")):
        try:
            value = json.loads(cell)
        except json.JSONDecodeError as error:
            raise ValueError(f"not a valid JSON array: {error.msg}") from None
        if not isinstance(value, list):
            raise ValueError("expected a JSON array [...]")
        return value
    if column in LIST_COLUMNS:
        return [part.strip() for part in cell.split("|") if part.strip()]
    return cell


def _csv_lines(text: str, problems: list[CatalogProblem]) -> list[_Line]:
    known = set(ListingInput().fields)
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    lines = []
    next_start = 1
    try:
        for row in reader:
            # A record may span lines (quoted newlines): report the line it starts on.
            number, next_start = next_start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip() for cell in row]
                for name in sorted({n for n in header if n and n not in known}):
                    problems.append(CatalogProblem(number, name, "unknown column"))
                for name in sorted({n for n in header if n and header.count(n) > 1}):
                    problems.append(CatalogProblem(number, name, "column appears more than once"))
                continue
            if len(row) > len(header):
                problems.append(CatalogProblem(
                    number, NON_FIELD, f"{len(row)} cells but the header names {len(header)}"
                ))
                continue
            values = {}
            for name, cell in zip(header, row, strict=False):  # missing trailing cells: empty
                if name not in known or not cell.strip():
                    continue
                try:
                    values[name] = _csv_cell(name, cell)
                except ValueError as error:
                    problems.append(CatalogProblem(number, name, str(error)))
            lines.append(_Line(number, values))
    except csv.Error as error:
        problems.append(CatalogProblem(next_start, NON_FIELD, f"not valid CSV: {error}"))
    return lines
