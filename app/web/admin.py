"""Signing in and out, and the admins' page for editor accounts."""

from typing import Annotated, Any

from fastapi import Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.record.models import Role, User
from app.web import accounts
from app.web.accounts import SignInRefused, TooManyAttempts, UserInvalid
from app.web.deps import AdminDep, CurrentUser, Router, SessionDep
from app.web.htmx import go_to
from app.web.params import RecordId
from app.web.security import safe_next
from app.web.templating import render

router = Router(include_in_schema=False)

# Signing in or out changes every page; drop what the browser cached while signed out (or in).
CLEAR_CACHE = {"Clear-Site-Data": '"cache"'}


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, user: CurrentUser, next_: Annotated[str, Query(alias="next")] = "/") -> Response:
    target = safe_next(next_)
    if user is not None:
        return RedirectResponse(target, status_code=303)
    return render(request, "login.html", {"next": target, "email": "", "error": None})


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next_: Annotated[str, Form(alias="next")] = "/",
) -> Response:
    target = safe_next(next_)
    try:
        user = accounts.sign_in(
            session=session, email=email, password=password, address=accounts.client_address(request)
        )
    except TooManyAttempts as exc:
        context = {"next": target, "email": email, "error": str(exc)}
        refused = render(request, "login.html", context, status_code=429)
        refused.headers["Retry-After"] = str(exc.seconds)
        return refused
    except SignInRefused as exc:
        return render(request, "login.html", {"next": target, "email": email, "error": str(exc)}, status_code=422)
    accounts.start_session(request, user, session=session)
    session.commit()
    response = go_to(request, target)
    response.headers.update(CLEAR_CACHE)
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    accounts.end_session(request, session=session)
    session.commit()
    response = go_to(request, "/")
    response.headers.update(CLEAR_CACHE)
    return response


ROLES = [(Role.editor.value, "Editor: edits and publishes the record"), (Role.admin.value, "Admin: also manages users")]


def _users_page(
    request: Request,
    session: SessionDep,
    admin: User,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    added: int | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    users = accounts.list_users(session=session)
    context: dict[str, Any] = {
        "users": users,
        "sessions": accounts.open_sessions(session=session),
        "admin": admin,
        "added": next((user for user in users if user.id == added), None),
        "values": values or {"role": Role.editor.value},
        "errors": errors or {},
        "roles": ROLES,
    }
    return render(request, "admin_users.html", context, status_code=status_code)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: SessionDep, admin: AdminDep, added: int | None = None) -> HTMLResponse:
    return _users_page(request, session, admin, added=added)


@router.post("/admin/users")
def add_user(
    request: Request,
    session: SessionDep,
    admin: AdminDep,
    email: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = Role.editor.value,
    password: Annotated[str, Form()] = "",
) -> Response:
    try:
        user = accounts.create_user(session=session, email=email, name=name, role=role, password=password)
    except UserInvalid as exc:
        values = {"email": email, "name": name, "role": role}  # never the password
        return _users_page(request, session, admin, values=values, errors=exc.errors, status_code=422)
    return go_to(request, f"/admin/users?added={user.id}#user-{user.id}")


@router.post("/admin/users/{user_id}/disable")
def disable_user(request: Request, session: SessionDep, admin: AdminDep, user_id: RecordId) -> Response:
    accounts.set_active(session=session, user_id=user_id, active=False, admin=admin)
    return go_to(request, f"/admin/users#user-{user_id}")


@router.post("/admin/users/{user_id}/enable")
def enable_user(request: Request, session: SessionDep, admin: AdminDep, user_id: RecordId) -> Response:
    accounts.set_active(session=session, user_id=user_id, active=True, admin=admin)
    return go_to(request, f"/admin/users#user-{user_id}")


@router.post("/admin/users/{user_id}/sessions/end")
def end_user_sessions(request: Request, session: SessionDep, admin: AdminDep, user_id: RecordId) -> Response:
    """Sign a user out everywhere (their own browser too, if it is the admin's own account)."""
    accounts.end_sessions(session=session, user_id=user_id, why=f"ended by {admin.name}")
    session.commit()
    return go_to(request, f"/admin/users#user-{user_id}")


@router.post("/admin/users/{user_id}/sessions/{session_id}/end")
def end_one_session(
    request: Request, session: SessionDep, admin: AdminDep, user_id: RecordId, session_id: RecordId
) -> Response:
    accounts.end_sessions(session=session, user_id=user_id, session_id=session_id, why=f"ended by {admin.name}")
    session.commit()
    return go_to(request, f"/admin/users#user-{user_id}")
