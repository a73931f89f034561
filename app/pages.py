"""Public HTML pages."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from app.db import is_reachable
from app.deps import SessionDep
from app.templating import templates
from app.timeline import timeline

router = APIRouter()


@router.get("/", response_class=HTMLResponse, summary="Timeline of rounds and context events")
def timeline_page(request: Request, session: SessionDep) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "timeline.html",
        {"entries": timeline(session=session)},
    )


@router.get("/healthz", summary="Liveness: 200 when the database answers, 503 when it does not")
def healthz(request: Request) -> JSONResponse:
    if is_reachable(request.app.state.engine):
        return JSONResponse({"status": "ok", "database": "reachable"})
    return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
