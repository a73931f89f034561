"""What routes ask for, all in one place: the database session, a posted form, and who is asking.

- ``SessionDep``: the request's one database session (see ``REQUEST_SESSION``);
- ``FormDep``: the posted form, read before the route runs in its worker thread;
- ``CurrentUser``: the signed-in user, or None for a reader;
- ``EditorDep``: an editor or admin, else ``LoginRequired`` (a redirect to sign in);
- ``AdminDep``: an admin, else ``AccessDenied`` (403).
"""

import logging
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.datastructures import FormData

from app.core.db import REQUEST_SESSION
from app.reading.lookup import REFERENCE
from app.record.models import Role, User
from app.web.accounts import AccessDenied, LoginRequired, signed_in_user

logger = logging.getLogger("parley.db")


def get_session(request: Request) -> Iterator[Session]:
    session = Session(request.app.state.engine)
    session.info[REFERENCE] = request.app.state.reference
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


def current_user(request: Request) -> User | None:
    """Read on a session of its own, closed before the route runs.

    Dependencies run in one worker thread and the route in another. Had this read through the
    request's session, the request would keep that connection while waiting for a thread to run its
    route; a crowd of signed-in requests would then hold every connection with none able to run, and
    all be answered 503 when the pool gave up (tests/test_under_load.py). The user comes back with
    every column loaded, and is kept for the rest of the request (``signed_in_user``).
    """
    with Session(request.app.state.engine) as own:
        return signed_in_user(request, own)


CurrentUser = Annotated[User | None, Depends(current_user)]


def require_editor(user: CurrentUser) -> User:
    if user is None:
        raise LoginRequired("Sign in to edit the record.")
    return user


EditorDep = Annotated[User, Depends(require_editor)]


def require_admin(user: EditorDep) -> User:
    if user.role != Role.admin:
        raise AccessDenied("This page is for admins; you are signed in as an editor.")
    return user


AdminDep = Annotated[User, Depends(require_admin)]
