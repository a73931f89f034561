"""Builds the Parley application."""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import __version__, pages
from app.config import PROJECT_ROOT, Settings, get_settings
from app.db import make_engine


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Parley",
        version=__version__,
        description="Peace negotiations, round by round: rounds, delegations, outcomes and positions, with sources.",
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.mount("/static", StaticFiles(directory=PROJECT_ROOT / "static"), name="static")
    app.include_router(pages.router)
    return app
