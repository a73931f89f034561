"""Request parameters shared by the HTML pages and their JSON twins, with the formats OpenAPI documents."""

from typing import Annotated

from fastapi import Path, Query

from app.reading import schemas
from app.reading.timeline import CURSOR_PATTERN
from app.record.models import SLUG_LENGTH, SLUG_PATTERN

Slug = Annotated[str, Path(pattern=SLUG_PATTERN, max_length=SLUG_LENGTH, description="The slug in the page's address.")]
Filters = Annotated[schemas.TimelineFilters, Query()]
After = Annotated[
    str | None,
    Query(
        pattern=CURSOR_PATTERN, description="Continue after this timeline position (next_cursor of the previous page)."
    ),
]
NegotiationChoice = Annotated[
    str | None,
    Query(pattern=SLUG_PATTERN, description="Slug of the negotiation; default: the one that met last."),
]
PartyChoice = Annotated[
    list[str],
    Query(description="Slugs of the parties to compare; default: the negotiating parties."),
]
AsOf = Annotated[
    str | None,
    Query(pattern=SLUG_PATTERN, description="Slug of the round; default: the latest round held."),
]
TopicChoice = Annotated[list[str], Query(description="Slugs of the topics to show; default: all.")]

Words = Annotated[
    str,
    Query(max_length=200, pattern=r"^[^\x00]*$", description="Words to look for; every one must appear."),
]
DocumentChoice = Annotated[str, Query(pattern=SLUG_PATTERN, max_length=SLUG_LENGTH, description="Slug of a document.")]
VersionChoice = Annotated[int | None, Query(ge=1, le=100_000, description="A version's number; default: the latest.")]
EarlierVersion = Annotated[
    int | None, Query(ge=1, le=100_000, description="The earlier version's number; default: the one before after.")
]
# The largest id a PostgreSQL integer column holds: a larger one in an address is refused as such,
# where PostgreSQL would fail the query and the reader get a server error.
MAX_ID = 2**31 - 1
OutcomeId = Annotated[int, Path(ge=1, le=MAX_ID, description="The outcome's number in the record.")]
RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="An entry's, draft's, revision's or account's id.")]
