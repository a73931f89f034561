"""The number of SQL statements a page needs does not grow with the record (no N+1)."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from app.core.db import session_scope
from tests.factories import many_rounds

# Generous enough for every page today, small enough that a query per row would break it.
MAX_STATEMENTS = 25

PAGES = [
    "/?negotiation={n}",
    "/?negotiation={n}&party={n}-north&q=round",
    "/rounds/{n}-round-2",
    "/compare?negotiation={n}",
    "/parties/{n}-north",
    "/people/{n}-north-envoy",
    "/topics/ceasefire",
    "/api/timeline?negotiation={n}",
    "/api/rounds/{n}-round-2",
    "/api/compare?negotiation={n}",
    "/feed.atom",
    "/calendar.ics",
    "/exports/positions.csv",
]


@contextmanager
def counted(engine: sa.Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def cost(client: TestClient, url: str) -> int:
    with counted(client.app.state.engine) as statements:  # type: ignore[attr-defined]
        assert client.get(url).status_code == 200, url
    return len(statements)


@pytest.mark.parametrize("page", PAGES)
def test_page_cost_is_the_same_for_3_rounds_and_for_60(seeded, client: TestClient, page: str) -> None:
    with session_scope(seeded) as session:
        many_rounds(session, 3, slug="small")
    small = cost(client, page.format(n="small"))
    with session_scope(seeded) as session:
        many_rounds(session, 60, slug="large")
    large = cost(client, page.format(n="large"))
    assert large == small, f"{page}: {small} statements with 3 rounds, {large} with 60"
    assert large <= MAX_STATEMENTS
