"""The record for reading elsewhere: the whole record as JSON, each kind as CSV, and the codebook
that describes them."""

import csv
import datetime as dt
import enum
import io
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.core.errors import NotFound
from app.record import document
from app.record.codebook import Codebook, codebook
from app.record.document import KIND_BY_KEY, Kind
from app.record.models import as_utc
from app.record.transfer import export_record, public_record
from app.web.deps import SessionDep
from app.web.templating import render

if TYPE_CHECKING:
    pass


router = APIRouter()

# ---------------------------------------------------------------- CSV


# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
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


def export_csv(*, session: Session, kind: Kind) -> str:
    """One kind as CSV: a header of its record fields, then its entries in id order (one query)."""
    fields = list(kind.record.model_fields)
    # Drafts, and whatever hangs on one, are pruned from the whole record, so every CSV agrees with the JSON.
    entries = public_record(export_record(session=session)).entries(kind)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(fields)
    writer.writerows([_cell(getattr(entry, name)) for name in fields] for entry in entries)
    return buffer.getvalue()


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


@router.get(
    "/exports/record.json",
    response_class=Response,
    summary="The whole record as one JSON document, as `parley export` writes it",
    responses={200: {"content": {"application/json": {}}}},
)
def export_record_json(session: SessionDep) -> Response:
    return Response(
        document.dump(public_record(export_record(session=session))),
        media_type="application/json",
        headers=_attachment("parley-record.json"),
    )


@router.get(
    "/exports/{kind}.csv",
    response_class=Response,
    summary="One kind of entity as CSV, one row per entry in id order",
    responses={200: {"content": {"text/csv": {}}}, 404: {"description": "No such kind of entity"}},
)
def export_csv_file(
    session: SessionDep,
    kind: Annotated[str, Path(description="A kind of entity: " + ", ".join(KIND_BY_KEY))],
) -> Response:
    found = KIND_BY_KEY.get(kind)
    if found is None:
        raise NotFound(f"There is no kind of entity called {kind!r}; the kinds are {', '.join(KIND_BY_KEY)}.")
    return Response(
        export_csv(session=session, kind=found),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(f"parley-{found.key}.csv"),
    )


@router.get("/exports", response_class=HTMLResponse, include_in_schema=False)
def exports_page(request: Request) -> HTMLResponse:
    book = codebook(base_url=str(request.base_url))
    return render(request, "exports.html", {"book": book}, twin=request.app.url_path_for("codebook_json"))


@router.get("/api/codebook", summary="The codebook: every kind of entity and every field, described")
def codebook_json(request: Request) -> Codebook:
    return codebook(base_url=str(request.base_url))
