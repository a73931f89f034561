"""The negotiation record.

Per entity: ``XBase`` holds what an editor states (and what the exported
document carries), ``X(table=True)`` adds the row's identity and bookkeeping,
``XRecord`` is the entry of the record document (``XBase`` plus its stable id).
Every table has an integer ``id`` and a ``version`` so that any row can be
versioned and checked for edit conflicts.
"""

import calendar
import datetime as dt
import zoneinfo
from enum import StrEnum
from functools import cache
from typing import Any, Self

import sqlalchemy as sa
from pydantic import ConfigDict, field_validator, model_validator
from sqlmodel import Field, SQLModel

# Deterministic constraint names: Alembic's batch mode rebuilds SQLite tables
# and can only drop or alter constraints it can name.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_LENGTH = 80  # the longest slug, old or new
COLOUR_PATTERN = r"^#[0-9a-f]{6}$"
URL_PATTERN = r"^https?://[^\s/]+\.[^\s]+$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
# What each pattern means, for error messages people can act on.
PATTERN_HINTS = {
    SLUG_PATTERN: "use lowercase letters, digits and single hyphens (e.g. 2025-06-02-istanbul)",
    COLOUR_PATTERN: "use a colour as #rrggbb in lowercase hex (e.g. #1c7ed6)",
    URL_PATTERN: "use a full web address starting with http:// or https://",
    LANGUAGE_PATTERN: "use a language code such as en, uk or ru",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """Timestamps are stored in UTC; SQLite hands them back without a zone."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


@cache
def iana_time_zones() -> frozenset[str]:
    """Every IANA time zone this system knows. Read once: finding them walks the zone database's
    folders, which took a tenth of a second for every round checked."""
    return frozenset(zoneinfo.available_timezones())


def enum_type(enum: type[StrEnum]) -> sa.Enum:
    """Store an enum as its values in a plain string column (no native PostgreSQL type)."""
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=max(len(member.value) for member in enum),
        values_callable=lambda members: [member.value for member in members],
    )


def table_of(model: type[SQLModel]) -> sa.Table:
    """The table behind a model. Read paths select from it with Core: a row costs a fraction of an
    ORM instance, and reads need no identity map."""
    return model.__table__  # type: ignore[attr-defined,no-any-return]


def exactly_one_set(*columns: str) -> str:
    """SQL that is true when exactly one of ``columns`` is not null (portable across engines)."""
    return " + ".join(f"(CASE WHEN {c} IS NOT NULL THEN 1 ELSE 0 END)" for c in columns) + " = 1"


# ---------------------------------------------------------------- vocabularies


class PartyRole(StrEnum):
    negotiating_party = "negotiating_party"
    host = "host"
    chair = "chair"
    mediator = "mediator"
    observer = "observer"
    # A power that presses the parties from outside without taking part, e.g. one that would mediate.
    outside_party = "outside_party"


class RoundStatus(StrEnum):
    planned = "planned"
    held = "held"
    postponed = "postponed"
    cancelled = "cancelled"


class DatePrecision(StrEnum):
    """How much of a date is known: a planned round may only be known as 'June 2025'."""

    day = "day"
    month = "month"
    year = "year"


class OutcomeKind(StrEnum):
    prisoner_exchange = "prisoner_exchange"
    bodies_returned = "bodies_returned"
    document_exchanged = "document_exchanged"
    agreement = "agreement"
    follow_up_talks = "follow_up_talks"
    ceasefire = "ceasefire"
    other = "other"


class OutcomeStatus(StrEnum):
    proposed = "proposed"
    agreed = "agreed"
    in_progress = "in_progress"
    implemented = "implemented"
    stalled = "stalled"
    broken = "broken"


class DocumentKind(StrEnum):
    """What sort of text was put on the table."""

    memorandum = "memorandum"
    draft_agreement = "draft_agreement"
    peace_plan = "peace_plan"
    joint_statement = "joint_statement"
    readout = "readout"  # a party's or the mediator's own account of a round
    other = "other"


class DocumentStatus(StrEnum):
    """Where a text stands: put forward, handed to the other side, made public, leaked, signed, withdrawn."""

    proposed = "proposed"
    handed_over = "handed_over"
    published = "published"
    leaked = "leaked"
    signed = "signed"
    withdrawn = "withdrawn"


class EventKind(StrEnum):
    military = "military"
    political = "political"
    diplomatic = "diplomatic"
    humanitarian = "humanitarian"
    other = "other"


class GapState(StrEnum):
    """How far apart the parties are on a topic, as an editor judges it at a round."""

    agreed = "agreed"
    narrowing = "narrowing"
    apart = "apart"
    not_discussed = "not_discussed"


class SourceCategory(StrEnum):
    """Where a source stands relative to the conflict. The first three stand with one party (party_id)."""

    party_government = "party_government"
    party_state_media = "party_state_media"
    party_independent_media = "party_independent_media"
    host_or_mediator = "host_or_mediator"
    third_country = "third_country"
    international_organisation = "international_organisation"
    independent_or_wire = "independent_or_wire"


# Categories of sources that speak for, or from within, one party.
WITH_ONE_PARTY = frozenset(
    {SourceCategory.party_government, SourceCategory.party_state_media, SourceCategory.party_independent_media}
)


class MoveKind(StrEnum):
    """How a party's stance on a topic moved from one round to the next, as an editor judges it."""

    first_stated = "first_stated"
    held = "held"
    shifted = "shifted"
    hardened = "hardened"
    softened = "softened"
    reversed = "reversed"
    dropped = "dropped"


class Role(StrEnum):
    editor = "editor"
    admin = "admin"


class RevisionAction(StrEnum):
    create = "create"
    update = "update"
    delete = "delete"
    publish = "publish"
    restore = "restore"
    draft = "draft"  # a proposed change to published material, not yet applied


class FigureMeasure(StrEnum):
    """What a reported figure measures: durations and delays in minutes, or a quantity of ``unit``."""

    duration_minutes = "duration_minutes"
    delay_minutes = "delay_minutes"
    quantity = "quantity"


# ---------------------------------------------------------------- validation helpers


def check_date_fits(value: dt.date | None, precision: DatePrecision, field: str) -> None:
    """A month-precise date is stored as the month's first day, a year-precise one as 1 January."""
    if value is None:
        return
    if precision is DatePrecision.month and value.day != 1:
        raise ValueError(f"{field}: a date known to the month is stored as the 1st of that month")
    if precision is DatePrecision.year and (value.month, value.day) != (1, 1):
        raise ValueError(f"{field}: a date known to the year is stored as 1 January of that year")


def fuzzy_date(value: dt.date | None, precision: DatePrecision | str = DatePrecision.day) -> str:
    """A date as precisely as it is known: "2 June 2025", "June 2025" or "2025"."""
    if value is None:
        return "date not set"
    precision = DatePrecision(precision)
    if precision is DatePrecision.year:
        return str(value.year)
    if precision is DatePrecision.month:
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


def round_name(sequence: int, city: str | None) -> str:
    """ "Round 2 · Istanbul": how a round is named wherever it needs a title (feeds, embed code)."""
    return f"Round {sequence} · {city}" if city else f"Round {sequence}"


def period_end(value: dt.date, precision: DatePrecision) -> dt.date:
    """The last day a date could be: "June 2025" sorts after 2 June 2025, not before it."""
    if precision is DatePrecision.year:
        return dt.date(value.year, 12, 31)
    if precision is DatePrecision.month:
        return dt.date(value.year, value.month, calendar.monthrange(value.year, value.month)[1])
    return value


def overdue(status: "RoundStatus", value: dt.date | None, precision: DatePrecision, today: dt.date) -> bool:
    """A planned round whose expected date has gone by with no new date: "expected June 2025" read in
    November 2026 must say that nothing has been announced since."""
    return status is RoundStatus.planned and value is not None and period_end(value, DatePrecision(precision)) < today


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast_ratio(a: str, b: str) -> float:
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# Page backgrounds of the light and dark themes; a party colour is drawn on both.
LIGHT_BACKGROUND = "#ffffff"
DARK_BACKGROUND = "#15171a"
# WCAG 2.2 SC 1.4.11: graphical objects need 3:1 against what is next to them.
MIN_GRAPHIC_CONTRAST = 3.0


# ---------------------------------------------------------------- bookkeeping


class Tracked(SQLModel):
    """Columns every table carries so that rows can be versioned later."""

    model_config = ConfigDict(defer_build=True)  # type: ignore[assignment]

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(default=1, nullable=False)
    created_at: dt.datetime = Field(
        default_factory=utcnow,
        nullable=False,
        sa_type=sa.DateTime(timezone=True),
    )
    # Indexed: the newest updated_at across the record is its version, which the response cache reads.
    updated_at: dt.datetime = Field(
        default_factory=utcnow,
        nullable=False,
        index=True,
        sa_type=sa.DateTime(timezone=True),
        sa_column_kwargs={"onupdate": utcnow},
    )


class StrictBase(SQLModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # type: ignore[assignment]


STAMPS = ("created_at", "updated_at")


class Stamped(SQLModel):
    """When an entry of a record document was first added and when its content last changed, so that
    "last updated", the feed and the calendar tell when the record changed, not when it was loaded.
    Empty in a document that does not know: the import then uses the time of the import."""

    created_at: dt.datetime | None = Field(default=None, description="When the entry was first added (UTC).")
    updated_at: dt.datetime | None = Field(default=None, description="When its content last changed (UTC).")

    @field_validator("created_at", "updated_at")
    @classmethod
    def _in_utc_to_the_second(cls, value: dt.datetime | None) -> dt.datetime | None:
        # Whole seconds in UTC: the same document from SQLite and from PostgreSQL, byte for byte.
        return None if value is None else as_utc(value).replace(microsecond=0)


class Publishable(StrictBase):
    """A claim readers see only once an editor publishes it; until then it is a draft."""

    # Not indexed: nearly every row is published, and SQLite's planner would pick such an index over
    # the selective one (migration 0005).
    published: bool = Field(default=True, description="False while the entry is a draft.")


# ---------------------------------------------------------------- parties and people


class PartyBase(StrictBase):
    slug: str = Field(
        max_length=SLUG_LENGTH,
        unique=True,
        schema_extra={"pattern": SLUG_PATTERN},
        description="Short name used in web addresses.",
    )
    name: str = Field(min_length=1, max_length=200, description="Full name of the party.")
    short_name: str = Field(min_length=1, max_length=40, description="Name used where space is short, e.g. in charts.")
    colour: str = Field(max_length=7, schema_extra={"pattern": COLOUR_PATTERN}, description="Chart colour, #rrggbb.")

    @field_validator("colour")
    @classmethod
    def _colour_contrasts(cls, value: str) -> str:
        for background in (LIGHT_BACKGROUND, DARK_BACKGROUND):
            ratio = contrast_ratio(value, background)
            if ratio < MIN_GRAPHIC_CONTRAST:
                raise ValueError(
                    f"{value} has a contrast of {ratio:.2f}:1 against {background}; "
                    f"chart colours need at least {MIN_GRAPHIC_CONTRAST}:1 on light and dark pages"
                )
        return value


class Party(PartyBase, Tracked, table=True):
    __tablename__ = "parties"


class PartyRecord(PartyBase, Stamped):
    id: int


class PersonBase(StrictBase):
    slug: str = Field(
        max_length=SLUG_LENGTH,
        unique=True,
        schema_extra={"pattern": SLUG_PATTERN},
        description="Short name used in web addresses.",
    )
    name: str = Field(min_length=1, max_length=200, description="Name in Latin script.")
    name_native: str | None = Field(default=None, max_length=200, description="The name in its own script.")
    party_id: int | None = Field(
        default=None,
        foreign_key="parties.id",
        index=True,
        ondelete="RESTRICT",
        description="The party the person belongs to or speaks for.",
    )
    title: str | None = Field(default=None, max_length=200, description="Best-known office, for lists.")


class Person(PersonBase, Tracked, table=True):
    __tablename__ = "people"


class PersonRecord(PersonBase, Stamped):
    id: int


# ---------------------------------------------------------------- negotiations


class NegotiationBase(StrictBase):
    slug: str = Field(
        max_length=SLUG_LENGTH,
        unique=True,
        schema_extra={"pattern": SLUG_PATTERN},
        description="Short name used in web addresses.",
    )
    title: str = Field(min_length=1, max_length=200, description="Name of the negotiation.")
    description: str = Field(
        default="", sa_type=sa.Text, description="What the negotiation is about and who takes part."
    )


class Negotiation(NegotiationBase, Tracked, table=True):
    __tablename__ = "negotiations"


class NegotiationRecord(NegotiationBase, Stamped):
    id: int


class NegotiationPartyBase(StrictBase):
    negotiation_id: int = Field(
        foreign_key="negotiations.id", index=True, ondelete="CASCADE", description="The negotiation."
    )
    party_id: int = Field(
        foreign_key="parties.id", index=True, ondelete="RESTRICT", description="The party taking part."
    )
    role: PartyRole = Field(sa_type=enum_type(PartyRole), description="The part it plays in the negotiation.")
    note: str | None = Field(default=None, max_length=500, description="Anything more about the party's role.")


class NegotiationParty(NegotiationPartyBase, Tracked, table=True):
    __tablename__ = "negotiation_parties"
    __table_args__ = (sa.UniqueConstraint("negotiation_id", "party_id", "role"),)


class NegotiationPartyRecord(NegotiationPartyBase, Stamped):
    id: int


# ---------------------------------------------------------------- rounds


class RoundBase(Publishable):
    negotiation_id: int = Field(
        foreign_key="negotiations.id",
        index=True,
        ondelete="CASCADE",
        description="The negotiation this round belongs to.",
    )
    sequence: int = Field(ge=1, description="1 for the first round of its negotiation.")
    slug: str = Field(
        max_length=SLUG_LENGTH,
        unique=True,
        schema_extra={"pattern": SLUG_PATTERN},
        description="Short name used in web addresses.",
    )
    status: RoundStatus = Field(
        sa_type=enum_type(RoundStatus),
        description="Whether the round was held, is planned, or was postponed or cancelled.",
    )
    date: dt.date | None = Field(
        default=None, index=True, description="Day the round met or is to meet; read it with date_precision."
    )
    date_precision: DatePrecision = Field(
        default=DatePrecision.day,
        sa_type=enum_type(DatePrecision),
        description=(
            "How much of date is known: the day, only the month (date is then the 1st of the "
            "month) or only the year (date is then 1 January)."
        ),
    )
    date_note: str | None = Field(
        default=None, max_length=200, description='The date in the words of the sources, e.g. "before the end of June".'
    )
    scheduled_start: dt.time | None = Field(default=None, description="Local time the round was due to start.")
    start_time: dt.time | None = Field(
        default=None, description="Local time the round began, as reported; empty where sources do not say."
    )
    timezone: str | None = Field(default=None, max_length=64, description="IANA time zone of the venue.")
    city: str | None = Field(default=None, max_length=120, description="City the round met in.")
    venue: str | None = Field(default=None, max_length=200, description="Building or place the round met in.")
    host_party_id: int | None = Field(
        default=None,
        foreign_key="parties.id",
        index=True,
        ondelete="RESTRICT",
        description="The party that hosted the round.",
    )
    chair_id: int | None = Field(
        default=None,
        foreign_key="people.id",
        index=True,
        ondelete="RESTRICT",
        description="The person who chaired the round.",
    )
    duration_minutes: int | None = Field(
        default=None, ge=0, description="Set when sources agree; reported figures hold what each says."
    )
    delay_minutes: int | None = Field(
        default=None, ge=0, description="How late the round started, in minutes, when sources agree."
    )
    summary: str = Field(default="", sa_type=sa.Text, description="What happened at the round, in a paragraph.")
    atmosphere: str | None = Field(
        default=None, sa_type=sa.Text, description="The mood of the talks as sources describe it."
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        if value is not None and value not in iana_time_zones():
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/Istanbul)")
        return value

    @model_validator(mode="after")
    def _date_fits_precision(self) -> Self:
        check_date_fits(self.date, self.date_precision, "date")
        return self


class Round(RoundBase, Tracked, table=True):
    __tablename__ = "rounds"
    __table_args__ = (
        sa.UniqueConstraint("negotiation_id", "sequence"),
        sa.Index("ix_rounds_timeline", "sort_date", "id"),
        # One negotiation's timeline, and the latest round of each negotiation, without a sort.
        sa.Index("ix_rounds_negotiation_timeline", "negotiation_id", "sort_date", "id"),
    )
    # Derived from date and precision (see derive_sort_date); the timeline pages by it.
    sort_date: dt.date | None = Field(default=None)


class RoundRecord(RoundBase, Stamped):
    id: int


class DelegationBase(StrictBase):
    round_id: int = Field(
        foreign_key="rounds.id", index=True, ondelete="CASCADE", description="The round the delegation attended."
    )
    party_id: int = Field(
        foreign_key="parties.id", index=True, ondelete="RESTRICT", description="The party the delegation represented."
    )
    note: str | None = Field(default=None, max_length=500, description="Anything more about the delegation.")


class Delegation(DelegationBase, Tracked, table=True):
    __tablename__ = "delegations"
    __table_args__ = (sa.UniqueConstraint("round_id", "party_id"),)


class DelegationRecord(DelegationBase, Stamped):
    id: int


class DelegationMemberBase(StrictBase):
    delegation_id: int = Field(
        foreign_key="delegations.id", index=True, ondelete="CASCADE", description="The delegation."
    )
    person_id: int = Field(foreign_key="people.id", index=True, ondelete="RESTRICT", description="The member.")
    is_head: bool = Field(default=False, description="Whether the person led the delegation.")
    title: str | None = Field(default=None, max_length=200, description="The title held at that time.")


class DelegationMember(DelegationMemberBase, Tracked, table=True):
    __tablename__ = "delegation_members"
    __table_args__ = (sa.UniqueConstraint("delegation_id", "person_id"),)


class DelegationMemberRecord(DelegationMemberBase, Stamped):
    id: int


# ---------------------------------------------------------------- outcomes


class OutcomeBase(Publishable):
    round_id: int = Field(
        foreign_key="rounds.id", index=True, ondelete="CASCADE", description="The round that produced the outcome."
    )
    kind: OutcomeKind = Field(sa_type=enum_type(OutcomeKind), description="What sort of outcome it is.")
    topic_id: int | None = Field(
        default=None,
        foreign_key="topics.id",
        index=True,
        ondelete="RESTRICT",
        description="The issue it bears on: a round is found under its outcomes' topics as well as its positions'.",
    )
    title: str = Field(min_length=1, max_length=200, description="The outcome in one line.")
    description: str = Field(default="", sa_type=sa.Text, description="The outcome in more detail.")
    status: OutcomeStatus = Field(
        sa_type=enum_type(OutcomeStatus),
        description=("How far the outcome has got, from proposed to implemented (or stalled or broken)."),
    )
    implemented_on: dt.date | None = Field(
        default=None, description="When the outcome was carried out; read it with implemented_precision."
    )
    implemented_precision: DatePrecision = Field(
        default=DatePrecision.day,
        sa_type=enum_type(DatePrecision),
        description="How much of implemented_on is known: the day, the month or the year.",
    )

    @model_validator(mode="after")
    def _date_fits_precision(self) -> Self:
        check_date_fits(self.implemented_on, self.implemented_precision, "implemented_on")
        return self


class Outcome(OutcomeBase, Tracked, table=True):
    __tablename__ = "outcomes"


class OutcomeRecord(OutcomeBase, Stamped):
    id: int


class OutcomeStepBase(StrictBase):
    """A dated step in carrying an outcome out (agreed, begun, carried out in stages, stalled …): the
    history of its state."""

    outcome_id: int = Field(foreign_key="outcomes.id", index=True, ondelete="CASCADE", description="The outcome.")
    happened_on: dt.date = Field(description="When the step happened; read it with date_precision.")
    date_precision: DatePrecision = Field(
        default=DatePrecision.day,
        sa_type=enum_type(DatePrecision),
        description="How much of happened_on is known: the day, the month or the year.",
    )
    status: OutcomeStatus = Field(
        sa_type=enum_type(OutcomeStatus), description="The state the outcome was in after this step."
    )
    description: str = Field(default="", sa_type=sa.Text, description="What happened, e.g. the first 390 exchanged.")

    @model_validator(mode="after")
    def _date_fits_precision(self) -> Self:
        check_date_fits(self.happened_on, self.date_precision, "happened_on")
        return self


class OutcomeStep(OutcomeStepBase, Tracked, table=True):
    __tablename__ = "outcome_steps"


class OutcomeStepRecord(OutcomeStepBase, Stamped):
    id: int


class OutcomePartyBase(StrictBase):
    outcome_id: int = Field(foreign_key="outcomes.id", index=True, ondelete="CASCADE", description="The outcome.")
    party_id: int = Field(
        foreign_key="parties.id", index=True, ondelete="RESTRICT", description="A party the outcome concerns."
    )


class OutcomeParty(OutcomePartyBase, Tracked, table=True):
    __tablename__ = "outcome_parties"
    __table_args__ = (sa.UniqueConstraint("outcome_id", "party_id"),)


class OutcomePartyRecord(OutcomePartyBase, Stamped):
    id: int


# ---------------------------------------------------------------- documents: the texts on the table


class DocumentBase(Publishable):
    """A text put on the table: a memorandum, a draft agreement or plan, a joint statement, a readout."""

    slug: str = Field(
        max_length=SLUG_LENGTH,
        unique=True,
        schema_extra={"pattern": SLUG_PATTERN},
        description="Short name used in web addresses.",
    )
    negotiation_id: int = Field(
        foreign_key="negotiations.id", index=True, ondelete="CASCADE", description="The negotiation it belongs to."
    )
    round_id: int | None = Field(
        default=None,
        foreign_key="rounds.id",
        index=True,
        ondelete="SET NULL",
        description="The round where it was handed over or published, if one.",
    )
    kind: DocumentKind = Field(sa_type=enum_type(DocumentKind), description="What sort of text it is.")
    title: str = Field(min_length=1, max_length=200, description='Its name, e.g. "Russian memorandum".')
    status: DocumentStatus = Field(
        sa_type=enum_type(DocumentStatus),
        description="Where it stands: proposed, handed over, published, leaked, signed or withdrawn.",
    )
    dated_on: dt.date | None = Field(default=None, description="Its date; read it with date_precision.")
    date_precision: DatePrecision = Field(
        default=DatePrecision.day,
        sa_type=enum_type(DatePrecision),
        description="How much of dated_on is known: the day, the month or the year.",
    )
    language: str = Field(
        default="en",
        max_length=16,
        schema_extra={"pattern": LANGUAGE_PATTERN},
        description="The language the record's text of it is in.",
    )
    standpoint: str | None = Field(
        default=None,
        max_length=300,
        description='Whose text it is and how the record knows it, e.g. "Russia\'s proposal, as TASS published it".',
    )
    summary: str = Field(default="", sa_type=sa.Text, description="What it is and what it does, in a few lines.")

    @model_validator(mode="after")
    def _date_fits_precision(self) -> Self:
        check_date_fits(self.dated_on, self.date_precision, "dated_on")
        return self


class Document(DocumentBase, Tracked, table=True):
    __tablename__ = "documents"


class DocumentRecord(DocumentBase, Stamped):
    id: int


class DocumentPartyBase(StrictBase):
    document_id: int = Field(foreign_key="documents.id", index=True, ondelete="CASCADE", description="The document.")
    party_id: int = Field(
        foreign_key="parties.id", index=True, ondelete="RESTRICT", description="A party that wrote or put it forward."
    )


class DocumentParty(DocumentPartyBase, Tracked, table=True):
    __tablename__ = "document_parties"
    __table_args__ = (sa.UniqueConstraint("document_id", "party_id"),)


class DocumentPartyRecord(DocumentPartyBase, Stamped):
    id: int


class DocumentVersionBase(StrictBase):
    """One text of a document: drafts change between versions."""

    document_id: int = Field(foreign_key="documents.id", index=True, ondelete="CASCADE", description="The document.")
    number: int = Field(ge=1, description="1 for the first version known, then 2, 3 …")
    label: str = Field(
        default="", max_length=200, description='What this version is, e.g. "as handed over in Istanbul".'
    )
    dated_on: dt.date | None = Field(default=None, description="When this version was made or became known.")
    date_precision: DatePrecision = Field(
        default=DatePrecision.day,
        sa_type=enum_type(DatePrecision),
        description="How much of dated_on is known: the day, the month or the year.",
    )
    note: str = Field(
        default="", sa_type=sa.Text, description="How the record came by this text, and how far it is the original's."
    )

    @model_validator(mode="after")
    def _date_fits_precision(self) -> Self:
        check_date_fits(self.dated_on, self.date_precision, "dated_on")
        return self


class DocumentVersion(DocumentVersionBase, Tracked, table=True):
    __tablename__ = "document_versions"
    __table_args__ = (sa.UniqueConstraint("document_id", "number"),)


class DocumentVersionRecord(DocumentVersionBase, Stamped):
    id: int


class ClauseBase(StrictBase):
    """A numbered clause of one version of a document."""

    version_id: int = Field(
        foreign_key="document_versions.id", index=True, ondelete="CASCADE", description="The version it is part of."
    )
    sort_order: int = Field(default=0, description="Clauses are listed in this order, lowest first.")
    number: str = Field(default="", max_length=20, description='Its number as the text gives it: "1", "2.3", "IV".')
    heading: str = Field(default="", max_length=200, description="Its heading, if it has one.")
    text: str = Field(min_length=1, sa_type=sa.Text, description="What it says.")


class Clause(ClauseBase, Tracked, table=True):
    __tablename__ = "clauses"


class ClauseRecord(ClauseBase, Stamped):
    id: int


class ClausePairBase(StrictBase):
    """An editor's pairing of two clauses of different documents, set side by side whatever their topics."""

    clause_id: int = Field(foreign_key="clauses.id", index=True, ondelete="CASCADE", description="A clause.")
    paired_id: int = Field(
        foreign_key="clauses.id",
        index=True,
        ondelete="CASCADE",
        description="The clause of another document it answers to, set beside it when the two are compared.",
    )


class ClausePair(ClausePairBase, Tracked, table=True):
    __tablename__ = "clause_pairs"
    __table_args__ = (sa.UniqueConstraint("clause_id", "paired_id"),)


class ClausePairRecord(ClausePairBase, Stamped):
    id: int


class ClauseTopicBase(StrictBase):
    clause_id: int = Field(foreign_key="clauses.id", index=True, ondelete="CASCADE", description="The clause.")
    topic_id: int = Field(
        foreign_key="topics.id", index=True, ondelete="RESTRICT", description="A topic the clause bears on."
    )


class ClauseTopic(ClauseTopicBase, Tracked, table=True):
    __tablename__ = "clause_topics"
    __table_args__ = (sa.UniqueConstraint("clause_id", "topic_id"),)


class ClauseTopicRecord(ClauseTopicBase, Stamped):
    id: int


# ---------------------------------------------------------------- topics and positions


class TopicBase(StrictBase):
    slug: str = Field(
        max_length=SLUG_LENGTH,
        unique=True,
        schema_extra={"pattern": SLUG_PATTERN},
        description="Short name used in web addresses.",
    )
    name: str = Field(min_length=1, max_length=120, description="Name of the topic.")
    description: str = Field(default="", sa_type=sa.Text, description="What the topic covers.")
    sort_order: int = Field(default=0, description="Rows of the comparison follow this order.")


class Topic(TopicBase, Tracked, table=True):
    __tablename__ = "topics"


class TopicRecord(TopicBase, Stamped):
    id: int


class PositionBase(Publishable):
    negotiation_id: int = Field(
        foreign_key="negotiations.id",
        index=True,
        ondelete="CASCADE",
        description="The negotiation the position was stated in.",
    )
    party_id: int = Field(
        foreign_key="parties.id", index=True, ondelete="RESTRICT", description="The party whose position it is."
    )
    topic_id: int = Field(
        foreign_key="topics.id", index=True, ondelete="RESTRICT", description="The topic the position is on."
    )
    round_id: int | None = Field(
        default=None, foreign_key="rounds.id", index=True, ondelete="CASCADE", description="Stated at this round."
    )
    stated_on: dt.date | None = Field(default=None, description="Stated on this date (between rounds).")
    stated_precision: DatePrecision = Field(
        default=DatePrecision.day,
        sa_type=enum_type(DatePrecision),
        description="How much of stated_on is known: the day, the month or the year.",
    )
    speaker_id: int | None = Field(
        default=None,
        foreign_key="people.id",
        index=True,
        ondelete="RESTRICT",
        description="The person who stated the position.",
    )
    stated_in: str | None = Field(
        default=None,
        max_length=200,
        description=('The document or statement the position was set out in, e.g. "Russian memorandum".'),
    )
    summary: str = Field(min_length=1, max_length=300, description="The position in one line.")
    text: str = Field(default="", sa_type=sa.Text, description="The position in more detail.")
    quote: str | None = Field(default=None, sa_type=sa.Text, description="The words used, verbatim.")
    clause_id: int | None = Field(
        default=None,
        foreign_key="clauses.id",
        index=True,
        ondelete="SET NULL",
        description="The clause of a document the position comes from, if one.",
    )

    @model_validator(mode="after")
    def _when(self) -> Self:
        if self.round_id is None and self.stated_on is None:
            raise ValueError("a position needs the round it was stated at or the date it was stated on")
        check_date_fits(self.stated_on, self.stated_precision, "stated_on")
        return self


class Position(PositionBase, Tracked, table=True):
    __tablename__ = "positions"
    __table_args__ = (
        sa.CheckConstraint("round_id IS NOT NULL OR stated_on IS NOT NULL", name="when_stated"),
        sa.Index("ix_positions_comparison", "negotiation_id", "topic_id", "party_id"),
    )


class PositionRecord(PositionBase, Stamped):
    id: int


class GapAssessmentBase(Publishable):
    """An editor's judgement of the gap between the parties on one topic as of one round."""

    round_id: int = Field(
        foreign_key="rounds.id", index=True, ondelete="CASCADE", description="The round as of which the gap is judged."
    )
    topic_id: int = Field(foreign_key="topics.id", index=True, ondelete="RESTRICT", description="The topic.")
    state: GapState = Field(sa_type=enum_type(GapState), description="How far apart the parties are on the topic.")
    note: str | None = Field(default=None, max_length=500, description="The reasons for the judgement.")


class GapAssessment(GapAssessmentBase, Tracked, table=True):
    __tablename__ = "gap_assessments"
    __table_args__ = (sa.UniqueConstraint("round_id", "topic_id"),)


class GapAssessmentRecord(GapAssessmentBase, Stamped):
    id: int


class MovementBase(Publishable):
    """How one party's stance on one topic moved at one round, against where it stood before."""

    round_id: int = Field(
        foreign_key="rounds.id", index=True, ondelete="CASCADE", description="The round the stance is judged at."
    )
    party_id: int = Field(foreign_key="parties.id", index=True, ondelete="RESTRICT", description="The party.")
    topic_id: int = Field(foreign_key="topics.id", index=True, ondelete="RESTRICT", description="The topic.")
    move: MoveKind = Field(
        sa_type=enum_type(MoveKind),
        description="First stated, held, shifted, hardened, softened, reversed or dropped, since the round before.",
    )
    note: str = Field(default="", sa_type=sa.Text, description="What moved, and why the editor judges it so.")


class Movement(MovementBase, Tracked, table=True):
    __tablename__ = "movements"
    __table_args__ = (sa.UniqueConstraint("round_id", "party_id", "topic_id"),)


class MovementRecord(MovementBase, Stamped):
    id: int


# ---------------------------------------------------------------- context


class EventBase(Publishable):
    slug: str = Field(
        max_length=SLUG_LENGTH,
        unique=True,
        schema_extra={"pattern": SLUG_PATTERN},
        description="Short name used in web addresses.",
    )
    negotiation_id: int | None = Field(
        default=None,
        foreign_key="negotiations.id",
        index=True,
        ondelete="SET NULL",
        description="The negotiation the event bears on, if one.",
    )
    date: dt.date = Field(index=True, description="When the event happened; read it with date_precision.")
    date_precision: DatePrecision = Field(
        default=DatePrecision.day,
        sa_type=enum_type(DatePrecision),
        description="How much of date is known: the day, the month or the year.",
    )
    kind: EventKind = Field(sa_type=enum_type(EventKind), description="What sort of event it is.")
    title: str = Field(min_length=1, max_length=200, description="The event in one line.")
    description: str = Field(default="", sa_type=sa.Text, description="The event in more detail.")

    @model_validator(mode="after")
    def _date_fits_precision(self) -> Self:
        check_date_fits(self.date, self.date_precision, "date")
        return self


class Event(EventBase, Tracked, table=True):
    __tablename__ = "events"
    __table_args__ = (sa.Index("ix_events_timeline", "sort_date", "id"),)
    sort_date: dt.date | None = Field(default=None)


class EventRecord(EventBase, Stamped):
    id: int


# ---------------------------------------------------------------- sources and citations


class SourceBase(StrictBase):
    url: str | None = Field(
        default=None,
        max_length=2000,
        unique=True,
        schema_extra={"pattern": URL_PATTERN},
        description="Empty for a source only known second-hand.",
    )
    publisher: str = Field(min_length=1, max_length=200, description="Who published the source.")
    via: str | None = Field(
        default=None,
        max_length=200,
        description='The outlet it is known through, when it is known only second-hand, e.g. "babel.ua".',
    )
    citing: str | None = Field(
        default=None, max_length=200, description='Whose reporting it passes on, e.g. "Reuters".'
    )
    title: str | None = Field(default=None, max_length=500, description="Title of the article or document.")
    published_on: dt.date | None = Field(default=None, description="When the source was published.")
    language: str = Field(
        default="en",
        max_length=16,
        schema_extra={"pattern": LANGUAGE_PATTERN},
        description="Language the source is written in.",
    )
    standpoint: str | None = Field(
        default=None, max_length=300, description='Who speaks, e.g. "Russian state news agency".'
    )
    category: SourceCategory | None = Field(
        default=None,
        sa_type=enum_type(SourceCategory),
        description="Where it stands relative to the conflict: a party's government, state media or independent "
        "media; the host or mediator; a third country; an international organisation; an independent or wire "
        "service. Empty until an editor has judged it.",
    )
    party_id: int | None = Field(
        default=None,
        foreign_key="parties.id",
        index=True,
        ondelete="RESTRICT",
        description="The party it stands with, for a party's government, state media or independent media.",
    )

    @model_validator(mode="after")
    def _party_for_party_categories(self) -> Self:
        if self.category in WITH_ONE_PARTY and self.party_id is None:
            raise ValueError("party_id: a source of a party's government or media names the party")
        return self


class Source(SourceBase, Tracked, table=True):
    __tablename__ = "sources"


class SourceRecord(SourceBase, Stamped):
    id: int


class ReportedFigureBase(StrictBase):
    """A figure as one source reported it ("under an hour"), never forced into one number."""

    round_id: int | None = Field(
        default=None,
        foreign_key="rounds.id",
        index=True,
        ondelete="CASCADE",
        description="The round the figure is about.",
    )
    outcome_id: int | None = Field(
        default=None,
        foreign_key="outcomes.id",
        index=True,
        ondelete="CASCADE",
        description="The outcome the figure is about.",
    )
    measure: FigureMeasure = Field(
        sa_type=enum_type(FigureMeasure),
        description=("What the figure measures: a duration or delay in minutes, or a quantity of unit."),
    )
    low: int | None = Field(default=None, ge=0, description="At least this much; empty when open.")
    high: int | None = Field(default=None, ge=0, description="At most this much; empty when open.")
    unit: str | None = Field(default=None, max_length=80, description='For counts, e.g. "prisoners each side".')
    as_reported: str = Field(min_length=1, max_length=200, description='The words used, e.g. "under an hour".')

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.round_id is None) == (self.outcome_id is None):
            raise ValueError("a reported figure belongs to exactly one round or one outcome")
        if self.low is None and self.high is None:
            raise ValueError("a reported figure needs a low or a high value (or both)")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low is greater than high")
        return self


class ReportedFigure(ReportedFigureBase, Tracked, table=True):
    __tablename__ = "reported_figures"
    __table_args__ = (sa.CheckConstraint(exactly_one_set("round_id", "outcome_id"), name="one_subject"),)


class ReportedFigureRecord(ReportedFigureBase, Stamped):
    id: int


CITATION_SUBJECTS = (
    "round_id",
    "outcome_id",
    "position_id",
    "event_id",
    "figure_id",
    "delegation_id",
    "document_id",
    "movement_id",
    "step_id",
)


class CitationBase(StrictBase):
    """One source supporting one claim: a round, outcome, step of an outcome, position, event, reported
    figure, delegation, document or movement."""

    source_id: int = Field(foreign_key="sources.id", index=True, ondelete="RESTRICT", description="The source.")
    round_id: int | None = Field(
        default=None,
        foreign_key="rounds.id",
        index=True,
        ondelete="CASCADE",
        description="The round the source supports.",
    )
    outcome_id: int | None = Field(
        default=None,
        foreign_key="outcomes.id",
        index=True,
        ondelete="CASCADE",
        description="The outcome the source supports.",
    )
    position_id: int | None = Field(
        default=None,
        foreign_key="positions.id",
        index=True,
        ondelete="CASCADE",
        description="The position the source supports.",
    )
    event_id: int | None = Field(
        default=None,
        foreign_key="events.id",
        index=True,
        ondelete="CASCADE",
        description="The event the source supports.",
    )
    figure_id: int | None = Field(
        default=None,
        foreign_key="reported_figures.id",
        index=True,
        ondelete="CASCADE",
        description="The reported figure the source supports.",
    )
    delegation_id: int | None = Field(
        default=None,
        foreign_key="delegations.id",
        index=True,
        ondelete="CASCADE",
        description="Who was in a delegation, and who led it, as a source reported it.",
    )
    document_id: int | None = Field(
        default=None,
        foreign_key="documents.id",
        index=True,
        ondelete="CASCADE",
        description="A document the source publishes or reports.",
    )
    movement_id: int | None = Field(
        default=None,
        foreign_key="movements.id",
        index=True,
        ondelete="CASCADE",
        description="A movement of a party's stance the source bears out.",
    )
    step_id: int | None = Field(
        default=None,
        foreign_key="outcome_steps.id",
        index=True,
        ondelete="CASCADE",
        description="A step in carrying an outcome out that the source reports.",
    )
    note: str | None = Field(
        default=None, max_length=300, description='How the source supports the claim, e.g. "citing Reuters".'
    )

    @model_validator(mode="after")
    def _one_subject(self) -> Self:
        named = [name for name in CITATION_SUBJECTS if getattr(self, name) is not None]
        if len(named) != 1:
            raise ValueError(f"a citation supports exactly one of {', '.join(CITATION_SUBJECTS)}; got {len(named)}")
        return self


class Citation(CitationBase, Tracked, table=True):
    __tablename__ = "citations"
    __table_args__ = (sa.CheckConstraint(exactly_one_set(*CITATION_SUBJECTS), name="one_subject"),)


class CitationRecord(CitationBase, Stamped):
    id: int


# ---------------------------------------------------------------- accounts and history


# Tables readers never see: accounts, and editors' drafts. Writing them (a sign-in, a draft saved)
# changes nothing a reader sees, so they are left out of the record's version and never empty the
# page cache.
PRIVATE_TABLES = frozenset({"users", "login_attempts", "user_sessions", "drafts"})


class User(Tracked, table=True):
    """An editor or admin. Never leaves the server as is: the password hash stays here."""

    __tablename__ = "users"
    email: str = Field(max_length=320, unique=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=500)
    role: Role = Field(sa_type=enum_type(Role))
    active: bool = Field(default=True)


class UserSession(SQLModel, table=True):
    """One signed-in browser. Its cookie carries a random token; only the token's hash is kept here.

    Signing out, an admin ending it, or the account being disabled sets ``ended_at``, and the
    cookie stops working at once, wherever a copy of it is.
    """

    __tablename__ = "user_sessions"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    last_seen_at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    expires_at: dt.datetime = Field(sa_type=sa.DateTime(timezone=True))
    ended_at: dt.datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    ended_why: str | None = Field(default=None, max_length=100)
    address: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)


class LoginAttempt(SQLModel, table=True):
    """Recent logins, kept to slow down guessing per account and per address."""

    __tablename__ = "login_attempts"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, index=True)
    address: str = Field(max_length=64, index=True)
    succeeded: bool
    at: dt.datetime = Field(default_factory=utcnow, index=True, sa_type=sa.DateTime(timezone=True))


class Revision(SQLModel, table=True):
    """One change to one record, with a full snapshot of the record as it stood after it.

    Revisions are only ever added: a restore is a new revision carrying an old snapshot.
    """

    __tablename__ = "revisions"
    __table_args__ = (sa.Index("ix_revisions_entity", "entity", "entity_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=40, description="The table of the record, e.g. rounds.")
    entity_id: int
    action: RevisionAction = Field(sa_type=enum_type(RevisionAction))
    version: int = Field(description="The record's version after this change.")
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True, ondelete="SET NULL")
    summary: str | None = Field(default=None, max_length=500)
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class Draft(SQLModel, table=True):
    """Changes an editor has made and not yet published, kept apart from the record readers see.

    A draft is about one record (``kind``, ``entity_id``; no id while the record is new) and holds
    every change made while editing it — to that record and to what hangs on it — keyed by
    ``kind:id`` (``kind:+n`` for a record not yet created). Each change keeps the state it started
    from (``base``), so that publishing merges it with whatever others published since.
    """

    __tablename__ = "drafts"
    # AUTOINCREMENT: a published draft's address must not become another draft's on SQLite.
    __table_args__ = (sa.Index("ix_drafts_subject", "kind", "entity_id"), {"sqlite_autoincrement": True})
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    entity_id: int | None = Field(default=None)
    author_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    next_key: int = Field(default=1, description="The number the next new record in the draft is keyed by.")
    summary: str | None = Field(default=None, max_length=500)


class SlugRedirect(SQLModel, table=True):
    """An address a record used to have: its old slug answers with a 301 to the record's current page."""

    __tablename__ = "slug_redirects"
    __table_args__ = (sa.UniqueConstraint("kind", "old_slug"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    old_slug: str = Field(max_length=SLUG_LENGTH)
    entity_id: int
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


def timeline_date(when: dt.date | None, precision: DatePrecision | str | None) -> dt.date:
    """Where a round or event sorts: the end of its period; undated rounds go last."""
    if when is None:
        return dt.date.max
    return period_end(when, DatePrecision(precision or DatePrecision.day))


def derive_sort_date(values: dict[str, Any]) -> dict[str, Any]:
    """Fill ``sort_date`` of a round or event row from its date and precision."""
    return values | {"sort_date": timeline_date(values.get("date"), values.get("date_precision"))}


# Columns computed from others: applied by every writer, ORM or bulk insert.
DERIVED_COLUMNS = {"rounds": derive_sort_date, "events": derive_sort_date}


def with_derived(table: str, values: dict[str, Any]) -> dict[str, Any]:
    """A row of ``table`` with its computed columns filled in, for writes that bypass the ORM."""
    derive = DERIVED_COLUMNS.get(table)
    return derive(values) if derive else values


@sa.event.listens_for(Round, "before_insert")
@sa.event.listens_for(Round, "before_update")
@sa.event.listens_for(Event, "before_insert")
@sa.event.listens_for(Event, "before_update")
def _keep_sort_date(_mapper: Any, _connection: Any, target: Round | Event) -> None:
    target.sort_date = timeline_date(target.date, target.date_precision)


# The full-text index is made with the schema (``metadata.create_all``) as well as by its migration.
from app.record import search_index as _search_index  # noqa: E402, F401

# ---------------------------------------------------------------- releases


class Release(SQLModel, table=True):
    """A numbered, frozen copy of the published record, to cite and to download forever."""

    __tablename__ = "releases"
    id: int | None = Field(default=None, primary_key=True)
    number: int = Field(unique=True, description="1 for the first release, then 2, 3 …")
    created_at: dt.datetime = Field(default_factory=utcnow, nullable=False, sa_type=sa.DateTime(timezone=True))
    # A release never changes; this is here, indexed, so that the record's version (which every worker's
    # cache follows) counts a new release too: the releases page changes with it.
    updated_at: dt.datetime = Field(
        default_factory=utcnow, nullable=False, index=True, sa_type=sa.DateTime(timezone=True)
    )
    made_by: str = Field(max_length=200, description="Who made it: an editor's name, or the command line.")
    note: str = Field(default="", sa_type=sa.Text, description="What the release is for, in the editor's words.")
    document: str = Field(sa_type=sa.Text, description="The published record as parley export writes it.")
    sha256: str = Field(max_length=64, description="The SHA-256 of the document, in hex.")
    # Every file of the release (name → text), made once when it is made: later versions of Parley,
    # which may describe or lay out the record differently, never change a release's files. None for a
    # release made before files were kept (migration 0018); those are made from the document on demand.
    files: str | None = Field(
        default=None, sa_type=sa.Text, description="The release's files, as a JSON object of name → text."
    )
