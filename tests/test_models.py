"""Rules the record keeps whatever writes to it."""

import datetime as dt

import pytest
import sqlalchemy as sa
from pydantic import ValidationError
from sqlmodel import Session

from app.record.models import (
    Citation,
    CitationRecord,
    DatePrecision,
    Negotiation,
    PartyRecord,
    ReportedFigureRecord,
    RoundRecord,
    RoundStatus,
    Source,
    contrast_ratio,
    overdue,
)


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("colour", ["#ffd500", "#0a0a0a"])
def test_party_colour_must_contrast_with_light_and_dark_pages(colour: str) -> None:
    with pytest.raises(ValidationError, match="contrast of"):
        PartyRecord(id=1, slug="x", name="X", short_name="X", colour=colour)


def test_a_month_precise_date_is_the_first_of_the_month() -> None:
    fields = {"id": 1, "negotiation_id": 1, "sequence": 3, "slug": "next", "status": "planned"}
    RoundRecord(**fields, date=dt.date(2025, 6, 1), date_precision="month")
    with pytest.raises(ValidationError, match="known to the month"):
        RoundRecord(**fields, date=dt.date(2025, 6, 30), date_precision="month")


def test_round_time_zone_must_be_a_real_one() -> None:
    with pytest.raises(ValidationError, match="not an IANA time zone"):
        RoundRecord(id=1, negotiation_id=1, sequence=1, slug="r", status="held", timezone="Istanbul")


def test_a_reported_figure_keeps_an_open_range_but_not_an_empty_one() -> None:
    under_an_hour = ReportedFigureRecord(
        id=1, round_id=2, measure="duration_minutes", high=60, as_reported="less than an hour"
    )
    assert under_an_hour.low is None
    with pytest.raises(ValidationError, match="needs a low or a high"):
        ReportedFigureRecord(id=2, round_id=2, measure="duration_minutes", as_reported="a while")
    with pytest.raises(ValidationError, match="low is greater than high"):
        ReportedFigureRecord(id=3, round_id=2, measure="duration_minutes", low=90, high=60, as_reported="x")


def test_a_citation_supports_exactly_one_claim() -> None:
    with pytest.raises(ValidationError, match="exactly one"):
        CitationRecord(id=1, source_id=1, round_id=1, outcome_id=1)


def test_the_database_refuses_a_citation_that_supports_nothing(session: Session) -> None:
    negotiation = Negotiation(slug="n", title="N")
    source = Source(publisher="TASS")
    session.add_all([negotiation, source])
    session.flush()
    assert source.id is not None
    session.add(Citation(source_id=source.id, event_id=None, round_id=None, outcome_id=None))
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()


@pytest.mark.parametrize(
    ("status", "today", "expected"),
    [
        (RoundStatus.planned, dt.date(2025, 6, 30), False),  # June is not over yet
        (RoundStatus.planned, dt.date(2025, 7, 1), True),
        (RoundStatus.held, dt.date(2026, 11, 29), False),  # a round that met is never overdue
    ],
)
def test_a_planned_round_is_overdue_once_its_whole_expected_period_has_passed(
    status: RoundStatus, today: dt.date, expected: bool
) -> None:
    assert overdue(status, dt.date(2025, 6, 1), DatePrecision.month, today) is expected
