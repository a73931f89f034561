"""Following the record from elsewhere: an Atom feed of rounds, outcomes and documents as they are added or
change, and a calendar of planned rounds."""

import datetime as dt
import re
import xml.etree.ElementTree as ET
import zoneinfo
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from app.record import models
from app.record.models import (
    DatePrecision,
    Document,
    DocumentVersion,
    Negotiation,
    Outcome,
    OutcomeStep,
    Round,
    RoundStatus,
    as_utc,
    fuzzy_date,
    overdue,
    period_end,
    round_name,
)
from app.record.visibility import visible_document, visible_outcome, visible_round
from app.web.deps import Router, SessionDep

if TYPE_CHECKING:
    import icalendar


router = Router()

FEED_SIZE = 50

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


def _rfc3339(moment: dt.datetime) -> str:
    return as_utc(moment).isoformat().replace("+00:00", "Z")


def round_title(round_: Round) -> str:
    """ "Round 2 · Istanbul — 2 June 2025", with the status when the round was not held."""
    title = f"{round_name(round_.sequence, round_.city)} — {fuzzy_date(round_.date, round_.date_precision)}"
    if round_.status is not RoundStatus.held:
        title += f" ({round_.status.value})"
    return title


def _round_entry(round_: Round, negotiation: Negotiation, base: str) -> FeedEntry:
    url = f"{base}/rounds/{round_.slug}"
    summary = round_.summary or f"Round {round_.sequence} of {negotiation.title}."
    if round_.date_note:
        summary = f"Date: {fuzzy_date(round_.date, round_.date_precision)}, {round_.date_note}. {summary}"
    if overdue(round_.status, round_.date, round_.date_precision, dt.date.today()):
        summary = f"{_overdue_words(round_)} {summary}"
    return FeedEntry(
        id=url,
        title=round_title(round_),
        link=url,
        updated=as_utc(round_.updated_at),
        published=as_utc(round_.created_at),
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
        updated=as_utc(outcome.updated_at),
        published=as_utc(outcome.created_at),
        summary=f"{status}. {outcome.description}".strip(),
        category=negotiation,
    )


def _version_entry(version: DocumentVersion, document: Document, negotiation: Negotiation, base: str) -> FeedEntry:
    """A text on the table: a new document (its first version) or a new version of one."""
    url = f"{base}/documents/{document.slug}?version={version.number}"
    if version.number == 1:
        title = f"Document: {document.title}"
        summary = document.summary or f"{document.kind.value.replace('_', ' ').capitalize()} in {negotiation.title}."
    else:
        title = f"{document.title}: version {version.number}"
        changes = f"{base}/documents/{document.slug}/changes?after={version.number}"
        summary = f"{version.label or 'A new version'}. What changed: {changes}"
    return FeedEntry(
        id=url,
        title=title,
        link=url,
        updated=as_utc(version.updated_at),
        published=as_utc(version.created_at),
        summary=summary,
        category=negotiation,
    )


def _step_entry(step: OutcomeStep, outcome: Outcome, round_: Round, negotiation: Negotiation, base: str) -> FeedEntry:
    """A change of an outcome's state: agreed, carried out, stalled …"""
    url = f"{base}/outcomes/{outcome.id}#step-{step.id}"
    status = step.status.value.replace("_", " ")
    when = fuzzy_date(step.happened_on, step.date_precision)
    return FeedEntry(
        id=url,
        title=f"{outcome.title}: {status} ({when})",
        link=url,
        updated=as_utc(step.updated_at),
        published=as_utc(step.created_at),
        summary=step.description or f"Outcome of round {round_.sequence} of {negotiation.title}: {status}.",
        category=negotiation,
    )


def feed_entries(*, session: Session, base_url: str) -> list[FeedEntry]:
    """The newest rounds, outcomes, steps of outcomes and document versions by their last change, newest
    first (four queries)."""
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
    versions = session.exec(
        select(DocumentVersion, Document, Negotiation)
        .join(Document, col(Document.id) == DocumentVersion.document_id)
        .join(Negotiation, col(Negotiation.id) == Document.negotiation_id)
        .where(visible_document())
        .order_by(col(DocumentVersion.updated_at).desc(), col(DocumentVersion.id).desc())
        .limit(FEED_SIZE)
    ).all()
    entries = [_round_entry(r, n, base) for r, n in rounds]
    entries += [_outcome_entry(o, r, n, base) for o, r, n in outcomes]
    entries += [_version_entry(v, d, n, base) for v, d, n in versions]
    steps = session.exec(
        select(OutcomeStep, Outcome, Round, Negotiation)
        .join(Outcome, col(Outcome.id) == OutcomeStep.outcome_id)
        .join(Round, col(Round.id) == Outcome.round_id)
        .join(Negotiation, col(Negotiation.id) == Round.negotiation_id)
        .where(visible_outcome())
        .order_by(col(OutcomeStep.updated_at).desc(), col(OutcomeStep.id).desc())
        .limit(FEED_SIZE)
    ).all()
    entries += [_step_entry(st, o, r, n, base) for st, o, r, n in steps]
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
    _add(feed, "title", "Parley: rounds, outcomes and documents")
    _add(feed, "subtitle", "Peace negotiations, round by round — every claim with its sources.")
    _add(feed, "updated", _rfc3339(entries[0].updated if entries else models.utcnow()))
    _add(feed, "link", rel="self", type="application/atom+xml", href=f"{base}/feed.atom")
    _add(feed, "link", rel="alternate", type="text/html", href=f"{base}/timeline")
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

    import icalendar  # only here: a fifth of the app's import time, for one route

    event = icalendar.Event()
    event.add("uid", f"round-{round_.slug}@parley")
    event.add("dtstamp", as_utc(round_.updated_at))
    event.add("created", as_utc(round_.created_at))
    event.add("last-modified", as_utc(round_.updated_at))
    event.add("sequence", max(round_.version - 1, 0))
    lines = _place_in_time(event, round_, precision)
    summary = f"{round_name(round_.sequence, round_.city)}: {negotiation.title}"
    if precision is not DatePrecision.day:
        summary += f" (date approximate: {fuzzy_date(round_.date, precision)})"
        event.add("status", "TENTATIVE")
    lines = [*_date_words(round_, precision), *lines]
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


def _place_in_time(event: "icalendar.Event", round_: Round, precision: DatePrecision) -> list[str]:
    """A start time where the day, hour and zone are known; else the whole day, month or year. Returns
    what the description must say that the times cannot."""
    assert round_.date is not None
    exact_day = precision is DatePrecision.day
    # When it began, where that is known; before then (or where no source says), when it was due to.
    began = round_.start_time
    starts = began or round_.scheduled_start
    if starts is not None and round_.timezone and exact_day:
        start = dt.datetime.combine(round_.date, starts, tzinfo=zoneinfo.ZoneInfo(round_.timezone))
        event.add("dtstart", start)
        if round_.duration_minutes:
            event.add("duration", dt.timedelta(minutes=round_.duration_minutes))
        return [] if began else [f"Scheduled to start at {starts:%H:%M} local time."]
    # DTEND of an all-day event is exclusive: the day after the period's last day.
    event.add("dtstart", round_.date)
    event.add("dtend", period_end(round_.date, precision) + dt.timedelta(days=1))
    if starts is not None and exact_day:
        return [f"{'Began' if began else 'Scheduled to start'} at {starts:%H:%M} local time."]
    return []


def _overdue_words(round_: Round) -> str:
    return f"Expected {fuzzy_date(round_.date, round_.date_precision)}; no date has been announced since."


def _date_words(round_: Round, precision: DatePrecision) -> list[str]:
    """How sure the date is, in words, for the top of the description."""
    late = [_overdue_words(round_)] if overdue(round_.status, round_.date, precision, dt.date.today()) else []
    if precision is not DatePrecision.day:
        when = fuzzy_date(round_.date, precision)
        note = f" — {round_.date_note}" if round_.date_note else ""
        return [*late, f"Date approximate: only {when} is known{note}. Shown across the whole {precision.value}."]
    return [*late, f"Date: {round_.date_note}."] if round_.date_note else late


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
    summary="Atom feed of rounds, outcomes and document versions as they are added or change",
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
