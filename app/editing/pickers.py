"""Choosing what a record refers to: the words every picker shows, searching as the editor types,
and understanding a name typed in full.

A picker never throws away what was typed. A name is taken when it is exact or matches one record
only; otherwise the editor is told, in a sentence, which records it could be or that none is, and
may add it as new in place (people, parties and topics; sources have their own form).
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.core.db import any_of, read, wrote_record
from app.record.models import (
    Clause,
    Delegation,
    Document,
    DocumentVersion,
    Event,
    Negotiation,
    Outcome,
    Party,
    Person,
    Round,
    RoundStatus,
    Source,
    Topic,
    contrast_ratio,
    fuzzy_date,
)

OPTIONS_SHOWN = 12
# Colours that keep 3:1 against both the light and the dark page (WCAG 1.4.11), in the order
# offered to a new party: well apart in hue, so that neighbouring parties are told apart.
PALETTE = (
    "#3473b2",
    "#c63939",
    "#2e9e66",
    "#9e662e",
    "#8c4dcb",
    "#2e829e",
    "#b23492",
    "#9e822e",
    "#4d6dcb",
    "#c6395c",
    "#669e2e",
    "#b25334",
)
SLUG_FOLDS = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae"})
CREATABLE = {"people": "person", "parties": "party", "topics": "topic"}
# What is chosen by typing a name, with the server searching as the editor types.
PICKED_KINDS = frozenset({"people", "parties", "topics", "sources"})
# Records named by a ``name`` column of their own.
_Named = TypeVar("_Named", Person, Party, Topic)


@dataclass(frozen=True)
class Option:
    id: int
    label: str
    detail: str = ""


def round_label(sequence: int, date: dt.date | str | None, precision: str, status: str = "held") -> str:
    """ "Round 3 — 23 July 2025", with the status of a round not (yet) held."""
    when = fuzzy_date(dt.date.fromisoformat(date) if isinstance(date, str) else date, precision)
    label = f"Round {sequence} — {when}"
    return label if status == RoundStatus.held.value else f"{label} ({status})"


def source_label(source: Source | sa.Row[Any]) -> str:
    title = source.title or source.url or "untitled"
    when = f", {fuzzy_date(source.published_on)}" if source.published_on else ""
    return f"{title} — {source.publisher}{when}"


def slugify(text: str, fallback: str) -> str:
    """ "İbrahim Kalın" → "ibrahim-kalin"."""
    folded = unicodedata.normalize("NFKD", text.translate(SLUG_FOLDS)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:70].strip("-") or fallback


def free_slug(
    session: Session, table: sa.Table, text: str, *, taken: set[str] | None = None, own_id: int | None = None
) -> str:
    """A slug made from ``text`` that no other row of ``table`` (nor anything in ``taken``) has."""
    base = slugify(text, table.name.removesuffix("s"))
    slug, n = base, 1
    while (
        slug in (taken or set())
        or session.execute(sa.select(table.c.id).where(table.c.slug == slug, table.c.id != (own_id or 0))).first()
    ):
        n += 1
        slug = f"{base}-{n}"
    return slug


def suggest_colour(session: Session, avoid: str | None = None) -> str:
    """The first colour of the palette no party uses yet; for a refused colour, the palette's nearest."""
    if avoid:
        return min(PALETTE, key=lambda c: _distance(c, avoid))
    used = set(session.execute(sa.select(col(Party.colour))).scalars())
    return next((c for c in PALETTE if c not in used), PALETTE[0])


def _distance(a: str, b: str) -> int:
    try:
        pairs = [(int(a[i : i + 2], 16), int(b[i : i + 2], 16)) for i in (1, 3, 5)]
    except ValueError:
        return 0
    return sum((x - y) ** 2 for x, y in pairs)


assert all(contrast_ratio(c, "#ffffff") >= 3 and contrast_ratio(c, "#15171a") >= 3 for c in PALETTE)


# ---------------------------------------------------------------- labels of records


def _names(model: type[_Named]) -> Callable[[Session, set[int] | None], dict[int, str]]:
    """Names by id: of ``ids``, or of every row (None)."""

    every = sa.select(col(model.id), col(model.name))
    some = every.where(any_of(col(model.id)))

    def named(session: Session, ids: set[int] | None) -> dict[int, str]:
        rows = read(session, every) if ids is None else read(session, some, {"ids": sorted(ids)})
        return {row.id: row.name for row in rows}

    return named


_SOURCE_COLUMNS = sa.select(
    col(Source.id), col(Source.title), col(Source.url), col(Source.publisher), col(Source.published_on)
)
_SOME_SOURCES = _SOURCE_COLUMNS.where(any_of(col(Source.id)))


def _source_labels(session: Session, ids: set[int] | None) -> dict[int, str]:
    rows = read(session, _SOURCE_COLUMNS) if ids is None else read(session, _SOME_SOURCES, {"ids": sorted(ids)})
    return {s.id: source_label(s) for s in rows}


# A form names a record in the words it was chosen by: its own name, or the line its list shows.
LABELS: dict[str, Callable[[Session, set[int] | None], dict[int, str]]] = {
    "people": _names(Person),
    "parties": _names(Party),
    "topics": _names(Topic),
    "sources": _source_labels,
}


# Kinds few enough that a form naming one of them reads them all, once per request.
_READ_WHOLE = frozenset({"parties", "topics"})
# On the session's info: the labels read so far in this request, by kind and id (None: not found).
_KEPT = "parley.labels"


def labels(session: Session, kind: str, ids: set[int]) -> dict[int, str]:
    """How records of ``kind`` are named in forms, by id.

    A composer names a party and a topic for every position it lists: the labels are kept for the
    rest of the request, so that naming forty positions reads each table once. A transaction that has
    written the record reads them afresh, since it may have renamed one.
    """
    ids = {i for i in ids if isinstance(i, int)}
    if not ids:
        return {}
    named = LABELS.get(kind)
    if named is None:
        return {option.id: option.label for option in choices(session, kind) if option.id in ids}
    if wrote_record(session):
        return named(session, ids)
    kept: dict[int, str | None] = session.info.setdefault(_KEPT, {}).setdefault(kind, {})
    missing = ids - kept.keys()
    if missing:
        found = named(session, None if kind in _READ_WHOLE else missing)
        kept.update(found)
        kept.update({i: None for i in missing if i not in found})
    return {i: name for i in ids if (name := kept[i]) is not None}


def _negotiations(session: Session, negotiation_id: int | None) -> list[Option]:
    return [Option(n.id or 0, n.title) for n in session.exec(select(Negotiation).order_by(col(Negotiation.title)))]


def _rounds(session: Session, negotiation_id: int | None) -> list[Option]:
    """The rounds of one negotiation or, none given, of all, each beside its negotiation's title."""
    query = select(Round, Negotiation.title).join(Negotiation, col(Negotiation.id) == Round.negotiation_id)
    if negotiation_id is not None:
        query = query.where(col(Round.negotiation_id) == negotiation_id)
    rows = session.exec(query.order_by(col(Negotiation.title), col(Round.sequence))).all()
    return [
        Option(
            r.id or 0,
            round_label(r.sequence, r.date, r.date_precision.value, r.status.value),
            title if negotiation_id is None else "",
        )
        for r, title in rows
    ]


def _outcomes(session: Session, negotiation_id: int | None) -> list[Option]:
    return [Option(o.id or 0, o.title) for o in session.exec(select(Outcome).order_by(col(Outcome.id)))]


def _events(session: Session, negotiation_id: int | None) -> list[Option]:
    return [Option(e.id or 0, e.title) for e in session.exec(select(Event).order_by(col(Event.sort_date)))]


def _delegations(session: Session, negotiation_id: int | None) -> list[Option]:
    """ "Ukraine delegation, Round 2 — 2 June 2025": a delegation is known by its party and its round."""
    found = session.exec(
        select(Delegation, Party.name, Round)
        .join(Party, col(Party.id) == Delegation.party_id)
        .join(Round, col(Round.id) == Delegation.round_id)
        .order_by(col(Delegation.id))
    ).all()
    return [
        Option(d.id or 0, f"{name} delegation, {round_label(r.sequence, r.date, r.date_precision.value)}")
        for d, name, r in found
    ]


def _documents(session: Session, negotiation_id: int | None) -> list[Option]:
    query = select(Document)
    if negotiation_id is not None:
        query = query.where(col(Document.negotiation_id) == negotiation_id)
    return [
        Option(d.id or 0, d.title, fuzzy_date(d.dated_on, d.date_precision) if d.dated_on else "")
        for d in session.exec(query.order_by(col(Document.dated_on), col(Document.id)))
    ]


def _versions(session: Session, negotiation_id: int | None) -> list[Option]:
    """ "Russian memorandum, version 1": a version is known by its document and its number."""
    query = select(DocumentVersion, Document.title).join(Document, col(Document.id) == DocumentVersion.document_id)
    if negotiation_id is not None:
        query = query.where(col(Document.negotiation_id) == negotiation_id)
    rows = session.exec(query.order_by(col(Document.id), col(DocumentVersion.number))).all()
    return [Option(v.id or 0, f"{title}, version {v.number}", v.label) for v, title in rows]


def _clauses(session: Session, negotiation_id: int | None) -> list[Option]:
    """ "Russian memorandum v1, 2. Territory": a clause is known by its document, version and number."""
    query = (
        select(Clause, DocumentVersion.number, Document.title)
        .join(DocumentVersion, col(DocumentVersion.id) == Clause.version_id)
        .join(Document, col(Document.id) == DocumentVersion.document_id)
    )
    if negotiation_id is not None:
        query = query.where(col(Document.negotiation_id) == negotiation_id)
    rows = session.exec(
        query.order_by(col(Document.id), col(DocumentVersion.number), col(Clause.sort_order), col(Clause.id))
    ).all()
    return [Option(c.id or 0, clause_label(title, number, c.number, c.heading), "") for c, number, title in rows]


def clause_label(document: str, version: int, number: str, heading: str) -> str:
    named = " ".join(part for part in (f"{number}." if number else "", heading) if part)
    return f"{document} v{version}" + (f", {named}" if named else "")


# Kinds chosen from a list; the kinds picked by typing a name list what an empty search finds.
LISTS: dict[str, Callable[[Session, int | None], list[Option]]] = {
    "documents": _documents,
    "document_versions": _versions,
    "clauses": _clauses,
    "negotiations": _negotiations,
    "rounds": _rounds,
    "outcomes": _outcomes,
    "events": _events,
    "delegations": _delegations,
}


def choices(session: Session, kind: str, *, negotiation_id: int | None = None) -> list[Option]:
    """Everything of ``kind`` to choose from in a list, named as editors know it."""
    listed = LISTS.get(kind)
    if listed is None:
        return search(session, kind, "", limit=None)
    return listed(session, negotiation_id)


# ---------------------------------------------------------------- searching as the editor types


def _people_matching(session: Session, text: str, limit: int | None) -> list[Option]:
    """People by name, in Latin letters or their own script, or by address; told apart by party and office."""
    query = select(Person, Party.name).outerjoin(Party, col(Party.id) == Person.party_id)
    if text:
        pattern = f"%{text}%"
        query = query.where(
            sa.or_(
                sa.func.lower(Person.name).like(pattern),
                sa.func.lower(sa.func.coalesce(Person.name_native, "")).like(pattern),
                col(Person.slug).like(pattern),
            )
        )
    rows = session.exec(query.order_by(col(Person.name)).limit(limit)).all()
    return [Option(p.id or 0, p.name, ", ".join(x for x in (party, p.title) if x)) for p, party in rows]


def _parties_matching(session: Session, text: str, limit: int | None) -> list[Option]:
    parties = select(Party)
    if text:
        pattern = f"%{text}%"
        parties = parties.where(
            sa.or_(sa.func.lower(Party.name).like(pattern), sa.func.lower(Party.short_name).like(pattern))
        )
    return [Option(p.id or 0, p.name) for p in session.exec(parties.order_by(col(Party.name)).limit(limit))]


def _topics_matching(session: Session, text: str, limit: int | None) -> list[Option]:
    topics = select(Topic)
    if text:
        pattern = f"%{text}%"
        topics = topics.where(sa.or_(sa.func.lower(Topic.name).like(pattern), col(Topic.slug).like(pattern)))
    return [Option(t.id or 0, t.name) for t in session.exec(topics.order_by(col(Topic.sort_order)).limit(limit))]


def _sources_matching(session: Session, text: str, limit: int | None) -> list[Option]:
    query = select(Source).where(source_matches(text)).order_by(*SOURCES_ORDER)
    rows = session.exec(query.limit(limit)).all()
    return [Option(s.id or 0, source_label(s), s.url or "no address: known second-hand") for s in rows]


# The kinds the server searches as the editor types (``PICKED_KINDS``); any other is found in its list.
SEARCHES: dict[str, Callable[[Session, str, int | None], list[Option]]] = {
    "people": _people_matching,
    "parties": _parties_matching,
    "topics": _topics_matching,
    "sources": _sources_matching,
}


def search(session: Session, kind: str, words: str, *, limit: int | None = OPTIONS_SHOWN) -> list[Option]:
    """Records of ``kind`` whose name (or, for sources, title, publisher, address or date) holds ``words``."""
    text = words.strip().lower()
    searched = SEARCHES.get(kind)
    if searched is None:
        return [o for o in choices(session, kind) if text in o.label.lower()][:limit]
    return searched(session, text, limit)


# The newest first (undated ones last, on every engine): the source an editor looks for is most often the day's.
SOURCES_ORDER = (col(Source.published_on).desc().nulls_last(), col(Source.id).desc())


def source_matches(words: str) -> sa.ColumnElement[bool]:
    """Sources whose title, publisher or address holds ``words``, or whose date falls in them ("2025-06")."""
    text = words.strip().lower()
    if not text:
        return sa.true()
    pattern = f"%{text}%"
    matches = [
        sa.func.lower(sa.func.coalesce(Source.title, "")).like(pattern),
        sa.func.lower(Source.publisher).like(pattern),
        sa.func.lower(sa.func.coalesce(Source.url, "")).like(pattern),
    ]
    period = _period(text)
    if period is not None:
        matches.append(col(Source.published_on).between(*period))
    return sa.or_(*matches)


def _period(text: str) -> tuple[dt.date, dt.date] | None:
    """ "2025", "2025-06" or "2025-06-02" as the days they cover, for finding sources by date."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", text)
    if match is None:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    try:
        if day and month:
            start = dt.date(year, month, day)
            return start, start
        if month:
            start = dt.date(year, month, 1)
            end = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
            return start, end
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    except ValueError:
        return None


# ---------------------------------------------------------------- a name typed in full


@dataclass(frozen=True)
class Resolved:
    """What a typed name stands for: a record's id, a record to add, or why it cannot be taken."""

    id: int | None = None
    create: str | None = None  # the name of a record to add as new
    error: str | None = None
    addable: bool = False  # nothing of that name is in the record, and it may be added as new


NOUNS = {"people": ("person", "people"), "parties": ("party", "parties"), "topics": ("topic", "topics")}


def resolve(session: Session, kind: str, text: str, *, chosen: str = "", add_new: bool = False) -> Resolved:
    """The record of ``kind`` the editor means by ``text`` (``chosen``: the id a picker set)."""
    text = " ".join(text.split())
    if chosen.isdigit() and labels(session, kind, {int(chosen)}):
        return Resolved(id=int(chosen))
    if not text:
        return Resolved()
    return (
        _named_exactly(session, kind, text)
        or _named_in_part(session, kind, text)
        or _not_in_record(kind, text, add_new=add_new)
    )


def _named_exactly(session: Session, kind: str, text: str) -> Resolved | None:
    """The one record called ``text``; namesakes, listed for the editor to choose from; None when none is."""
    exact = [o for o in search(session, kind, text, limit=None) if _same(o.label, text) or _same_source(o, text)]
    if len(exact) == 1:
        return Resolved(id=exact[0].id)
    if not exact:
        return None
    _, plural = NOUNS.get(kind, (kind.removesuffix("s"), kind))
    names = "; ".join(f"{o.label} ({o.detail})" if o.detail else o.label for o in exact[:5])
    return Resolved(error=f"{len(exact)} {plural} are called “{text}”: {names}. Choose one from the list.")


def _named_in_part(session: Session, kind: str, text: str) -> Resolved | None:
    """The one record whose name holds ``text``; when several do, what they are; None when none does."""
    found = search(session, kind, text, limit=6)
    if len(found) == 1:
        return Resolved(id=found[0].id)
    if not found:
        return None
    names = "; ".join(o.label for o in found[:5])
    more = " and more" if len(found) > 5 else ""
    return Resolved(error=f"“{text}” matches {names}{more}. Type more of the name, or choose from the list.")


def _not_in_record(kind: str, text: str, *, add_new: bool) -> Resolved:
    """Nothing is called ``text``: a person, party or topic may be added as new; anything else is chosen from a list."""
    if kind not in CREATABLE:
        return Resolved(error=f"Nothing in the record matches “{text}”. Choose from the list.")
    if add_new:
        return Resolved(create=text)
    message = f"No {CREATABLE[kind]} called “{text}” is in the record. Pick one from the list, or add them as new."
    return Resolved(error=message, addable=True)


def _same(label: str, text: str) -> bool:
    return label.casefold() == text.casefold()


def _same_source(option: Option, text: str) -> bool:
    """A source typed as its address, or as its title (the part of its label before the publisher)."""
    return option.detail == text or option.label.split(" — ")[0].casefold() == text.casefold()


def create(session: Session, kind: str, name: str, *, party_id: int | None = None) -> int:
    """Add a person, party or topic named ``name`` to the record, in the caller's transaction."""
    row: Any
    if kind == "people":
        row = Person(slug=free_slug(session, _table(Person), name), name=name[:200], party_id=party_id)
    elif kind == "parties":
        slug = free_slug(session, _table(Party), name)
        row = Party(slug=slug, name=name[:200], short_name=name[:40], colour=suggest_colour(session))
    else:
        row = Topic(slug=free_slug(session, _table(Topic), name), name=name[:120])
    session.add(row)
    session.flush()
    return int(row.id)


def _table(model: Any) -> sa.Table:
    return model.__table__  # type: ignore[no-any-return]
