"""Batch loading of references for one page, so that no page issues a query per row.

A ``Lookup`` lives for one request. It loads what a page refers to in bulk
(every party, every topic, the people and rounds it names) and numbers the
sources cited on the page in the order the page shows its claims.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.reading import schemas
from app.record.models import (
    Citation,
    DatePrecision,
    Negotiation,
    Party,
    Person,
    Position,
    ReportedFigure,
    Round,
    Source,
    Topic,
    fuzzy_date,
    overdue,
)


def fuzzy(value: dt.date | None, precision: DatePrecision | str, note: str | None = None) -> schemas.FuzzyDate | None:
    if value is None:
        return None
    precision = DatePrecision(precision)
    return schemas.FuzzyDate(date=value, precision=precision, label=fuzzy_date(value, precision), note=note)


class Lookup:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._parties: dict[int, Party] | None = None
        self._topics: dict[int, Topic] | None = None
        self._negotiations: dict[int, schemas.NegotiationRef] = {}
        self._people: dict[int, schemas.PersonRef] = {}
        self._rounds: dict[int, schemas.RoundRef] = {}
        self._citations: dict[str, dict[int, list[tuple[int, str, str | None]]]] = defaultdict(dict)
        self._numbers: dict[int, int] = {}

    # ------------------------------------------------------------ small tables, loaded whole

    def all_parties(self) -> dict[int, Party]:
        if self._parties is None:
            self._parties = {p.id: p for p in self.session.exec(select(Party).order_by(col(Party.name))) if p.id}
        return self._parties

    def all_topics(self) -> dict[int, Topic]:
        if self._topics is None:
            topics = self.session.exec(select(Topic).order_by(col(Topic.sort_order), col(Topic.name)))
            self._topics = {t.id: t for t in topics if t.id}
        return self._topics

    def party(self, party_id: int | None) -> schemas.PartyRef | None:
        if party_id is None:
            return None
        return schemas.PartyRef.model_validate(self.all_parties()[party_id])

    def topic(self, topic_id: int) -> schemas.TopicRef:
        return schemas.TopicRef.model_validate(self.all_topics()[topic_id])

    # ------------------------------------------------------------ referenced rows, loaded by id

    def negotiations(self, ids: Iterable[int]) -> dict[int, schemas.NegotiationRef]:
        missing = set(ids) - set(self._negotiations)
        if missing:
            for n in self.session.exec(select(Negotiation).where(col(Negotiation.id).in_(missing))):
                assert n.id is not None
                self._negotiations[n.id] = schemas.NegotiationRef.model_validate(n)
        return self._negotiations

    def people(self, ids: Iterable[int | None]) -> dict[int, schemas.PersonRef]:
        missing = {i for i in ids if i is not None} - set(self._people)
        if missing:
            for p in self.session.exec(select(Person).where(col(Person.id).in_(missing))):
                assert p.id is not None
                self._people[p.id] = schemas.PersonRef(
                    slug=p.slug, name=p.name, name_native=p.name_native, title=p.title, party=self.party(p.party_id)
                )
        return self._people

    def person(self, person_id: int | None) -> schemas.PersonRef | None:
        return None if person_id is None else self.people([person_id])[person_id]

    def round_ref(self, r: Round) -> schemas.RoundRef:
        assert r.id is not None
        if r.id not in self._rounds:
            negotiation = self.negotiations([r.negotiation_id])[r.negotiation_id]
            self._rounds[r.id] = schemas.RoundRef(
                slug=r.slug,
                sequence=r.sequence,
                status=r.status,
                date=fuzzy(r.date, r.date_precision, r.date_note),
                city=r.city,
                negotiation=negotiation,
                overdue=overdue(r.status, r.date, r.date_precision, dt.date.today()),
            )
        return self._rounds[r.id]

    def rounds(self, ids: Iterable[int | None]) -> dict[int, schemas.RoundRef]:
        missing = {i for i in ids if i is not None} - set(self._rounds)
        if missing:
            rows = self.session.exec(select(Round).where(col(Round.id).in_(missing))).all()
            self.negotiations(r.negotiation_id for r in rows)
            for r in rows:
                self.round_ref(r)
        return self._rounds

    # ------------------------------------------------------------ citations and footnotes

    def load_citations(self, subject: str, ids: Iterable[int]) -> None:
        """Fetch the citations of many claims of one kind (``subject`` is e.g. "position_id") at once."""
        wanted = set(ids) - set(self._citations[subject])
        if not wanted:
            return
        column = Citation.__table__.c[subject]  # type: ignore[attr-defined]
        rows = self.session.execute(
            sa.select(column, col(Citation.source_id), col(Source.publisher), col(Citation.note))
            .join(Source, col(Source.id) == Citation.source_id)
            .where(column.in_(wanted))
            .order_by(column, col(Citation.id))
        ).all()
        found: dict[int, list[tuple[int, str, str | None]]] = {i: [] for i in wanted}
        for subject_id, source_id, publisher, note in rows:
            found[subject_id].append((source_id, publisher, note))
        self._citations[subject].update(found)

    def cite(self, subject: str, subject_id: int) -> list[schemas.CitationRef]:
        """Footnote references for one claim, numbering sources in the order the page cites them."""
        self.load_citations(subject, [subject_id])
        refs = []
        for source_id, publisher, note in self._citations[subject][subject_id]:
            first = source_id not in self._numbers
            number = self._numbers.setdefault(source_id, len(self._numbers) + 1)
            refs.append(schemas.CitationRef(number=number, publisher=publisher, note=note, first=first))
        return refs

    def sources(self) -> list[schemas.SourcePublic]:
        """Every source cited so far on this page, in footnote order."""
        if not self._numbers:
            return []
        rows = self.session.exec(select(Source).where(col(Source.id).in_(self._numbers))).all()
        listed = [schemas.SourcePublic(number=self._numbers[s.id], **s.model_dump()) for s in rows if s.id]
        return sorted(listed, key=lambda s: s.number)

    # ------------------------------------------------------------ claims

    def figures(self, rows: Sequence[ReportedFigure]) -> list[schemas.ReportedFigurePublic]:
        self.load_citations("figure_id", [f.id for f in rows if f.id])
        return [
            schemas.ReportedFigurePublic(
                measure=f.measure,
                low=f.low,
                high=f.high,
                unit=f.unit,
                as_reported=f.as_reported,
                citations=self.cite("figure_id", f.id),
            )
            for f in rows
            if f.id
        ]

    def positions(self, rows: Sequence[Position]) -> list[schemas.PositionPublic]:
        """Public positions, with their rounds, speakers and citations loaded in bulk."""
        self.rounds(p.round_id for p in rows)
        self.people(p.speaker_id for p in rows)
        self.load_citations("position_id", [p.id for p in rows if p.id])
        return [self.position(p) for p in rows]

    def position(self, p: Position) -> schemas.PositionPublic:
        assert p.id is not None
        return schemas.PositionPublic(
            id=p.id,
            party=self.party(p.party_id),
            topic=self.topic(p.topic_id),
            round=self.rounds([p.round_id])[p.round_id] if p.round_id else None,
            stated=fuzzy(p.stated_on, p.stated_precision),
            speaker=self.person(p.speaker_id),
            stated_in=p.stated_in,
            summary=p.summary,
            text=p.text,
            quote=p.quote,
            citations=self.cite("position_id", p.id),
        )


def negotiation_options(session: Session) -> list[schemas.FilterOption]:
    """Every negotiation, by title, for a page's choice of negotiation."""
    negotiations = session.exec(select(Negotiation).order_by(col(Negotiation.title)))
    return [schemas.FilterOption(value=n.slug, label=n.title) for n in negotiations]
