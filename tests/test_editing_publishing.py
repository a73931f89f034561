"""Publishing (app/editing/publishing.py): the three-way merge of a draft with what others published
since, field by field, as MediaWiki merges an edit.

Each case is a record as the draft began from it (base), as the draft has it (ours) and as it is
published now (theirs); the database plays no part."""

from typing import Any

from app.editing import publishing
from app.editing.drafts import DraftView, Item
from app.editing.kinds import spec_of

BASE = {"summary": "Talks began.", "atmosphere": "Tense.", "city": "Istanbul"}


def changed(
    ours: dict[str, Any],
    theirs: dict[str, Any],
    *,
    sources: tuple[list[int], list[int], list[int]] = ([1], [1], [1]),
    key: str = "rounds:2",
    versions: tuple[int, int] = (3, 4),
) -> Item:
    """A published record the draft changed from version ``versions[0]``, published since as ``versions[1]``."""
    base_sources, our_sources, their_sources = sources
    return Item(
        key,
        key.split(":")[0],
        int(key.split(":")[1]),
        {**BASE, **ours},
        our_sources,
        "changed",
        live={"fields": {**BASE, **theirs}, "sources": their_sources, "version": versions[1]},
        base={"fields": dict(BASE), "sources": base_sources, "version": versions[0]},
    )


def merge(*items: Item, resolutions: dict[str, dict[str, Any]] | None = None) -> list[publishing.Conflict]:
    view = DraftView(spec=spec_of("rounds"), root=items[0], items={i.key: i for i in items})
    return publishing.merge(view, resolutions)


def test_a_field_only_one_side_changed_takes_that_sides_value() -> None:
    item = changed({"summary": "Talks began late."}, {"atmosphere": "Businesslike."})
    assert merge(item) == []
    assert item.fields == {"summary": "Talks began late.", "atmosphere": "Businesslike.", "city": "Istanbul"}


def test_a_clean_merge_starts_the_draft_from_what_is_published() -> None:
    item = changed({"summary": "Talks began late."}, {"atmosphere": "Businesslike."})
    live = item.live
    merge(item)
    assert item.base is live


def test_both_sides_making_the_same_change_is_no_conflict() -> None:
    item = changed({"city": "Ankara"}, {"city": "Ankara"})
    assert merge(item) == [] and item.fields["city"] == "Ankara"


def test_a_field_both_changed_differently_is_a_conflict_with_the_words_marked() -> None:
    item = changed({"summary": "Talks began an hour late."}, {"summary": "Talks began on time."})
    before = item.base
    [conflict] = merge(item)
    assert (conflict.key, conflict.label, conflict.field, conflict.field_label) == (
        "rounds:2",
        "Round “Talks began an hour late.”",
        "summary",
        "Summary",
    )
    assert (conflict.base, conflict.theirs, conflict.yours, conflict.version) == (
        "Talks began.",
        "Talks began on time.",
        "Talks began an hour late.",
        4,
    )
    assert [(s.op, s.text) for s in conflict.yours_diff] == [
        ("equal", "Talks "),
        ("delete", "began."),
        ("equal", " "),
        ("insert", "began an hour late."),
    ]
    assert [(s.op, s.text) for s in conflict.theirs_diff if s.op == "insert"] == [("insert", "began on time.")]
    assert item.fields["summary"] == "Talks began an hour late.", "the draft keeps its words until resolved"
    assert item.base is before, "a record left in conflict still starts from what the draft began with"


def test_a_resolution_for_the_version_shown_decides_the_field() -> None:
    for choice, expected in [("theirs", "Talks began on time."), ("yours", "Talks began an hour late.")]:
        item = changed({"summary": "Talks began an hour late."}, {"summary": "Talks began on time."})
        resolutions = {"rounds:2": {"version": 4, "fields": {"summary": choice}}}
        assert merge(item, resolutions=resolutions) == []
        assert item.fields["summary"] == expected and item.base is item.live


def test_a_resolution_for_an_older_version_or_of_neither_side_decides_nothing() -> None:
    for resolution in [
        {"version": 3, "fields": {"summary": "yours"}},
        {"version": 4, "fields": {"summary": "both"}},
        {"version": 4, "fields": {"atmosphere": "yours"}},
        {"version": 4},
    ]:
        item = changed({"summary": "Talks began an hour late."}, {"summary": "Talks began on time."})
        assert [c.field for c in merge(item, resolutions={"rounds:2": resolution})] == ["summary"]


def test_sources_merge_as_a_set() -> None:
    reordered = changed({}, {}, sources=([1, 2], [2, 1], [1, 2]))
    assert merge(reordered) == [] and reordered.sources == [1, 2]
    theirs_added = changed({}, {}, sources=([2, 1], [2, 1], [3, 1, 2]))
    assert merge(theirs_added) == [] and theirs_added.sources == [1, 2, 3]


def test_sources_both_changed_differently_are_a_conflict() -> None:
    item = changed({}, {}, sources=([2, 1], [1], [1, 2, 3]))
    [conflict] = merge(item)
    assert (conflict.field, conflict.field_label, conflict.base, conflict.theirs, conflict.yours) == (
        "sources",
        "Sources",
        "1, 2",
        "1, 2, 3",
        "1",
    )
    assert item.sources == [1]
    merge(item, resolutions={"rounds:2": {"version": 4, "fields": {"sources": "theirs"}}})
    assert item.sources == [1, 2, 3]


def test_only_changes_to_records_published_anew_since_are_merged() -> None:
    same_version = changed({"summary": "Mine."}, {"summary": "Theirs."}, versions=(4, 4))
    new = Item("outcomes:+1", "outcomes", None, {"title": "New"}, [], "new")
    removed = changed({"summary": "Mine."}, {"summary": "Theirs."}, key="rounds:1")
    removed.state = "removed"
    deleted_since = changed({"summary": "Mine."}, {"summary": "Theirs."}, key="rounds:3")
    deleted_since.live = None
    assert merge(same_version, new, removed, deleted_since) == []
    assert [i.fields.get("summary") for i in (same_version, removed, deleted_since)] == ["Mine."] * 3
    assert new.fields == {"title": "New"}


def test_a_conflict_in_one_record_does_not_hold_back_another() -> None:
    clashing = changed({"summary": "Mine."}, {"summary": "Theirs."})
    clean = changed({}, {"city": "Ankara"}, key="rounds:1")
    assert [c.key for c in merge(clashing, clean)] == ["rounds:2"]
    assert clean.fields["city"] == "Ankara" and clean.base is clean.live
