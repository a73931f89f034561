"""The composer: one page for a record and everything that hangs on it, each part saved in place.

For a round that is the round's facts, its delegations (heads and members), outcomes (and the
parties they concern), the positions stated there, reported figures, the state of the gap and the
events around it; for a negotiation its parties; for anything else its own form. Each part is an
item form that saves into the editor's draft (started at the first save), so nothing reaches
readers until the draft is published, and the page always says what publishing will change.

Routes call ``page`` to show a composer and ``save_item`` / ``remove_item`` to change a draft.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from app.core.db import read
from app.core.errors import NotFound
from app.editing import drafts, forms, history, pickers
from app.editing.drafts import DraftView, Item
from app.editing.fields import OPTION_LABELS
from app.editing.forms import ItemForm
from app.editing.kinds import Embedded, KindSpec, Section, spec_of
from app.editing.publishing import Conflict
from app.editing.validation import Problem
from app.reading import schemas
from app.reading.documents import version_address
from app.record.models import Draft, NegotiationParty, Party, User, as_utc

RECORD = "record"


@dataclass
class Card:
    """One item of the composer: what it says, and — while it is being edited — its form.

    Only the card being edited carries a form: the others show what they say, with a link that
    opens their form in place (htmx), or the composer with that form open (without JavaScript).
    """

    item: Item
    form: ItemForm | None
    section: str
    anchor: str
    action: str
    title: str
    notice: str = ""
    embedded_kind: str | None = None
    summary: list[str] = field(default_factory=list)
    cited: list[str] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.form is not None

    @property
    def status(self) -> str:
        return {
            "new": "New, not yet published",
            "changed": "Changed, not yet published",
            "removed": "To be deleted",
        }.get(self.item.state, "")


@dataclass
class Box:
    """A section of the composer: its cards, and a blank form to add one more."""

    key: str
    heading: str
    add: str
    cards: list[Card]
    blank: Card | None


@dataclass
class ChangeLine:
    anchor: str
    label: str
    state: str
    fields: list[str]


@dataclass
class OtherDraft:
    """Someone else's unpublished changes to this record, shown before anyone builds on them."""

    draft: Draft
    author: str
    saved: Any
    changes: list[tuple[str, list[schemas.FieldChange]]]


@dataclass
class Page:
    spec: KindSpec
    view: DraftView
    draft: Draft | None
    base: str  # where this composer's forms post
    heading: str
    record: Card
    boxes: list[Box]
    changes: list[ChangeLine]
    others: list[OtherDraft] = field(default_factory=list)
    problems: list["ProblemLink"] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    public_url: str | None = None
    notice: str = ""
    # Options of the short lists on the page, as (value, label).
    choices: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    source_labels: dict[int, str] = field(default_factory=dict)

    @property
    def is_new(self) -> bool:
        return self.view.root.id is None


def base_url(spec: KindSpec, entity_id: int | None, draft: Draft | None) -> str:
    if draft is not None:
        return f"/drafts/{draft.id}"
    return f"/edit/{spec.key}/{entity_id if entity_id is not None else 'new'}"


def ref(item: Item) -> str:
    """How an item is named in addresses and anchors: its id, or n3 for the draft's third new record."""
    return str(item.id) if item.id is not None else "n" + item.key.rsplit("+", 1)[-1]


def anchor(item: Item) -> str:
    return f"{item.kind}-{ref(item)}"


# ---------------------------------------------------------------- showing a composer


def _fixed(view_: DraftView, spec: KindSpec, section: Section | None) -> dict[str, Any]:
    """What an item of a section takes from where it is entered: its round, its negotiation."""
    if section is None:
        return {}
    values: dict[str, Any] = {section.parent: view_.parent_value(section)}
    for name in spec.fixed:
        if name not in values:
            values[name] = view_.root.fields.get(name) if name in view_.root.fields else None
    return values


def _card(
    session: Session,
    view_: DraftView,
    item: Item,
    section: Section | None,
    base: str,
    *,
    form: ItemForm | None = None,
    editing: bool = False,
) -> Card:
    key = section.kind if section else RECORD
    if form is None and editing:
        form = forms.shown_form(session, view_, item, show_fixed=section is None)
    return Card(
        item=item,
        form=form,
        section=key,
        anchor=anchor(item) if section else RECORD,
        action=f"{base}/items/{key}/{ref(item)}",
        title=drafts.title_of(session, item),
        embedded_kind=item.spec.embedded.kind if item.spec.embedded else None,
    )


def _blank(session: Session, view_: DraftView, section: Section, base: str, *, editing: bool = False) -> Card:
    spec = spec_of(section.kind)
    item = Item(f"{section.kind}:+new", section.kind, None, _fixed(view_, spec, section), [], "new")
    if section.kind == "events" and view_.root.fields.get("date"):
        item.fields["date"] = view_.root.fields["date"]
    card = _card(session, view_, item, section, base, editing=editing)
    card.action = f"{base}/items/{section.kind}/new"
    card.anchor = f"{section.kind}-new"
    card.title = section.add
    return card


# What each kind's card says when its form is closed, besides its title.
SUMMARY = {
    "rounds": (
        "status",
        "date_note",
        "city",
        "venue",
        "host_party_id",
        "chair_id",
        "duration_minutes",
        "delay_minutes",
    ),
    "delegations": ("note",),
    "outcomes": ("kind", "status", "implemented_on"),
    "positions": ("speaker_id", "stated_in"),
    "reported_figures": ("low", "high", "unit"),
    "gap_assessments": ("note",),
    "events": ("date", "kind"),
    "parties": ("short_name", "colour"),
    "people": ("name_native", "party_id", "title"),
    "topics": ("description",),
    "sources": ("publisher", "citing", "via", "url", "published_on", "standpoint"),
    "negotiations": ("description",),
}
NAMED = frozenset({"people", "parties", "topics", "sources"})


def _summarise(session: Session, view_: DraftView, cards: list[Card]) -> None:
    """Fill each card's summary: its main fields, who is in it, and its sources, named in a few queries."""
    names = _names(session, view_, cards)
    for card in cards:
        item = card.item
        card.summary += _main_fields(item, names)
        if item.kind in INSIDE:
            card.summary += INSIDE[item.kind](view_, item, names)
        if item.spec.cites:
            card.cited = [names["sources"].get(s, f"source {s}") for s in item.sources]


def _names(session: Session, view_: DraftView, cards: list[Card]) -> dict[str, dict[int, str]]:
    """The people, parties, topics and sources the cards name, and the records inside them, one query a kind."""
    wanted: dict[str, set[int]] = {kind: set() for kind in NAMED}
    for card in cards:
        for item in [card.item, *view_.embedded(card.item)]:
            for column, kind in drafts.reference_columns(item.kind).items():
                if kind in NAMED and isinstance(item.fields.get(column), int):
                    wanted[kind].add(item.fields[column])
            wanted["sources"].update(item.sources)
    return {kind: pickers.labels(session, kind, ids) for kind, ids in wanted.items()}


def _main_fields(item: Item, names: dict[str, dict[int, str]]) -> list[str]:
    """The fields ``SUMMARY`` lists for the item's kind that say something, each as "Label: value"."""
    refs = drafts.reference_columns(item.kind)
    lines = []
    for name in SUMMARY.get(item.kind, ()):
        value = item.fields.get(name)
        if value in (None, "", False):
            continue
        if name in refs:
            value = names.get(refs[name], {}).get(value, value)
        text = str(value)
        if name in ("status", "kind"):  # as the form's choices name them: "Held", "Follow-up talks"
            text = OPTION_LABELS.get(text, text.replace("_", " ").capitalize())
        lines.append(f"{item.spec.label(name)}: {text[:160]}")
    return lines


def _delegation_people(view_: DraftView, item: Item, names: dict[str, dict[int, str]]) -> list[str]:
    members = [m for m in view_.embedded(item) if m.state != "removed"]
    members.sort(key=lambda m: not m.fields.get("is_head"))  # the head first; the others keep their order
    people = [_member(m, names["people"]) for m in members]
    return ["People: " + ("; ".join(people) if people else "nobody named yet")]


def _member(member: Item, people: dict[int, str]) -> str:
    """A member as their delegation's card lists them: "Rustem Umerov (head), Defence Minister"."""
    line = people.get(member.fields.get("person_id") or 0, "?")
    if member.fields.get("is_head"):
        line += " (head)"
    if member.fields.get("title"):
        line += f", {member.fields['title']}"
    return line


def _parties_concerned(view_: DraftView, item: Item, names: dict[str, dict[int, str]]) -> list[str]:
    concerned = [
        names["parties"].get(p.fields.get("party_id") or 0, "?") for p in view_.embedded(item) if p.state != "removed"
    ]
    return ["Concerns: " + ", ".join(concerned)] if concerned else []


# What a card says of the records entered inside it, for kinds that have them.
INSIDE: dict[str, Callable[[DraftView, Item, dict[str, dict[int, str]]], list[str]]] = {
    "delegations": _delegation_people,
    "outcomes": _parties_concerned,
}


def page(
    session: Session,
    *,
    spec: KindSpec,
    entity_id: int | None,
    draft: Draft | None,
    editor: User,
    prefill: Mapping[str, str] | None = None,
    focus: Card | None = None,
    editing: str | None = None,
) -> Page:
    """The composer of ``spec``'s record (None: a new one), under ``draft`` (None: as published).

    ``editing`` names the card whose form is open (by anchor); ``focus`` is a card as just sent,
    shown in place of its stored self with what was typed and what is wrong.
    """
    view_ = drafts.view(session, spec=spec, entity_id=entity_id, draft=draft)
    base = base_url(spec, entity_id, draft)
    record = _record_card(session, view_, spec, base, editing=editing, prefill=prefill or {})
    # A record not yet saved shows its own form alone: what hangs on it is added once it is in the draft.
    boxes = [] if _unsaved(view_) else _boxes(session, view_, spec, base, editing=editing)
    if focus is not None:
        _replace(record, boxes, focus)
    every = _cards(record, boxes)
    _summarise(session, view_, [c for c in every if c.item.fields])
    heading = drafts.title_of(session, view_.root) if view_.root.fields else f"New {spec.noun}"
    with_forms = [c for c in every if c.form is not None]
    found = Page(
        spec=spec,
        view=view_,
        draft=draft,
        base=base,
        heading=heading,
        record=record,
        boxes=boxes,
        changes=_changes(session, view_),
        public_url=_public_url(session, spec, view_.root),
        choices=_choices(session, view_, with_forms),
        source_labels=_source_labels(session, with_forms),
    )
    if entity_id is not None:
        found.others = _others(session, spec, entity_id, editor)
    return found


def _unsaved(view_: DraftView) -> bool:
    """A new record nothing has been saved of yet, in a draft or anywhere."""
    return view_.root.id is None and not view_.root.fields


def _record_card(
    session: Session, view_: DraftView, spec: KindSpec, base: str, *, editing: str | None, prefill: Mapping[str, str]
) -> Card:
    """The record's own card, open when asked for, when the record is new, or when it is all there is to edit."""
    unsaved = _unsaved(view_)
    record = _card(session, view_, view_.root, None, base, editing=unsaved or editing == RECORD or not spec.sections)
    if unsaved and record.form is not None:
        _defaults(session, record.form, prefill)
    return record


def _boxes(session: Session, view_: DraftView, spec: KindSpec, base: str, *, editing: str | None) -> list[Box]:
    """A box for each section of the record (a round's delegations, outcomes …), the card ``editing`` names open."""
    boxes = []
    for section in spec.sections:
        cards = [
            _card(session, view_, item, section, base, editing=editing == anchor(item))
            for item in view_.section_items(section)
        ]
        blank = _blank(session, view_, section, base, editing=editing == f"{section.kind}-new")
        boxes.append(Box(section.kind, section.heading, section.add, cards, blank))
    return boxes


def _cards(record: Card, boxes: list[Box]) -> list[Card]:
    """Every card on the page, in order, the blank ones that add a record included."""
    return [record, *(c for b in boxes for c in [*b.cards, *([b.blank] if b.blank else [])])]


def _public_url(session: Session, spec: KindSpec, root: Item) -> str | None:
    """Where readers see the record, for kinds with a page of their own, once it is published; a
    version of a document is seen on its document's page."""
    if spec.key == "document_versions" and root.id:
        slug, number = version_address(session=session, version_id=root.id)
        return f"/documents/{slug}?version={number}"
    if not (spec.public_path and root.id):
        return None
    return spec.public_path.format(slug=root.fields.get("slug"))


def _source_labels(session: Session, cards: list[Card]) -> dict[int, str]:
    """The sources the open forms cite, named, for their lists of attached sources."""
    return pickers.labels(session, "sources", {s for card in cards if card.form for s in card.form.sources})


def card_of(page_: Page, anchor_: str) -> Card:
    """The card the page shows under ``anchor_``, to send alone (htmx opening one form)."""
    for card in _cards(page_.record, page_.boxes):
        if card.anchor == anchor_:
            return card
    raise NotFound("That part of the record is not on this page any more.")


def _defaults(session: Session, form: ItemForm, prefill: Mapping[str, str]) -> None:
    """What a new record's form starts with: a colour for a party, the negotiation a link named
    (``/edit/rounds/new?negotiation=slug``) and the round number that comes next in it."""
    import sqlalchemy as sa
    from sqlmodel import col

    from app.record.models import Negotiation, Round

    spec = form.spec
    if spec.key == "parties":
        form.typed["colour"] = pickers.suggest_colour(session)
    if spec.key == "rounds":
        form.typed.setdefault("status", "held")
        form.typed["status"] = form.typed["status"] or "held"
        slug = prefill.get("negotiation", "")
        negotiation = session.execute(sa.select(col(Negotiation.id)).where(col(Negotiation.slug) == slug)).scalar()
        if negotiation is None:
            found = pickers.choices(session, "negotiations")
            negotiation = found[0].id if len(found) == 1 else None
        if negotiation is not None:
            form.typed["negotiation_id"] = str(negotiation)
            last = session.execute(
                sa.select(sa.func.max(col(Round.sequence))).where(col(Round.negotiation_id) == negotiation)
            ).scalar()
            form.typed["sequence"] = str((last or 0) + 1)
    if spec.key == "outcome_steps" and prefill.get("outcome_id", "").isdigit():
        form.typed["outcome_id"] = prefill["outcome_id"]  # "Add a step" on an outcome's page
    if spec.key == "document_versions" and prefill.get("document_id", "").isdigit():
        # "Add a version" on a document's page: its document, and the number that comes next.
        from app.record.models import DocumentVersion

        document_id = int(prefill["document_id"])
        form.typed["document_id"] = str(document_id)
        last = session.execute(
            sa.select(sa.func.max(col(DocumentVersion.number))).where(col(DocumentVersion.document_id) == document_id)
        ).scalar()
        form.typed["number"] = str((last or 0) + 1)


def _replace(record: Card, boxes: list[Box], focus: Card) -> None:
    """Show a card as just sent (errors and all) in place of its stored self."""
    if focus.section == RECORD:
        record.form, record.notice = focus.form, focus.notice
        return
    for box in boxes:
        if box.key != focus.section:
            continue
        if focus.anchor.endswith("-new") and box.blank is not None:
            box.blank.form, box.blank.notice = focus.form, focus.notice
            return
        for card in box.cards:
            if card.item.key == focus.item.key:
                card.form, card.notice = focus.form, focus.notice
                return


def _changes(session: Session, view_: DraftView) -> list[ChangeLine]:
    """Every record the draft changes, named as the composer names it, with the fields it changes.

    Members of a delegation, and the like, are listed under the record they are entered in.
    """
    lines: dict[str, ChangeLine] = {}
    states = {"new": "new", "changed": "changed", "removed": "to be deleted"}
    for item in view_.changed():
        owner = _entered_in(view_, item)
        if owner is not None:
            where = RECORD if owner.key == view_.root.key else anchor(owner)
            line = lines.setdefault(
                where,
                ChangeLine(
                    where,
                    f"{owner.spec.noun.capitalize()}: {drafts.title_of(session, owner)}",
                    states.get(owner.state, "changed"),
                    [],
                ),
            )
            plural = item.spec.plural
            if plural not in line.fields:
                line.fields.append(plural)
            continue
        where = RECORD if item.key == view_.root.key else anchor(item)
        changed = [("sources" if n == "sources" else item.spec.label(n)) for n in item.changed_fields()]
        line = lines.setdefault(
            where,
            ChangeLine(
                where, f"{item.spec.noun.capitalize()}: {drafts.title_of(session, item)}", states[item.state], []
            ),
        )
        line.state = states[item.state]
        line.fields = [*changed, *(f for f in line.fields if f not in changed)]
    return list(lines.values())


def _entered_in(view_: DraftView, item: Item) -> Item | None:
    """The record ``item`` is entered inside (a member's delegation), if it is such a record."""
    for parent in view_.items.values():
        embedded = parent.spec.embedded
        if embedded is not None and embedded.kind == item.kind:
            value = parent.id if parent.id is not None else parent.key
            if item.fields.get(embedded.parent) == value:
                return parent
    return None


def _others(session: Session, spec: KindSpec, entity_id: int, editor: User) -> list[OtherDraft]:
    found = []
    for theirs, author in drafts.others_drafts(session, kind=spec.key, entity_id=entity_id, author=editor):
        view_ = drafts.view(session, spec=spec, entity_id=entity_id, draft=theirs)
        changes = []
        for item in view_.changed():
            before = item.base or item.live or {"fields": {}, "sources": []}
            after = (
                {"fields": item.fields, "sources": item.sources}
                if item.state != "removed"
                else {"fields": {}, "sources": []}
            )
            label = f"{item.spec.noun.capitalize()}: {drafts.title_of(session, item)}" + (
                " (to be deleted)" if item.state == "removed" else ""
            )
            changes.append((label, history.compare_snapshots(before, after)))
        found.append(OtherDraft(theirs, author.name, as_utc(theirs.updated_at), changes))
    return found


def _choices(session: Session, view_: DraftView, cards: list[Card]) -> dict[str, list[tuple[str, str]]]:
    """Options for the short lists on the page (negotiations, rounds …): loaded once per page."""
    wanted = {
        f.reference for card in cards if card.form for f in card.form.visible if f.widget == "choice" and f.reference
    }
    negotiation = view_.root.fields.get("negotiation_id")
    found = {kind: pickers.choices(session, kind) for kind in wanted if kind}
    if "rounds" in found and isinstance(negotiation, int):
        found["rounds"] = pickers.choices(session, "rounds", negotiation_id=negotiation)
    found["negotiation_parties"] = negotiation_parties(session, negotiation if isinstance(negotiation, int) else None)
    return {kind: [(str(o.id), o.label) for o in options] for kind, options in found.items()}


def negotiation_parties(session: Session, negotiation_id: int | None) -> list[pickers.Option]:
    """The parties of a negotiation, for "which parties does this outcome concern"; all parties without one."""
    rows = (
        read(session, _ALL_PARTIES)
        if negotiation_id is None
        else read(session, _PARTIES_OF, {"negotiation_id": negotiation_id})
    )
    return [pickers.Option(row.id, row.name) for row in rows]


_ALL_PARTIES = sa.select(col(Party.id), col(Party.name)).order_by(col(Party.name))
_PARTIES_OF = _ALL_PARTIES.where(
    col(Party.id).in_(
        sa.select(col(NegotiationParty.party_id)).where(
            col(NegotiationParty.negotiation_id) == sa.bindparam("negotiation_id")
        )
    )
)


# ---------------------------------------------------------------- saving a part


@dataclass
class Saved:
    """What became of a save: the draft it went into, and the card to show again (with its errors)."""

    draft: Draft
    card: Card
    ok: bool


def _find(
    view_: DraftView, spec: KindSpec, section_key: str, item_ref: str, draft: Draft
) -> tuple[Item, Section | None]:
    if section_key == RECORD:
        root = view_.root
        if root.id is None and root.key.endswith("+0"):
            root = Item(drafts.new_key(draft, spec.key), spec.key, None, {}, [], "new")
            view_.items[root.key] = root
            view_.root = root
        return root, None
    section = next((s for s in spec.sections if s.kind == section_key), None)
    if section is None:
        raise NotFound(f"A {spec.noun} has no part called {section_key!r}.")
    if item_ref == "new":
        fixed = _fixed(view_, spec_of(section.kind), section)
        item = Item(f"{section.kind}:+new", section.kind, None, fixed, [], "new")
        return item, section
    key = f"{section.kind}:{item_ref}" if item_ref.isdigit() else f"{section.kind}:+{item_ref.removeprefix('n')}"
    if key not in view_.items:
        raise NotFound(f"This {spec_of(section.kind).noun} is no longer in the draft or the record.")
    return view_.items[key], section


def _sent(
    session: Session,
    spec: KindSpec,
    entity_id: int | None,
    draft: Draft,
    section_key: str,
    item_ref: str,
    data: Mapping[str, Any],
    sources: list[str],
) -> tuple[DraftView, Item, Section | None, ItemForm]:
    """The draft as it stands, the part of it a form was sent for, and the form as it was sent."""
    view_ = drafts.view(session, spec=spec, entity_id=entity_id, draft=draft)
    item, section = _find(view_, spec, section_key, item_ref, draft)
    return view_, item, section, forms.read(data, item.spec, sources, show_fixed=section is None)


def check_item(
    session: Session,
    *,
    spec: KindSpec,
    entity_id: int | None,
    draft: Draft | None,
    editor: User,
    section_key: str,
    item_ref: str,
    data: Mapping[str, Any],
    sources: list[str],
) -> dict[str, str]:
    """What is wrong with one part of the composer as it is being filled in; nothing is kept.

    The same checks as a save, so that what an editor is told as they leave a field is what saving
    would tell them. The caller rolls back: checking may look up, never add.
    """
    if draft is None:
        assert editor.id is not None
        draft = Draft(kind=spec.key, entity_id=entity_id, author_id=editor.id, changes={}, next_key=1)
    view_, item, section, form = _sent(session, spec, entity_id, draft, section_key, item_ref, data, sources)
    forms.check(session, form, view_=view_, item=item, fixed=_fixed(view_, item.spec, section))
    return dict(form.errors)


def save_item(
    session: Session,
    *,
    spec: KindSpec,
    entity_id: int | None,
    draft: Draft | None,
    editor: User,
    section_key: str,
    item_ref: str,
    data: Mapping[str, Any],
    sources: list[str],
    action: str,
) -> Saved:
    """Check one part of the composer as sent and, when nothing is wrong, keep it in the editor's draft.

    ``action``: "save" (or "publish", which the caller follows with publishing the whole draft);
    "add_source" (add the new source described and attach it, saving nothing else); "more" (offer
    another empty row).
    """
    started = draft is None
    if draft is None:  # the editor's first save: their draft exists from now on, if the save goes through
        assert editor.id is not None
        draft = Draft(kind=spec.key, entity_id=entity_id, author_id=editor.id, changes={}, next_key=1)
    view_, item, section, form = _sent(session, spec, entity_id, draft, section_key, item_ref, data, sources)
    item_spec = item.spec
    base = base_url(spec, entity_id, draft)
    card = _card(session, view_, item, section, base, form=form)
    if item.key.endswith("+new"):
        card.action, card.anchor = f"{base}/items/{item.kind}/new", f"{item.kind}-new"
    if action == "more":
        form.spare_rows += 1
        return Saved(draft, card, ok=False)
    if action == "add_source":
        forms.check_new_source(session, form)
        if form.new_source_values is not None:
            forms.add_named(session, form, editor)
            card.notice = "Source added to the record and attached here. Save to keep it in your draft."
        return Saved(draft, card, ok=not any(k.startswith("new_source_") for k in form.errors))
    if item.key.endswith("+new"):
        item.key = drafts.new_key(draft, item.kind)
        view_.items[item.key] = item
    forms.check(session, form, view_=view_, item=item, fixed=_fixed(view_, item_spec, section))
    if form.errors:
        return Saved(draft, card, ok=False)
    forms.add_named(session, form, editor)
    if started:
        session.add(draft)
    drafts.seen(session, item, form.seen_version)
    drafts.put(draft, item, form.values, form.sources if item_spec.cites else [])
    if item_spec.embedded is not None:
        _put_embedded(draft, view_, item, form)
    session.flush()
    card = _card(session, view_, item, section, base_url(spec, entity_id, draft))
    card.notice = "Saved in your draft."
    return Saved(draft, card, ok=True)


def _put_embedded(draft: Draft, view_: DraftView, item: Item, form: ItemForm) -> None:
    """The records entered inside ``item`` become exactly the rows of its form."""
    embedded = item.spec.embedded
    assert embedded is not None
    current = {_identity(embedded, c.fields): c for c in view_.embedded(item) if c.state != "removed"}
    keep = set()
    for fields in _rows_as_records(item, embedded, form.row_values):
        # A row that names a record already inside (the same person, the same party) changes that record.
        child = current.get(_identity(embedded, fields))
        if child is None:
            child = Item(drafts.new_key(draft, embedded.kind), embedded.kind, None, {}, [], "new")
            view_.items[child.key] = child
        keep.add(child.key)
        drafts.put(draft, child, fields, [])
    for child in current.values():
        if child.key not in keep:
            drafts.remove(draft, view_, child)


def _identity(embedded: Embedded, fields: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(fields.get(f) for f in embedded.identity)


def _rows_as_records(item: Item, embedded: Embedded, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row as the fields of the record it stands for: what was typed, its parent, the model's defaults."""
    parent = item.id if item.id is not None else item.key
    model_fields = spec_of(embedded.kind).kind.record.model_fields
    records = []
    for values in rows:
        fields = {name: values.get(name) for name in embedded.fields} | {embedded.parent: parent}
        for name, info in model_fields.items():
            if name not in fields and name not in drafts.NOT_IN_DRAFTS:
                fields[name] = info.default
        records.append(fields)
    return records


def remove_item(
    session: Session,
    *,
    spec: KindSpec,
    entity_id: int | None,
    draft: Draft,
    section_key: str,
    item_ref: str,
    undo: bool,
) -> None:
    """Take an item out of the draft (to be deleted once published); with ``undo``, forget the draft's change to it."""
    view_ = drafts.view(session, spec=spec, entity_id=entity_id, draft=draft)
    item, _ = _find(view_, spec, section_key, item_ref, draft)
    if undo:
        drafts.restore(draft, item)
        for child in view_.embedded(item):
            drafts.restore(draft, child)
    else:
        drafts.remove(draft, view_, item)


# ---------------------------------------------------------------- what stops a publish, shown where it is


@dataclass(frozen=True)
class ProblemLink:
    anchor: str
    message: str


def problem_links(session: Session, page_: Page, problems: list[Problem]) -> list[ProblemLink]:
    """Each problem as a link to the part it is about; that part opens with the problem beside its field."""
    cards = {c.item.key: c for c in [page_.record, *(c for box in page_.boxes for c in box.cards)]}
    links = [_problem_link(session, page_.view, cards.get(problem.key), problem) for problem in problems]
    with_forms = [c for c in cards.values() if c.form is not None]
    page_.choices = _choices(session, page_.view, with_forms)
    page_.source_labels = _source_labels(session, with_forms)
    return links


def _problem_link(session: Session, view_: DraftView, card: Card | None, problem: Problem) -> ProblemLink:
    if card is None:  # entered inside another record (a member of a delegation): shown with that record
        return ProblemLink(RECORD, problem.message)
    if card.form is None:
        card.form = forms.shown_form(session, view_, card.item, show_fixed=card.section == RECORD)
    card.form.errors.setdefault(problem.field or "sources", problem.message)
    return ProblemLink(_problem_target(card, problem.field), problem.message)


def _problem_target(card: Card, field_: str | None) -> str:
    """The anchor of the field at fault: a delegation's missing members point at its rows."""
    if field_ == "members":
        return f"{card.anchor}-rows"
    return f"{card.anchor}-{field_}" if field_ else card.anchor


# ---------------------------------------------------------------- every draft


@dataclass(frozen=True)
class Listed:
    url: str
    noun: str
    title: str
    author: str
    mine: bool
    saved: Any
    changes: int


def all_drafts(session: Session, *, editor: User) -> list[Listed]:
    """Every draft of every kind, the editor's own first, newest first."""
    from sqlmodel import col, select

    rows = session.exec(
        select(Draft, User).join(User, col(User.id) == Draft.author_id).order_by(col(Draft.updated_at).desc())
    ).all()
    listed = []
    for draft, author in rows:
        if not draft.changes:
            continue
        spec = spec_of(draft.kind)
        try:
            view_ = drafts.view(session, spec=spec, entity_id=draft.entity_id, draft=draft)
        except NotFound:
            title = f"{spec.noun} deleted since"
            count = len(draft.changes)
        else:
            title = drafts.title_of(session, view_.root)
            count = len(_changes(session, view_))
        mine = draft.author_id == editor.id
        url = (
            f"/drafts/{draft.id}"
            if mine
            else (f"/edit/{draft.kind}/{draft.entity_id}" if draft.entity_id else f"/drafts/{draft.id}/preview")
        )
        listed.append(Listed(url, spec.noun, title, author.name, mine, as_utc(draft.updated_at), count))
    return sorted(listed, key=lambda d: not d.mine)


# ---------------------------------------------------------------- history of a record


def history_page(session: Session, *, spec: KindSpec, entity_id: int, a: str, b: str) -> dict[str, Any]:
    """Every revision of a record, newest first, and what changed between two of them."""
    row = session.get(spec.kind.table, entity_id)
    item = drafts.live_item(session, spec.key, entity_id) if row is not None else None
    listed = history.revisions(session=session, entity=spec.key, entity_id=entity_id)
    changes = None
    if a.isdigit() and b.isdigit():
        older = history.get_revision(session=session, entity=spec.key, entity_id=entity_id, revision_id=int(a))
        newer = history.get_revision(session=session, entity=spec.key, entity_id=entity_id, revision_id=int(b))
        changes = history.compare_snapshots(older.snapshot, newer.snapshot)
    public = None
    if spec.public_path and row is not None and getattr(row, "slug", None):
        public = spec.public_path.format(slug=row.slug)  # type: ignore[attr-defined]
    return {
        "spec": spec,
        "title": drafts.title_of(session, item) if item else f"{spec.noun} {entity_id} (deleted)",
        "base": f"/edit/{spec.key}/{entity_id}",
        "public": public,
        "version": getattr(row, "version", 0),
        "revisions": listed,
        "loaded": history.as_loaded(row) if row is not None and not listed else None,
        "changes": changes,
        "a": a,
        "b": b,
    }


# ---------------------------------------------------------------- an empty record


@dataclass(frozen=True)
class Step:
    label: str
    explanation: str
    count: int
    add: str
    listed: str | None
    first: str  # the link's words while there is none yet
    another: str


def first_steps(session: Session) -> list[Step]:
    """What to enter, in order, into a record with nothing in it yet (and how far it has got)."""
    import sqlalchemy as sa

    from app.record.models import Negotiation, Party, Person, Round, Topic

    def count(model: Any) -> int:
        return int(session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one())

    negotiation = session.execute(sa.select(Negotiation.__table__.c.slug).limit(1)).scalar()  # type: ignore[attr-defined]
    new_round = f"/edit/rounds/new?negotiation={negotiation}" if negotiation else "/edit/rounds/new"
    return [
        Step(
            "The negotiation",
            "The talks you follow, such as “Russia–Ukraine talks, Istanbul 2025”, and its parties with their roles.",
            count(Negotiation),
            "/edit/negotiations/new",
            None,
            "Create the negotiation",
            "Add another negotiation",
        ),
        Step(
            "The parties",
            "Each side, host and mediator. A chart colour that reads on light and dark pages is suggested for each.",
            count(Party),
            "/edit/parties/new",
            "/parties",
            "Add a party",
            "Add another party",
        ),
        Step(
            "The people",
            "Who leads and sits in the delegations, and who chairs; they can also be added as you name them.",
            count(Person),
            "/edit/people/new",
            None,
            "Add a person",
            "Add another person",
        ),
        Step(
            "The topics",
            "What is negotiated: ceasefire, prisoners, territory …; they can also be added as you name them.",
            count(Topic),
            "/edit/topics/new",
            "/topics",
            "Add a topic",
            "Add another topic",
        ),
        Step(
            "The first round",
            "When and where it met, who came, what it produced and what each side said, with your sources.",
            count(Round),
            new_round,
            "/timeline",
            "Put the first round on the record",
            "Add another round",
        ),
    ]
