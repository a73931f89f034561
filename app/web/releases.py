"""Citable releases on the web: the list, each release's files with their checksums and the citation
to give, what changed since the release before, and a feed of corrections. Editors make a release
here; ``parley release`` makes one from the command line."""

import hashlib
import xml.etree.ElementTree as ET
from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from app.core.errors import NotFound
from app.reading import schemas
from app.record import releases
from app.record.models import Release, as_utc
from app.web.api import NOT_FOUND, as_json
from app.web.deps import EditorDep, FormDep, Router, SessionDep
from app.web.htmx import go_to
from app.web.templating import render

router = Router()
ReleaseNumber = Annotated[int, Path(ge=1, le=1_000_000, description="The release's number.")]
FileName = Annotated[
    str, Path(pattern=r"^([a-z_]+\.(csv|json|bib)|CITATION\.cff|SHA256SUMS)$", description="A file of the release.")
]

MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json", "cff": "text/plain; charset=utf-8",
         "bib": "text/plain; charset=utf-8", "SHA256SUMS": "text/plain; charset=utf-8"}  # fmt: skip


# ---------------------------------------------------------------- pages


def _summary(base: str, row: Any) -> schemas.ReleaseSummary:
    return schemas.ReleaseSummary(
        number=row.number,
        created_at=row.created_at,
        made_by=row.made_by,
        note=row.note,
        sha256=row.sha256,
        url=f"{base}releases/{row.number}",
        view_url=f"{base}releases/{row.number}/view/",
    )


def _detail(request: Request, session: Session, number: int) -> schemas.ReleaseDetail:
    base = str(request.base_url)
    release = _kept(session, number)
    files = {name: text.encode() for name, text in releases.files_of(release).items()}
    return schemas.ReleaseDetail(
        **_summary(base, release).model_dump(),
        files=[
            schemas.ReleaseFile(
                name=name,
                size=len(body),
                sha256=hashlib.sha256(body).hexdigest(),
                url=f"{base}releases/{number}/{name}",
            )
            for name, body in files.items()
        ],
        bibtex=files["citation.bib"].decode(),
        citation_cff=files["CITATION.cff"].decode(),
        changes=[
            schemas.ReleaseChange(kind=c.kind, id=c.id, change=c.change, name=c.name, fields=list(c.fields))
            for c in _changes(session, release)
        ],
    )


@router.get(
    "/api/releases", response_model=list[schemas.ReleaseSummary], tags=["record"], summary="Every release, newest first"
)
def api_releases(request: Request, session: SessionDep) -> Response:
    listed = [_summary(str(request.base_url), row) for row in releases.all_releases(session)]
    return as_json(listed, schemas.ReleaseSummary)


@router.get(
    "/api/releases/{number}",
    response_model=schemas.ReleaseDetail,
    tags=["record"],
    summary="One release: its files with their checksums, its citation, and what changed since the one before",
    responses=NOT_FOUND,
)
def api_release(request: Request, session: SessionDep, number: ReleaseNumber) -> Response:
    return as_json(_detail(request, session, number))


@router.get("/releases", response_class=HTMLResponse, include_in_schema=False)
def releases_page(request: Request, session: SessionDep) -> HTMLResponse:
    listed = releases.all_releases(session)
    return render(request, "releases.html", {"listed": listed, "error": None, "note": ""}, twin="/api/releases")


@router.post("/releases", include_in_schema=False)
def make_release(request: Request, session: SessionDep, editor: EditorDep, data: FormDep) -> Response:
    note = str(data.get("note", ""))[:2000]
    try:
        release = releases.make_release(session, made_by=editor.name, note=note)
    except releases.NothingNew as refused:
        session.rollback()
        context = {"listed": releases.all_releases(session), "error": str(refused), "note": note}
        response = render(request, "releases.html", context, status_code=422)
        response.headers["Cache-Control"] = "private, no-store"
        return response
    session.commit()
    return go_to(request, f"/releases/{release.number}")


@router.get("/releases/{number}", response_class=HTMLResponse, include_in_schema=False)
def release_page(request: Request, session: SessionDep, number: ReleaseNumber) -> HTMLResponse:
    detail = _detail(request, session, number)
    return render(request, "release.html", {"release": detail}, twin=f"/api/releases/{number}")


@router.get("/releases/{number}/{filename}", include_in_schema=False)
def release_file(request: Request, session: SessionDep, number: ReleaseNumber, filename: FileName) -> Response:
    files = releases.files_of(_kept(session, number))
    if filename not in files:
        raise NotFound(f"Release {number} has no file called {filename}.")
    extension = filename.rsplit(".", 1)[-1] if "." in filename else filename
    headers = {"Content-Disposition": f'attachment; filename="parley-release-{number}-{filename}"'}
    return Response(files[filename].encode(), media_type=MEDIA[extension], headers=headers)


def _kept(session: Session, number: int) -> Release:
    """The release, its files stored the first time one made before they were is read."""
    release = releases.get_release(session, number)
    if releases.keep_files(session, release):
        session.commit()
    return release


def _changes(session: Session, release: Release) -> list[releases.Change]:
    before = releases.get_release(session, release.number - 1) if release.number > 1 else None
    return releases.changes_between(releases.record_of(before) if before else None, releases.record_of(release))


@router.get("/corrections", response_class=HTMLResponse, include_in_schema=False)
def corrections_page(request: Request, session: SessionDep) -> HTMLResponse:
    """What changed from each release to the next, newest first."""
    listed = [releases.get_release(session, row.number) for row in releases.all_releases(session)]
    report = [(release, [c for c in _changes(session, release) if release.number > 1]) for release in listed]
    return render(request, "corrections.html", {"report": report})


@router.get("/corrections.atom", include_in_schema=False)
def corrections_feed(request: Request, session: SessionDep) -> Response:
    """Each release as an entry, with what changed since the one before."""
    base = str(request.base_url).rstrip("/")
    feed = ET.Element("feed", xmlns="http://www.w3.org/2005/Atom")
    ET.SubElement(feed, "id").text = f"{base}/corrections.atom"
    ET.SubElement(feed, "title").text = "Parley: releases and corrections"
    ET.SubElement(feed, "link", rel="self", href=f"{base}/corrections.atom")
    rows = releases.all_releases(session)
    ET.SubElement(feed, "updated").text = _rfc3339(rows[0].created_at) if rows else "1970-01-01T00:00:00Z"
    for row in rows:
        release = releases.get_release(session, row.number)
        changes = _changes(session, release)
        entry = ET.SubElement(feed, "entry")
        url = f"{base}/releases/{release.number}"
        ET.SubElement(entry, "id").text = url
        ET.SubElement(entry, "title").text = f"Release {release.number}"
        ET.SubElement(entry, "link", rel="alternate", href=url)
        ET.SubElement(entry, "updated").text = _rfc3339(release.created_at)
        counts = {what: sum(1 for c in changes if c.change == what) for what in ("added", "changed", "removed")}
        said = ", ".join(f"{n} {what}" for what, n in counts.items() if n) or "nothing changed"
        first = " (the first release)" if release.number == 1 else f" since release {release.number - 1}"
        ET.SubElement(entry, "summary").text = f"{release.note + ' — ' if release.note else ''}{said}{first}."
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type="application/atom+xml")


def _rfc3339(moment: Any) -> str:
    return as_utc(moment).isoformat().replace("+00:00", "Z")
