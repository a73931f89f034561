"""The record for reading elsewhere: an Atom feed, a calendar of planned rounds, downloads and their codebook.

The codebook is built from the record models themselves, so a field added to
``app/record/models.py`` shows up in the CSV files and the codebook at once; a test
makes sure it also gets a description.
"""

import csv
import datetime as dt
import enum
import io
import re
import types
import typing
import xml.etree.ElementTree as ET
import zoneinfo
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import annotated_types
from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from app.core.errors import NotFound
from app.record import document, models
from app.record.document import KINDS, Kind
from app.record.models import DatePrecision, Negotiation, Outcome, Round, RoundStatus, fuzzy_date, period_end
from app.record.transfer import export_record, public_record
from app.record.visibility import visible_outcome, visible_round
from app.web.deps import SessionDep
from app.web.templating import render

if TYPE_CHECKING:
    import icalendar

router = APIRouter()

FEED_SIZE = 50
KIND_BY_KEY = {kind.key: kind for kind in KINDS}

# ---------------------------------------------------------------- codebook texts

KIND_DESCRIPTIONS: dict[str, str] = {
    "parties": "A state or organisation taking part in the talks or around them: Ukraine, Russia, Turkey, "
    "the United States …",
    "people": "A person in the record: a delegate, a chair, a speaker.",
    "negotiations": "A negotiation process or track, such as the Russia–Ukraine talks in Istanbul in 2025.",
    "negotiation_parties": "The role a party plays in a negotiation: negotiating party, host, mediator or observer.",
    "rounds": "One round of talks: when and where it met (with how precisely the date is known), who hosted and "
    "chaired it, how long it lasted and how late it started.",
    "delegations": "The delegation one party sent to one round.",
    "delegation_members": "A person in a delegation, with the title held at that time.",
    "outcomes": "What a round produced (a prisoner exchange agreed, a document handed over, further talks "
    "planned …), with its status and when it was implemented.",
    "outcome_parties": "A party an outcome concerns.",
    "topics": "An issue on which the parties state positions: ceasefire, territory, sanctions, children …",
    "positions": "What a party stated on a topic, at a round or on a date, and by whom: a one-line summary, "
    "fuller text and an optional verbatim quote. At least one of round_id and stated_on is set.",
    "gap_assessments": "An editor's judgement of how far apart the parties are on one topic as of one round.",
    "events": "Context outside the talks, such as military strikes or political statements, that bears on them.",
    "sources": "Where claims come from: an article, statement or document, with its publisher and standpoint.",
    "reported_figures": "A duration, delay or quantity as one source reported it, kept as a range that may be "
    "open at either end rather than forced into one number. Belongs to exactly one round or one outcome.",
    "citations": "One source supporting one claim. Exactly one of round_id, outcome_id, position_id, event_id "
    "and figure_id is set.",
}

# Fields whose model carries no description=, or only an example ("e.g. …") that needs a lead-in.
FIELD_DESCRIPTIONS: dict[tuple[str, str], str] = {
    ("parties", "slug"): "Short name used in web addresses.",
    ("parties", "name"): "Full name of the party.",
    ("parties", "short_name"): "Name used where space is short, e.g. in charts.",
    ("people", "slug"): "Short name used in web addresses.",
    ("people", "name"): "Name in Latin script.",
    ("people", "party_id"): "The party the person belongs to or speaks for.",
    ("negotiations", "slug"): "Short name used in web addresses.",
    ("negotiations", "title"): "Name of the negotiation.",
    ("negotiations", "description"): "What the negotiation is about and who takes part.",
    ("negotiation_parties", "negotiation_id"): "The negotiation.",
    ("negotiation_parties", "party_id"): "The party taking part.",
    ("negotiation_parties", "role"): "The part it plays in the negotiation.",
    ("negotiation_parties", "note"): "Anything more about the party's role.",
    ("rounds", "negotiation_id"): "The negotiation this round belongs to.",
    ("rounds", "slug"): "Short name used in web addresses.",
    ("rounds", "status"): "Whether the round was held, is planned, or was postponed or cancelled.",
    ("rounds", "date"): "Day the round met or is to meet; read it with date_precision.",
    ("rounds", "date_precision"): "How much of date is known: the day, only the month (date is then the 1st of "
    "the month) or only the year (date is then 1 January).",
    ("rounds", "date_note"): "The date in the words of the sources",
    ("rounds", "city"): "City the round met in.",
    ("rounds", "venue"): "Building or place the round met in.",
    ("rounds", "host_party_id"): "The party that hosted the round.",
    ("rounds", "chair_id"): "The person who chaired the round.",
    ("rounds", "delay_minutes"): "How late the round started, in minutes, when sources agree.",
    ("rounds", "summary"): "What happened at the round, in a paragraph.",
    ("rounds", "atmosphere"): "The mood of the talks as sources describe it.",
    ("delegations", "round_id"): "The round the delegation attended.",
    ("delegations", "party_id"): "The party the delegation represented.",
    ("delegations", "note"): "Anything more about the delegation.",
    ("delegation_members", "delegation_id"): "The delegation.",
    ("delegation_members", "person_id"): "The member.",
    ("delegation_members", "is_head"): "Whether the person led the delegation.",
    ("outcomes", "round_id"): "The round that produced the outcome.",
    ("outcomes", "kind"): "What sort of outcome it is.",
    ("outcomes", "title"): "The outcome in one line.",
    ("outcomes", "description"): "The outcome in more detail.",
    ("outcomes", "status"): "How far the outcome has got, from proposed to implemented (or stalled or broken).",
    ("outcomes", "implemented_on"): "When the outcome was carried out; read it with implemented_precision.",
    ("outcomes", "implemented_precision"): "How much of implemented_on is known: the day, the month or the year.",
    ("outcome_parties", "outcome_id"): "The outcome.",
    ("outcome_parties", "party_id"): "A party the outcome concerns.",
    ("topics", "slug"): "Short name used in web addresses.",
    ("topics", "name"): "Name of the topic.",
    ("topics", "description"): "What the topic covers.",
    ("positions", "negotiation_id"): "The negotiation the position was stated in.",
    ("positions", "party_id"): "The party whose position it is.",
    ("positions", "topic_id"): "The topic the position is on.",
    ("positions", "stated_precision"): "How much of stated_on is known: the day, the month or the year.",
    ("positions", "speaker_id"): "The person who stated the position.",
    ("positions", "stated_in"): "The document or statement the position was set out in",
    ("positions", "summary"): "The position in one line.",
    ("positions", "text"): "The position in more detail.",
    ("positions", "quote"): "The words used, verbatim.",
    ("gap_assessments", "round_id"): "The round as of which the gap is judged.",
    ("gap_assessments", "topic_id"): "The topic.",
    ("gap_assessments", "state"): "How far apart the parties are on the topic.",
    ("gap_assessments", "note"): "The reasons for the judgement.",
    ("events", "slug"): "Short name used in web addresses.",
    ("events", "negotiation_id"): "The negotiation the event bears on, if one.",
    ("events", "date"): "When the event happened; read it with date_precision.",
    ("events", "date_precision"): "How much of date is known: the day, the month or the year.",
    ("events", "kind"): "What sort of event it is.",
    ("events", "title"): "The event in one line.",
    ("events", "description"): "The event in more detail.",
    ("sources", "publisher"): "Who published the source.",
    ("sources", "title"): "Title of the article or document.",
    ("sources", "published_on"): "When the source was published.",
    ("sources", "language"): "Language the source is written in.",
    ("reported_figures", "round_id"): "The round the figure is about.",
    ("reported_figures", "outcome_id"): "The outcome the figure is about.",
    ("reported_figures", "measure"): "What the figure measures: a duration or delay in minutes, or a quantity of unit.",
    ("citations", "source_id"): "The source.",
    ("citations", "round_id"): "The round the source supports.",
    ("citations", "outcome_id"): "The outcome the source supports.",
    ("citations", "position_id"): "The position the source supports.",
    ("citations", "event_id"): "The event the source supports.",
    ("citations", "figure_id"): "The reported figure the source supports.",
    ("citations", "note"): "How the source supports the claim",
}

PATTERN_NAMES = {
    models.SLUG_PATTERN: "slug: lowercase letters, digits and hyphens",
    models.COLOUR_PATTERN: "colour as #rrggbb",
    models.URL_PATTERN: "web address starting with http:// or https://",
    models.LANGUAGE_PATTERN: "language code such as en, uk or ru",
}

# ---------------------------------------------------------------- codebook


class CodebookField(BaseModel):
    name: str = Field(description="Name of the field: the JSON key and the CSV column.")
    type: str = Field(description='What values look like, in words: "integer", "date (YYYY-MM-DD)", "one of: …".')
    nullable: bool = Field(description="Whether the value may be missing: null in JSON, an empty cell in CSV.")
    blank: bool = Field(description="Whether the value, a text, may be empty although never null.")
    unique: bool = Field(description="Whether no two entries of the kind share a value.")
    values: list[str] = Field(description="The allowed values, when the field takes one of a fixed list.")
    references: str | None = Field(description="The kind whose id the field holds, when it refers to one.")
    description: str = Field(description="What the field means.")


class CodebookKind(BaseModel):
    key: str = Field(description="Name of the kind: its key in the JSON document and its table.")
    name: str = Field(description='One entry of the kind, in words: "round", "reported figure".')
    description: str
    csv_url: str = Field(description="Where to download the kind as CSV.")
    unique_together: list[list[str]] = Field(description="Sets of fields whose combination no two entries share.")
    fields: list[CodebookField] = Field(description="In the order of the CSV columns.")


class Codebook(BaseModel):
    format: str = Field(description='The "format" of the JSON record document.')
    format_version: int
    record_url: str = Field(description="Where to download the whole record as one JSON document.")
    kinds: list[CodebookKind] = Field(description="Every kind of entity, in dependency order.")


def kind_name(kind: Kind) -> str:
    """ReportedFigure → "reported figure"."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", kind.table.__name__).lower()


def _article(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """``int | None`` → (int, True)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        return args[0], len(args) < len(typing.get_args(annotation))
    return annotation, False


def _type_words(base: Any, metadata: list[Any], target: Kind | None) -> str:
    if target is not None:
        return f"id of {_article(kind_name(target))}"
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return "one of: " + ", ".join(str(member.value) for member in base)
    if base is bool:
        return "true/false"
    if base is dt.date:
        return "date (YYYY-MM-DD)"
    if base is dt.time:
        return "time of day (HH:MM:SS)"
    if base is int:
        minimum = next((m.ge for m in metadata if isinstance(m, annotated_types.Ge)), None)
        return f"integer, {minimum} or more" if minimum is not None else "integer"
    words = "text"
    pattern = next((m.pattern for m in metadata if getattr(m, "pattern", None)), None)
    if pattern is not None:
        words += f" ({PATTERN_NAMES.get(pattern, f'matching {pattern}')})"
    max_length = next((m.max_length for m in metadata if isinstance(m, annotated_types.MaxLen)), None)
    if max_length is not None:
        words += f", up to {max_length} characters"
    return words


def field_description(kind: Kind, name: str) -> str:
    """The model's description=, with the codebook's own words where the model has none or only an example."""
    if name == "id":
        return f"Stable id of the {kind_name(kind)}; other tables refer to it by this number."
    own = kind.record.model_fields[name].description or ""
    lead = FIELD_DESCRIPTIONS.get((kind.key, name), "")
    if own.startswith("e.g.") and lead:
        return f"{lead.rstrip('.')}, {own}"
    return " ".join(part for part in (lead, own) if part)


def _fields(kind: Kind) -> list[CodebookField]:
    table = kind.sa_table
    targets = dict(document.references(table))
    single_unique = {key[0] for key in document.unique_keys(table) if len(key) == 1}
    fields = []
    for name, info in kind.record.model_fields.items():
        base, nullable = _unwrap(info.annotation)
        target = targets.get(name)
        has_min_length = any(isinstance(m, annotated_types.MinLen) for m in info.metadata)
        has_pattern = any(getattr(m, "pattern", None) for m in info.metadata)
        fields.append(
            CodebookField(
                name=name,
                type=_type_words(base, info.metadata, target),
                nullable=nullable,
                blank=base is str and not nullable and not has_min_length and not has_pattern,
                unique=name in single_unique or name == "id",
                values=[str(m.value) for m in base] if isinstance(base, type) and issubclass(base, enum.Enum) else [],
                references=target.key if target is not None else None,
                description=field_description(kind, name),
            )
        )
    return fields


def codebook(*, base_url: str) -> Codebook:
    """Every kind of the record document and every field of it, described for people who download the data."""
    base = base_url.rstrip("/")
    return Codebook(
        format=document.FORMAT,
        format_version=document.FORMAT_VERSION,
        record_url=f"{base}/exports/record.json",
        kinds=[
            CodebookKind(
                key=kind.key,
                name=kind_name(kind),
                description=KIND_DESCRIPTIONS.get(kind.key, ""),
                csv_url=f"{base}/exports/{kind.key}.csv",
                unique_together=[list(key) for key in document.unique_keys(kind.sa_table) if len(key) > 1],
                fields=_fields(kind),
            )
            for kind in KINDS
        ],
    )


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


# ---------------------------------------------------------------- Atom

ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 cannot carry even escaped; an editor may paste them by accident.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class FeedEntry:
    id: str
    title: str
    link: str
    updated: dt.datetime
    published: dt.datetime
    summary: str
    category: Negotiation


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back the UTC timestamps it stored without their zone.
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _rfc3339(moment: dt.datetime) -> str:
    return _utc(moment).isoformat().replace("+00:00", "Z")


def round_title(round_: Round) -> str:
    """ "Round 2 · Istanbul — 2 June 2025", with the status when the round was not held."""
    title = f"Round {round_.sequence}"
    if round_.city:
        title += f" · {round_.city}"
    title += f" — {fuzzy_date(round_.date, round_.date_precision)}"
    if round_.status is not RoundStatus.held:
        title += f" ({round_.status.value})"
    return title


def _round_entry(round_: Round, negotiation: Negotiation, base: str) -> FeedEntry:
    url = f"{base}/rounds/{round_.slug}"
    summary = round_.summary or f"Round {round_.sequence} of {negotiation.title}."
    if round_.date_note:
        summary = f"Date: {fuzzy_date(round_.date, round_.date_precision)}, {round_.date_note}. {summary}"
    return FeedEntry(
        id=url,
        title=round_title(round_),
        link=url,
        updated=_utc(round_.updated_at),
        published=_utc(round_.created_at),
        summary=summary,
        category=negotiation,
    )


def _outcome_entry(outcome: Outcome, round_: Round, negotiation: Negotiation, base: str) -> FeedEntry:
    url = f"{base}/rounds/{round_.slug}#outcome-{outcome.id}"
    status = outcome.status.value.replace("_", " ").capitalize()
    return FeedEntry(
        id=url,
        title=f"Outcome of round {round_.sequence}: {outcome.title}",
        link=url,
        updated=_utc(outcome.updated_at),
        published=_utc(outcome.created_at),
        summary=f"{status}. {outcome.description}".strip(),
        category=negotiation,
    )


def feed_entries(*, session: Session, base_url: str) -> list[FeedEntry]:
    """The newest rounds and outcomes by their last change, newest first (two queries)."""
    base = base_url.rstrip("/")
    rounds = session.exec(
        select(Round, Negotiation)
        .join(Negotiation)
        .where(visible_round())
        .order_by(col(Round.updated_at).desc(), col(Round.id).desc())
        .limit(FEED_SIZE)
    ).all()
    outcomes = session.exec(
        select(Outcome, Round, Negotiation)
        .join(Round, col(Round.id) == Outcome.round_id)
        .join(Negotiation, col(Negotiation.id) == Round.negotiation_id)
        .where(visible_outcome())
        .order_by(col(Outcome.updated_at).desc(), col(Outcome.id).desc())
        .limit(FEED_SIZE)
    ).all()
    entries = [_round_entry(r, n, base) for r, n in rounds]
    entries += [_outcome_entry(o, r, n, base) for o, r, n in outcomes]
    entries.sort(key=lambda entry: (entry.updated, entry.id), reverse=True)
    return entries[:FEED_SIZE]


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {name: NOT_XML.sub("", value) for name, value in attributes.items()})
    if text is not None:
        element.text = NOT_XML.sub("", text)
    return element


def atom_feed(*, session: Session, base_url: str) -> bytes:
    """Rounds and outcomes as an Atom 1.0 feed (RFC 4287), newest change first."""
    base = base_url.rstrip("/")
    entries = feed_entries(session=session, base_url=base)
    feed = ET.Element("feed", xmlns=ATOM_NAMESPACE)
    _add(feed, "id", f"{base}/feed.atom")
    _add(feed, "title", "Parley: rounds and outcomes")
    _add(feed, "subtitle", "Peace negotiations, round by round — every claim with its sources.")
    _add(feed, "updated", _rfc3339(entries[0].updated if entries else models.utcnow()))
    _add(feed, "link", rel="self", type="application/atom+xml", href=f"{base}/feed.atom")
    _add(feed, "link", rel="alternate", type="text/html", href=f"{base}/")
    _add(_add(feed, "author"), "name", "Parley")
    for entry in entries:
        element = _add(feed, "entry")
        _add(element, "id", entry.id)
        _add(element, "title", entry.title, type="text")
        _add(element, "link", rel="alternate", type="text/html", href=entry.link)
        _add(element, "updated", _rfc3339(entry.updated))
        _add(element, "published", _rfc3339(entry.published))
        _add(element, "category", term=entry.category.slug, label=entry.category.title)
        _add(element, "summary", entry.summary, type="text")
    xml: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return xml


# ---------------------------------------------------------------- iCalendar


def _calendar_event(round_: Round, negotiation: Negotiation, base: str) -> "icalendar.Event":
    assert round_.date is not None
    url = f"{base}/rounds/{round_.slug}"
    precision = DatePrecision(round_.date_precision)
    approximate = precision is not DatePrecision.day
    when = fuzzy_date(round_.date, precision)

    import icalendar  # only here: a fifth of the app's import time, for one route

    event = icalendar.Event()
    event.add("uid", f"round-{round_.slug}@parley")
    event.add("dtstamp", _utc(round_.updated_at))
    event.add("created", _utc(round_.created_at))
    event.add("last-modified", _utc(round_.updated_at))
    event.add("sequence", max(round_.version - 1, 0))
    lines = []
    if round_.start_time is not None and round_.timezone and not approximate:
        start = dt.datetime.combine(round_.date, round_.start_time, tzinfo=zoneinfo.ZoneInfo(round_.timezone))
        event.add("dtstart", start)
        if round_.duration_minutes:
            event.add("duration", dt.timedelta(minutes=round_.duration_minutes))
    else:
        # DTEND of an all-day event is exclusive: the day after the period's last day.
        event.add("dtstart", round_.date)
        event.add("dtend", period_end(round_.date, precision) + dt.timedelta(days=1))
        if round_.start_time is not None and not approximate:
            lines.append(f"Starts at {round_.start_time:%H:%M} local time.")

    summary = f"Round {round_.sequence}"
    if round_.city:
        summary += f" · {round_.city}"
    summary += f": {negotiation.title}"
    if approximate:
        summary += f" (date approximate: {when})"
        event.add("status", "TENTATIVE")
        note = f" — {round_.date_note}" if round_.date_note else ""
        lines.insert(0, f"Date approximate: only {when} is known{note}. Shown across the whole {precision.value}.")
    elif round_.date_note:
        lines.insert(0, f"Date: {round_.date_note}.")
    event.add("summary", summary)
    if round_.summary:
        lines.append(round_.summary)
    lines.append(f"Follow this round on Parley: {url}")
    event.add("description", "\n\n".join(lines))
    location = ", ".join(part for part in (round_.venue, round_.city) if part)
    if location:
        event.add("location", location)
    event.add("url", url)
    # Following talks is not attending them: keep the reader's own calendar free.
    event.add("transp", "TRANSPARENT")
    return event


def planned_rounds_calendar(*, session: Session, base_url: str) -> bytes:
    """Planned rounds as iCalendar events (RFC 5545); a round with no date at all cannot be placed, so is left out."""
    base = base_url.rstrip("/")
    rounds = session.exec(
        select(Round, Negotiation)
        .join(Negotiation)
        .where(Round.status == RoundStatus.planned, col(Round.date).is_not(None), visible_round())
        .order_by(col(Round.sort_date), col(Round.id))
    ).all()
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Parley//Planned rounds//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", "Parley: planned rounds")
    calendar.add("x-wr-calname", "Parley: planned rounds")
    for round_, negotiation in rounds:
        calendar.add_component(_calendar_event(round_, negotiation, base))
    dates = [round_.date for round_, _ in rounds if round_.date is not None]
    if dates:
        calendar.add_missing_timezones(
            first_date=dt.date(min(dates).year - 1, 1, 1), last_date=dt.date(max(dates).year + 2, 1, 1)
        )
    ics: bytes = calendar.to_ical()
    return ics


# ---------------------------------------------------------------- routes


@router.get(
    "/feed.atom",
    response_class=Response,
    summary="Atom feed of rounds and outcomes as they are added or change",
    responses={200: {"content": {"application/atom+xml": {}}}},
)
def feed_atom(request: Request, session: SessionDep) -> Response:
    return Response(
        atom_feed(session=session, base_url=str(request.base_url)),
        media_type="application/atom+xml; charset=utf-8",
    )


@router.get(
    "/calendar.ics",
    response_class=Response,
    summary="Calendar (iCalendar) of planned rounds",
    responses={200: {"content": {"text/calendar": {}}}},
)
def calendar_ics(request: Request, session: SessionDep) -> Response:
    return Response(
        planned_rounds_calendar(session=session, base_url=str(request.base_url)),
        media_type="text/calendar; charset=utf-8",
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


@router.get("/exports", response_class=HTMLResponse, include_in_schema=False)
def exports_page(request: Request) -> HTMLResponse:
    book = codebook(base_url=str(request.base_url))
    return render(request, "exports.html", {"book": book}, twin=request.app.url_path_for("codebook_json"))


@router.get("/api/codebook", summary="The codebook: every kind of entity and every field, described")
def codebook_json(request: Request) -> Codebook:
    return codebook(base_url=str(request.base_url))
