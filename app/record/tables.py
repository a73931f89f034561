"""The record document as tables: a CSV file per kind, each id followed by the names of what it
refers to, written the same way for the live record and for a frozen release."""

import csv
import datetime as dt
import enum
import io
from typing import Any

from app.record.codebook import csv_columns, label_columns, record_fields
from app.record.document import KIND_BY_KEY, Kind, RecordDocument
from app.record.models import as_utc

# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, dt.datetime):
        return as_utc(value).replace(microsecond=0).isoformat().replace("+00:00", "Z")  # as in the JSON export
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        # A leading apostrophe makes it text, as OWASP recommends; the JSON export keeps the exact text.
        return "'" + value
    return str(value)


def record_csv(record: RecordDocument, kind: Kind) -> str:
    """One kind of a record document as CSV (the live record's, or a release's)."""
    labels = label_columns(kind)
    targets = {target for columns in labels.values() for _, target, _, _ in columns}
    # (getattr: a record entry is typed as a plain SQLModel, which declares no id.)
    named = {target: {getattr(e, "id"): e for e in record.entries(KIND_BY_KEY[target])} for target in targets}  # noqa: B009
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(csv_columns(kind))
    for entry in record.entries(kind):
        row = []
        for name in record_fields(kind):
            value = getattr(entry, name)
            row.append(csv_cell(value))
            for _, target, field, _ in labels.get(name, []):
                referred = named[target].get(value) if value is not None else None
                row.append(csv_cell(getattr(referred, field) if referred is not None else None))
        writer.writerow(row)
    return buffer.getvalue()
