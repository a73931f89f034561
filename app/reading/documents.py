"""The texts on the table: a document with its clauses, two documents side by side by topic, and two
versions of one compared clause by clause."""

import difflib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import Session, col

from app.core.db import any_of, read
from app.core.errors import InvalidChoice, NotFound
from app.reading import schemas
from app.reading.lookup import Lookup, fuzzy
from app.reading.topics import rewritten, word_diff
from app.record.models import (
    Clause,
    ClausePair,
    ClauseTopic,
    Document,
    DocumentKind,
    DocumentParty,
    DocumentVersion,
    Negotiation,
    Position,
    table_of,
)
from app.record.visibility import visible_document, visible_position

DOCUMENTS, VERSIONS, CLAUSES = table_of(Document), table_of(DocumentVersion), table_of(Clause)

_DOCUMENT = sa.select(DOCUMENTS).where(DOCUMENTS.c.slug == sa.bindparam("slug"), visible_document())
_AT_ROUND = (
    sa.select(DOCUMENTS)
    .where(DOCUMENTS.c.round_id == sa.bindparam("round_id"), visible_document())
    .order_by(DOCUMENTS.c.dated_on, DOCUMENTS.c.id)
)
_AUTHORS = (
    sa.select(col(DocumentParty.document_id), col(DocumentParty.party_id))
    .where(any_of(col(DocumentParty.document_id)))
    .order_by(col(DocumentParty.id))
)
_VERSIONS = (
    sa.select(VERSIONS, sa.func.count(CLAUSES.c.id).label("clause_count"))
    .outerjoin(CLAUSES, CLAUSES.c.version_id == VERSIONS.c.id)
    .where(VERSIONS.c.document_id == sa.bindparam("document_id"))
    .group_by(*VERSIONS.c)
    .order_by(VERSIONS.c.number)
)
_CLAUSES = (
    sa.select(CLAUSES)
    .where(CLAUSES.c.version_id == sa.bindparam("version_id"))
    .order_by(CLAUSES.c.sort_order, CLAUSES.c.id)
)
_CLAUSE_TOPICS = (
    sa.select(col(ClauseTopic.clause_id), col(ClauseTopic.topic_id))
    .where(any_of(col(ClauseTopic.clause_id)))
    .order_by(col(ClauseTopic.id))
)
_CLAUSE_POSITIONS = (
    sa.select(table_of(Position)).where(any_of(col(Position.clause_id)), visible_position()).order_by(col(Position.id))
)


def anchor(clause_id: int) -> str:
    return f"clause-{clause_id}"


# ------------------------------------------------------------------ the list


def document_list(*, session: Session, negotiation: str | None = None) -> schemas.DocumentList:
    """Every document a reader may see, newest first; of one negotiation if one is named."""
    lookup = Lookup(session)
    query = sa.select(DOCUMENTS).where(visible_document())
    chosen = None
    if negotiation:
        chosen = read(session, sa.select(col(Negotiation.id)).where(col(Negotiation.slug) == negotiation)).scalar()
        if chosen is None:
            raise NotFound(f"There is no negotiation {negotiation!r} in the record.")
        query = query.where(DOCUMENTS.c.negotiation_id == chosen)
    rows = read(session, query.order_by(DOCUMENTS.c.dated_on.desc(), DOCUMENTS.c.id)).all()
    authors = _authors(session, lookup, [d.id for d in rows])
    counts = dict(
        read(
            session,
            sa.select(VERSIONS.c.document_id, sa.func.count())
            .where(VERSIONS.c.document_id.in_([d.id for d in rows]))
            .group_by(VERSIONS.c.document_id),
        ).all()
    )
    lookup.rounds(d.round_id for d in rows)
    negotiations = lookup.negotiations([])
    return schemas.DocumentList(
        negotiation=negotiations[chosen] if chosen else None,
        negotiations=lookup.negotiation_options(),
        documents=[
            schemas.DocumentSummary(
                **_ref(d, authors).model_dump(),
                negotiation=negotiations[d.negotiation_id],
                round=lookup.rounds([d.round_id])[d.round_id] if d.round_id else None,
                versions=counts.get(d.id, 0),
            )
            for d in rows
        ],
    )


def documents_at(
    session: Session, lookup: Lookup, round_id: int
) -> tuple[list[schemas.DocumentRef], schemas.ReadoutComparison | None]:
    """The texts handed over or published at a round, and its readouts set side by side, for its page."""
    rows = read(session, _AT_ROUND, {"round_id": round_id}).all()
    authors = _authors(session, lookup, [d.id for d in rows])
    texts = [_ref(d, authors) for d in rows if d.kind is not DocumentKind.readout]
    readouts = [d for d in rows if d.kind is DocumentKind.readout]
    if not readouts:
        return texts, None
    sides = []
    for d in readouts:
        latest = _chosen_version(_versions(session, d.id), None, "version")
        sides.append(_clauses(session, lookup, latest.id, with_positions=False) if latest else [])
    accounts = [_ref(d, authors) for d in readouts]
    aligned = align_many(_TopicOrder(list(lookup.all_topics()), lookup), sides)
    return texts, schemas.ReadoutComparison(
        accounts=accounts,
        rows=[
            schemas.ReadoutRow(
                topic=row.topic, cells=row.cells, only=accounts[row.only].title if row.only is not None else None
            )
            for row in aligned
        ],
    )


# ------------------------------------------------------------------ one document


def document_detail(*, session: Session, slug: str, version: int | None = None) -> schemas.DocumentDetail:
    """A document, its versions, and the clauses of one version (the latest unless ``version`` is asked)."""
    d = _document(session, slug)
    lookup = Lookup(session)
    authors = _authors(session, lookup, [d.id])
    versions = _versions(session, d.id)
    shown = _chosen_version(versions, version, "version")
    citations = lookup.cite("document_id", d.id)
    clauses = _clauses(session, lookup, shown.id, with_positions=True) if shown else []
    others = read(
        session,
        sa.select(DOCUMENTS)
        .where(DOCUMENTS.c.negotiation_id == d.negotiation_id, DOCUMENTS.c.id != d.id, visible_document())
        .order_by(DOCUMENTS.c.dated_on, DOCUMENTS.c.id),
    ).all()
    others_authors = _authors(session, lookup, [o.id for o in others])
    return schemas.DocumentDetail(
        **_ref(d, authors).model_dump(),
        negotiation=lookup.negotiations([d.negotiation_id])[d.negotiation_id],
        round=lookup.rounds([d.round_id])[d.round_id] if d.round_id else None,
        language=d.language,
        standpoint=d.standpoint,
        summary=d.summary,
        citations=citations,
        versions=[_summary(v) for v in versions],
        version=_summary(shown) if shown else None,
        clauses=clauses,
        others=[_ref(o, others_authors) for o in others],
        sources=lookup.sources(),
    )


def version_address(*, session: Session, version_id: int) -> tuple[str, int]:
    """The slug of a version's document and the version's number."""
    found = read(
        session,
        sa.select(DOCUMENTS.c.slug, VERSIONS.c.number)
        .join(DOCUMENTS, DOCUMENTS.c.id == VERSIONS.c.document_id)
        .where(VERSIONS.c.id == version_id),
    ).first()
    if found is None:
        raise NotFound("There is no such version of a document on the record.")
    return str(found.slug), int(found.number)


# ------------------------------------------------------------------ two documents, side by side


def compare_documents(
    *,
    session: Session,
    left: str,
    right: str,
    left_version: int | None = None,
    right_version: int | None = None,
) -> schemas.DocumentComparison:
    """Two documents' clauses set side by side by topic, in the record's order of topics; clauses on
    no topic the other document shares come last, each marked as one side's alone."""
    lookup = Lookup(session)
    first, second = _document(session, left), _document(session, right)
    if left == right:
        raise InvalidChoice("right: choose a document other than the one on the left")
    if first.negotiation_id != second.negotiation_id:
        raise InvalidChoice("right: the two documents must belong to the same negotiation")
    authors = _authors(session, lookup, [first.id, second.id])
    first_version = _chosen_version(_versions(session, first.id), left_version, "left_version")
    second_version = _chosen_version(_versions(session, second.id), right_version, "right_version")
    first_clauses = _clauses(session, lookup, first_version.id, with_positions=True) if first_version else []
    second_clauses = _clauses(session, lookup, second_version.id, with_positions=True) if second_version else []
    pairs = _pairs_between(session, [c.id for c in first_clauses], [c.id for c in second_clauses])
    everything = read(
        session,
        sa.select(DOCUMENTS)
        .where(DOCUMENTS.c.negotiation_id == first.negotiation_id, visible_document())
        .order_by(DOCUMENTS.c.dated_on, DOCUMENTS.c.id),
    ).all()
    all_authors = _authors(session, lookup, [d.id for d in everything])
    return schemas.DocumentComparison(
        left=_ref(first, authors),
        right=_ref(second, authors),
        left_version=_summary(first_version) if first_version else None,
        right_version=_summary(second_version) if second_version else None,
        rows=align(list(lookup.all_topics()), first_clauses, second_clauses, lookup, pairs),
        documents=[_ref(d, all_authors) for d in everything],
    )


def align(
    topic_order: list[int],
    left: list[schemas.ClausePublic],
    right: list[schemas.ClausePublic],
    lookup: Lookup,
    pairs: Iterable[tuple[int, int]] = (),
) -> list[schemas.AlignedClauses]:
    """Two documents' clauses, a row per topic both bear on, then those of one side alone. Clauses an
    editor paired (left id, right id) share a row whatever their topics: the row of the left one's
    first topic, or one of their own."""
    order = _TopicOrder(topic_order, lookup)
    paired, sides = _split_pairs(left, right, pairs)
    rows = [_two_sided(row) for row in align_many(order, sides)]
    both = [row for row in rows if row.only is None]
    alone = [row for row in rows if row.only is not None]
    for first, second in paired:
        both, alone = _place_pair(order, first, second, both, alone)
    both.sort(key=lambda row: order.topic_rank(row.topic))
    return both + alone


def _split_pairs(
    left: list[schemas.ClausePublic], right: list[schemas.ClausePublic], pairs: Iterable[tuple[int, int]]
) -> tuple[list[tuple[schemas.ClausePublic, schemas.ClausePublic]], list[list[schemas.ClausePublic]]]:
    """The pairs whose clauses are both shown, and each side's other clauses."""
    lefts, rights = {c.id: c for c in left}, {c.id: c for c in right}
    paired = [(lefts[a], rights[b]) for a, b in pairs if a in lefts and b in rights]
    taken = {c.id for pair in paired for c in pair}
    return paired, [[c for c in side if c.id not in taken] for side in (left, right)]


def _place_pair(
    order: "_TopicOrder",
    first: schemas.ClausePublic,
    second: schemas.ClausePublic,
    both: list[schemas.AlignedClauses],
    alone: list[schemas.AlignedClauses],
) -> tuple[list[schemas.AlignedClauses], list[schemas.AlignedClauses]]:
    """Put a pair in the row of the first one's first topic (or the second's), or in a row of its own."""
    topics = order.ids(first) or order.ids(second)
    topic = order.lookup.topic(topics[0]) if topics else None
    row = next((r for r in [*both, *alone] if topic is not None and r.topic == topic), None)
    if row is None or any(r is row for r in alone):
        row = row or schemas.AlignedClauses(topic=topic, left=[], right=[], only=None)
        alone = [r for r in alone if r is not row]
        row.only = None
        both = [*both, row]
    row.left.append(first)
    row.right.append(second)
    row.paired = True
    return both, alone


def _two_sided(row: "_Row") -> schemas.AlignedClauses:
    only: Literal["left", "right"] | None = None if row.only is None else ("left", "right")[row.only]
    return schemas.AlignedClauses(topic=row.topic, left=row.cells[0], right=row.cells[1], only=only)


def _row_for(
    order: "_TopicOrder",
    first: schemas.ClausePublic,
    second: schemas.ClausePublic,
    both: list[schemas.AlignedClauses],
    alone: list[schemas.AlignedClauses],
) -> schemas.AlignedClauses:
    """The row a pair goes in: that of the first one's first topic (or the second's), or a new one."""
    topics = order.ids(first) or order.ids(second)
    topic = order.lookup.topic(topics[0]) if topics else None
    found = next((r for r in [*both, *alone] if topic is not None and r.topic == topic), None)
    return found or schemas.AlignedClauses(topic=topic, left=[], right=[], only=None)


@dataclass
class _Row:
    topic: schemas.TopicRef | None
    cells: list[list[schemas.ClausePublic]]
    only: int | None  # the one side that has clauses here, if only one has


def _pairs_between(session: Session, left: list[int], right: list[int]) -> list[tuple[int, int]]:
    """The editors' pairings between two sets of clauses, as (left id, right id), whichever way entered."""
    if not left or not right:
        return []
    found = read(
        session,
        sa.select(col(ClausePair.clause_id), col(ClausePair.paired_id)).where(
            sa.or_(
                sa.and_(col(ClausePair.clause_id).in_(left), col(ClausePair.paired_id).in_(right)),
                sa.and_(col(ClausePair.clause_id).in_(right), col(ClausePair.paired_id).in_(left)),
            )
        ),
    ).all()
    chosen = set(left)
    return list(dict.fromkeys((a, b) if a in chosen else (b, a) for a, b in found))


def align_many(order: "_TopicOrder", sides: list[list[schemas.ClausePublic]]) -> list[_Row]:
    """A row per topic that two sides or more bear on, a cell per side; a clause on several topics
    shows in the first it shares with another side. Clauses on no shared topic come last, one row each,
    in the record's order of topics (those on no topic at all after them)."""
    counted: dict[int, int] = defaultdict(int)
    for clauses in sides:
        for topic_id in order.topics_of(clauses):
            counted[topic_id] += 1
    shared = {topic_id for topic_id, sides_on_it in counted.items() if sides_on_it > 1}
    rows: dict[int, list[list[schemas.ClausePublic]]] = defaultdict(lambda: [[] for _ in sides])
    alone: list[tuple[int, int, schemas.ClausePublic]] = []
    for side, clauses in enumerate(sides):
        for clause in clauses:
            placed = next((t for t in order.ids(clause) if t in shared), None)
            if placed is None:
                alone.append((order.rank(clause), side, clause))
            else:
                rows[placed][side].append(clause)
    aligned = [
        _Row(order.lookup.topic(t), rows[t], _only(rows[t])) for t in sorted(rows, key=order.position.__getitem__)
    ]
    alone.sort(key=lambda entry: entry[0])
    return aligned + [_one_sided(order, len(sides), side, clause) for _, side, clause in alone]


def _only(cells: list[list[schemas.ClausePublic]]) -> int | None:
    filled = [side for side, cell in enumerate(cells) if cell]
    return filled[0] if len(filled) == 1 else None


class _TopicOrder:
    """Topics by the record's order, found from a clause's topic references."""

    def __init__(self, topic_order: list[int], lookup: Lookup) -> None:
        self.lookup = lookup
        self.position = {topic_id: index for index, topic_id in enumerate(topic_order)}
        self.by_slug = {lookup.topic(t).slug: t for t in topic_order}

    def ids(self, clause: schemas.ClausePublic) -> list[int]:
        return sorted((self.by_slug[t.slug] for t in clause.topics), key=self.position.__getitem__)

    def topics_of(self, clauses: list[schemas.ClausePublic]) -> set[int]:
        return {t for clause in clauses for t in self.ids(clause)}

    def topic_rank(self, topic: schemas.TopicRef | None) -> int:
        return self.position[self.by_slug[topic.slug]] if topic else len(self.position)

    def rank(self, clause: schemas.ClausePublic) -> int:
        mine = self.ids(clause)
        return self.position[mine[0]] if mine else len(self.position)


def _one_sided(order: _TopicOrder, count: int, side: int, clause: schemas.ClausePublic) -> _Row:
    mine = order.ids(clause)
    cells: list[list[schemas.ClausePublic]] = [[] for _ in range(count)]
    cells[side].append(clause)
    return _Row(order.lookup.topic(mine[0]) if mine else None, cells, side)


# ------------------------------------------------------------------ two versions of one document


# Clauses at least this alike are one clause changed, not one removed and another added.
SAME_CLAUSE_FROM = 0.5


def compare_versions(
    *, session: Session, slug: str, before: int | None = None, after: int | None = None
) -> schemas.VersionComparison:
    """What changed from one version to another: clauses added, removed, moved and changed, the
    changed words marked. By default, the latest version against the one before it."""
    d = _document(session, slug)
    lookup = Lookup(session)
    versions = _versions(session, d.id)
    if len(versions) < 2:
        held = "no version" if not versions else "only one version"
        raise InvalidChoice(f"{held} of the {d.title} is on the record: two are needed to compare")
    newer = _chosen_version(versions, after, "after") or versions[-1]
    older_default = next((v for v in reversed(versions) if v.number < newer.number), None)
    older = _chosen_version(versions, before, "before") if before is not None else older_default
    if older is None:
        raise InvalidChoice(f"after: version {newer.number} is the first; choose a later one")
    if older.number == newer.number:
        raise InvalidChoice("after: choose a version other than the one it is compared with")
    old = _clauses(session, lookup, older.id, with_positions=False)
    new = _clauses(session, lookup, newer.id, with_positions=False)
    changes = clause_changes(old, new)
    counts: dict[str, int] = defaultdict(int)
    for change in changes:
        counts[change.state] += 1
    return schemas.VersionComparison(
        document=_ref(d, _authors(session, lookup, [d.id])),
        before=_summary(older),
        after=_summary(newer),
        versions=[_summary(v) for v in versions],
        changes=changes,
        counts=dict(counts),
    )


def _wording(clause: schemas.ClausePublic) -> str:
    return f"{clause.heading}\n{clause.text}".strip()


def clause_changes(old: list[schemas.ClausePublic], new: list[schemas.ClausePublic]) -> list[schemas.ClauseChange]:
    """Each new clause as added, unchanged, changed or moved from the old one it continues; each old
    clause no new one continues as removed, placed where it stood."""
    pairs = _pairs(old, new)
    kept_order = _longest_increasing([(j, pairs[j]) for j in sorted(pairs)])
    changes = [
        _change(old[pairs[j]], clause, moved=j not in kept_order)
        if j in pairs
        else schemas.ClauseChange(state="added", before=None, after=clause, diff=[])
        for j, clause in enumerate(new)
    ]
    continued = set(pairs.values())
    for i in (i for i in range(len(old)) if i not in continued):
        removed = schemas.ClauseChange(state="removed", before=old[i], after=None, diff=[])
        # Before the first change whose old clause came after this one.
        at = next(
            (k for k, change in enumerate(changes) if change.before is not None and _index(old, change.before) > i),
            len(changes),
        )
        changes.insert(at, removed)
    return changes


def _pairs(old: list[schemas.ClausePublic], new: list[schemas.ClausePublic]) -> dict[int, int]:
    """new index -> old index: the same words first, then the same number, then the most alike above
    SAME_CLAUSE_FROM."""
    pairs: dict[int, int] = {}
    free = set(range(len(old)))
    for matcher in (_same_words, _same_number, _most_alike):
        for j, clause in enumerate(new):
            if j not in pairs and (i := matcher(clause, old, free)) is not None:
                pairs[j] = i
                free.discard(i)
    return pairs


def _change(before: schemas.ClausePublic, after: schemas.ClausePublic, *, moved: bool) -> schemas.ClauseChange:
    same = _wording(before) == _wording(after)
    states: dict[tuple[bool, bool], Literal["unchanged", "changed", "moved", "moved_and_changed"]] = {
        (True, False): "unchanged",
        (True, True): "moved",
        (False, False): "changed",
        (False, True): "moved_and_changed",
    }
    state = states[(same, moved)]
    return schemas.ClauseChange(
        state=state,
        before=before,
        after=after,
        diff=[] if same else word_diff(before.text, after.text),
        rewritten=not same and rewritten(before.text, after.text),
    )


def _index(clauses: list[schemas.ClausePublic], clause: schemas.ClausePublic) -> int:
    return next(i for i, c in enumerate(clauses) if c is clause)


def _same_words(clause: schemas.ClausePublic, old: list[schemas.ClausePublic], free: set[int]) -> int | None:
    return next((i for i in sorted(free) if _wording(old[i]) == _wording(clause)), None)


def _same_number(clause: schemas.ClausePublic, old: list[schemas.ClausePublic], free: set[int]) -> int | None:
    if not clause.number:
        return None
    return next((i for i in sorted(free) if old[i].number == clause.number and _alike(old[i], clause) > 0.2), None)


def _most_alike(clause: schemas.ClausePublic, old: list[schemas.ClausePublic], free: set[int]) -> int | None:
    scored = [(_alike(old[i], clause), -i) for i in free]
    if not scored:
        return None
    score, negative = max(scored)
    return -negative if score >= SAME_CLAUSE_FROM else None


def _alike(a: schemas.ClausePublic, b: schemas.ClausePublic) -> float:
    return difflib.SequenceMatcher(a=_wording(a).split(), b=_wording(b).split(), autojunk=False).ratio()


def _longest_increasing(pairs: list[tuple[int, int]]) -> set[int]:
    """The new indexes of the longest run of pairs whose old indexes increase with the new ones."""
    best: list[list[tuple[int, int]]] = []
    for pair in pairs:
        longest = max((run for run in best if run[-1][1] < pair[1]), key=len, default=[])
        best.append([*longest, pair])
    return {j for j, _ in max(best, key=len, default=[])}


# ------------------------------------------------------------------ shared


def _document(session: Session, slug: str) -> sa.Row[Any]:
    found = read(session, _DOCUMENT, {"slug": slug}).first()
    if found is None:
        raise NotFound(f"There is no document {slug!r} in the record.")
    return found


def _versions(session: Session, document_id: int) -> list[sa.Row[Any]]:
    return list(read(session, _VERSIONS, {"document_id": document_id}).all())


def _chosen_version(versions: Sequence[sa.Row[Any]], number: int | None, name: str) -> sa.Row[Any] | None:
    """The version numbered ``number``, or else the latest (None while it has none)."""
    if number is None:
        return versions[-1] if versions else None
    found = next((v for v in versions if v.number == number), None)
    if found is None:
        known = ", ".join(str(v.number) for v in versions) or "none"
        raise InvalidChoice(f"{name}: there is no version {number} (the record has: {known})")
    return found


def _summary(v: sa.Row[Any]) -> schemas.VersionSummary:
    return schemas.VersionSummary(
        number=v.number,
        label=v.label,
        dated=fuzzy(v.dated_on, v.date_precision),
        note=v.note,
        clauses=v.clause_count,
    )


def _authors(session: Session, lookup: Lookup, ids: Iterable[int]) -> dict[int, list[schemas.PartyRef]]:
    wanted = sorted(set(ids))
    authors: dict[int, list[schemas.PartyRef]] = defaultdict(list)
    if wanted:
        for document_id, party_id in read(session, _AUTHORS, {"ids": wanted}).all():
            party = lookup.party(party_id)
            if party:
                authors[document_id].append(party)
    return authors


def _ref(d: sa.Row[Any], authors: dict[int, list[schemas.PartyRef]]) -> schemas.DocumentRef:
    return schemas.DocumentRef(
        slug=d.slug,
        title=d.title,
        kind=d.kind,
        status=d.status,
        dated=fuzzy(d.dated_on, d.date_precision),
        authors=authors.get(d.id, []),
    )


def _clauses(session: Session, lookup: Lookup, version_id: int, *, with_positions: bool) -> list[schemas.ClausePublic]:
    rows = read(session, _CLAUSES, {"version_id": version_id}).all()
    ids = [c.id for c in rows]
    topics: dict[int, list[schemas.TopicRef]] = defaultdict(list)
    positions: dict[int, list[schemas.ClausePositionRef]] = defaultdict(list)
    if ids:
        order = {topic_id: index for index, topic_id in enumerate(lookup.all_topics())}
        found: dict[int, list[int]] = defaultdict(list)
        for clause_id, topic_id in read(session, _CLAUSE_TOPICS, {"ids": ids}).all():
            found[clause_id].append(topic_id)
        for clause_id, topic_ids in found.items():
            topics[clause_id] = [lookup.topic(t) for t in sorted(topic_ids, key=order.__getitem__)]
        if with_positions:
            stated = read(session, _CLAUSE_POSITIONS, {"ids": ids}).all()
            lookup.rounds(p.round_id for p in stated)
            for p in stated:
                party = lookup.party(p.party_id)
                assert party is not None
                positions[p.clause_id].append(
                    schemas.ClausePositionRef(
                        id=p.id,
                        party=party,
                        topic=lookup.topic(p.topic_id),
                        summary=p.summary,
                        round=lookup.rounds([p.round_id])[p.round_id] if p.round_id else None,
                    )
                )
    return [
        schemas.ClausePublic(
            id=c.id,
            number=c.number,
            heading=c.heading,
            text=c.text,
            topics=topics[c.id],
            positions=positions[c.id],
            anchor=anchor(c.id),
        )
        for c in rows
    ]
