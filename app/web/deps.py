"""Request dependencies: the one way routes get a database session, and a posted form."""

import logging
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.datastructures import FormData

logger = logging.getLogger("parley.db")

# Where the request's session is kept, so that everything answering the request (the signed-in
# user, a template) shares its one connection rather than taking a second from the pool.
REQUEST_SESSION = "db"


def get_session(request: Request) -> Iterator[Session]:
    session = Session(request.app.state.engine)
    setattr(request.state, REQUEST_SESSION, session)
    try:
        yield session
    finally:
        # An error page rendered after this point must not reopen a closed session (and leave its
        # connection in a transaction): it opens one of its own.
        delattr(request.state, REQUEST_SESSION)
        try:
            session.close()
        except SQLAlchemyError:
            # The connection died under the request (a database restart): the pool has dropped it,
            # and the request's own error, if any, is what the reader is told about.
            logger.info("A database connection was lost while closing a request's session.")


SessionDep = Annotated[Session, Depends(get_session)]


async def read_form(request: Request) -> FormData:
    """The posted form, read on the event loop so that the route itself can be a plain function.

    FastAPI runs plain functions in a worker thread; the database work of a save then never holds up
    the event loop.
    """
    return await request.form()


FormDep = Annotated[FormData, Depends(read_form)]
