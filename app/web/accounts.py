"""Editor and admin accounts: creating and disabling them, signing in (throttled per account and
address), and the server-side sessions that say who is signed in.

``signed_in_user`` answers for a request; routes ask for it through ``app.web.deps`` (``CurrentUser``,
``EditorDep``, ``AdminDep``) and templates through ``current_user()``, ``None`` for readers.
``send_to_login`` answers ``LoginRequired``.
"""

import datetime as dt
import hashlib
import hmac
import math
import re
import secrets
from functools import cache
from typing import Any, NoReturn, Self
from urllib.parse import urlencode, urlsplit

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request
from fastapi.responses import JSONResponse, Response
from jinja2 import pass_context
from jinja2.runtime import Context
from pydantic import ValidationError, field_validator, model_validator
from sqlmodel import Session, SQLModel, col, func, select

from app.core.db import REQUEST_SESSION
from app.core.errors import NotFound
from app.record.models import LoginAttempt, Role, User, UserSession, as_utc, utcnow
from app.web.htmx import current_url, go_to, is_htmx
from app.web.security import CSRF_SESSION_KEY, new_csrf_token, request_of, safe_next

# argon2-cffi's defaults (RFC 9106's low-memory profile). Tests swap in a cheaper hasher.
password_hasher = PasswordHasher()

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # Argon2 takes any length; this only bounds the work one request can ask for
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Guessing is stopped per account *and* network address, so a stranger cannot lock the owner out;
# the account as a whole only slows down, and never for addresses it has signed in from before.
THROTTLE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS = 5
MAX_FAILURES_PER_ADDRESS = 20
ACCOUNT_BACKOFF_AFTER = 10
ACCOUNT_BACKOFF = dt.timedelta(minutes=1)
ATTEMPTS_KEPT = dt.timedelta(days=30)

# What the session cookie holds: the token of a session kept on the server (user_sessions) and a
# fingerprint of the password hash (a new password ends every other session), never the role,
# which is read afresh on each request.
SESSION_TOKEN = "sid"  # noqa: S105 (the cookie key, not a secret)
SESSION_FINGERPRINT = "auth"
# A session's "last seen" is written at most this often, not on every request.
SEEN_EVERY = dt.timedelta(minutes=10)

WRONG_CREDENTIALS = "That email address and password do not match an account."
MISSING_CREDENTIALS = "Enter your email address and your password."
DISABLED = "This account has been disabled. Ask an admin to enable it again."


# ---------------------------------------------------------------- errors


class UserInvalid(ValueError):
    """What is wrong with a new account, field by field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


class SignInRefused(Exception):
    """The message says why, without telling whether the email address has an account."""


class TooManyAttempts(SignInRefused):
    def __init__(self, message: str, *, seconds: int) -> None:
        super().__init__(message)
        self.seconds = seconds


class LoginRequired(Exception):
    """Raised for an anonymous visitor to an editing page; main.py sends them to sign in."""


class AccessDenied(PermissionError):
    """A signed-in user asked for something their role does not allow; the message says what."""


# ---------------------------------------------------------------- shapes


def normalize_email(email: str) -> str:
    """Addresses are kept and compared in lower case: Olena@Example.org and olena@example.org are one account."""
    return email.strip().lower()


class UserCreate(SQLModel):
    email: str
    name: str = ""
    role: Role = Role.editor
    password: str

    @field_validator("email")
    @classmethod
    def _well_formed_email(cls, value: str) -> str:
        value = normalize_email(value)
        if not value:
            raise ValueError("Enter an email address.")
        if len(value) > 320 or not EMAIL_PATTERN.match(value):
            raise ValueError("Enter an email address such as name@example.org.")
        return value

    @field_validator("name")
    @classmethod
    def _short_name(cls, value: str) -> str:
        value = " ".join(value.split())
        if len(value) > 200:
            raise ValueError("Use at most 200 characters.")
        return value

    @field_validator("role", mode="before")
    @classmethod
    def _known_role(cls, value: object) -> object:
        if value not in {role.value for role in Role}:
            raise ValueError("Choose editor or admin.")
        return value

    @field_validator("password")
    @classmethod
    def _long_password(cls, value: str) -> str:
        if len(value) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
        if len(value) > MAX_PASSWORD_LENGTH:
            raise ValueError(f"Use at most {MAX_PASSWORD_LENGTH} characters.")
        return value

    @model_validator(mode="after")
    def _name_from_email(self) -> Self:
        if not self.name:
            self.name = self.email.split("@")[0]
        return self


class UserPublic(SQLModel):
    id: int
    email: str
    name: str
    role: Role
    active: bool
    created_at: dt.datetime


class UserSessionPublic(SQLModel):
    """A signed-in browser, as an admin sees it: never its token."""

    id: int
    created_at: dt.datetime
    last_seen_at: dt.datetime
    address: str
    user_agent: str


# ---------------------------------------------------------------- services


def create_user(*, session: Session, email: str, password: str, role: str = Role.editor, name: str = "") -> User:
    """Check and add an account; raises ``UserInvalid`` naming each field at fault."""
    data: UserCreate | None = None
    errors: dict[str, str] = {}
    try:
        data = UserCreate.model_validate({"email": email, "name": name, "role": role, "password": password})
    except ValidationError as exc:
        errors = _field_errors(exc)
    taken = {"email": f"{normalize_email(email)} already has an account."}
    if "email" not in errors and session.exec(select(User.id).where(col(User.email) == normalize_email(email))).first():
        errors |= taken
    if errors or data is None:
        raise UserInvalid(errors)
    user = User(email=data.email, name=data.name, role=data.role, password_hash=password_hasher.hash(data.password))
    session.add(user)
    try:
        session.commit()
    except sa.exc.IntegrityError as exc:  # added by someone else since the check
        session.rollback()
        raise UserInvalid(taken) from exc
    session.refresh(user)
    return user


def _field_errors(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "form"
        cause = error.get("ctx", {}).get("error")
        errors.setdefault(field, str(cause) if isinstance(cause, ValueError) else error["msg"])
    return errors


def list_users(*, session: Session) -> list[UserPublic]:
    users = session.exec(select(User).order_by(col(User.created_at), col(User.id))).all()
    return [UserPublic.model_validate(user, from_attributes=True) for user in users]


def set_active(*, session: Session, user_id: int, active: bool, admin: User) -> User:
    """Disable or re-enable an account; a disabled user's sessions stop working at their next request."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user has the id {user_id}.")
    if user.id == admin.id and not active:
        raise AccessDenied("You cannot disable your own account; another admin can.")
    if user.active != active:
        user.active = active
        user.version += 1
        if not active:
            end_sessions(session=session, user_id=user_id, why="account disabled")
        session.commit()
        session.refresh(user)
    return user


def sign_in(*, session: Session, email: str, password: str, address: str, now: dt.datetime | None = None) -> User:
    """The account these credentials open, or ``SignInRefused``; every checked attempt is recorded.

    Refused with ``TooManyAttempts`` after too many failures for the email address or from the
    network address within the window; those refusals check no password and are not recorded, so the
    time they announce holds.
    """
    email = normalize_email(email)
    if not email or not password:
        raise SignInRefused(MISSING_CREDENTIALS)
    now = now or utcnow()
    _refuse_if_throttled(session=session, email=email, address=address, now=now)

    user = session.exec(select(User).where(col(User.email) == email)).first()
    # An unknown address costs one hash check too, so timing does not tell which addresses have accounts.
    matches = _verify(user.password_hash if user else _dummy_hash(), password) and user is not None
    succeeded = matches and user is not None and user.active
    session.add(LoginAttempt(email=email[:320], address=address[:64], succeeded=succeeded, at=now))
    session.exec(sa.delete(LoginAttempt).where(col(LoginAttempt.at) < now - ATTEMPTS_KEPT))
    if succeeded and user is not None and password_hasher.check_needs_rehash(user.password_hash):
        user.password_hash = password_hasher.hash(password)
    session.commit()
    if user is None or not matches:
        raise SignInRefused(WRONG_CREDENTIALS)
    if not user.active:
        raise SignInRefused(DISABLED)
    session.refresh(user)
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return password_hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash_for(hasher: PasswordHasher) -> str:
    return hasher.hash("not the password of any account")


def _dummy_hash() -> str:
    return _dummy_hash_for(password_hasher)


def _refuse_if_throttled(*, session: Session, email: str, address: str, now: dt.datetime) -> None:
    """Three limits, the first that holds refusing: failures from one network address (any account),
    for one account from one address, and for one account from anywhere, which only slows down
    sign-ins from addresses the account has not signed in from before."""
    cutoff = now - THROTTLE_WINDOW
    last_success = session.exec(
        select(func.max(LoginAttempt.at)).where(col(LoginAttempt.email) == email, col(LoginAttempt.succeeded))
    ).one()
    # Signing in clears an account's failures; an address's count is not cleared by any one account.
    since = max(cutoff, as_utc(last_success)) if last_success is not None else cutoff
    by_email = col(LoginAttempt.email) == email
    by_address = col(LoginAttempt.address) == address
    checks = [
        (by_address, cutoff, MAX_FAILURES_PER_ADDRESS, "from your network address"),
        (
            sa.and_(by_email, by_address),
            since,
            MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS,
            "for this account from your network address",
        ),
    ]
    for condition, after, limit, which in checks:
        # Locked while `limit` failures lie in the window: until the limit-th latest leaves it.
        limiting = _failures(session, condition, after, limit)
        if limiting is not None:
            _refuse(f"Too many failed sign-ins {which}", as_utc(limiting) + THROTTLE_WINDOW - now)
    latest = _failures(session, by_email, since, ACCOUNT_BACKOFF_AFTER)
    if latest is None or _has_signed_in_from(session, email, address):
        return
    newest = _failures(session, by_email, since, 1)
    assert newest is not None
    wait = as_utc(newest) + ACCOUNT_BACKOFF - now
    if wait > dt.timedelta(0):
        _refuse("This account has had many failed sign-ins, so new places may try once a minute", wait)


def _failures(session: Session, condition: Any, after: dt.datetime, nth: int) -> dt.datetime | None:
    """When the ``nth`` latest failure matching ``condition`` after ``after`` happened, if there are that many."""
    return session.exec(
        select(LoginAttempt.at)
        .where(condition, col(LoginAttempt.at) > after, col(LoginAttempt.succeeded).is_(False))
        .order_by(col(LoginAttempt.at).desc())
        .offset(nth - 1)
        .limit(1)
    ).first()


def _has_signed_in_from(session: Session, email: str, address: str) -> bool:
    found = session.exec(
        select(LoginAttempt.id).where(
            col(LoginAttempt.email) == email, col(LoginAttempt.address) == address, col(LoginAttempt.succeeded)
        )
    ).first()
    return found is not None


def _refuse(reason: str, wait: dt.timedelta) -> NoReturn:
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 60:
        when = f"{seconds} second{'' if seconds == 1 else 's'}"
    else:
        minutes = math.ceil(seconds / 60)
        when = f"{minutes} minute{'' if minutes == 1 else 's'}"
    raise TooManyAttempts(f"{reason}; try again in {when}.", seconds=seconds)


# ---------------------------------------------------------------- sessions


def _fingerprint(user: User, secret_key: str) -> str:
    return hmac.new(secret_key.encode(), user.password_hash.encode(), hashlib.sha256).hexdigest()[:32]


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(request: Request, user: User, *, session: Session) -> UserSession:
    """Sign ``user`` in on this browser, in a new session: nothing set before signing in carries over.

    The caller commits; the session is kept on the server so that it can be ended from anywhere.
    """
    assert user.id is not None
    token = secrets.token_urlsafe(32)
    now = utcnow()
    opened = UserSession(
        user_id=user.id,
        token_hash=_token_hash(token),
        created_at=now,
        last_seen_at=now,
        expires_at=now + dt.timedelta(days=request.app.state.settings.session_days),
        address=client_address(request)[:64],
        user_agent=request.headers.get("user-agent", "")[:300],
    )
    session.add(opened)
    request.session.clear()
    request.session.update(
        {
            SESSION_TOKEN: token,
            SESSION_FINGERPRINT: _fingerprint(user, request.app.state.settings.secret_key),
            CSRF_SESSION_KEY: new_csrf_token(),
        }
    )
    request.state.user = user
    return opened


def end_session(request: Request, *, session: Session) -> None:
    """Sign this browser out, and end its session on the server, so a copied cookie stops working too."""
    token = request.session.get(SESSION_TOKEN)
    if isinstance(token, str):
        session.exec(
            sa.update(UserSession)
            .where(col(UserSession.token_hash) == _token_hash(token), col(UserSession.ended_at).is_(None))
            .values(ended_at=utcnow(), ended_why="signed out")
        )
    request.session.clear()
    request.state.user = None


def end_sessions(*, session: Session, user_id: int, why: str, session_id: int | None = None) -> int:
    """End every open session of a user (or only ``session_id``); returns how many were ended."""
    query = sa.update(UserSession).where(col(UserSession.user_id) == user_id, col(UserSession.ended_at).is_(None))
    if session_id is not None:
        query = query.where(col(UserSession.id) == session_id)
    result = session.exec(query.values(ended_at=utcnow(), ended_why=why))
    return int(result.rowcount)


def open_sessions(*, session: Session, now: dt.datetime | None = None) -> dict[int, list[UserSessionPublic]]:
    """Every session still open, by user, newest first."""
    now = now or utcnow()
    rows = session.exec(
        select(UserSession)
        .where(col(UserSession.ended_at).is_(None), col(UserSession.expires_at) > now)
        .order_by(col(UserSession.last_seen_at).desc(), col(UserSession.id).desc())
    ).all()
    found: dict[int, list[UserSessionPublic]] = {}
    for row in rows:
        found.setdefault(row.user_id, []).append(
            UserSessionPublic(
                id=row.id or 0,
                created_at=as_utc(row.created_at),
                last_seen_at=as_utc(row.last_seen_at),
                address=row.address,
                user_agent=row.user_agent,
            )
        )
    return found


_UNKNOWN = object()


def signed_in_user(request: Request, session: Session | None = None) -> User | None:
    """The active user this request's session belongs to, loaded once per request.

    The cookie counts only while its session is open on the server, unexpired, of an active
    account, and signed in with the account's current password; otherwise the cookie is cleared.
    """
    known = getattr(request.state, "user", _UNKNOWN)
    if known is not _UNKNOWN:
        return known if isinstance(known, User) else None
    cookie = request.scope.get("session") or {}
    token = cookie.get(SESSION_TOKEN)
    user: User | None = None
    if isinstance(token, str):
        session = session or getattr(request.state, REQUEST_SESSION, None)
        if session is None:
            with Session(request.app.state.engine) as own:
                user = _session_user(request, own, token, cookie.get(SESSION_FINGERPRINT))
        else:
            user = _session_user(request, session, token, cookie.get(SESSION_FINGERPRINT))
        if user is None:
            request.session.clear()
    request.state.user = user
    return user


def _session_user(request: Request, session: Session, token: str, fingerprint: object) -> User | None:
    now = utcnow()
    found = session.exec(
        select(UserSession, User)
        .join(User, col(User.id) == UserSession.user_id)
        .where(col(UserSession.token_hash) == _token_hash(token))
    ).first()
    if found is None:
        return None
    opened, user = found
    if (
        opened.ended_at is not None
        or as_utc(opened.expires_at) <= now
        or not user.active
        or not isinstance(fingerprint, str)
        or not hmac.compare_digest(fingerprint, _fingerprint(user, request.app.state.settings.secret_key))
    ):
        return None
    if now - as_utc(opened.last_seen_at) > SEEN_EVERY:
        _seen(request, opened.id or 0, now)
    return user


def _seen(request: Request, session_id: int, now: dt.datetime) -> None:
    # In a transaction of its own: the request's session may be in the middle of its own work.
    try:
        with request.app.state.engine.begin() as connection:
            connection.execute(sa.update(UserSession).where(col(UserSession.id) == session_id).values(last_seen_at=now))
    except sa.exc.SQLAlchemyError:  # only bookkeeping: the request goes on
        return


@pass_context
def current_user_for_template(context: Context) -> User | None:
    request = request_of(context)
    return signed_in_user(request) if request is not None else None


# ---------------------------------------------------------------- answers


def login_url(next_path: str) -> str:
    return "/login" if next_path == "/" else "/login?" + urlencode({"next": next_path})


def _return_path(request: Request) -> str:
    """Where to come back to after signing in: the page the visitor was on, if it is on this site."""
    if is_htmx(request):
        return _same_site_path(request, current_url(request))
    if request.method in ("GET", "HEAD"):
        query = request.url.query
        return safe_next(request.url.path + (f"?{query}" if query else ""))
    return _same_site_path(request, request.headers.get("Referer", ""))


def _same_site_path(request: Request, url: str) -> str:
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != request.url.netloc:
        return "/"
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))


async def send_to_login(request: Request, exc: Exception) -> Response:
    """The answer to ``LoginRequired``: 303 to the sign-in page (htmx: a full navigation), 401 under /api."""
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": str(exc) or "Sign in first."}, status_code=401)
    return go_to(request, login_url(_return_path(request)), htmx_status=401)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
