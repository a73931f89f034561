"""How each kind of record is edited: its words, its fields in order, what it cites, what it holds.

One table describes every kind, rounds included, so that one composer, one set of forms and one
draft model serve them all. Anything a kind needs that its model does not say — a friendlier label,
a picker instead of a list, the members a delegation is entered with — is stated here.
"""

from dataclasses import dataclass, field

from app.record.document import KIND_BY_KEY, Kind

# The column of ``citations`` that points at each kind of claim.
CITED = {
    "rounds": "round_id",
    "delegations": "delegation_id",
    "outcomes": "outcome_id",
    "positions": "position_id",
    "events": "event_id",
    "reported_figures": "figure_id",
    "documents": "document_id",
    "movements": "movement_id",
    "outcome_steps": "step_id",
}


@dataclass(frozen=True)
class Embedded:
    """Records entered inside another's form: a delegation's members, the parties an outcome concerns."""

    kind: str
    parent: str  # the column of the embedded kind pointing at the record it is entered in
    identity: tuple[str, ...]  # what tells two of them apart within one parent
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    """Records of one kind shown, added and edited inside another's composer."""

    kind: str
    parent: str  # the column of the section's kind pointing at the composer's record …
    heading: str
    add: str
    # … or at what the composer's record points to: a round's context events belong to its negotiation.
    through: str | None = None


@dataclass(frozen=True, eq=False)  # one per kind: compared and hashed by identity
class KindSpec:
    key: str
    noun: str
    plural: str
    fields: tuple[str, ...]  # in the order the form shows them
    labels: dict[str, str] = field(default_factory=dict)
    # What the form says under a field. The model's description= is for the codebook and the API's
    # readers; an editor needs different words (how to fill it in), so forms do not fall back to it.
    hints: dict[str, str] = field(default_factory=dict)
    # Fields whose value comes from where the record is entered (its round, its negotiation): not shown.
    fixed: tuple[str, ...] = ()
    # Made up from other fields when left empty ("2025-06-02-istanbul"), and kept as an address.
    slug_from: tuple[str, ...] = ()
    embedded: Embedded | None = None
    sections: tuple[Section, ...] = ()
    # A reader's page for the record, by slug; None for kinds readers see only inside other pages.
    public_path: str | None = None
    # The parent a child is shown under when it is edited on its own (outcomes and positions of a round).
    shown_under: str | None = None
    # Fields shown together under a heading, in a long form.
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def kind(self) -> Kind:
        return KIND_BY_KEY[self.key]

    @property
    def cites(self) -> bool:
        return self.key in CITED

    def label(self, name: str) -> str:
        return self.labels.get(name) or name.removesuffix("_id").replace("_", " ").capitalize()


ROUND_SECTIONS = (
    Section("delegations", "round_id", "Delegations", "Add a delegation"),
    Section("outcomes", "round_id", "Outcomes", "Add an outcome"),
    Section("positions", "round_id", "Positions stated at this round", "Add a position"),
    Section("reported_figures", "round_id", "Durations, delays and counts as sources reported them", "Add a figure"),
    Section("gap_assessments", "round_id", "State of the gap, by topic", "Add an assessment"),
    Section("movements", "round_id", "How each side's stance moved since the round before", "Add a movement"),
    Section("events", "negotiation_id", "Context: events around this round", "Add an event", through="negotiation_id"),
)

SPECS: dict[str, KindSpec] = {
    spec.key: spec
    for spec in (
        KindSpec(
            "negotiations",
            "negotiation",
            "negotiations",
            ("title", "description", "slug"),
            labels={"slug": "Address"},
            hints={"slug": "Left empty, it is made from the title."},
            slug_from=("title",),
            embedded=Embedded(
                "negotiation_parties", "negotiation_id", ("party_id", "role"), ("party_id", "role", "note")
            ),
            public_path="/negotiations/{slug}",
        ),
        KindSpec(
            "negotiation_parties",
            "party in the negotiation",
            "parties in the negotiation",
            ("negotiation_id", "party_id", "role", "note"),
        ),
        KindSpec(
            "parties",
            "party",
            "parties",
            ("name", "short_name", "colour", "slug"),
            labels={"short_name": "Short name", "colour": "Chart colour", "slug": "Address"},
            hints={
                "short_name": "As in a table heading: Ukraine, Russia, US.",
                "colour": "Drawn on light and dark pages alike; a colour that works on both is suggested.",
                "slug": "Left empty, it is made from the name.",
            },
            slug_from=("name",),
            public_path="/parties/{slug}",
        ),
        KindSpec(
            "people",
            "person",
            "people",
            ("name", "name_native", "party_id", "title", "slug"),
            labels={"name_native": "Name in its own script", "party_id": "Party", "title": "Best-known office"},
            hints={
                "name_native": "The name in its own script.",
                "title": "Best-known office, for lists.",
                "slug": "Left empty, it is made from the name.",
            },
            slug_from=("name",),
            public_path="/people/{slug}",
        ),
        KindSpec(
            "topics",
            "topic",
            "topics",
            ("name", "description", "sort_order", "slug"),
            labels={"sort_order": "Order in the comparison", "slug": "Address"},
            hints={"sort_order": "Rows of the comparison follow this number, lowest first."},
            slug_from=("name",),
            public_path="/topics/{slug}",
        ),
        KindSpec(
            "sources",
            "source",
            "sources",
            (
                "title",
                "publisher",
                "citing",
                "via",
                "url",
                "published_on",
                "language",
                "standpoint",
                "category",
                "party_id",
            ),
            labels={
                "url": "Address (URL)",
                "published_on": "Published on",
                "via": "Known via",
                "citing": "Citing",
                "category": "Where it stands",
                "party_id": "The party it stands with",
            },
            hints={
                "url": "Leave empty for a source known only second-hand (then name the outlet under “Known via”).",
                "via": "The outlet that reported it, when it is known only second-hand: babel.ua.",
                "citing": "Whose reporting it passes on: Reuters.",
                "standpoint": 'Who speaks, e.g. "Russian state news agency".',
                "category": "Relative to the conflict. A claim all of whose sources stand with one party is marked so.",
                "party_id": "For a party's government, state media or independent media.",
            },
        ),
        KindSpec(
            "rounds",
            "round",
            "rounds",
            (
                "negotiation_id",
                "sequence",
                "status",
                "date",
                "date_precision",
                "date_note",
                "scheduled_start",
                "start_time",
                "timezone",
                "city",
                "venue",
                "host_party_id",
                "chair_id",
                "duration_minutes",
                "delay_minutes",
                "summary",
                "atmosphere",
                "slug",
            ),
            labels={
                "negotiation_id": "Negotiation",
                "sequence": "Round number",
                "date_precision": "Precision of the date",
                "date_note": "Date in the sources' words",
                "scheduled_start": "Scheduled start (local)",
                "start_time": "Began at (local)",
                "timezone": "Time zone",
                "host_party_id": "Host",
                "chair_id": "Chair",
                "duration_minutes": "Duration in minutes",
                "delay_minutes": "Delay in minutes",
                "slug": "Address",
            },
            hints={
                "sequence": "1 for the first round of its negotiation.",
                "date": "YYYY-MM-DD. For a month known only, give its 1st and choose “month” below.",
                "date_note": "For example: before the end of June.",
                "scheduled_start": "HH:MM. The time announced beforehand.",
                "start_time": "HH:MM. When the talks actually began, as reported; empty if no source says.",
                "timezone": "For example: Europe/Istanbul.",
                "duration_minutes": "Leave empty where sources differ; add what each says as a reported figure.",
                "slug": "Left empty, it is made from the date and the city (2025-06-02-istanbul).",
            },
            slug_from=("date", "city"),
            sections=ROUND_SECTIONS,
            public_path="/rounds/{slug}",
            groups=(
                ("The round", ("negotiation_id", "sequence", "status")),
                (
                    "When and where",
                    (
                        "date",
                        "date_precision",
                        "date_note",
                        "scheduled_start",
                        "start_time",
                        "timezone",
                        "city",
                        "venue",
                        "host_party_id",
                        "chair_id",
                    ),
                ),
                ("How it went", ("duration_minutes", "delay_minutes", "summary", "atmosphere")),
                ("Its address", ("slug",)),
            ),
        ),
        KindSpec(
            "delegations",
            "delegation",
            "delegations",
            ("round_id", "party_id", "note"),
            labels={"party_id": "Party", "round_id": "Round"},
            fixed=("round_id",),
            embedded=Embedded("delegation_members", "delegation_id", ("person_id",), ("person_id", "title", "is_head")),
            shown_under="round_id",
        ),
        KindSpec(
            "delegation_members",
            "delegation member",
            "delegation members",
            ("delegation_id", "person_id", "title", "is_head"),
            labels={"person_id": "Person", "title": "Title at the time", "is_head": "Head of the delegation"},
        ),
        KindSpec(
            "outcomes",
            "outcome",
            "outcomes",
            (
                "round_id",
                "kind",
                "topic_id",
                "title",
                "status",
                "implemented_on",
                "implemented_precision",
                "description",
            ),
            labels={
                "round_id": "Round",
                "kind": "What it is",
                "topic_id": "Topic it bears on",
                "implemented_on": "Carried out on",
                "implemented_precision": "Precision of the date",
            },
            fixed=("round_id",),
            embedded=Embedded("outcome_parties", "outcome_id", ("party_id",), ("party_id",)),
            shown_under="round_id",
        ),
        KindSpec("outcome_parties", "party concerned", "parties concerned", ("outcome_id", "party_id")),
        KindSpec(
            "outcome_steps",
            "step",
            "steps",
            ("outcome_id", "happened_on", "date_precision", "status", "description"),
            labels={
                "outcome_id": "Outcome",
                "happened_on": "When",
                "date_precision": "Precision of the date",
                "status": "After this step, the outcome is",
                "description": "What happened",
            },
            hints={
                "happened_on": "YYYY-MM-DD. For a month known only, give its 1st and choose “month” below.",
                "description": "For example: the first 390 prisoners each side exchanged.",
            },
        ),
        KindSpec(
            "documents",
            "document",
            "documents",
            (
                "negotiation_id",
                "round_id",
                "kind",
                "title",
                "status",
                "dated_on",
                "date_precision",
                "language",
                "standpoint",
                "summary",
                "slug",
            ),
            labels={
                "negotiation_id": "Negotiation",
                "round_id": "Handed over or published at",
                "kind": "What it is",
                "dated_on": "Dated",
                "date_precision": "Precision of the date",
                "slug": "Address",
            },
            hints={
                "title": "As readers will know it: Russian memorandum, Ukrainian memorandum.",
                "round_id": "The round where it was handed over or published, if one.",
                "language": "The language of the text the record holds: en, uk, ru.",
                "standpoint": "Whose text it is and how the record knows it: Russia's proposal, as TASS published it.",
                "slug": "Left empty, it is made from the date and the title.",
            },
            slug_from=("dated_on", "title"),
            embedded=Embedded("document_parties", "document_id", ("party_id",), ("party_id",)),
            sections=(Section("document_versions", "document_id", "Versions of its text", "Add a version"),),
            public_path="/documents/{slug}",
            groups=(
                ("The document", ("negotiation_id", "round_id", "kind", "title", "status", "summary")),
                ("When, in what language, from whom", ("dated_on", "date_precision", "language", "standpoint")),
                ("Its address", ("slug",)),
            ),
        ),
        KindSpec("document_parties", "author", "authors", ("document_id", "party_id")),
        KindSpec(
            "document_versions",
            "version",
            "versions",
            ("document_id", "number", "label", "dated_on", "date_precision", "note"),
            labels={
                "document_id": "Document",
                "number": "Version number",
                "label": "What this version is",
                "dated_on": "Dated",
                "date_precision": "Precision of the date",
                "note": "How the record came by this text",
            },
            hints={
                "number": "1 for the first text known, then 2, 3 …",
                "label": "For example: as handed over in Istanbul.",
                "note": "Where the text comes from and how far it is the original's words.",
            },
            fixed=("document_id",),
            # A version has a composer of its own, for its clauses; the document's lists its versions.
            sections=(Section("clauses", "version_id", "Clauses", "Add a clause"),),
        ),
        KindSpec(
            "clauses",
            "clause",
            "clauses",
            ("version_id", "sort_order", "number", "heading", "text"),
            labels={"version_id": "Version", "sort_order": "Place in the list", "number": "Number"},
            hints={
                "sort_order": "Clauses are listed by this, lowest first.",
                "number": "As the text numbers it: 1, 2.3, IV.",
            },
            fixed=("version_id",),
            embedded=Embedded("clause_topics", "clause_id", ("topic_id",), ("topic_id",)),
            shown_under="version_id",
        ),
        KindSpec("clause_topics", "topic of the clause", "topics of the clause", ("clause_id", "topic_id")),
        KindSpec(
            "clause_pairs",
            "clause set beside it",
            "clauses set beside it",
            ("clause_id", "paired_id"),
            labels={"paired_id": "Set beside this clause of another document"},
            hints={
                "paired_id": "When the two documents are compared, the two clauses share a row, whatever their topics."
            },
        ),
        KindSpec(
            "positions",
            "position",
            "positions",
            (
                "negotiation_id",
                "round_id",
                "stated_on",
                "stated_precision",
                "party_id",
                "topic_id",
                "speaker_id",
                "stated_in",
                "clause_id",
                "summary",
                "text",
                "quote",
            ),
            labels={
                "clause_id": "From the clause",
                "negotiation_id": "Negotiation",
                "round_id": "Stated at",
                "stated_on": "Or stated on",
                "stated_precision": "Date known to the",
                "party_id": "Party",
                "topic_id": "Topic",
                "speaker_id": "Speaker",
                "stated_in": "Stated in",
                "summary": "In one line",
                "text": "More fully",
                "quote": "Their words, quoted",
            },
            hints={
                "round_id": "Stated at this round.",
                "stated_on": "Stated on this date (between rounds).",
                "stated_in": "For example: the Russian memorandum.",
                "clause_id": "The clause of a document on the record that the position comes from.",
            },
            fixed=("round_id", "negotiation_id"),
            shown_under="round_id",
        ),
        KindSpec(
            "gap_assessments",
            "assessment of the gap",
            "assessments of the gap",
            ("round_id", "topic_id", "state", "note"),
            labels={"topic_id": "Topic", "state": "How far apart"},
            fixed=("round_id",),
            shown_under="round_id",
        ),
        KindSpec(
            "movements",
            "movement",
            "movements",
            ("round_id", "party_id", "topic_id", "move", "note"),
            labels={
                "party_id": "Party",
                "topic_id": "Topic",
                "move": "Since the round before, its stance",
                "note": "What moved",
            },
            hints={"note": "What changed in the party's words, and why you judge it so; cite the sources below."},
            fixed=("round_id",),
            shown_under="round_id",
        ),
        KindSpec(
            "events",
            "event",
            "events",
            ("negotiation_id", "title", "kind", "date", "date_precision", "description", "slug"),
            labels={
                "negotiation_id": "Negotiation",
                "kind": "What kind",
                "date_precision": "Precision of the date",
                "slug": "Address",
            },
            hints={"slug": "Left empty, it is made from the date and the title."},
            fixed=("negotiation_id",),
            slug_from=("date", "title"),
        ),
        KindSpec(
            "reported_figures",
            "reported figure",
            "reported figures",
            ("round_id", "outcome_id", "measure", "as_reported", "low", "high", "unit"),
            labels={
                "round_id": "Round",
                "outcome_id": "Outcome",
                "measure": "What it measures",
                "as_reported": "In the source's words",
                "low": "At least",
                "high": "At most",
            },
            hints={
                "as_reported": "For example: under an hour.",
                "low": "Minutes for a duration or delay. Leave empty when the source gives no lower bound.",
                "high": "Leave empty when the source gives no upper bound.",
                "unit": "For a count: prisoners each side, bodies …",
            },
            fixed=("round_id",),
            shown_under="round_id",
        ),
    )
}

# Kinds an editor may open on their own; members and parties concerned are entered inside their parent.
EMBEDDED_ONLY = ("delegation_members", "outcome_parties", "negotiation_parties", "document_parties", "clause_topics")
EDITABLE = tuple(key for key in SPECS if key not in EMBEDDED_ONLY)


def spec_of(key: str) -> KindSpec:
    return SPECS[key]
