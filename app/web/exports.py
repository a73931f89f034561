"""The record for reading elsewhere: the whole record as JSON, each kind as CSV, and the codebook
that describes them."""

import csv
import io
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.core.errors import NotFound
from app.reading import comparison, documents, rounds, schemas, timeline
from app.record import document
from app.record.codebook import Codebook, codebook, datapackage
from app.record.document import KIND_BY_KEY, Kind
from app.record.tables import csv_cell as _cell
from app.record.tables import record_csv
from app.record.transfer import export_record, public_record
from app.web.deps import Router, SessionDep
from app.web.params import (
    AsOf,
    DocumentChoice,
    Filters,
    NegotiationChoice,
    PartyChoice,
    Slug,
    TopicChoice,
    VersionChoice,
)
from app.web.templating import render, route_path

if TYPE_CHECKING:
    pass


router = Router(pages=False)  # seconds of work on a large record: not on the page thread

# ---------------------------------------------------------------- CSV


def export_csv(*, session: Session, kind: Kind) -> str:
    """One kind as CSV: its record fields, each id followed by the names of what it refers to, then its
    entries in id order."""
    # Drafts, and whatever hangs on one, are pruned from the whole record, so every CSV agrees with the JSON.
    return record_csv(public_record(export_record(session=session)), kind)


# One row per topic and party of a comparison, named in words beside the slugs, for a spreadsheet.
COMPARISON_COLUMNS = (
    "negotiation",
    "as_of_round",
    "as_of_date",
    "topic",
    "topic_slug",
    "party",
    "party_slug",
    "change",
    "stated_at_round",
    "stated_on",
    "speaker",
    "summary",
    "text",
    "quote",
    "sources",
)


def _sources_cell(refs: list[schemas.CitationRef], numbered: dict[int, schemas.SourcePublic]) -> str:
    """A claim's sources in one cell: "TASS <https://tass.com/…>; Axios" (no address where none is known)."""
    sources = [numbered[ref.number] for ref in refs]
    return "; ".join(s.publisher + (f" <{s.url}>" if s.url else "") for s in sources)


def comparison_csv(view: schemas.Comparison) -> str:
    """What a comparison shows, as CSV: each party's latest position per topic, with its sources named."""
    numbered = {s.number: s for s in view.sources}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COMPARISON_COLUMNS)
    for row in view.rows:
        writer.writerows([_cell(v) for v in _comparison_values(view, row, cell, numbered)] for cell in row.cells)
    return buffer.getvalue()


def _comparison_values(
    view: schemas.Comparison,
    row: schemas.ComparisonRow,
    cell: schemas.ComparisonCell,
    numbered: dict[int, schemas.SourcePublic],
) -> list[Any]:
    as_of, p = view.as_of, cell.position
    where = {
        "negotiation": view.negotiation.title,
        "as_of_round": as_of.sequence if as_of else None,
        "as_of_date": as_of.date.date if as_of and as_of.date else None,
        "topic": row.topic.name,
        "topic_slug": row.topic.slug,
        "party": cell.party.name,
        "party_slug": cell.party.slug,
    }
    if p is None:
        return [*where.values(), "no position recorded", *[None] * (len(COMPARISON_COLUMNS) - len(where) - 1)]
    return [
        *where.values(),
        "first recorded" if cell.change == "new" else cell.change,
        p.round.sequence if p.round else None,
        p.stated.date if p.stated else None,
        p.speaker.name if p.speaker else None,
        p.summary,
        p.text,
        p.quote,
        _sources_cell(p.citations, numbered),
    ]


@router.get(
    "/compare.csv",
    response_class=Response,
    summary="A comparison as CSV: each party's latest position per topic as of a round, with its sources",
    responses={
        200: {"content": {"text/csv": {}}},
        404: {"description": "Nothing in the record answers to that slug."},
        422: {"description": "A choice that is not part of the negotiation."},
    },
)
def compare_csv(
    session: SessionDep,
    negotiation: NegotiationChoice = None,
    party: PartyChoice = [],  # noqa: B006 (FastAPI copies defaults)
    as_of: AsOf = None,
    topic: TopicChoice = [],  # noqa: B006
) -> Response:
    view = comparison.compare(session=session, negotiation=negotiation, parties=party, as_of=as_of, topics=topic)
    when = f"-round-{view.as_of.sequence}" if view.as_of else ""
    return Response(
        comparison_csv(view),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(f"parley-compare-{view.negotiation.slug}{when}.csv"),
    )


DOCUMENT_COMPARISON_COLUMNS = (
    "topic",
    "only_in",
    "document",
    "version",
    "clause_number",
    "clause_heading",
    "clause_text",
    "address",
)


def document_comparison_csv(base: str, view: schemas.DocumentComparison) -> str:
    """Two documents side by side as CSV: a line per clause, in the rows' order, with its topic row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(DOCUMENT_COMPARISON_COLUMNS)
    sides = ((view.left, view.left_version), (view.right, view.right_version))
    for row in view.rows:
        only = {"left": view.left.title, "right": view.right.title}.get(row.only or "")
        for (doc, version), clauses in zip(sides, (row.left, row.right), strict=True):
            for c in clauses:
                writer.writerow(
                    [
                        row.topic.name if row.topic else None,
                        only,
                        doc.title,
                        version.number if version else None,
                        c.number,
                        c.heading,
                        c.text,
                        f"{base}documents/{doc.slug}#{c.anchor}",
                    ]
                )
    return buffer.getvalue()


@router.get(
    "/documents/compare.csv",
    response_class=Response,
    summary="Two documents side by side as CSV: each clause with the topic row it is set in",
    responses={
        200: {"content": {"text/csv": {}}},
        404: {"description": "Nothing in the record answers to that slug."},
        422: {"description": "Two documents that cannot be compared, or a version that is not there."},
    },
)
def document_comparison_csv_download(
    request: Request,
    session: SessionDep,
    left: DocumentChoice,
    right: DocumentChoice,
    left_version: VersionChoice = None,
    right_version: VersionChoice = None,
) -> Response:
    view = documents.compare_documents(
        session=session, left=left, right=right, left_version=left_version, right_version=right_version
    )
    return Response(
        document_comparison_csv(str(request.base_url), view),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(f"parley-documents-{left}-{right}.csv"),
    )


# A timeline's CSV holds at most this many entries: a widget's data, not the whole record (which is
# /exports/record.json and the per-kind CSV files).
TIMELINE_CSV_ROWS = 1000
TIMELINE_COLUMNS = (
    "kind",
    "date",
    "date_precision",
    "status",
    "title",
    "negotiation",
    "venue",
    "summary",
    "delegation_heads",
    "topics",
    "outcomes",
    "address",
)


def _timeline_row(base: str, entry: schemas.TimelineRound | schemas.TimelineEvent) -> list[Any]:
    if isinstance(entry, schemas.TimelineEvent):
        e = entry.event
        negotiation = entry.negotiation.title if entry.negotiation else None
        where = f"{base}negotiations/{entry.negotiation.slug}#event-{e.slug}" if entry.negotiation else None
        # An event has no status, venue, delegations, topics or outcomes.
        return [
            "event",
            e.date.date,
            e.date.precision,
            None,
            e.title,
            negotiation,
            None,
            e.description,
            *[None] * 3,
            where,
        ]
    r = entry.round
    return [
        "round",
        r.date.date if r.date else None,
        r.date.precision if r.date else None,
        r.status,
        f"Round {r.sequence}" + (f" · {r.city}" if r.city else ""),
        r.negotiation.title,
        entry.venue,
        entry.summary,
        "; ".join(f"{h.person.name} ({h.party.name})" for h in entry.heads),
        "; ".join(t.name for t in entry.topics),
        "; ".join(o.title for o in entry.outcomes),
        f"{base}rounds/{r.slug}",
    ]


@router.get(
    "/timeline.csv",
    response_class=Response,
    summary="A timeline as CSV: its rounds and context events, with the same filters as the timeline page",
    responses={200: {"content": {"text/csv": {}}}, 404: {"description": "Nothing in the record answers to that slug."}},
)
def timeline_csv(request: Request, session: SessionDep, filters: Filters) -> Response:
    page = timeline.timeline(session=session, filters=filters, limit=TIMELINE_CSV_ROWS)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TIMELINE_COLUMNS)
    base = str(request.base_url)
    writer.writerows([_cell(v) for v in _timeline_row(base, entry)] for entry in page.entries)
    name = page.negotiation.slug if page.negotiation else "all"
    return Response(
        buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=_attachment(f"parley-timeline-{name}.csv")
    )


OUTCOME_COLUMNS = (
    "round",
    "round_date",
    "title",
    "kind",
    "status",
    "implemented_on",
    "topic",
    "parties",
    "description",
    "sources",
)


@router.get(
    "/rounds/{slug}/outcomes.csv",
    response_class=Response,
    summary="What a round produced, as CSV: each outcome with its status, topic, parties and sources",
    responses={200: {"content": {"text/csv": {}}}, 404: {"description": "Nothing in the record answers to that slug."}},
)
def round_outcomes_csv(session: SessionDep, slug: Slug) -> Response:
    detail = rounds.round_detail(session=session, slug=slug)
    numbered = {s.number: s for s in detail.sources}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(OUTCOME_COLUMNS)
    for o in detail.outcomes:
        values = [
            f"Round {detail.sequence}" + (f" · {detail.city}" if detail.city else ""),
            detail.date.date if detail.date else None,
            o.title,
            o.kind,
            o.status,
            o.implemented.date if o.implemented else None,
            o.topic.name if o.topic else None,
            "; ".join(p.name for p in o.parties),
            o.description,
            _sources_cell(o.citations, numbered),
        ]
        writer.writerow([_cell(v) for v in values])
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(f"parley-round-{slug}-outcomes.csv"),
    )


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


@router.get(
    "/exports/datapackage.json",
    summary="The CSV files as a Frictionless Data Package: each file, its columns, their types and meaning",
)
def export_datapackage(request: Request) -> dict[str, Any]:
    return datapackage(base_url=str(request.base_url))


@router.get("/exports", response_class=HTMLResponse, include_in_schema=False)
def exports_page(request: Request) -> HTMLResponse:
    book = codebook(base_url=str(request.base_url))
    return render(request, "exports.html", {"book": book}, twin=route_path(request.app, "codebook_json"))


@router.get("/api/codebook", summary="The codebook: every kind of entity and every field, described")
def codebook_json(request: Request) -> Codebook:
    return codebook(base_url=str(request.base_url))
