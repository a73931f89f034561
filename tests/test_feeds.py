"""The Atom feed and the calendar of planned rounds (app/web/feeds.py)."""

import datetime as dt
import xml.etree.ElementTree as ET
import zoneinfo

import icalendar
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.record.models import DatePrecision, Outcome, OutcomeKind, OutcomeStatus
from app.record.transfer import bundled_record
from tests.factories import outcome_titled, round_named, statements_sent

ATOM = {"atom": "http://www.w3.org/2005/Atom"}
HOSTILE = '<script>alert("x")</script> & "quoted" \x07 ]]> done'
PLANNED = "2025-06-next-round"


# ---------------------------------------------------------------- Atom


def _feed(client: TestClient) -> ET.Element:
    response = client.get("/feed.atom")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)


def _entries(feed: ET.Element) -> list[dict[str, str]]:
    return [
        {
            "id": entry.findtext("atom:id", namespaces=ATOM) or "",
            "title": entry.findtext("atom:title", namespaces=ATOM) or "",
            "link": entry.find("atom:link[@rel='alternate']", ATOM).get("href", ""),  # type: ignore[union-attr]
            "updated": entry.findtext("atom:updated", namespaces=ATOM) or "",
            "summary": entry.findtext("atom:summary", namespaces=ATOM) or "",
        }
        for entry in feed.findall("atom:entry", ATOM)
    ]


def _moment(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    assert moment.tzinfo is not None, f"{text} has no time zone"
    return moment


def test_feed_has_one_entry_per_round_outcome_step_and_document_version_newest_first(
    seeded, client: TestClient, session: Session
) -> None:
    feed = _feed(client)
    entries = _entries(feed)
    record = bundled_record()
    kinds = (record.rounds, record.outcomes, record.outcome_steps, record.document_versions)
    assert len(entries) == sum(len(entries_of_kind) for entries_of_kind in kinds)

    updated = [_moment(entry["updated"]) for entry in entries]
    assert updated == sorted(updated, reverse=True)
    assert _moment(feed.findtext("atom:updated", namespaces=ATOM) or "") == updated[0]
    assert len({entry["id"] for entry in entries}) == len(entries)
    assert feed.find("atom:link[@rel='self']", ATOM).get("href") == "http://testserver/feed.atom"  # type: ignore[union-attr]

    by_title = {entry["title"]: entry for entry in entries}
    round_2 = by_title["Round 2 · Istanbul — 2 June 2025"]
    assert round_2["link"] == "http://testserver/rounds/2025-06-02-istanbul"
    assert "Hakan Fidan" in round_2["summary"]
    bodies = outcome_titled(session, "Return of 6,000 bodies")
    outcome = by_title["Outcome of round 2: Return of 6,000 bodies of fallen soldiers to each side"]
    assert outcome["link"] == f"http://testserver/rounds/2025-06-02-istanbul#outcome-{bodies.id}"
    assert outcome["summary"].startswith("Agreed.")
    assert by_title["Round 3 — June 2025 (planned)"]["link"] == f"http://testserver/rounds/{PLANNED}"


def test_feed_puts_a_changed_round_first_and_escapes_its_text(seeded, client: TestClient, session: Session) -> None:
    before = {entry["id"] for entry in _entries(_feed(client))}
    round_1 = round_named(session, "2025-05-16-istanbul")
    round_1.summary = HOSTILE
    session.add(round_1)
    session.commit()

    response = client.get("/feed.atom")
    assert b"<script>" not in response.content
    entries = _entries(ET.fromstring(response.content))
    first = entries[0]
    assert first["title"] == "Round 1 · Istanbul — 16 May 2025"
    assert first["summary"] == HOSTILE.replace("\x07", "")
    assert first["id"] in before, "an entry keeps its id when its round changes"


def test_feed_holds_the_50_newest_changes(seeded, client: TestClient, session: Session) -> None:
    round_2 = round_named(session, "2025-06-02-istanbul")
    assert round_2.id is not None
    for number in range(60):
        session.add(
            Outcome(
                round_id=round_2.id,
                kind=OutcomeKind.other,
                title=f"Added outcome {number}",
                status=OutcomeStatus.proposed,
                updated_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=number),
            )
        )
    session.commit()

    entries = _entries(_feed(client))
    assert len(entries) == 50
    assert [entry["title"] for entry in entries] == [f"Outcome of round 2: Added outcome {n}" for n in range(59, 9, -1)]
    assert entries[0]["updated"] == "2030-01-01T00:59:00Z"


# ---------------------------------------------------------------- iCalendar


def _events(client: TestClient) -> tuple[icalendar.Calendar, list[icalendar.Event]]:
    response = client.get("/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    return calendar, list(calendar.walk("VEVENT"))


def test_calendar_shows_the_planned_round_over_the_whole_of_june(seeded, client: TestClient) -> None:
    _, events = _events(client)
    assert len(events) == 1, "only planned rounds are in the calendar"
    (event,) = events
    assert str(event["UID"]) == f"round-{PLANNED}@parley"
    assert str(event["URL"]) == f"http://testserver/rounds/{PLANNED}"
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert not isinstance(start, dt.datetime) and not isinstance(end, dt.datetime), "an all-day event"
    assert (start, end) == (dt.date(2025, 6, 1), dt.date(2025, 7, 1))
    assert "approximate" in str(event["SUMMARY"]) and "June 2025" in str(event["SUMMARY"])
    assert "approximate" in str(event["DESCRIPTION"])
    assert "before the end of June 2025, as Ukraine hoped" in str(event["DESCRIPTION"])
    assert "LOCATION" not in event, "the sources name no venue"


@pytest.mark.parametrize(
    ("changes", "start", "end", "approximate"),
    [
        (
            {"date": dt.date(2025, 7, 10), "start_time": dt.time(14, 0), "timezone": "Europe/Istanbul"},
            dt.datetime(2025, 7, 10, 14, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Istanbul")),
            None,
            False,
        ),
        (
            {"date": dt.date(2025, 7, 10), "scheduled_start": dt.time(13, 0), "timezone": "Europe/Istanbul"},
            dt.datetime(2025, 7, 10, 13, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Istanbul")),
            None,
            False,
        ),
        ({"date": dt.date(2025, 7, 10)}, dt.date(2025, 7, 10), dt.date(2025, 7, 11), False),
        (
            {"date": dt.date(2025, 7, 10), "start_time": dt.time(14, 0), "timezone": None},
            dt.date(2025, 7, 10),
            dt.date(2025, 7, 11),
            False,
        ),
        (
            {"date": dt.date(2026, 1, 1), "date_precision": DatePrecision.year},
            dt.date(2026, 1, 1),
            dt.date(2027, 1, 1),
            True,
        ),
    ],
    ids=["day-and-time", "day-and-scheduled-time", "day", "time-without-zone", "year"],
)
def test_calendar_places_a_round_as_precisely_as_it_is_known(
    seeded, client: TestClient, session: Session, changes: dict[str, object], start, end, approximate: bool
) -> None:
    planned = round_named(session, PLANNED)
    planned.date_precision = DatePrecision.day
    planned.city = "Istanbul"
    planned.venue = 'Palace; "North", Wing\\B'
    for name, value in changes.items():
        setattr(planned, name, value)
    session.add(planned)
    session.commit()

    calendar, (event,) = _events(client)
    assert event.decoded("DTSTART") == start
    assert type(event.decoded("DTSTART")) is type(start)
    if end is None:
        assert event["DTSTART"].params["TZID"] == "Europe/Istanbul"
        assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Istanbul"]
    else:
        assert event.decoded("DTEND") == end
    assert ("approximate" in str(event["SUMMARY"])) is approximate
    assert str(event["LOCATION"]) == 'Palace; "North", Wing\\B, Istanbul'
    if "scheduled_start" in changes:
        assert "Scheduled to start at 13:00 local time." in str(event["DESCRIPTION"])


def test_calendar_leaves_out_rounds_that_are_not_planned(seeded, client: TestClient, session: Session) -> None:
    planned = round_named(session, PLANNED)
    planned.status = "postponed"  # type: ignore[assignment]
    session.add(planned)
    session.commit()
    calendar, events = _events(client)
    assert events == []
    assert str(calendar["VERSION"]) == "2.0"


# ---------------------------------------------------------------- downloads


def test_feeds_query_a_fixed_number_of_times(seeded, client: TestClient) -> None:
    with statements_sent(client) as feed:
        client.get("/feed.atom")
    assert len(feed) == 4, "rounds, outcomes, steps of outcomes, document versions"
    with statements_sent(client) as calendar:
        client.get("/calendar.ics")
    assert len(calendar) == 1


def test_an_empty_record_gives_an_empty_feed_and_calendar(client: TestClient) -> None:
    feed = _feed(client)
    assert _entries(feed) == [] and _moment(feed.findtext("atom:updated", namespaces=ATOM) or "")
    assert _events(client)[1] == []
