"""Editors' pages: the composer of every kind of record, drafts, publishing, pickers, history.

Routes read the request, call one service of ``app.editing`` and render; each request is one
transaction, committed at its end or not at all. htmx gets the part of the composer it asked for
(and the draft bar out of band); without JavaScript every form is a plain form and the answer a
whole page.
"""

from typing import Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlmodel import Session, col, select

from app.core.errors import NotFound
from app.editing import clauses, composer, drafts, history, library, pickers, publishing
from app.editing.kinds import EDITABLE, KindSpec, spec_of
from app.reading import documents
from app.record.models import Document, DocumentVersion, Draft, OutcomeStep, Revision, RevisionAction, Round, User
from app.web import pages
from app.web.deps import AdminDep, EditorDep, FormDep, Router, SessionDep
from app.web.htmx import go_to, wants_fragment
from app.web.params import RecordId, Slug
from app.web.templating import render

router = Router(include_in_schema=False)
PRIVATE = "private, no-store"


def _kind(kind: str) -> KindSpec:
    if kind not in EDITABLE:
        raise NotFound(f"There is no kind of record called {kind!r} to edit.")
    return spec_of(kind)


def _draft(session: Session, draft_id: int, editor: User, *, own: bool = True) -> Draft:
    draft = session.get(Draft, draft_id)
    if draft is None:
        raise NotFound("This draft is no longer there: it has been published or discarded.")
    if own and draft.author_id != editor.id:
        raise NotFound("This draft is someone else's: open the record to see it and go on from it.")
    return draft


def _show(
    request: Request,
    page: composer.Page,
    *,
    status_code: int = 200,
    block: str | None = None,
    box: Any = None,
    extra: dict[str, Any] | None = None,
) -> HTMLResponse:
    context = {"page": page, "oob": block is not None, "box": box, **(extra or {})}
    if block is not None and wants_fragment(request):
        response = render(request, "composer.html", context, fragment=block, status_code=status_code)
    else:
        response = render(request, "composer.html", context, status_code=status_code)
    response.headers["Cache-Control"] = PRIVATE
    return response


# ---------------------------------------------------------------- opening a composer


@router.get("/edit/{kind}/new", response_class=HTMLResponse)
def new_record(request: Request, session: SessionDep, editor: EditorDep, kind: str) -> HTMLResponse:
    spec = _kind(kind)
    editing = request.query_params.get("edit")
    page = composer.page(
        session, spec=spec, entity_id=None, draft=None, editor=editor, prefill=request.query_params, editing=editing
    )
    return _show(request, page)


@router.get("/edit/{kind}/{entity_id}", response_class=HTMLResponse)
def edit_record(request: Request, session: SessionDep, editor: EditorDep, kind: str, entity_id: RecordId) -> Response:
    spec = _kind(kind)
    if spec.shown_under is not None:
        row = session.get(spec.kind.table, entity_id)
        parent = getattr(row, spec.shown_under, None) if row is not None else None
        if parent is not None:  # edited in its parent's composer (a round's, a version's), among the rest
            anchor = f"{kind}-{entity_id}"
            parent_kind = drafts.reference_columns(kind)[spec.shown_under]
            return RedirectResponse(f"/edit/{parent_kind}/{parent}?edit={anchor}#{anchor}", status_code=303)
    own = drafts.own_draft(session, kind=kind, entity_id=entity_id, author=editor)
    if own is not None:
        return RedirectResponse(f"/drafts/{own.id}", status_code=303)
    editing = request.query_params.get("edit")
    page = composer.page(session, spec=spec, entity_id=entity_id, draft=None, editor=editor, editing=editing)
    page.notice = "Published: readers see it now." if request.query_params.get("published") else ""
    return _show(request, page)


@router.get("/drafts/{draft_id}", response_class=HTMLResponse)
def draft_page(request: Request, session: SessionDep, editor: EditorDep, draft_id: RecordId) -> Response:
    draft = _draft(session, draft_id, editor, own=False)
    if draft.author_id != editor.id:
        url = f"/edit/{draft.kind}/{draft.entity_id}" if draft.entity_id else "/drafts"
        return RedirectResponse(url, status_code=303)
    editing = request.query_params.get("edit")
    page = composer.page(
        session, spec=spec_of(draft.kind), entity_id=draft.entity_id, draft=draft, editor=editor, editing=editing
    )
    if request.query_params.get("pasted", "").isdigit():
        count = int(request.query_params["pasted"])
        page.notice = f"{count} clause{'' if count == 1 else 's'} added to your draft: check them, then publish."
    if request.query_params.get("moved"):
        page.notice = (
            "Someone published a change while yours was being published: nothing was published. Publish again."
        )
    return _show(request, page)


# ---------------------------------------------------------------- one part's form, opened in place


def _form(request: Request, page: composer.Page, section: str, item: str) -> HTMLResponse:
    target = composer.RECORD if section == composer.RECORD else f"{section}-{item}"
    card = composer.card_of(page, target)
    if card.form is None:
        raise NotFound("That part of the record is not on this page any more.")
    response = render(request, "composer.html", {"page": page, "single_card": card}, fragment="card")
    response.headers["Cache-Control"] = PRIVATE
    return response


@router.get("/edit/{kind}/new/items/{section}/{item}/form", response_class=HTMLResponse)
def new_record_form(
    request: Request, session: SessionDep, editor: EditorDep, kind: str, section: str, item: str
) -> Response:
    anchor = composer.RECORD if section == composer.RECORD else f"{section}-{item}"
    page = composer.page(session, spec=_kind(kind), entity_id=None, draft=None, editor=editor, editing=anchor)
    return _form(request, page, section, item)


@router.get("/edit/{kind}/{entity_id}/items/{section}/{item}/form", response_class=HTMLResponse)
def published_form(
    request: Request, session: SessionDep, editor: EditorDep, kind: str, entity_id: RecordId, section: str, item: str
) -> Response:
    anchor = composer.RECORD if section == composer.RECORD else f"{section}-{item}"
    own = drafts.own_draft(session, kind=kind, entity_id=entity_id, author=editor)
    page = composer.page(session, spec=_kind(kind), entity_id=entity_id, draft=own, editor=editor, editing=anchor)
    return _form(request, page, section, item)


@router.get("/drafts/{draft_id}/items/{section}/{item}/form", response_class=HTMLResponse)
def draft_form(
    request: Request, session: SessionDep, editor: EditorDep, draft_id: RecordId, section: str, item: str
) -> Response:
    draft = _draft(session, draft_id, editor)
    anchor = composer.RECORD if section == composer.RECORD else f"{section}-{item}"
    page = composer.page(
        session, spec=spec_of(draft.kind), entity_id=draft.entity_id, draft=draft, editor=editor, editing=anchor
    )
    return _form(request, page, section, item)


@router.get("/rounds/new")
def new_round(request: Request, editor: EditorDep) -> Response:
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/edit/rounds/new{query}", status_code=303)


@router.get("/documents/{slug}/versions/new")
def new_version(session: SessionDep, editor: EditorDep, slug: Slug) -> Response:
    document = _document_id(session, slug)
    return RedirectResponse(f"/edit/document_versions/new?document_id={document}", status_code=303)


@router.get("/documents/{slug}/versions/{number}/edit")
def edit_version(session: SessionDep, editor: EditorDep, slug: Slug, number: int) -> Response:
    found = session.exec(
        select(DocumentVersion.id).where(
            col(DocumentVersion.document_id) == _document_id(session, slug), col(DocumentVersion.number) == number
        )
    ).first()
    if found is None:
        raise NotFound(f"There is no version {number} of the document {slug!r}.")
    return RedirectResponse(f"/edit/document_versions/{found}", status_code=303)


def _document_id(session: Session, slug: str) -> int:
    found = session.exec(select(Document.id).where(col(Document.slug) == slug)).first()
    if found is None:
        raise NotFound(f"There is no document {slug!r} in the record.")
    return found


@router.get("/rounds/{slug}/edit")
def edit_round_by_slug(session: SessionDep, editor: EditorDep, slug: Slug) -> Response:
    return RedirectResponse(f"/edit/rounds/{_round_id(session, slug)}", status_code=303)


@router.get("/rounds/{slug}/history")
def round_history_by_slug(session: SessionDep, editor: EditorDep, slug: Slug) -> Response:
    return RedirectResponse(f"/edit/rounds/{_round_id(session, slug)}/history", status_code=303)


def _round_id(session: Session, slug: str) -> int:
    found = session.exec(select(Round.id).where(col(Round.slug) == slug)).first()
    if found is None:
        raise NotFound(f"There is no round {slug!r} in the record.")
    return found


@router.get("/edit/{kind}/by-slug/{slug}")
def edit_by_slug(session: SessionDep, editor: EditorDep, kind: str, slug: Slug) -> Response:
    """Public pages know records by slug; the composer by id."""
    table = _kind(kind).kind.sa_table
    if "slug" not in table.c:
        raise NotFound(f"Records of kind {kind!r} have no address of their own.")
    found = session.execute(select(table.c.id).where(table.c.slug == slug)).scalar()
    if found is None:
        raise NotFound(f"There is no {spec_of(kind).noun} {slug!r} in the record.")
    return RedirectResponse(f"/edit/{kind}/{found}", status_code=303)


# ---------------------------------------------------------------- saving a part


def _save(
    request: Request,
    session: Session,
    editor: User,
    data: Any,
    *,
    spec: KindSpec,
    entity_id: int | None,
    draft: Draft | None,
    section: str,
    item: str,
) -> Response:
    action = str(data.get("action", "save"))
    # The part as sent: checking it and saving it read the same.
    sent: dict[str, Any] = {
        "spec": spec,
        "entity_id": entity_id,
        "draft": draft,
        "editor": editor,
        "section_key": section,
        "item_ref": item,
        "data": data,
        "sources": [str(v) for v in data.getlist("source")],
    }
    if action == "check":  # an editor left a field (static/editor.js): say what saving would say of it
        errors = composer.check_item(session, **sent)
        session.rollback()
        return JSONResponse({"errors": errors}, headers={"Cache-Control": PRIVATE})
    first_save = draft is None
    saved = composer.save_item(session, **sent, action=action)
    if saved.ok and action == "publish":
        return _publish(request, session, editor, saved.draft, data)
    if not saved.ok or action in ("more", "add_source"):
        # Nothing saved but what was asked (a source added): show the part again as it was sent.
        if action == "add_source" and saved.ok:
            session.commit()
        else:
            session.rollback()
        page = composer.page(
            session,
            spec=spec,
            entity_id=entity_id,
            draft=None if first_save else saved.draft,
            editor=editor,
            focus=saved.card,
        )
        status = 422 if saved.card.form is not None and saved.card.form.errors else 200
        return _show(request, page, status_code=status, block=_block(section), box=_box(page, section))
    session.commit()
    target = f"/drafts/{saved.draft.id}#{saved.card.anchor}"
    if first_save or not wants_fragment(request):
        return go_to(request, target)
    page = composer.page(session, spec=spec, entity_id=entity_id, draft=saved.draft, editor=editor)
    return _show(request, page, block=_block(section), box=_box(page, section))


def _block(section: str) -> str:
    return "record" if section == composer.RECORD else "box"


def _box(page: composer.Page, section: str) -> Any:
    return next((b for b in page.boxes if b.key == section), None)


def _after_publish(published: publishing.Published) -> str:
    spec = spec_of(published.kind)
    if spec.public_path and published.slug:
        return spec.public_path.format(slug=published.slug) + "?published=1"
    return f"/edit/{published.kind}/{published.id}?published=1"


@router.post("/edit/{kind}/new/items/{section}/{item}")
def save_new(
    request: Request, data: FormDep, session: SessionDep, editor: EditorDep, kind: str, section: str, item: str
) -> Response:
    return _save(
        request, session, editor, data, spec=_kind(kind), entity_id=None, draft=None, section=section, item=item
    )


@router.post("/edit/{kind}/{entity_id}/items/{section}/{item}")
def save_published(
    request: Request,
    data: FormDep,
    session: SessionDep,
    editor: EditorDep,
    kind: str,
    entity_id: RecordId,
    section: str,
    item: str,
) -> Response:
    own = drafts.own_draft(session, kind=kind, entity_id=entity_id, author=editor)
    return _save(
        request, session, editor, data, spec=_kind(kind), entity_id=entity_id, draft=own, section=section, item=item
    )


@router.post("/drafts/{draft_id}/items/{section}/{item}")
def save_in_draft(
    request: Request, data: FormDep, session: SessionDep, editor: EditorDep, draft_id: RecordId, section: str, item: str
) -> Response:
    draft = _draft(session, draft_id, editor)
    spec = spec_of(draft.kind)
    return _save(
        request, session, editor, data, spec=spec, entity_id=draft.entity_id, draft=draft, section=section, item=item
    )


# ---------------------------------------------------------------- clauses pasted as numbered text


@router.post("/edit/document_versions/{entity_id}/paste")
def paste_into_version(
    request: Request, data: FormDep, session: SessionDep, editor: EditorDep, entity_id: RecordId
) -> Response:
    if session.get(spec_of("document_versions").kind.table, entity_id) is None:
        raise NotFound("There is no such version of a document on the record.")
    draft = drafts.own_draft(session, kind="document_versions", entity_id=entity_id, author=editor)
    started = draft is None
    if draft is None:
        draft = drafts.start(session, kind="document_versions", entity_id=entity_id, author=editor)
    return _paste(request, session, editor, data, draft=draft, started=started)


@router.post("/drafts/{draft_id}/paste")
def paste_into_draft(
    request: Request, data: FormDep, session: SessionDep, editor: EditorDep, draft_id: RecordId
) -> Response:
    draft = _draft(session, draft_id, editor)
    if draft.kind != "document_versions":
        raise NotFound("Clauses are pasted into a version of a document.")
    return _paste(request, session, editor, data, draft=draft, started=False)


def _paste(request: Request, session: Session, editor: User, data: Any, *, draft: Draft, started: bool) -> Response:
    pasted = str(data.get("clauses", ""))
    try:
        added = clauses.paste(session, draft=draft, entity_id=draft.entity_id, pasted=pasted)
    except clauses.PasteError as problem:
        session.rollback()  # a draft started for this paste is not kept
        shown = None if started else session.get(Draft, draft.id)
        page = composer.page(
            session, spec=spec_of("document_versions"), entity_id=draft.entity_id, draft=shown, editor=editor
        )
        extra = {"paste_error": str(problem), "pasted": pasted}
        return _show(request, page, status_code=422, extra=extra)
    session.flush()
    session.commit()
    return go_to(request, f"/drafts/{draft.id}?pasted={added}#box-clauses")


@router.post("/drafts/{draft_id}/items/{section}/{item}/remove")
def remove_in_draft(
    request: Request, data: FormDep, session: SessionDep, editor: EditorDep, draft_id: RecordId, section: str, item: str
) -> Response:
    draft = _draft(session, draft_id, editor)
    return _remove(request, session, editor, data, draft=draft, section=section, item=item)


@router.post("/edit/{kind}/{entity_id}/items/{section}/{item}/remove")
def remove_published(
    request: Request,
    data: FormDep,
    session: SessionDep,
    editor: EditorDep,
    kind: str,
    entity_id: RecordId,
    section: str,
    item: str,
) -> Response:
    draft = drafts.own_draft(session, kind=kind, entity_id=entity_id, author=editor)
    if draft is None:
        draft = drafts.start(session, kind=_kind(kind).key, entity_id=entity_id, author=editor)
    return _remove(request, session, editor, data, draft=draft, section=section, item=item, first=True)


def _remove(
    request: Request,
    session: Session,
    editor: User,
    data: Any,
    *,
    draft: Draft,
    section: str,
    item: str,
    first: bool = False,
) -> Response:
    spec = spec_of(draft.kind)
    composer.remove_item(
        session,
        spec=spec,
        entity_id=draft.entity_id,
        draft=draft,
        section_key=section,
        item_ref=item,
        undo=bool(data.get("undo")),
    )
    session.commit()
    if first or not wants_fragment(request):
        return go_to(request, f"/drafts/{draft.id}#box-{section}")
    page = composer.page(session, spec=spec, entity_id=draft.entity_id, draft=draft, editor=editor)
    return _show(request, page, block=_block(section), box=_box(page, section))


# ---------------------------------------------------------------- publishing, discarding, going on from another's


def _resolutions(data: Any) -> dict[str, dict[str, Any]]:
    """ "seen:outcomes:7" = 4 and "keep:outcomes:7:title" = theirs, from the conflict screen."""
    found: dict[str, dict[str, Any]] = {}
    for name in data:
        text = str(name)
        if text.startswith("seen:"):
            value = str(data.get(name, ""))
            found.setdefault(text[5:], {"fields": {}})["version"] = int(value) if value.isdigit() else -1
        elif text.startswith("keep:"):
            key, _, field = text[5:].rpartition(":")
            found.setdefault(key, {"fields": {}})["fields"][field] = str(data.get(name, ""))
    return found


@router.post("/drafts/{draft_id}/publish")
def publish_draft(
    request: Request, data: FormDep, session: SessionDep, editor: EditorDep, draft_id: RecordId
) -> Response:
    return _publish(request, session, editor, _draft(session, draft_id, editor), data)


def _publish(request: Request, session: Session, editor: User, draft: Draft, data: Any) -> Response:
    """Publish ``draft``; whatever stops it, the draft (and what was just saved in it) is kept."""
    summary = str(data.get("summary", "") or "").strip()[:500]
    draft.summary = summary or draft.summary
    session.flush()
    try:
        published = _publish_whole(session, draft, editor, _resolutions(data))
    except publishing.Conflicted as conflicted:
        session.commit()
        page = composer.page(session, spec=spec_of(draft.kind), entity_id=draft.entity_id, draft=draft, editor=editor)
        page.conflicts = conflicted.conflicts
        return _show(request, page, status_code=409)
    except publishing.Refused as refused:
        session.commit()
        page = composer.page(session, spec=spec_of(draft.kind), entity_id=draft.entity_id, draft=draft, editor=editor)
        page.problems = composer.problem_links(session, page, refused.problems)
        return _show(request, page, status_code=422)
    except publishing.MovedOn:
        session.commit()
        page = composer.page(session, spec=spec_of(draft.kind), entity_id=draft.entity_id, draft=draft, editor=editor)
        page.notice = (
            "Others were publishing changes to the same records at that moment: nothing was published. Publish again."
        )
        return _show(request, page, status_code=409)
    session.commit()
    if published.kind == "document_versions":  # a version is read on its document's page
        slug, number = documents.version_address(session=session, version_id=published.id)
        return go_to(request, f"/documents/{slug}?version={number}&published=1")
    if published.kind == "outcome_steps":  # and a step on its outcome's
        step = session.get(OutcomeStep, published.id)
        if step is not None:
            return go_to(request, f"/outcomes/{step.outcome_id}?published=1#step-{step.id}")
    return go_to(request, _after_publish(published))


PUBLISH_ATTEMPTS = 3


def _publish_whole(
    session: Session, draft: Draft, editor: User, resolutions: dict[str, dict[str, Any]]
) -> publishing.Published:
    """Publish in a savepoint, merging again if someone published between the merge and the write."""
    for attempt in range(PUBLISH_ATTEMPTS):
        try:
            with session.begin_nested():  # a publish that cannot go through takes nothing else with it
                return publishing.publish(session, draft=draft, editor=editor, resolutions=resolutions)
        except publishing.MovedOn:
            if attempt == PUBLISH_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


@router.post("/drafts/{draft_id}/discard")
def discard_draft(request: Request, session: SessionDep, editor: EditorDep, draft_id: RecordId) -> Response:
    draft = _draft(session, draft_id, editor)
    back = f"/edit/{draft.kind}/{draft.entity_id}" if draft.entity_id else "/drafts"
    session.delete(draft)
    session.commit()
    return go_to(request, back)


@router.post("/drafts/{draft_id}/copy")
def copy_draft(request: Request, session: SessionDep, editor: EditorDep, draft_id: RecordId) -> Response:
    theirs = _draft(session, draft_id, editor, own=False)
    mine = drafts.copy(session, draft=theirs, author=editor)
    session.commit()
    return go_to(request, f"/drafts/{mine.id}")


@router.get("/drafts/{draft_id}/preview", response_class=HTMLResponse)
def preview_draft(request: Request, session: SessionDep, editor: EditorDep, draft_id: RecordId) -> Response:
    """The draft applied and shown through the readers' own page (exactly as it will look), then rolled
    back: nothing is kept."""
    draft = _draft(session, draft_id, editor, own=False)
    try:
        shown = publishing.preview(session, draft=draft, editor=editor)
        response = pages.preview(
            request, session, shown.kind, shown.slug or "", draft_id=draft.id or 0, entity_id=shown.id
        )
    finally:
        session.rollback()
    response.headers["Cache-Control"] = PRIVATE
    return response


@router.get("/drafts", response_class=HTMLResponse)
def drafts_page(request: Request, session: SessionDep, editor: EditorDep) -> HTMLResponse:
    listed = composer.all_drafts(session, editor=editor)
    response = render(request, "drafts.html", {"drafts": listed, "editor": editor})
    response.headers["Cache-Control"] = PRIVATE
    return response


@router.get("/edit/sources", response_class=HTMLResponse)
def source_library(
    request: Request,
    session: SessionDep,
    editor: EditorDep,
    q: str = Query("", max_length=200),
    page: int = Query(1, ge=1, le=100_000),
) -> HTMLResponse:
    """Every source, found by title, publisher, address or date, each a link to correct it."""
    found = library.library(session, words=q, page=page)
    response = render(request, "sources.html", {"library": found}, fragment="results")
    response.headers["Cache-Control"] = PRIVATE
    return response


# ---------------------------------------------------------------- pickers


@router.get("/pick/{kind}", response_class=HTMLResponse)
def pick_options(
    request: Request,
    session: SessionDep,
    editor: EditorDep,
    kind: str,
    q: str = Query("", max_length=200),
    # The id of the composer's field (ASCII, from field names). Spelled out rather than \w: Unicode's
    # \w costs pydantic-core's regex engine a fiftieth of a second to build at every start.
    for_: str = Query("pick", alias="for", pattern=r"^[A-Za-z0-9_-]{1,120}$"),
) -> HTMLResponse:
    """Options for a picker, as the editor types (the combobox in static/editor.js)."""
    if kind not in pickers.PICKED_KINDS:
        raise NotFound(f"Nothing is picked from {kind!r}.")
    options = pickers.search(session, kind, q)
    noun = pickers.CREATABLE.get(kind)
    response = render(request, "pick.html", {"options": options, "field_id": for_, "typed": q.strip(), "noun": noun})
    response.headers["Cache-Control"] = PRIVATE
    return response


# ---------------------------------------------------------------- history


@router.get("/edit/{kind}/{entity_id}/history", response_class=HTMLResponse)
def history_page(
    request: Request, session: SessionDep, editor: EditorDep, kind: str, entity_id: RecordId
) -> HTMLResponse:
    spec = _kind(kind)
    a, b = request.query_params.get("a", ""), request.query_params.get("b", "")
    context = composer.history_page(session, spec=spec, entity_id=entity_id, a=a, b=b)
    response = render(request, "history.html", context)
    response.headers["Cache-Control"] = PRIVATE
    return response


@router.get("/edit/{kind}/{entity_id}/history/{revision_id}/restore", response_class=HTMLResponse)
@router.get("/edit/{kind}/{entity_id}/history/{revision_id}/revert/{field}", response_class=HTMLResponse)
def confirm_restore(
    request: Request,
    session: SessionDep,
    editor: EditorDep,
    kind: str,
    entity_id: RecordId,
    revision_id: RecordId,
    field: str | None = None,
) -> HTMLResponse:
    """What restoring (or reverting one field) would change, before anything is changed."""
    spec = _kind(kind)
    plan = publishing.plan_restore(session, entity=spec.key, entity_id=entity_id, revision_id=revision_id, field=field)
    context = {
        "plan": plan,
        "spec": spec,
        "title": drafts.title_of(
            session, drafts.live_item(session, kind, entity_id) or drafts.Item("", kind, None, {}, [], "")
        ),
    }
    response = render(request, "restore.html", context)
    response.headers["Cache-Control"] = PRIVATE
    return response


@router.post("/edit/{kind}/{entity_id}/history/{revision_id}/restore")
@router.post("/edit/{kind}/{entity_id}/history/{revision_id}/revert/{field}")
def restore(
    request: Request,
    data: FormDep,
    session: SessionDep,
    editor: EditorDep,
    kind: str,
    entity_id: RecordId,
    revision_id: RecordId,
    field: str | None = None,
) -> Response:
    spec = _kind(kind)
    plan = publishing.plan_restore(session, entity=spec.key, entity_id=entity_id, revision_id=revision_id, field=field)
    shown = str(data.get("version", ""))
    try:
        publishing.carry_out(session, plan, expected_version=int(shown) if shown.isdigit() else -1, editor=editor)
    except publishing.MovedOn:
        session.rollback()
        context = {
            "title": "The record changed since you were shown what would change",
            "messages": ["Nothing was restored. Look at what restoring would change now, then confirm again."],
        }
        response = render(
            request, "error.html", context | {"replay": [], "action": "", "as_notice": False}, status_code=409
        )
        return response
    session.commit()
    return go_to(request, f"/edit/{kind}/{entity_id}/history?restored={revision_id}")


@router.post("/edit/{kind}/{entity_id}/delete")
def delete_record(
    request: Request, data: FormDep, session: SessionDep, editor: EditorDep, kind: str, entity_id: RecordId
) -> Response:
    spec = _kind(kind)
    row = session.get(spec.kind.table, entity_id)
    parent = getattr(row, spec.shown_under, None) if spec.shown_under and row is not None else None
    try:
        publishing.delete_record(
            session=session, entity=spec.key, entity_id=entity_id, editor=editor, summary=str(data.get("summary", ""))
        )
        session.commit()
    except Exception as exc:
        from sqlalchemy.exc import IntegrityError

        if not isinstance(exc, IntegrityError):
            raise
        session.rollback()
        context = {
            "title": f"This {spec.noun} is still in use",
            "messages": [f"Other records refer to this {spec.noun}; change or delete them first. Nothing was deleted."],
            "replay": [],
            "action": "",
            "as_notice": False,
        }
        return render(request, "error.html", context, status_code=409)
    return go_to(request, f"/edit/rounds/{parent}" if parent else "/drafts?deleted=1")


# ---------------------------------------------------------------- deleted records, first steps


@router.get("/admin/deleted", response_class=HTMLResponse)
def deleted_page(request: Request, session: SessionDep, admin: AdminDep) -> HTMLResponse:
    deletions = session.exec(
        select(Revision).where(col(Revision.action) == RevisionAction.delete).order_by(col(Revision.id).desc())
    ).all()
    waiting = [d for d in deletions if session.get(history.kind_of(d.entity).table, d.entity_id) is None]
    response = render(request, "deleted.html", {"deletions": waiting})
    response.headers["Cache-Control"] = PRIVATE
    return response


@router.post("/admin/deleted/{revision_id}/restore")
def restore_deleted(request: Request, session: SessionDep, admin: AdminDep, revision_id: RecordId) -> Response:
    publishing.restore_deleted(session=session, revision_id=revision_id, admin=admin)
    session.commit()
    return go_to(request, "/admin/deleted")


@router.get("/start", response_class=HTMLResponse)
def first_steps(request: Request, session: SessionDep, editor: EditorDep) -> HTMLResponse:
    """For a record with nothing in it yet: what to enter, in order, each a link to its form."""
    response = render(request, "start.html", {"steps": composer.first_steps(session)})
    response.headers["Cache-Control"] = PRIVATE
    return response
