"""The JSON twins of the public pages, documented in the OpenAPI schema."""

from typing import Any

from fastapi.responses import Response
from pydantic import BaseModel, TypeAdapter

from app.reading import comparison, documents, parties, rounds, schemas, search, state, timeline, topics
from app.web.deps import Router, SessionDep
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

router = Router(prefix="/api", tags=["record"])
_LISTS: dict[type[BaseModel], TypeAdapter[Any]] = {}


def as_json(shape: BaseModel | list[Any], item: type[BaseModel] | None = None) -> Response:
    """A shape as JSON, written in the route's own thread. Left to FastAPI, the writing waits for a
    free thread after the route returns, while the request still holds its database connection:
    under load every connection was held by a request waiting its turn, and the pool ran dry (503s
    in the benchmark's cold run). Returned so, the connection is given back as soon as it is written."""
    if isinstance(shape, BaseModel):
        return Response(shape.model_dump_json(), media_type="application/json")
    assert item is not None
    adapter = _LISTS.setdefault(item, TypeAdapter(list[item]))  # type: ignore[valid-type]
    return Response(adapter.dump_json(shape), media_type="application/json")


NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Nothing in the record answers to that slug."}}
BAD_CHOICE: dict[int | str, dict[str, Any]] = {
    422: {"description": "A parameter names something that does not fit (which one, and why, is in detail)."}
}


@router.get(
    "/timeline",
    response_model=schemas.TimelinePage,
    summary="Rounds and context events in date order",
    responses=NOT_FOUND,
)
def api_timeline(session: SessionDep, filters: Filters, after: After = None) -> Response:
    return as_json(timeline.timeline(session=session, filters=filters, after=after))


@router.get(
    "/state",
    response_model=schemas.StateOfPlay,
    summary="One negotiation at a glance: where it stands, its outcomes by state, the gaps, its time line",
    responses=NOT_FOUND,
)
def api_state(session: SessionDep, negotiation: NegotiationChoice = None) -> Response:
    return as_json(state.state_of_play(session=session, negotiation=negotiation))


@router.get(
    "/search",
    response_model=schemas.SearchResults,
    summary="Words looked for in rounds, positions, outcomes, events, people and sources, grouped by kind",
)
def api_search(session: SessionDep, q: Words = "") -> Response:
    return as_json(search.search(session=session, q=q))


@router.get(
    "/rounds/{slug}",
    response_model=schemas.RoundDetail,
    summary="Everything the record holds on one round",
    responses=NOT_FOUND,
)
def api_round(session: SessionDep, slug: Slug) -> Response:
    return as_json(rounds.round_detail(session=session, slug=slug))


@router.get(
    "/outcomes/{outcome_id}",
    response_model=schemas.OutcomeDetail,
    summary="One outcome, its round, and how it was carried out, step by step",
    responses=NOT_FOUND,
)
def api_outcome(session: SessionDep, outcome_id: OutcomeId) -> Response:
    return as_json(rounds.outcome_detail(session=session, outcome_id=outcome_id))


@router.get(
    "/compare",
    response_model=schemas.Comparison,
    summary="Each party's latest position per topic, as of a round",
    responses=NOT_FOUND | BAD_CHOICE,
)
def api_compare(
    session: SessionDep,
    negotiation: NegotiationChoice = None,
    party: PartyChoice = [],  # noqa: B006 (FastAPI copies defaults)
    as_of: AsOf = None,
    topic: TopicChoice = [],  # noqa: B006
) -> Response:
    return as_json(
        comparison.compare(session=session, negotiation=negotiation, parties=party, as_of=as_of, topics=topic)
    )


@router.get("/topics", response_model=list[schemas.TopicSummary], summary="The topics under negotiation")
def api_topics(session: SessionDep) -> Response:
    return as_json(topics.topic_list(session=session), schemas.TopicSummary)


@router.get(
    "/topics/{slug}",
    response_model=schemas.TopicHistory,
    summary="Each party's positions on one topic over time, in one negotiation",
    responses=NOT_FOUND | BAD_CHOICE,
)
def api_topic(session: SessionDep, slug: Slug, negotiation: NegotiationChoice = None) -> Response:
    return as_json(topics.topic_history(session=session, slug=slug, negotiation=negotiation))


@router.get("/parties", response_model=list[schemas.PartySummary], summary="The parties in the record")
def api_parties(session: SessionDep) -> Response:
    return as_json(parties.party_list(session=session), schemas.PartySummary)


@router.get(
    "/parties/{slug}",
    response_model=schemas.PartyDetail,
    summary="A party's roles and the rounds it took part in",
    responses=NOT_FOUND,
)
def api_party(session: SessionDep, slug: Slug) -> Response:
    return as_json(parties.party_detail(session=session, slug=slug))


@router.get(
    "/people/{slug}",
    response_model=schemas.PersonDetail,
    summary="The delegations a person led or joined",
    responses=NOT_FOUND,
)
def api_person(session: SessionDep, slug: Slug) -> Response:
    return as_json(parties.person_detail(session=session, slug=slug))


@router.get(
    "/documents",
    response_model=schemas.DocumentList,
    summary="The texts on the table: memoranda, drafts, statements and readouts",
    responses=NOT_FOUND,
)
def api_documents(session: SessionDep, negotiation: NegotiationChoice = None) -> Response:
    return as_json(documents.document_list(session=session, negotiation=negotiation))


@router.get(
    "/documents/compare",
    response_model=schemas.DocumentComparison,
    summary="Two documents' clauses side by side, aligned by topic",
    responses=NOT_FOUND | BAD_CHOICE,
)
def api_document_comparison(
    session: SessionDep,
    left: DocumentChoice,
    right: DocumentChoice,
    left_version: VersionChoice = None,
    right_version: VersionChoice = None,
) -> Response:
    return as_json(
        documents.compare_documents(
            session=session, left=left, right=right, left_version=left_version, right_version=right_version
        )
    )


@router.get(
    "/documents/{slug}",
    response_model=schemas.DocumentDetail,
    summary="One document: its authors, versions and the clauses of one version",
    responses=NOT_FOUND | BAD_CHOICE,
)
def api_document(session: SessionDep, slug: Slug, version: VersionChoice = None) -> Response:
    return as_json(documents.document_detail(session=session, slug=slug, version=version))


@router.get(
    "/documents/{slug}/changes",
    response_model=schemas.VersionComparison,
    summary="Two versions of one document compared: clauses added, removed, moved and changed",
    responses=NOT_FOUND | BAD_CHOICE,
)
def api_document_changes(
    session: SessionDep, slug: Slug, before: EarlierVersion = None, after: VersionChoice = None
) -> Response:
    return as_json(documents.compare_versions(session=session, slug=slug, before=before, after=after))
