"""Public shapes of the record: what pages render and what the JSON API returns.

Each page's service returns one of these; the HTML page and its JSON twin
are two renderings of the same object, so they cannot drift apart. Table
models never leave the services.
"""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

from app.record.models import (
    SLUG_PATTERN,
    DatePrecision,
    DocumentKind,
    DocumentStatus,
    EventKind,
    FigureMeasure,
    GapState,
    MoveKind,
    OutcomeKind,
    OutcomeStatus,
    PartyRole,
    RevisionAction,
    RoundStatus,
    SourceCategory,
)


class Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class FuzzyDate(Public):
    """A date with how much of it is known; ``label`` is how a reader should see it."""

    date: dt.date
    precision: DatePrecision
    label: str
    note: str | None = None


class PartyRef(Public):
    slug: str
    name: str
    short_name: str
    colour: str


class PersonRef(Public):
    slug: str
    name: str
    name_native: str | None
    title: str | None
    party: PartyRef | None


class TopicRef(Public):
    slug: str
    name: str


class NegotiationRef(Public):
    slug: str
    title: str


class RoundRef(Public):
    slug: str
    sequence: int
    status: RoundStatus
    date: FuzzyDate | None
    city: str | None
    negotiation: NegotiationRef
    overdue: bool = Field(
        default=False, description="Planned, and its expected date has passed with no new date in the record."
    )


class SourcePublic(Public):
    """A source as cited on a page; ``number`` is its footnote number there."""

    number: int
    url: str | None
    publisher: str
    citing: str | None = None
    via: str | None = None
    title: str | None
    published_on: dt.date | None
    language: str
    standpoint: str | None
    category: SourceCategory | None = Field(default=None, description="Where it stands relative to the conflict.")
    stands_with: str | None = Field(
        default=None, description="The party it stands with (its government or media), if one."
    )


class CitationRef(Public):
    number: int
    publisher: str
    note: str | None = None
    stands_with: str | None = Field(
        default=None, description="The party the source stands with (its government or media), if one."
    )
    # The page's first citation of this source: its footnote links back here. Markup only, not data.
    first: bool = Field(default=False, exclude=True)


def one_side(citations: list[CitationRef]) -> str | None:
    """The party every source of a claim stands with, if they all stand with the same one."""
    sides = {ref.stands_with for ref in citations}
    return next(iter(sides)) if len(sides) == 1 and None not in sides else None


class Sourced(Public):
    """A claim with its sources, and whether they all stand with one party."""

    citations: list[CitationRef]

    @computed_field(  # type: ignore[prop-decorator]
        description="The party every source of the claim stands with, when they all stand with one: the claim "
        "is then sourced from one side only. None when any source stands with no party, or none is known."
    )
    @property
    def sourced_from_one_side(self) -> str | None:
        return one_side(self.citations)


class ReportedFigurePublic(Sourced):
    measure: FigureMeasure
    low: int | None
    high: int | None
    unit: str | None
    as_reported: str
    citations: list[CitationRef]


class Measured(Public):
    """A duration or delay: the agreed figure when there is one, and what each source reported."""

    minutes: int | None
    reported: list[ReportedFigurePublic]


class OutcomeStepPublic(Sourced):
    """A dated step in carrying an outcome out, and the state it left the outcome in."""

    id: int
    date: FuzzyDate
    status: OutcomeStatus
    description: str
    citations: list[CitationRef]
    anchor: str = Field(description='Its fragment on the outcome\'s page: "step-3".')


class OutcomePublic(Sourced):
    id: int
    kind: OutcomeKind
    topic: TopicRef | None = Field(default=None, description="The issue the outcome bears on.")
    title: str
    description: str
    status: OutcomeStatus
    implemented: FuzzyDate | None
    parties: list[PartyRef]
    figures: list[ReportedFigurePublic]
    citations: list[CitationRef]
    steps: list[OutcomeStepPublic] = Field(
        default_factory=list, description="How it was carried out, step by step, in date order."
    )


class OutcomeDetail(Public):
    """An outcome's own page: the outcome, its round and its steps."""

    outcome: OutcomePublic
    round: RoundRef
    sources: list[SourcePublic]


class DelegationMemberPublic(Public):
    person: PersonRef
    title: str | None
    is_head: bool


class DelegationPublic(Sourced):
    party: PartyRef
    head: DelegationMemberPublic | None
    members: list[DelegationMemberPublic]
    note: str | None
    citations: list[CitationRef] = []


class ClauseRef(Public):
    """Where a position comes from: one clause of one version of a document."""

    document_slug: str
    document_title: str
    version: int
    number: str
    heading: str
    anchor: str = Field(description="The clause's fragment on the document's page: \"clause-3\".")


class PositionPublic(Sourced):
    id: int
    party: PartyRef
    topic: TopicRef
    round: RoundRef | None
    stated: FuzzyDate | None
    speaker: PersonRef | None
    stated_in: str | None
    clause: ClauseRef | None = Field(default=None, description="The clause of a document it comes from, if one.")
    summary: str
    text: str
    quote: str | None
    citations: list[CitationRef]


class TopicPositions(Public):
    topic: TopicRef
    positions: list[PositionPublic]


class EventPublic(Sourced):
    slug: str
    date: FuzzyDate
    kind: EventKind
    title: str
    description: str
    citations: list[CitationRef]


class DocumentRef(Public):
    slug: str
    title: str
    kind: DocumentKind
    status: DocumentStatus
    dated: FuzzyDate | None
    authors: list[PartyRef]


class RoundDetail(Sourced):
    slug: str
    sequence: int
    status: RoundStatus
    negotiation: NegotiationRef
    date: FuzzyDate | None
    overdue: bool = Field(
        default=False, description="Planned, and its expected date has passed with no new date in the record."
    )
    scheduled_start: dt.time | None = None
    start_time: dt.time | None
    timezone: str | None
    city: str | None
    venue: str | None
    host: PartyRef | None
    chair: PersonRef | None
    duration: Measured
    delay: Measured
    summary: str
    atmosphere: str | None
    citations: list[CitationRef]
    delegations: list[DelegationPublic]
    outcomes: list[OutcomePublic]
    positions: list[TopicPositions]
    nearby_events: list[EventPublic]
    documents: list[DocumentRef] = Field(
        default_factory=list, description="The texts handed over or published at the round (readouts apart)."
    )
    readouts: "ReadoutComparison | None" = Field(
        default=None, description="Each party's and the mediator's account of the round, point by point."
    )
    sources: list[SourcePublic]
    previous: RoundRef | None
    next: RoundRef | None
    updated_at: dt.datetime = Field(
        description="When anything shown here last changed: the round, its delegations, outcomes and positions, "
        "their reported figures, citations and the sources cited."
    )


# ---------------------------------------------------------------- timeline


TimelineKind = Literal["round", "planned", "event"]


class TimelineFilters(Public):
    negotiation: str | None = Field(None, pattern=SLUG_PATTERN, description="Slug of a negotiation.")
    party: str | None = Field(None, pattern=SLUG_PATTERN, description="Slug of a party: rounds it attended or hosted.")
    topic: str | None = Field(
        None, pattern=SLUG_PATTERN, description="Slug of a topic: rounds where positions on it were stated."
    )
    year: int | None = Field(None, ge=1900, le=2200, description="A year: rounds and events dated in it.")
    kind: TimelineKind | None = Field(None, description="round (held or called off), planned, or event.")
    q: str | None = Field(
        None, max_length=200, pattern=r"^[^\x00]*$", description="Words to look for in summaries, venues and events."
    )
    order: Literal["oldest", "newest"] | None = Field(
        None, description="oldest first (the default), or newest first: the latest developments at the top."
    )

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # A plain HTML form sends "" for "any"; that means no filter.
        return None if value == "" else value

    def query(self, **changes: object) -> dict[str, str]:
        """The filters as URL query parameters, without the empty ones."""
        values = self.model_dump() | changes
        return {key: str(value) for key, value in values.items() if value not in (None, "")}


class OutcomeHeadline(Public):
    id: int
    title: str
    status: OutcomeStatus


class DelegationHead(Public):
    party: PartyRef
    person: PersonRef


class TimelineRound(Public):
    kind: Literal["round"] = "round"
    round: RoundRef
    venue: str | None
    summary: str
    duration: Measured
    heads: list[DelegationHead]
    outcomes: list[OutcomeHeadline]
    topics: list[TopicRef]


class TimelineEvent(Public):
    kind: Literal["event"] = "event"
    event: EventPublic
    negotiation: NegotiationRef | None


class FilterOption(Public):
    value: str
    label: str


class TimelineOptions(Public):
    negotiations: list[FilterOption]
    parties: list[FilterOption]
    topics: list[FilterOption]
    years: list[int]


class TimelinePage(Public):
    filters: TimelineFilters
    entries: list[TimelineRound | TimelineEvent]
    next_cursor: str | None
    options: TimelineOptions
    negotiation: NegotiationRef | None = None
    latest: list[RoundRef] = Field(
        default=[],
        description="The latest round held and the next one planned, in this negotiation or in any: what a "
        "reader on a small screen sees first, whatever the order of the entries.",
    )


# ---------------------------------------------------------------- comparison


ChangeMark = Literal["new", "changed", "unchanged", "none"]


class MovementPublic(Sourced):
    """How a party's stance on a topic moved at a round, as an editor judged it, with sources."""

    party: PartyRef
    topic: TopicRef
    round: RoundRef
    move: MoveKind
    label: str = Field(description='The move in words: "Hardened", "Was first stated".')
    note: str
    citations: list[CitationRef]


class PartyTrack(Public):
    """One party's moves on one topic, round by round (only the rounds a move was recorded at)."""

    party: PartyRef
    moves: list[MovementPublic]


class ComparisonCell(Public):
    party: PartyRef
    position: PositionPublic | None
    change: ChangeMark
    previous_position_id: int | None
    movement: MovementPublic | None = Field(
        default=None, description="How an editor judged the party's stance to have moved at the as-of round."
    )


class GapPublic(Public):
    state: GapState
    note: str | None
    as_of: RoundRef


class ComparisonRow(Public):
    topic: TopicRef
    gap: GapPublic | None
    cells: list[ComparisonCell]


class Comparison(Public):
    negotiation: NegotiationRef
    negotiations: list[FilterOption]
    parties: list[PartyRef]
    available_parties: list[PartyRef]
    as_of: RoundRef | None
    previous_round: RoundRef | None
    rounds: list[RoundRef]
    topics: list[TopicRef]
    available_topics: list[TopicRef] = Field(default=[], description="Every topic, for a choice of rows.")
    rows: list[ComparisonRow]
    sources: list[SourcePublic]


# ---------------------------------------------------------------- topics, parties, people


class DiffSegment(Public):
    op: Literal["equal", "insert", "delete"]
    text: str


class Statement(Public):
    position: PositionPublic
    previous_position_id: int | None
    diff: list[DiffSegment] | None
    rewritten: bool = Field(
        default=False, description="Shares too few words with the statement before it for a word diff to help."
    )
    previous_text: str | None = Field(default=None, description="The statement before it, for a before/after view.")


class PartyStatements(Public):
    party: PartyRef
    statements: list[Statement]


class TopicHistory(Public):
    slug: str
    name: str
    description: str
    negotiation: NegotiationRef | None = Field(description="The negotiation shown; None when nobody has a position.")
    negotiations: list[FilterOption] = Field(description="Every negotiation with a position on the topic.")
    parties: list[PartyStatements]
    tracks: list[PartyTrack] = Field(
        default_factory=list, description="Each party's recorded moves on the topic in the negotiation, in round order."
    )
    rounds: list[RoundRef] = Field(
        default_factory=list, description="The negotiation's rounds up to the last with a move, for drawing the tracks."
    )
    sources: list[SourcePublic]


class TopicSummary(Public):
    slug: str
    name: str
    description: str
    positions: int


class PartyInNegotiation(Public):
    negotiation: NegotiationRef
    role: PartyRole
    note: str | None


class PartyRound(Public):
    round: RoundRef
    roles: list[str]
    head: PersonRef | None


class PartyDetail(Public):
    slug: str
    name: str
    short_name: str
    colour: str
    roles: list[PartyInNegotiation]
    rounds: list[PartyRound]
    people: list[PersonRef]
    topics: list[TopicRef]


class PartySummary(Public):
    slug: str
    name: str
    short_name: str
    colour: str
    rounds: int


class PersonDelegation(Public):
    round: RoundRef
    party: PartyRef
    title: str | None
    is_head: bool


class PersonDetail(Public):
    slug: str
    name: str
    name_native: str | None
    title: str | None
    party: PartyRef | None
    delegations: list[PersonDelegation]
    chaired: list[RoundRef]
    positions: list[PositionPublic]
    sources: list[SourcePublic]


# ---------------------------------------------------------------- history


class RevisionPublic(Public):
    id: int
    action: RevisionAction
    version: int
    editor: str
    summary: str | None
    created_at: dt.datetime


class FieldChange(Public):
    field: str
    before: str
    after: str
    diff: list[DiffSegment]


# ---------------------------------------------------------------- search


class SnippetPart(Public):
    text: str
    marked: bool = Field(description="One of the words looked for.")


class SearchHit(Public):
    kind: Literal["round", "position", "outcome", "event", "person", "source", "document", "clause"]
    title: str
    url: str | None = Field(description="Where it is on Parley (a source: its own address, where known).")
    snippet: list[SnippetPart] = Field(description="Where the words were found, the words marked.")


class SearchGroup(Public):
    kind: str
    label: str = Field(description='The kind in words, as many as count: "position", "positions".')
    count: int = Field(description="How many published records of this kind match; hits holds the best few.")
    hits: list[SearchHit]


class SearchResults(Public):
    q: str
    words: list[str] = Field(description="The words looked for: each must appear, as a word or a word's start.")
    total: int
    groups: list[SearchGroup]


# ---------------------------------------------------------------- documents: the texts on the table


class VersionSummary(Public):
    number: int
    label: str
    dated: FuzzyDate | None
    note: str
    clauses: int = Field(description="How many clauses it has.")


class ClausePositionRef(Public):
    """A position on the record that comes from a clause."""

    id: int
    party: PartyRef
    topic: TopicRef
    summary: str
    round: RoundRef | None


class ClausePublic(Public):
    id: int
    number: str
    heading: str
    text: str
    topics: list[TopicRef]
    positions: list[ClausePositionRef] = Field(description="Positions on the record that come from this clause.")
    anchor: str = Field(description='Its fragment on the document\'s page: "clause-3".')


class DocumentSummary(DocumentRef):
    negotiation: NegotiationRef
    round: RoundRef | None
    versions: int


class DocumentList(Public):
    negotiation: NegotiationRef | None
    negotiations: list[FilterOption]
    documents: list[DocumentSummary]


class DocumentDetail(DocumentRef, Sourced):
    negotiation: NegotiationRef
    round: RoundRef | None
    language: str
    standpoint: str | None
    summary: str
    citations: list[CitationRef]
    versions: list[VersionSummary]
    version: VersionSummary | None = Field(description="The version shown: the latest unless another was asked for.")
    clauses: list[ClausePublic] = Field(description="The clauses of the version shown, in order.")
    others: list[DocumentRef] = Field(description="The other documents of the negotiation, to compare this one with.")
    sources: list[SourcePublic]


class AlignedClauses(Public):
    """One row of two documents side by side: the clauses of each on one topic (or on none)."""

    topic: TopicRef | None = Field(description="None for the clauses on no topic the other document shares.")
    left: list[ClausePublic]
    right: list[ClausePublic]
    only: Literal["left", "right"] | None = Field(description="Which side alone has clauses here; None for both.")
    paired: bool = Field(default=False, description="Whether an editor set clauses of this row side by side by hand.")


class DocumentComparison(Public):
    left: DocumentRef
    right: DocumentRef
    left_version: VersionSummary | None
    right_version: VersionSummary | None
    rows: list[AlignedClauses]
    documents: list[DocumentRef] = Field(description="Every document of the negotiation, to choose from.")


class ClauseChange(Public):
    state: Literal["unchanged", "changed", "moved", "moved_and_changed", "added", "removed"]
    before: ClausePublic | None
    after: ClausePublic | None
    diff: list[DiffSegment] = Field(description="For a changed clause: its text, word by word, before to after.")
    rewritten: bool = Field(default=False, description="So changed that marking words would not help: shown whole.")


class VersionComparison(Public):
    document: DocumentRef
    before: VersionSummary
    after: VersionSummary
    versions: list[VersionSummary]
    changes: list[ClauseChange]
    counts: dict[str, int] = Field(description="How many clauses are in each state.")


class ReadoutRow(Public):
    """One point of a round as the accounts report it: a cell per account, empty where it is silent."""

    topic: TopicRef | None
    cells: list[list[ClausePublic]]
    only: str | None = Field(description="The title of the one account that reports this point, if only one does.")


class ReadoutComparison(Public):
    accounts: list[DocumentRef] = Field(description="The readouts, in the order of the cells.")
    rows: list[ReadoutRow]


RoundDetail.model_rebuild()


# ---------------------------------------------------------------- the state of play, at a glance


class StatusCount(Public):
    status: OutcomeStatus
    label: str = Field(description='The state in words: "carried out", "stalled".')
    count: int


class TopicGap(Public):
    topic: TopicRef
    state: GapState
    note: str | None
    as_of: RoundRef


class StripEntry(Public):
    """A round or a context event on the negotiation's strip of time."""

    kind: Literal["round", "event"]
    date: FuzzyDate
    label: str
    url: str


class OneSidedShare(Public):
    """How much of the record rests on one side's sources alone."""

    claims: int = Field(description="Sourced claims of the negotiation: rounds, positions, outcomes and events.")
    one_sided: int = Field(description="Of those, claims whose sources all stand with one party.")
    by_party: dict[str, int] = Field(description="One-sided claims by the party their sources stand with.")


class StateOfPlay(Public):
    negotiation: NegotiationRef
    negotiations: list[FilterOption]
    latest: RoundRef | None = Field(description="The latest round held.")
    days_since_latest: int | None = Field(description="Days from the latest round held to today.")
    next: RoundRef | None = Field(description="The next round planned (see its overdue flag).")
    outcomes: list[StatusCount] = Field(description="The negotiation's outcomes by the state they are in.")
    gaps: list[TopicGap] = Field(description="How far apart the parties are, per topic, where an editor assessed it.")
    strip: list[StripEntry] = Field(description="The rounds and context events, in date order.")
    sourcing: OneSidedShare


# ---------------------------------------------------------------- releases


class ReleaseSummary(Public):
    number: int
    created_at: dt.datetime
    made_by: str
    note: str
    sha256: str = Field(description="The SHA-256 of the release's record document.")
    url: str
    view_url: str = Field(description="Parley's pages as they stood at the release; any page's path may follow it.")


class ReleaseFile(Public):
    name: str
    size: int = Field(description="In bytes.")
    sha256: str
    url: str


class ReleaseChange(Public):
    kind: str
    id: int
    change: Literal["added", "removed", "changed"]
    name: str
    fields: list[str] = Field(description="For a change: the fields that changed.")


class ReleaseDetail(ReleaseSummary):
    files: list[ReleaseFile]
    bibtex: str
    citation_cff: str
    changes: list[ReleaseChange] = Field(description="What changed since the release before (all of it for the first).")
