"""The ``parley`` command line."""

import logging
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from app.core import migrate
from app.core.config import get_settings
from app.core.db import make_engine, session_scope
from app.record import document, transfer
from app.record.document import DocumentError
from app.record.models import Role
from app.web import accounts

cli = typer.Typer(help="Parley: follow peace negotiations round by round.", no_args_is_help=True)
db_cli = typer.Typer(help="Database migrations.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
user_cli = typer.Typer(help="Editor and admin accounts.", no_args_is_help=True)
cli.add_typer(user_cli, name="user")

out = Console()
err = Console(stderr=True)


@db_cli.callback()
def db_logging() -> None:
    # Alembic reports each migration it runs through logging; show those lines.
    handler = logging.StreamHandler()
    handler.addFilter(lambda record: record.getMessage().startswith("Running"))
    logger = logging.getLogger("alembic.runtime.migration")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    migrate.upgrade(get_settings(), revision)


@db_cli.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help='Target revision; "base" empties the database.')],
) -> None:
    """Migrate the database down to REVISION."""
    migrate.downgrade(get_settings(), revision)


@db_cli.command("current")
def db_current() -> None:
    """Show the database's current revision."""
    migrate.current(get_settings())


@db_cli.command("revision")
def db_revision(message: Annotated[str, typer.Option("--message", "-m", help="What the migration does.")]) -> None:
    """Write a new migration from the difference between the models and the database."""
    migrate.revision(get_settings(), message)


@cli.command()
def seed(
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Only load into a database with no record yet.")] = False,
) -> None:
    """Load the bundled record of the 2025 Istanbul talks. Running it again changes nothing."""
    engine = make_engine(get_settings().database_url)
    with session_scope(engine) as session:
        if if_empty and not transfer.is_empty(session=session):
            out.print("The database already holds a record; not seeding.")
            return
        result = transfer.seed_record(session=session)
    if result.loaded:
        out.print(f"Loaded the bundled Istanbul 2025 record ({result.written} entries).")
    else:
        out.print("The bundled Istanbul 2025 record is already loaded; nothing changed.")


# A worker that has not answered uvicorn's health check within this many seconds is restarted. Building
# the app takes well under a second of CPU, but on a loaded 2-core host a starting worker waits its
# turn: uvicorn's own default of 5 s killed workers before they had started.
WORKER_HEALTHCHECK_TIMEOUT = 60


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    reload: Annotated[bool, typer.Option(help="Restart when the code changes (development).")] = False,
    worker_healthcheck_timeout: Annotated[
        int, typer.Option(min=1, help="Seconds a worker may take to answer the health check before it is restarted.")
    ] = WORKER_HEALTHCHECK_TIMEOUT,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
) -> None:
    """Serve Parley over HTTP."""
    get_settings()  # refuse a bad configuration before any worker starts
    out.print(f"Parley is serving on [bold]http://{host}:{port}[/bold]  (Ctrl+C stops it)")
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        timeout_worker_healthcheck=worker_healthcheck_timeout,
        access_log=access_log,
        # Parley reads forwarded headers itself, from the proxies PARLEY_FORWARDED_ALLOW_IPS names only.
        proxy_headers=False,
        # A request too broken to reach the app (an address over ~64 KB) gets a page in Parley's words.
        http="app.web.http_errors:ParleyHttpToolsProtocol",
    )


@cli.command("export")
def export_command(
    file: Annotated[Path, typer.Argument(help='Where to write the JSON document; "-" for standard output.')],
) -> None:
    """Write the whole record as one JSON document."""
    engine = make_engine(get_settings().database_url)
    with session_scope(engine) as session:
        text = document.dump(transfer.export_record(session=session))
    if str(file) == "-":
        sys.stdout.write(text)
    else:
        file.write_text(text, encoding="utf-8")
        typer.echo(f"Exported the record to {file}.", err=True)


@cli.command("release")
def release_command(
    note: Annotated[str, typer.Option("--note", "-m", help="What the release is for.")] = "",
) -> None:
    """Freeze the published record as the next numbered release, to cite and download at /releases/N."""
    from app.record import releases  # only this command needs it

    engine = make_engine(get_settings().database_url)
    try:
        with session_scope(engine) as session:
            release = releases.make_release(session, made_by="the command line", note=note)
            number, digest = release.number, release.sha256
    except releases.NothingNew as refused:
        typer.echo(f"No release was made: {str(refused).removeprefix('note: ')}.", err=True)
        raise typer.Exit(1) from refused
    finally:
        engine.dispose()
    typer.echo(f"Made release {number} (record document SHA-256 {digest}); it is served at /releases/{number}.")


@cli.command("import")
def import_command(file: Annotated[Path, typer.Argument(help="A JSON document written by parley export.")]) -> None:
    """Load a JSON document into an empty database: all of it, or nothing."""
    settings = get_settings()
    try:
        source = document.RecordFile.of_path(file)
        source.check_shape(max_bytes=settings.import_max_bytes, max_depth=settings.import_max_depth)
    except OSError as exc:
        typer.echo(f"Cannot read {file}: {exc.strerror}", err=True)
        raise typer.Exit(1) from exc
    except DocumentError as exc:
        _refuse(file, exc)
    engine = make_engine(settings.database_url)
    columns = (TextColumn("Importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, console=err, transient=True) as progress, session_scope(engine) as session:
            task = progress.add_task("import", total=source.total())
            written = transfer.import_file(
                session=session, source=source, on_progress=lambda n: progress.advance(task, n)
            )
    except DocumentError as exc:
        _refuse(file, exc)
    finally:
        engine.dispose()
    typer.echo(f"Imported {written} entries from {file}.", err=True)


def _refuse(file: Path, exc: DocumentError) -> NoReturn:
    # Plain lines, never wrapped: operators grep and copy these.
    typer.echo(f"Refused {file}; nothing was written:", err=True)
    for problem in exc.problems:
        typer.echo(f"  - {problem}", err=True)
    raise typer.Exit(1)


@user_cli.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="The address they sign in with.")],
    role: Annotated[Role, typer.Option(help="editor edits the record; admin also manages users.")] = Role.editor,
    name: Annotated[str, typer.Option(help="As shown beside their edits (default: the email's local part).")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from the first line of standard input.")
    ] = False,
) -> None:
    """Add an editor or admin account."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    engine = make_engine(get_settings().database_url)
    try:
        with session_scope(engine) as session:
            user = accounts.create_user(session=session, email=email, name=name, role=role, password=password)
            summary = f"Added {user.name} <{user.email}> as {user.role.value}."
    except accounts.UserInvalid as exc:
        typer.echo("No account was added:", err=True)
        for field, message in exc.errors.items():
            typer.echo(f"  - {field}: {message}", err=True)
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()
    typer.echo(summary)


@user_cli.command("list")
def user_list() -> None:
    """List the accounts: email, name, role, and whether they are active."""
    engine = make_engine(get_settings().database_url)
    try:
        with session_scope(engine) as session:
            users = accounts.list_users(session=session)
    finally:
        engine.dispose()
    if not users:
        typer.echo("No accounts yet; add one with: parley user add EMAIL --role admin --password-stdin")
    for user in users:
        status = "active" if user.active else "disabled"
        typer.echo(f"{user.email}\t{user.name}\t{user.role.value}\t{status}")


def main() -> None:
    cli()
