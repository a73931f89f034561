"""Public HTML pages. Each renders the same object its JSON twin under /api returns."""

from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlmodel import Session

from app.core.db import is_reachable
from app.core.errors import NotFound
from app.reading import comparison, documents, parties, rounds, schemas, search, state, timeline, topics
from app.web.deps import Router, SessionDep
from app.web.htmx import wants_fragment
from app.web.params import (
    After,
    AsOf,
    DocumentChoice,
    EarlierVersion,
    Filters,
    NegotiationChoice,
    OutcomeId,
    PartyChoice,
    Slug,
    TopicChoice,
    VersionChoice,
    Words,
)
from app.web.templating import render, route_path

router = Router(include_in_schema=False)


def twin(request: Request, name: str, **path: str) -> str:
    """The URL of a page's JSON twin, with the page's own query, encoded afresh.

    It goes into a ``Link`` header: a query sent with bare ``>``, ``,`` or ``;`` must not add links of its own.
    """
    url = route_path(request.app, name, **path)
    query = urlencode(request.query_params.multi_items())
    return f"{url}?{query}" if query else str(url)


@router.get("/timeline", response_class=HTMLResponse)
def timeline_page(request: Request, session: SessionDep, filters: Filters, after: After = None) -> HTMLResponse:
    page = timeline.timeline(session=session, filters=filters, after=after)
    # Words looked for are looked for in the whole record too: the timeline says what else matched.
    found = search.search(session=session, q=filters.q, hits=False) if filters.q and not after else None
    # "Show later entries" appends entries to the list; a filter change replaces the results.
    fragment = "entries" if after else "results"
    context = {"page": page, "found": found}
    response = render(request, "timeline.html", context, fragment=fragment, twin=twin(request, "api_timeline"))
    return response if after else _pushed_as_chosen(request, response, filters.query())


def _pushed_as_chosen(request: Request, response: HTMLResponse, chosen: dict[str, str]) -> HTMLResponse:
    """Filters changed in place put the view's address in the address bar, as a link to share: the form
    sends every box, "any" as an empty one, and htmx would push them all ("?negotiation=&party=&topic=
    territory&year=…"); the address pushed names only the filters chosen."""
    if wants_fragment(request):
        response.headers["HX-Push-Url"] = request.url.path + (f"?{urlencode(chosen)}" if chosen else "")
    return response


@router.get("/", response_class=HTMLResponse)
def state_page(request: Request, session: SessionDep, filters: Filters, after: After = None) -> Response:
    """The first thing a reader sees: where the talks stand, at a glance.

    The timeline was here before; an address of it kept from then (``/?party=…``) still leads to it.
    """
    if after or any(name != "negotiation" for name in filters.query()):
        return RedirectResponse(f"/timeline?{request.url.query}", status_code=301)
    try:
        view = state.state_of_play(session=session, negotiation=filters.negotiation)
    except NotFound:
        if filters.negotiation:
            raise
        # Nothing on the record yet: the page says so, and leads editors to start it.
        return render(request, "state.html", {"view": None})
    return render(request, "state.html", {"view": view}, twin=twin(request, "api_state"))


@router.get("/state", include_in_schema=False)
def state_moved(negotiation: NegotiationChoice = None) -> RedirectResponse:
    """Where the state of play was before it became the first page; links to it keep working."""
    query = urlencode({"negotiation": negotiation}) if negotiation else ""
    return RedirectResponse("/" + (f"?{query}" if query else ""), status_code=301)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, session: SessionDep, q: Words = "") -> HTMLResponse:
    results = search.search(session=session, q=q)
    return render(request, "search.html", {"results": results}, fragment="results", twin=twin(request, "api_search"))


@router.get("/negotiations/{slug}", response_class=HTMLResponse)
def negotiation_page(
    request: Request, session: SessionDep, slug: Slug, filters: Filters, after: After = None
) -> HTMLResponse:
    filters = filters.model_copy(update={"negotiation": slug})
    page = timeline.timeline(session=session, filters=filters, after=after)
    api = route_path(request.app, "api_timeline")
    fragment = "entries" if after else "results"
    response = render(request, "timeline.html", {"page": page}, fragment=fragment, twin=f"{api}?negotiation={slug}")
    return response if after else _pushed_as_chosen(request, response, filters.query(negotiation=None))


@router.get("/rounds/{slug}", response_class=HTMLResponse)
def round_page(request: Request, session: SessionDep, slug: Slug) -> HTMLResponse:
    detail = rounds.round_detail(session=session, slug=slug)
    return render(request, "round.html", {"round": detail}, twin=twin(request, "api_round", slug=slug))


@router.get("/outcomes/{outcome_id}", response_class=HTMLResponse)
def outcome_page(request: Request, session: SessionDep, outcome_id: OutcomeId) -> HTMLResponse:
    view = rounds.outcome_detail(session=session, outcome_id=outcome_id)
    return render(
        request, "outcome.html", {"view": view}, twin=twin(request, "api_outcome", outcome_id=str(outcome_id))
    )


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    session: SessionDep,
    negotiation: NegotiationChoice = None,
    party: PartyChoice = [],  # noqa: B006 (FastAPI copies defaults)
    as_of: AsOf = None,
    topic: TopicChoice = [],  # noqa: B006
) -> HTMLResponse:
    view = comparison.compare(session=session, negotiation=negotiation, parties=party, as_of=as_of, topics=topic)
    return render(request, "compare.html", {"view": view}, fragment="comparison", twin=twin(request, "api_compare"))


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request, session: SessionDep, negotiation: NegotiationChoice = None) -> HTMLResponse:
    listed = documents.document_list(session=session, negotiation=negotiation)
    return render(request, "documents.html", {"listed": listed}, twin=twin(request, "api_documents"))


# Before /documents/{slug}: "compare" is not a document's slug.
@router.get("/documents/compare", response_class=HTMLResponse)
def document_comparison_page(
    request: Request,
    session: SessionDep,
    left: DocumentChoice,
    right: DocumentChoice,
    left_version: VersionChoice = None,
    right_version: VersionChoice = None,
) -> HTMLResponse:
    view = documents.compare_documents(
        session=session, left=left, right=right, left_version=left_version, right_version=right_version
    )
    return render(request, "document_compare.html", {"view": view}, twin=twin(request, "api_document_comparison"))


@router.get("/documents/{slug}", response_class=HTMLResponse)
def document_page(request: Request, session: SessionDep, slug: Slug, version: VersionChoice = None) -> HTMLResponse:
    detail = documents.document_detail(session=session, slug=slug, version=version)
    return render(request, "document.html", {"document": detail}, twin=twin(request, "api_document", slug=slug))


@router.get("/documents/{slug}/changes", response_class=HTMLResponse)
def document_changes_page(
    request: Request, session: SessionDep, slug: Slug, before: EarlierVersion = None, after: VersionChoice = None
) -> HTMLResponse:
    view = documents.compare_versions(session=session, slug=slug, before=before, after=after)
    return render(
        request, "document_changes.html", {"view": view}, twin=twin(request, "api_document_changes", slug=slug)
    )


@router.get("/topics", response_class=HTMLResponse)
def topics_page(request: Request, session: SessionDep) -> HTMLResponse:
    listed = topics.topic_list(session=session)
    return render(request, "topics.html", {"topics": listed}, twin=twin(request, "api_topics"))


@router.get("/topics/{slug}", response_class=HTMLResponse)
def topic_page(
    request: Request, session: SessionDep, slug: Slug, negotiation: NegotiationChoice = None
) -> HTMLResponse:
    history = topics.topic_history(session=session, slug=slug, negotiation=negotiation)
    return render(request, "topic.html", {"topic": history}, twin=twin(request, "api_topic", slug=slug))


@router.get("/parties", response_class=HTMLResponse)
def parties_page(request: Request, session: SessionDep) -> HTMLResponse:
    listed = parties.party_list(session=session)
    return render(request, "parties.html", {"parties": listed}, twin=twin(request, "api_parties"))


@router.get("/parties/{slug}", response_class=HTMLResponse)
def party_page(request: Request, session: SessionDep, slug: Slug) -> HTMLResponse:
    detail = parties.party_detail(session=session, slug=slug)
    return render(request, "party.html", {"party": detail}, twin=twin(request, "api_party", slug=slug))


@router.get("/people/{slug}", response_class=HTMLResponse)
def person_page(request: Request, session: SessionDep, slug: Slug) -> HTMLResponse:
    detail = parties.person_detail(session=session, slug=slug)
    return render(request, "person.html", {"person": detail}, twin=twin(request, "api_person", slug=slug))


# Example calls for the API reference, against the bundled record.
API_EXAMPLES = {
    "/api/timeline": "/api/timeline?party=ukraine",
    "/api/search": "/api/search?q=prisoners",
    "/api/rounds/{slug}": "/api/rounds/2025-06-02-istanbul",
    "/api/compare": "/api/compare?party=russia&party=ukraine&as_of=2025-06-02-istanbul",
    "/api/topics/{slug}": "/api/topics/territory",
    "/api/parties/{slug}": "/api/parties/ukraine",
    "/api/people/{slug}": "/api/people/rustem-umerov",
    "/api/documents/{slug}": "/api/documents/2025-06-02-russian-memorandum",
    "/api/documents/compare": (
        "/api/documents/compare?left=2025-06-02-russian-memorandum&right=2025-06-02-ukrainian-memorandum"
    ),
}


@router.get("/api", response_class=HTMLResponse)
def api_reference_page(request: Request) -> HTMLResponse:
    """A readable reference of the JSON API, made from the OpenAPI schema and served without third-party assets."""
    api = request.app.openapi()
    operations = [
        {
            "id": operation.get("operationId", path),
            "method": method.upper(),
            "path": path,
            "summary": operation.get("summary", ""),
            "parameters": operation.get("parameters", []),
            "responses": [(code, answer.get("description", "")) for code, answer in operation["responses"].items()],
            "example": API_EXAMPLES.get(path, path if "{" not in path else None),
        }
        for path, methods in api["paths"].items()
        for method, operation in methods.items()
    ]
    # The API first; the downloads and feeds, which are files rather than JSON, after it.
    groups = [
        ("Operations", [op for op in operations if op["path"].startswith("/api/")]),
        ("Downloads and feeds", [op for op in operations if not op["path"].startswith("/api/")]),
    ]
    return render(request, "api_reference.html", {"api": api, "groups": groups}, twin="/openapi.json")


health = Router(pages=False)  # answered even while the page thread is busy


@health.get("/healthz", summary="Liveness: 200 when the database answers, 503 when it does not")
def healthz(request: Request) -> JSONResponse:
    if is_reachable(request.app.state.engine):
        return JSONResponse({"status": "ok", "database": "reachable"})
    return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)


def preview(
    request: Request, session: Session, kind: str, slug: str, *, draft_id: int, entity_id: int | None = None
) -> HTMLResponse:
    """A reader's page of a record as an editor's draft, applied but not committed, would leave it."""
    context: dict[str, object] = {"preview": draft_id}
    if kind == "rounds":
        return render(request, "round.html", context | {"round": rounds.round_detail(session=session, slug=slug)})
    if kind == "parties":
        return render(request, "party.html", context | {"party": parties.party_detail(session=session, slug=slug)})
    if kind == "people":
        return render(request, "person.html", context | {"person": parties.person_detail(session=session, slug=slug)})
    if kind == "topics":
        return render(request, "topic.html", context | {"topic": topics.topic_history(session=session, slug=slug)})
    if kind == "negotiations":
        filters = schemas.TimelineFilters(negotiation=slug)
        return render(request, "timeline.html", context | {"page": timeline.timeline(session=session, filters=filters)})
    if kind == "documents":
        detail = documents.document_detail(session=session, slug=slug)
        return render(request, "document.html", context | {"document": detail})
    if kind == "document_versions" and entity_id is not None:
        # A version is seen on its document's page.
        slug, number = documents.version_address(session=session, version_id=entity_id)
        detail = documents.document_detail(session=session, slug=slug, version=number)
        return render(request, "document.html", context | {"document": detail})
    raise NotFound(f"A {kind.removesuffix('s')} has no page of its own to preview.")
