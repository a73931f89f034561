"""Reading rows (app/core/db.py ``read``): a select run before goes straight to the driver in its
compiled form, and must read exactly what SQLAlchemy's own execution reads, be seen by the same
listeners, and fail as SQLAlchemy's execution fails, a lost connection included."""

import gc
import weakref
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col

from app.core.db import _prepared, is_unavailable, read
from app.record.models import Delegation, DelegationMember, Round, table_of
from tests.test_query_cost import counted

# Dates, an enum, a boolean, a nullable time, a label and a join: what the read pages convert.
_ROUNDS = sa.select(table_of(Round), col(Round.slug).label("also_slug")).order_by(col(Round.id))
_MEMBERS = (
    sa.select(col(DelegationMember.is_head), col(Delegation.round_id), col(Delegation.id).label("delegation"))
    .join(Delegation, col(Delegation.id) == DelegationMember.delegation_id)
    .order_by(col(DelegationMember.id))
)


def _typed(rows: list[Any]) -> list[list[tuple[str, type, Any]]]:
    return [[(key, type(value), value) for key, value in row._mapping.items()] for row in rows]


@pytest.mark.parametrize("statement", [_ROUNDS, _MEMBERS], ids=["rounds", "members"])
def test_a_select_run_again_reads_what_sqlalchemy_reads(seeded: sa.Engine, statement: Any) -> None:
    with seeded.connect() as connection:
        expected = connection.execute(statement).all()
    assert expected, "the bundled record has rows for this"
    with Session(seeded) as session, counted(seeded) as sent:
        runs = [read(session, statement).all() for _ in range(3)]
        first_row = read(session, statement).first()
        first_value = read(session, statement).scalar()
        mappings = read(session, statement).mappings()
        values = read(session, statement).scalars()
        iterated = list(read(session, statement))
        assert _prepared(statement, session.connection()) is not None  # the driver's own cursor ran them
    assert len(sent) == 8 and len(set(sent)) == 1  # every run reached the listeners, as the same text
    for rows in runs:
        assert rows == expected
        assert _typed(rows) == _typed(expected)  # dates as dates, the enum as itself, booleans as booleans
    assert first_row is not None and first_row._mapping == expected[0]._mapping
    assert first_value == expected[0][0]
    assert mappings == [row._mapping for row in expected] and values == [row[0] for row in expected]
    assert iterated == expected
    if statement is _ROUNDS:
        assert runs[-1][0].also_slug == runs[-1][0].slug == expected[0].slug


def test_a_statement_read_again_is_let_go_once_nothing_else_holds_it(seeded: sa.Engine) -> None:
    """What ``read`` keeps of a statement it compiled does not keep the statement itself alive."""
    statement = sa.select(col(Round.slug)).where(col(Round.id) > sa.bindparam("after"))
    with Session(seeded) as session:
        for _ in range(3):
            read(session, statement, {"after": 0}).all()
        assert _prepared(statement, session.connection()) is not None
    gone = weakref.ref(statement)
    del statement
    seeded._compiled_cache.clear()  # type: ignore[attr-defined]  # SQLAlchemy's own (bounded) cache keeps it too
    gc.collect()
    assert gone() is None


def test_one_value_is_read_when_there_is_exactly_one(seeded: sa.Engine) -> None:
    by_slug = sa.select(col(Round.id)).where(col(Round.slug) == sa.bindparam("slug"))
    with seeded.connect() as connection:
        slug, round_id = connection.execute(sa.select(col(Round.slug), col(Round.id))).first()  # type: ignore[misc]
    with Session(seeded) as session:
        for _ in range(2):  # SQLAlchemy's execution, then the compiled statement's
            assert read(session, by_slug, {"slug": slug}).scalar_one() == round_id
            assert read(session, by_slug, {"slug": "no-such-round"}).scalar() is None
            with pytest.raises(sa.exc.NoResultFound):
                read(session, by_slug, {"slug": "no-such-round"}).scalar_one()
            with pytest.raises(sa.exc.MultipleResultsFound):
                read(session, sa.select(col(Round.id))).scalar_one()


def test_a_select_run_again_binds_its_parameters_as_sqlalchemy_does(seeded: sa.Engine) -> None:
    by_date = sa.select(col(Round.slug)).where(col(Round.date) >= sa.bindparam("since")).order_by(col(Round.slug))
    with seeded.connect() as connection:
        since = connection.execute(sa.select(sa.func.max(Round.date))).scalar()
        expected = connection.execute(by_date, {"since": since}).scalars().all()
    assert len(expected) >= 1
    with Session(seeded) as session:
        for _ in range(3):
            assert read(session, by_date, {"since": since}).scalars() == expected


def test_a_parameter_not_given_is_named_as_sqlalchemy_names_it(seeded: sa.Engine) -> None:
    by_date = sa.select(col(Round.slug)).where(col(Round.date) >= sa.bindparam("since"))
    with Session(seeded) as session:
        assert read(session, by_date, {"since": None}).all() == []
        for _ in range(2):
            with pytest.raises(sa.exc.StatementError, match="A value is required for bind parameter 'since'"):
                read(session, by_date)
            session.rollback()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_driver_error_on_a_select_run_again_is_sqlalchemys_error(seeded: sa.Engine) -> None:
    with seeded.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE scratch (id INTEGER)")
    scratch = sa.select(sa.table("scratch", sa.column("id", sa.Integer)))
    with Session(seeded) as session:
        assert read(session, scratch).all() == []
        assert read(session, scratch).all() == []
    with seeded.begin() as connection:
        connection.exec_driver_sql("DROP TABLE scratch")
    with Session(seeded) as session, pytest.raises(sa.exc.OperationalError, match="no such table: scratch"):
        read(session, scratch).all()


@pytest.mark.parametrize("backend", ["postgresql"])
def test_a_connection_lost_under_a_select_run_again_is_dropped_and_the_next_read_works(seeded: sa.Engine) -> None:
    statement = sa.select(col(Round.slug)).order_by(col(Round.id))
    with Session(seeded) as session:
        expected = read(session, statement).scalars()
        pid = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with seeded.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(sa.exc.DBAPIError) as lost:
            read(session, statement).all()
    # Told apart from a wrong query, so that the reader gets the 503 page; and the pool let go of it.
    assert lost.value.connection_invalidated and is_unavailable(lost.value)
    with Session(seeded) as session:
        assert read(session, statement).scalars() == expected
