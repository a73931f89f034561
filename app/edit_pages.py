"""Editors' pages: the round form (create and edit share it), history, restore, delete, drafts."""

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import escape
from pydantic import ValidationError
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from app import editing, history, record_forms
from app.accounts import AdminDep, EditorDep
from app.deps import FormDep, SessionDep
from app.errors import NotFound
from app.models import (
    DatePrecision,
    DelegationMember,
    Negotiation,
    Party,
    Person,
    Revision,
    RevisionAction,
    Round,
    RoundStatus,
    Source,
    SourceBase,
    Topic,
    User,
)
from app.params import Slug
from app.templating import render, templates, wants_fragment

router = APIRouter(include_in_schema=False)

NEW_SOURCE_FIELDS = ("url", "publisher", "title", "standpoint")
# Records a form can create in place, besides sources: a field that needs one names its kind.
CREATABLE = ("people", "topics")
SLUG_FOLDS = str.maketrans({"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae"})


def source_label(source: Source) -> str:
    """How a source reads in pickers; the id in brackets is what the form sends back."""
    return f"{source.publisher} — {source.title or source.url or 'untitled'} [#{source.id}]"


def _choices(session: Session) -> dict[str, Any]:
    negotiations = session.exec(select(Negotiation).order_by(col(Negotiation.title))).all()
    parties = session.exec(select(Party).order_by(col(Party.name))).all()
    people = session.exec(select(Person).order_by(col(Person.name))).all()
    sources = session.exec(select(Source).order_by(col(Source.publisher), col(Source.id))).all()
    return {
        "negotiations": [(n.slug, n.title) for n in negotiations],
        "statuses": [(s.value, s.value.capitalize()) for s in RoundStatus],
        "precisions": [(p.value, p.value) for p in DatePrecision],
        "parties": [(p.slug, p.name) for p in parties],
        "people": [(p.slug, f"{p.name}{', ' + p.title if p.title else ''}") for p in people],
        "sources": [source_label(s) for s in sources],
        "party_ids": [(str(p.id), p.name) for p in parties],
    }


def _round_by_slug(session: Session, slug: str) -> Round:
    """Editors reach drafts too, unlike rounds.get_round."""
    found = session.exec(select(Round).where(col(Round.slug) == slug)).first()
    if found is None:
        raise NotFound(f"There is no round {slug!r} in the record.")
    return found


def _show_form(
    request: Request,
    session: Session,
    form: editing.RoundForm,
    *,
    round_: Round | None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    labels = {
        s.id: source_label(s) for s in session.exec(select(Source).where(col(Source.id).in_(form.sources or [0])))
    }
    context = {
        "form": form,
        "errors": errors or {},
        "choices": _choices(session),
        "source_labels": labels,
        "round_slug": round_.slug if round_ else None,
        "round_id": round_.id if round_ else None,
        "published": bool(round_ and round_.published),
        "action": f"/rounds/{round_.slug}/edit" if round_ else "/rounds/new",
        "new_source": {},
        "new_source_errors": {},
        "conflict": None,
        "notice": None,
        "on_round": [
            {
                "kind": key,
                "heading": heading,
                "add": add,
                "rows": record_forms.in_round(session, history.kind_of(key), round_.id),
            }
            for key, heading, add in ON_ROUND
        ]
        if round_ and round_.id
        else [],
    } | extra
    response = render(request, "round_form.html", context, status_code=status_code)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _slug_for(session: Session, model: Any, name: str) -> str:
    """A free slug made from a name: "İbrahim Kalın" → "ibrahim-kalin"."""
    folded = unicodedata.normalize("NFKD", name.translate(SLUG_FOLDS)).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:70] or model.__tablename__.removesuffix("s")
    slug, n = base, 1
    while session.execute(sa.select(model.id).where(model.slug == slug)).first():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _add_reference(session: Session, field: str, target: str, data: Mapping[str, Any]) -> tuple[Any, dict[str, str]]:
    """Create the person or topic described in the form's "not in the record yet" part for ``field``."""
    name = str(data.get(f"new_{field}_name", "") or "").strip()
    if not name:
        return None, {f"new_{field}_name": "give a name"}
    if len(name) > 120:
        return None, {f"new_{field}_name": "is too long: at most 120 characters"}
    if target == "people":
        party = str(data.get(f"new_{field}_party", "") or "")
        row: Any = Person(
            slug=_slug_for(session, Person, name), name=name, party_id=int(party) if party.isdigit() else None
        )
    else:
        row = Topic(slug=_slug_for(session, Topic, name), name=name)
    session.add(row)
    session.commit()
    return row, {}


def _new_source_fields(data: Mapping[str, Any]) -> dict[str, str]:
    """The "add a source that is not in the record yet" part of a claim form, as typed."""
    return {f"new_source_{name}": str(data.get(f"new_source_{name}", "") or "").strip() for name in NEW_SOURCE_FIELDS}


def _add_source(session: Session, new_source: dict[str, str]) -> tuple[Source | None, dict[str, str]]:
    values = {name: new_source[f"new_source_{name}"] or None for name in NEW_SOURCE_FIELDS}
    errors: dict[str, str] = {}
    try:
        SourceBase.model_validate(values)
    except ValidationError as exc:
        for error in exc.errors():
            errors[f"new_source_{error['loc'][0]}"] = editing.field_message(error)
    if values["url"] and session.exec(select(Source).where(col(Source.url) == values["url"])).first():
        errors["new_source_url"] = "this address is already in the record; pick it from the list above"
    if errors:
        return None, errors
    source = Source.model_validate(values)
    session.add(source)
    session.commit()
    return source, {}


UNSAVED = "nothing else is saved until you publish or save a draft."


def _picked_sources(data: Any) -> list[int]:
    return editing.source_ids(str(v) for v in data.getlist("source"))


def _add_in_place(
    session: Session,
    data: Mapping[str, Any],
    form: editing.RoundForm | record_forms.RecordForm,
    action: str,
    *,
    creatable: Mapping[str, str | None],
    chosen_as: Callable[[Any], str],
) -> tuple[int, dict[str, Any]] | None:
    """The "not in the record yet" buttons of every form: create a source, person or topic, attach or
    choose it, and keep everything else as typed. None when the action is not one of them."""
    if action == "add_source":
        new_source = _new_source_fields(data)
        source, source_errors = _add_source(session, new_source)
        if source is None:
            return 422, {"new_source": new_source, "new_source_errors": source_errors}
        form.sources.append(source.id or 0)
        return 200, {"notice": f"Added and attached {source.publisher}; {UNSAVED}"}
    if not action.startswith("add:"):
        return None
    field = action.removeprefix("add:")
    target = creatable.get(field)
    if target not in CREATABLE:
        raise NotFound(f"Nothing can be added in place for {field!r}.")
    created, reference_errors = _add_reference(session, field, str(target), data)
    if created is None:
        return 422, {"errors": reference_errors}
    form.values[field] = chosen_as(created)
    return 200, {"notice": f"Added {created.name} to the record and chose them; {UNSAVED}"}


def _handle(request: Request, session: Session, editor: User, round_: Round | None, data: FormData) -> Response:
    form = editing.RoundForm.from_submission(data, [str(v) for v in data.getlist("source")])
    action = str(data.get("action", "publish"))
    added = _add_in_place(session, data, form, action, creatable={"chair": "people"}, chosen_as=lambda p: p.slug)
    if added is not None:
        status_code, shown = added
        return _show_form(request, session, form, round_=round_, status_code=status_code, **shown)
    try:
        saved, _ = editing.save_round(
            session=session,
            form=form,
            editor=editor,
            round_id=round_.id if round_ else None,
            publish=action == "publish",
        )
        session.commit()
    except editing.FormInvalid as invalid:
        session.rollback()
        return _show_form(
            request,
            session,
            form,
            round_=round_,
            errors=invalid.errors,
            status_code=422,
            new_source=_new_source_fields(data),
        )
    except editing.EditConflict as conflict:
        session.rollback()
        current = conflict.current
        form.version = current.version  # type: ignore[attr-defined]
        return _show_form(
            request,
            session,
            form,
            round_=round_,
            status_code=409,
            conflict={"version": current.version, "changes": conflict.changes},  # type: ignore[attr-defined]
        )
    if saved.published and action == "publish":
        return RedirectResponse(f"/rounds/{saved.slug}", status_code=303)
    return RedirectResponse(f"/rounds/{saved.slug}/edit?saved=draft", status_code=303)


@router.get("/rounds/new", response_class=HTMLResponse)
def new_round_page(request: Request, session: SessionDep, editor: EditorDep) -> HTMLResponse:
    negotiation = request.query_params.get("negotiation", "")
    return _show_form(
        request, session, editing.RoundForm(values={"negotiation": negotiation, "status": "held"}), round_=None
    )


@router.post("/rounds/new")
def create_round(request: Request, data: FormDep, session: SessionDep, editor: EditorDep) -> Response:
    return _handle(request, session, editor, None, data)


@router.get("/rounds/{slug}/edit", response_class=HTMLResponse)
def edit_round_page(request: Request, session: SessionDep, editor: EditorDep, slug: Slug) -> HTMLResponse:
    round_ = _round_by_slug(session, slug)
    assert round_.id is not None
    form = editing.RoundForm.from_round(session, round_)
    notice = None
    draft = editing.pending_draft(session=session, entity="rounds", entity_id=round_.id)
    if draft is not None:
        form = editing.RoundForm.from_snapshot(session, draft.snapshot, version=round_.version)
        notice = "You are editing unpublished changes saved as a draft; readers still see the published round."
    elif not round_.published:
        notice = "This round is a draft: only editors can see it until it is published."
    if request.query_params.get("saved") == "draft":
        notice = "Saved as a draft. " + (notice or "")
    return _show_form(request, session, form, round_=round_, notice=notice)


@router.post("/rounds/{slug}/edit")
def update_round(request: Request, data: FormDep, session: SessionDep, editor: EditorDep, slug: Slug) -> Response:
    return _handle(request, session, editor, _round_by_slug(session, slug), data)


@router.post("/rounds/validate/{name}", response_class=HTMLResponse)
def validate_round_field(
    request: Request, data: FormDep, session: SessionDep, editor: EditorDep, name: str
) -> HTMLResponse:
    """Checks the whole form and answers with the one field's error (empty when it is fine)."""
    form = editing.RoundForm.from_submission(data, [str(v) for v in data.getlist("source")])
    round_id = str(data.get("round_id", ""))
    _, errors = editing.check_round(session=session, form=form, round_id=int(round_id) if round_id.isdigit() else None)
    field_error = templates.env.globals["field_error"]
    assert callable(field_error)
    return HTMLResponse(str(field_error(name, errors)), headers={"Cache-Control": "no-store"})


@router.get("/search/sources", response_class=HTMLResponse)
def search_sources(session: SessionDep, editor: EditorDep, q: str = "", source: str = "") -> HTMLResponse:
    """Options for the source picker's datalist, matching what the editor has typed so far.

    The picker's own input is named "source" (it is submitted with the form), so htmx sends that.
    """
    words = f"%{(q or source).strip().lower()}%"
    found = session.exec(
        select(Source)
        .where(
            sa.or_(
                sa.func.lower(Source.publisher).like(words),
                sa.func.lower(sa.func.coalesce(Source.title, "")).like(words),
                sa.func.lower(sa.func.coalesce(Source.url, "")).like(words),
            )
        )
        .order_by(col(Source.publisher), col(Source.id))
        .limit(20)
    ).all()
    options = "".join(f'<option value="{escape(source_label(s))}"></option>' for s in found)
    return HTMLResponse(options, headers={"Cache-Control": "no-store"})


# ---------------------------------------------------------------- history


@router.get("/rounds/{slug}/history", response_class=HTMLResponse)
def round_history_page(request: Request, session: SessionDep, editor: EditorDep, slug: Slug) -> HTMLResponse:
    round_ = _round_by_slug(session, slug)
    assert round_.id is not None
    listed = history.revisions(session=session, entity="rounds", entity_id=round_.id)
    a, b = request.query_params.get("a"), request.query_params.get("b")
    changes = None
    if a and b and a.isdigit() and b.isdigit():
        older = history.get_revision(session=session, entity="rounds", entity_id=round_.id, revision_id=int(a))
        newer = history.get_revision(session=session, entity="rounds", entity_id=round_.id, revision_id=int(b))
        changes = history.compare_snapshots(older.snapshot, newer.snapshot)
    response = render(
        request,
        "history.html",
        {
            "title": f"round {round_.sequence}" + (f" · {round_.city}" if round_.city else ""),
            "base": f"/rounds/{round_.slug}",
            "public": f"/rounds/{round_.slug}" if round_.published else None,
            "version": round_.version,
            "revisions": listed,
            "changes": changes,
            "a": a,
            "b": b,
        },
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@router.post("/rounds/{slug}/history/{revision_id}/restore")
def restore_round_revision(
    request: Request, data: FormDep, session: SessionDep, editor: EditorDep, slug: Slug, revision_id: int
) -> Response:
    round_ = _round_by_slug(session, slug)
    assert round_.id is not None
    expected = str(data.get("version", ""))
    try:
        editing.restore_revision(
            session=session,
            entity="rounds",
            entity_id=round_.id,
            revision_id=revision_id,
            editor=editor,
            expected_version=int(expected) if expected.isdigit() else -1,
        )
        session.commit()
    except editing.EditConflict:
        session.rollback()
        return render(
            request,
            "error.html",
            {
                "title": "The round changed since you opened its history",
                "messages": ["Nothing was restored. Open the history again to see the latest version, then restore."],
            },
            status_code=409,
        )
    restored = session.get(Round, round_.id)
    assert restored is not None
    return RedirectResponse(f"/rounds/{restored.slug}/history", status_code=303)


@router.post("/rounds/{slug}/delete")
def delete_round(request: Request, data: FormDep, session: SessionDep, editor: EditorDep, slug: Slug) -> Response:
    round_ = _round_by_slug(session, slug)
    assert round_.id is not None
    editing.delete_record(
        session=session, entity="rounds", entity_id=round_.id, editor=editor, summary=str(data.get("edit_summary", ""))
    )
    session.commit()
    return RedirectResponse("/?deleted=" + slug, status_code=303)


@router.get("/admin/deleted", response_class=HTMLResponse)
def deleted_page(request: Request, session: SessionDep, admin: AdminDep) -> HTMLResponse:
    deletions = session.exec(
        select(Revision).where(col(Revision.action) == RevisionAction.delete).order_by(col(Revision.id).desc())
    ).all()
    waiting = [d for d in deletions if session.get(history.kind_of(d.entity).table, d.entity_id) is None]
    response = render(request, "deleted.html", {"deletions": waiting})
    response.headers["Cache-Control"] = "private, no-store"
    return response


@router.post("/admin/deleted/{revision_id}/restore")
def restore_deleted(session: SessionDep, admin: AdminDep, revision_id: int) -> Response:
    editing.restore_deleted(session=session, revision_id=revision_id, admin=admin)
    session.commit()
    return RedirectResponse("/admin/deleted", status_code=303)


@router.get("/drafts", response_class=HTMLResponse)
def drafts_page(request: Request, session: SessionDep, editor: EditorDep) -> HTMLResponse:
    """Everything waiting to be published: draft rounds, and published rounds with draft changes."""
    draft_rounds = session.exec(
        select(Round).where(col(Round.published).is_(False)).order_by(col(Round.sort_date))
    ).all()
    latest = (
        sa.select(col(Revision.entity_id), sa.func.max(Revision.id).label("latest"))
        .where(col(Revision.entity) == "rounds")
        .group_by(col(Revision.entity_id))
        .subquery()
    )
    pending = session.exec(
        select(Round)
        .join(latest, latest.c.entity_id == Round.id)
        .join(Revision, col(Revision.id) == latest.c.latest)
        .where(col(Revision.action) == RevisionAction.draft)
    ).all()
    response = render(request, "drafts.html", {"draft_rounds": draft_rounds, "pending": pending})
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- every other kind of record

# What hangs on a record, listed on its edit page with a way to add more.
CHILDREN = {
    "outcomes": ("outcome_parties", "outcome_id", "Parties concerned", "Add a party concerned"),
    "negotiations": ("negotiation_parties", "negotiation_id", "Parties and their roles", "Add a party"),
}
ON_ROUND = (
    ("delegations", "Delegations", "Add a delegation"),
    ("outcomes", "Outcomes", "Add an outcome"),
    ("positions", "Positions stated at this round", "Add a position"),
    ("reported_figures", "Reported figures", "Add a figure as a source reported it"),
    ("gap_assessments", "State of the gap, by topic", "Add an assessment"),
)


def _record_page(
    request: Request,
    session: Session,
    kind_key: str,
    form: record_forms.RecordForm,
    *,
    row_id: int | None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    kind = record_forms.editable_kind(kind_key)
    noun = record_forms.document_label(kind)
    labels = {
        s.id: source_label(s) for s in session.exec(select(Source).where(col(Source.id).in_(form.sources or [0])))
    }
    children = None
    if row_id and kind_key in CHILDREN:
        child, parent, heading, add = CHILDREN[kind_key]
        table = history.kind_of(child).sa_table
        ids = [r for r in session.execute(sa.select(table.c.id).where(table.c[parent] == row_id)).scalars()]
        rows = [(i, record_forms.row_label(session, history.kind_of(child), i)) for i in ids]
        children = {"kind": child, "parent": parent, "heading": heading, "add": add, "rows": rows}
    crumbs = [("/drafts", "Drafts")]
    round_id = form.values.get("round_id")
    if round_id and round_id.isdigit() and (r := session.get(Round, int(round_id))):
        crumbs = [(f"/rounds/{r.slug}/edit", f"Round {r.sequence}")]
    if row_id:
        crumbs.append((f"/edit/{kind_key}/{row_id}/history", "History"))
    context = {
        "kind": kind_key,
        "kind_label": noun,
        "heading": (f"Edit {noun}: {record_forms.row_label(session, kind, row_id)}" if row_id else f"New {noun}"),
        "crumbs": crumbs,
        "specs": record_forms.field_specs(session, kind),
        "form": form,
        "errors": errors or {},
        "row_id": row_id,
        "action": f"/edit/{kind_key}/{row_id}" if row_id else f"/edit/{kind_key}/new",
        "publishable": "published" in kind.record.model_fields,
        "cites": kind_key in history.CITED,
        "source_choices": _choices(session)["sources"],
        "party_ids": _choices(session)["party_ids"],
        "creatable": CREATABLE,
        "source_labels": labels,
        "new_source": {},
        "new_source_errors": {},
        "conflict": None,
        "notice": None,
        "children": children,
        "members": _members(session, row_id) if kind_key == "delegations" and row_id else None,
    } | extra
    response = render(request, "record_form.html", context, status_code=status_code)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _handle_record(
    request: Request, session: Session, editor: User, kind_key: str, row_id: int | None, data: FormData
) -> Response:
    kind = record_forms.editable_kind(kind_key)
    form = record_forms.form_from_submission(kind, data, _picked_sources(data))
    action = str(data.get("action", "publish"))
    references = {spec.name: spec.reference for spec in record_forms.field_specs(session, kind)}
    added = _add_in_place(session, data, form, action, creatable=references, chosen_as=lambda row: str(row.id))
    if added is not None:
        status_code, shown = added
        return _record_page(request, session, kind_key, form, row_id=row_id, status_code=status_code, **shown)
    try:
        saved, _ = record_forms.save(
            session=session, kind=kind, form=form, editor=editor, row_id=row_id, publish=action == "publish"
        )
        session.commit()
    except editing.FormInvalid as invalid:
        session.rollback()
        return _record_page(request, session, kind_key, form, row_id=row_id, errors=invalid.errors, status_code=422)
    except editing.EditConflict as conflict:
        session.rollback()
        form.version = conflict.current.version  # type: ignore[attr-defined]
        return _record_page(
            request,
            session,
            kind_key,
            form,
            row_id=row_id,
            status_code=409,
            conflict={"version": form.version, "changes": conflict.changes},
        )
    round_id = getattr(saved, "round_id", None)
    if round_id and (r := session.get(Round, round_id)):
        return RedirectResponse(f"/rounds/{r.slug}/edit", status_code=303)
    return RedirectResponse(f"/edit/{kind_key}/{saved.id}?saved=1", status_code=303)  # type: ignore[attr-defined]


@router.post("/edit/{kind_key}/validate/{name}", response_class=HTMLResponse)
def validate_record_field(
    request: Request, data: FormDep, session: SessionDep, editor: EditorDep, kind_key: str, name: str
) -> HTMLResponse:
    """Checks the whole form as a draft (sources come at publishing) and answers with one field's error."""
    kind = record_forms.editable_kind(kind_key)
    form = record_forms.form_from_submission(kind, data, [])
    row_id = str(data.get("row_id", ""))
    _, errors = record_forms.check(
        session=session, kind=kind, form=form, row_id=int(row_id) if row_id.isdigit() else None, publish=False
    )
    field_error = templates.env.globals["field_error"]
    assert callable(field_error)
    return HTMLResponse(str(field_error(name, errors)), headers={"Cache-Control": "no-store"})


@router.get("/edit/{kind_key}/by-slug/{slug}")
def edit_record_by_slug(session: SessionDep, editor: EditorDep, kind_key: str, slug: Slug) -> Response:
    """Public pages know records by slug; the edit forms by id."""
    table = record_forms.editable_kind(kind_key).sa_table
    if "slug" not in table.c:
        raise NotFound(f"Records of kind {kind_key!r} have no slug.")
    found = session.execute(sa.select(table.c.id).where(table.c.slug == slug)).scalar()
    if found is None:
        raise NotFound(f"There is no {kind_key} record {slug!r}.")
    return RedirectResponse(f"/edit/{kind_key}/{found}", status_code=303)


@router.get("/edit/{kind_key}/new", response_class=HTMLResponse)
def new_record_page(request: Request, session: SessionDep, editor: EditorDep, kind_key: str) -> HTMLResponse:
    kind = record_forms.editable_kind(kind_key)
    # Links from a round or a delegation say what the new record belongs to, e.g. ?round_id=2.
    values = {k: v for k, v in request.query_params.items() if k in kind.record.model_fields}
    return _record_page(request, session, kind_key, record_forms.RecordForm(kind=kind_key, values=values), row_id=None)


@router.post("/edit/{kind_key}/new")
def create_record(request: Request, data: FormDep, session: SessionDep, editor: EditorDep, kind_key: str) -> Response:
    return _handle_record(request, session, editor, kind_key, None, data)


@router.get("/edit/{kind_key}/{row_id}", response_class=HTMLResponse)
def edit_record_page(
    request: Request, session: SessionDep, editor: EditorDep, kind_key: str, row_id: int
) -> HTMLResponse:
    kind = record_forms.editable_kind(kind_key)
    row = session.get(kind.table, row_id)
    if row is None:
        raise NotFound(f"There is no {record_forms.document_label(kind)} {row_id} in the record.")
    form = record_forms.form_from_row(session, kind, row)
    notice = "Saved." if request.query_params.get("saved") else None
    draft = editing.pending_draft(session=session, entity=kind_key, entity_id=row_id)
    if draft is not None:
        fields = draft.snapshot["fields"]
        form.values = {
            n: ("true" if v is True else "" if v in (None, False) else str(v))
            for n, v in fields.items()
            if n not in ("id", "published")
        }
        form.sources = list(draft.snapshot.get("sources", []))
        notice = "You are editing unpublished changes saved as a draft; readers still see the published version."
    return _record_page(request, session, kind_key, form, row_id=row_id, notice=notice)


@router.post("/edit/{kind_key}/{row_id}")
def update_record(
    request: Request, data: FormDep, session: SessionDep, editor: EditorDep, kind_key: str, row_id: int
) -> Response:
    return _handle_record(request, session, editor, kind_key, row_id, data)


@router.post("/edit/{kind_key}/{row_id}/delete")
def delete_any_record(request: Request, session: SessionDep, editor: EditorDep, kind_key: str, row_id: int) -> Response:
    kind = record_forms.editable_kind(kind_key)
    row = session.get(kind.table, row_id)
    round_id = getattr(row, "round_id", None) if row is not None else None
    try:
        editing.delete_record(session=session, entity=kind.key, entity_id=row_id, editor=editor)
        session.commit()
    except sa.exc.IntegrityError:
        session.rollback()
        noun = record_forms.document_label(kind)
        return render(
            request,
            "error.html",
            {
                "title": f"This {noun} is still in use",
                "messages": [f"Other records refer to this {noun}; change or delete them first. Nothing was deleted."],
            },
            status_code=409,
        )
    if round_id and (r := session.get(Round, round_id)):
        return RedirectResponse(f"/rounds/{r.slug}/edit", status_code=303)
    return RedirectResponse("/drafts", status_code=303)


@router.get("/edit/{kind_key}/{row_id}/history", response_class=HTMLResponse)
def record_history_page(
    request: Request, session: SessionDep, editor: EditorDep, kind_key: str, row_id: int
) -> HTMLResponse:
    kind = record_forms.editable_kind(kind_key)
    listed = history.revisions(session=session, entity=kind_key, entity_id=row_id)
    a, b = request.query_params.get("a"), request.query_params.get("b")
    changes = None
    if a and b and a.isdigit() and b.isdigit():
        older = history.get_revision(session=session, entity=kind_key, entity_id=row_id, revision_id=int(a))
        newer = history.get_revision(session=session, entity=kind_key, entity_id=row_id, revision_id=int(b))
        changes = history.compare_snapshots(older.snapshot, newer.snapshot)
    row = session.get(kind.table, row_id)
    response = render(
        request,
        "history.html",
        {
            "title": record_forms.row_label(session, kind, row_id) if row else f"{kind_key} {row_id}",
            "base": f"/edit/{kind_key}/{row_id}",
            "version": getattr(row, "version", 0),
            "revisions": listed,
            "changes": changes,
            "a": a,
            "b": b,
        },
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@router.post("/edit/{kind_key}/{row_id}/history/{revision_id}/restore")
def restore_record_revision(
    request: Request,
    data: FormDep,
    session: SessionDep,
    editor: EditorDep,
    kind_key: str,
    row_id: int,
    revision_id: int,
) -> Response:
    kind = record_forms.editable_kind(kind_key)
    expected = str(data.get("version", ""))
    try:
        editing.restore_revision(
            session=session,
            entity=kind.key,
            entity_id=row_id,
            revision_id=revision_id,
            editor=editor,
            expected_version=int(expected) if expected.isdigit() else -1,
        )
        session.commit()
    except editing.EditConflict:
        session.rollback()
        return render(
            request,
            "error.html",
            {
                "title": "The record changed since you opened its history",
                "messages": ["Nothing was restored. Open the history again, then restore."],
            },
            status_code=409,
        )
    return RedirectResponse(f"/edit/{kind_key}/{row_id}/history", status_code=303)


# ---------------------------------------------------------------- delegation members, in place


def _members(
    session: Session, delegation_id: int, *, error: str = "", typed: dict[str, str] | None = None
) -> dict[str, Any]:
    rows = session.exec(
        select(DelegationMember, Person)
        .join(Person, col(Person.id) == DelegationMember.person_id)
        .where(col(DelegationMember.delegation_id) == delegation_id)
        .order_by(col(DelegationMember.is_head).desc(), col(DelegationMember.id))
    ).all()
    people = session.exec(select(Person).order_by(col(Person.name))).all()
    return {
        "delegation_id": delegation_id,
        "rows": [{"id": m.id, "name": p.name, "title": m.title, "is_head": m.is_head} for m, p in rows],
        "people": [(p.slug, p.name) for p in people],
        "error": error,
        "typed": typed or {},
    }


def _members_answer(
    request: Request, session: Session, delegation_id: int, status_code: int = 200, **state: Any
) -> Response:
    """htmx swaps the members block in place; a plain form goes back to the delegation's page."""
    if not wants_fragment(request) and status_code == 200:
        return RedirectResponse(f"/edit/delegations/{delegation_id}", status_code=303)
    context = {"members": _members(session, delegation_id, **state)}
    response = render(request, "record_form.html", context, fragment="members", status_code=status_code)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@router.post("/delegations/{delegation_id}/members")
def add_member(request: Request, data: FormDep, session: SessionDep, editor: EditorDep, delegation_id: int) -> Response:
    typed = {name: str(data.get(name, "") or "").strip() for name in ("person", "title", "is_head")}
    person = session.exec(select(Person).where(col(Person.slug) == typed["person"])).first()
    if person is None:
        error = "choose a person from the list" if not typed["person"] else f"there is no person {typed['person']!r}"
        return _members_answer(request, session, delegation_id, 422, error=error, typed=typed)
    form = record_forms.RecordForm(
        kind="delegation_members",
        values={
            "delegation_id": str(delegation_id),
            "person_id": str(person.id),
            "title": typed["title"],
            "is_head": typed["is_head"],
        },
    )
    try:
        record_forms.save(
            session=session,
            kind=history.kind_of("delegation_members"),
            form=form,
            editor=editor,
            row_id=None,
            publish=True,
        )
        session.commit()
    except editing.FormInvalid as invalid:
        session.rollback()
        return _members_answer(
            request, session, delegation_id, 422, error="; ".join(invalid.errors.values()), typed=typed
        )
    return _members_answer(request, session, delegation_id)


@router.post("/delegations/{delegation_id}/members/{member_id}/remove")
def remove_member(
    request: Request, session: SessionDep, editor: EditorDep, delegation_id: int, member_id: int
) -> Response:
    member = session.get(DelegationMember, member_id)
    if member is None or member.delegation_id != delegation_id:
        raise NotFound("That person is not a member of this delegation.")
    editing.delete_record(session=session, entity="delegation_members", entity_id=member_id, editor=editor)
    session.commit()
    return _members_answer(request, session, delegation_id)
