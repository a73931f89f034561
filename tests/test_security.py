"""Security findings, each with a test that fails if its fix is reverted: two Host headers, headers
built from the request, the headers every answer carries, HEAD, CORS for open data, forwarded
addresses, spreadsheet formulas in CSV files, and oversized or over-deep imports."""

import csv
import io
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app.cli import cli
from app.core.config import Settings
from app.core.db import session_scope
from app.main import create_app
from app.record.models import Citation, LoginAttempt, Position, Round, Source, Topic
from tests.test_performance import ROUND_2

runner = CliRunner()


# ------------------------------------------------------------------ 1. two Host headers


def test_two_host_headers_are_refused(seeded: sa.Engine, client: TestClient) -> None:
    response = client.get("/feed.atom", headers=[("host", "poison-host.test"), ("host", "testserver")])
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "more than one host" in response.text
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/feed.atom", "/calendar.ics", "/api/codebook", "/exports", "/compare"])
def test_no_later_reader_is_sent_to_a_poisoned_host(seeded: sa.Engine, client: TestClient, path: str) -> None:
    client.get(path, headers=[("host", "poison-host.test"), ("host", "testserver")])
    assert "poison-host.test" not in client.get(path).text


# ------------------------------------------------------------------ 4. headers built from the request


def test_the_query_cannot_add_links_to_the_link_header(seeded: sa.Engine, client: TestClient) -> None:
    response = client.get("/timeline?q=>;rel=stylesheet,<https://evil.test/a.css")
    link = response.headers["link"]
    assert link.count("<") == 1 and link.count(">") == 1, link
    assert "evil.test/a.css" not in link and "%3Chttps%3A%2F%2Fevil.test" in link
    assert link.endswith('; rel="alternate"; type="application/json"')


# ------------------------------------------------------------------ 6. what every answer says about itself

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
}


@pytest.mark.parametrize(
    "path", ["/", "/timeline", f"/rounds/{ROUND_2}", "/compare", "/api/timeline", "/nonexistent", "/login"]
)
def test_every_page_carries_the_security_headers(seeded: sa.Engine, client: TestClient, path: str) -> None:
    for response in (client.get(path), client.get(path)):  # rendered, then from the cache
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (path, name)
        assert "camera=()" in response.headers["permissions-policy"]
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


def test_a_widget_may_be_framed_and_still_runs_no_inline_script(seeded: sa.Engine, client: TestClient) -> None:
    response = client.get("/embed/compare")
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors *" in policy and "script-src 'self'" in policy
    assert "x-frame-options" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


def test_pages_hold_no_inline_script() -> None:
    """``script-src 'self'`` forbids inline scripts and handlers: none may creep into a template."""
    for template in Path("templates").glob("*.html"):
        text = template.read_text()
        assert "<script>" not in text and "<script " not in text.replace("<script src=", ""), template
        assert " onclick=" not in text and " onload=" not in text and "javascript:" not in text, template


@pytest.mark.parametrize(
    "path", ["/", "/timeline", f"/rounds/{ROUND_2}", "/api/timeline", "/static/parley.css", "/feed.atom"]
)
def test_head_answers_every_get_without_a_body(seeded: sa.Engine, client: TestClient, path: str) -> None:
    got = client.get(path, headers={"Accept-Encoding": "identity"})
    head = client.head(path, headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"]
    assert head.headers["content-type"] == got.headers["content-type"]


def test_the_api_may_be_read_by_any_sites_script(seeded: sa.Engine, client: TestClient) -> None:
    for origin in ({}, {"Origin": "https://news.example.org"}):
        response = client.get("/api/timeline", headers=origin)
        assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        "/api/compare",
        headers={
            "Origin": "https://news.example.org",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "GET" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["access-control-allow-headers"] == "If-None-Match"
    assert "access-control-allow-origin" not in client.get("/compare").headers, "pages are not open data"


# ------------------------------------------------------------------ 7. forwarded addresses


def _failed_sign_in_address(settings: Settings, engine: sa.Engine) -> str:
    with TestClient(create_app(settings)) as client:
        page = client.get("/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        client.post(
            "/login",
            data={"email": "someone@example.org", "password": "wrong", "csrf_token": token},
            headers={"X-Forwarded-For": "203.0.113.9"},
        )
        client.app.state.engine.dispose()  # type: ignore[attr-defined]
    with Session(engine) as session:
        return session.exec(select(LoginAttempt.address)).one()


def test_forwarded_addresses_are_ignored_by_default(settings: Settings, engine: sa.Engine) -> None:
    assert settings.forwarded_allow_ips == ""
    assert _failed_sign_in_address(settings, engine) == "testclient"


def test_forwarded_addresses_count_from_a_named_proxy(settings: Settings, engine: sa.Engine) -> None:
    trusting = settings.model_copy(update={"forwarded_allow_ips": "*"})
    assert _failed_sign_in_address(trusting, engine) == "203.0.113.9"


# ------------------------------------------------------------------ 3. spreadsheet formulas


def test_csv_cells_that_would_run_as_formulas_are_made_text(seeded: sa.Engine, client: TestClient) -> None:
    hostile = '=HYPERLINK("https://evil.test","click")'
    with session_scope(seeded) as session:
        r = session.exec(select(Round).where(Round.slug == ROUND_2)).one()
        r.summary, r.atmosphere = hostile, "-40 minutes late"
    rows = list(csv.DictReader(io.StringIO(client.get("/exports/rounds.csv").text)))
    row = next(row for row in rows if row["slug"] == ROUND_2)
    assert row["summary"] == "'" + hostile
    assert row["atmosphere"] == "'-40 minutes late"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())
    exported = json.loads(client.get("/exports/record.json").text)
    assert next(r for r in exported["rounds"] if r["slug"] == ROUND_2)["summary"] == hostile


# ------------------------------------------------------------------ 5. imports too large or too deep


def test_import_refuses_an_over_deep_file_in_one_line(settings: Settings, tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"format": "parley-record", "format_version": 1, "rounds": ' + "[" * 100_000 + "]" * 100_000 + "}")
    result = runner.invoke(cli, ["import", str(deep)])
    assert result.exit_code == 1
    assert "nested deeper than the limit of 32 levels (PARLEY_IMPORT_MAX_DEPTH)" in result.output
    assert "Traceback" not in result.output and "RecursionError" not in result.output


def test_import_refuses_an_over_large_file_naming_the_limit(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.config import get_settings

    monkeypatch.setenv("PARLEY_IMPORT_MAX_BYTES", "1000")
    get_settings.cache_clear()
    result = runner.invoke(cli, ["import", "app/data/istanbul-2025.json"])
    assert result.exit_code == 1
    assert "over the limit of 1,000 bytes (PARLEY_IMPORT_MAX_BYTES)" in result.output
    get_settings.cache_clear()


@pytest.mark.slow
def test_import_reads_a_large_file_in_little_memory(settings: Settings, engine: sa.Engine, tmp_path: Path) -> None:
    """Streamed entry by entry: the peak stays within twice the file's size (parsing it whole took ten times)."""
    import tracemalloc

    from tests.factories import large_document

    path = tmp_path / "large.json"
    path.write_text(large_document(rounds=400))
    size = path.stat().st_size
    assert size > 2_000_000
    tracemalloc.start()
    try:
        result = runner.invoke(cli, ["import", str(path)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 0, result.output
    assert peak < 2 * size, f"peak {peak:,} bytes for a file of {size:,}"


# ------------------------------------------------------------------ 9. workers that start


def test_serve_gives_workers_time_to_start(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    seen: dict[str, object] = {}
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: seen.update(kwargs))
    assert runner.invoke(cli, ["serve", "--workers", "2"]).exit_code == 0
    assert seen["timeout_worker_healthcheck"] == 60 and seen["proxy_headers"] is False
    runner.invoke(cli, ["serve", "--worker-healthcheck-timeout", "90"])
    assert seen["timeout_worker_healthcheck"] == 90


HOSTILE = '<script>alert("x")</script> & \'quoted\' "twice"'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;quoted&#39; &#34;twice&#34;"


def test_text_from_the_record_is_escaped_wherever_a_page_writes_it(
    seeded: sa.Engine, client: TestClient, session: Session
) -> None:
    """Pages write text both from templates (``{{ … }}``, compiled to ``markup.escape_output``) and from
    the Python pieces of markup (footnote marks, names, dates): both escape, in text and in attributes."""
    round_2 = session.exec(select(Round).where(Round.slug == ROUND_2)).one()
    round_2.city = HOSTILE  # written by templates, and by round_link in Python
    position = session.exec(select(Position).where(Position.round_id == round_2.id)).first()
    assert position is not None
    position.summary = HOSTILE  # written by markup.position_body
    cited = select(Citation.source_id).where(Citation.position_id == position.id)
    source = session.exec(select(Source).where(col(Source.id).in_(cited))).first()
    assert source is not None
    source.publisher = HOSTILE  # written into footnote marks' titles and the list of sources
    session.add_all([round_2, position, source])
    session.commit()

    for path in (f"/rounds/{ROUND_2}", "/timeline", "/compare", f"/topics/{position_topic(session, position)}"):
        page = client.get(path).text
        assert "<script>alert" not in page, path
        assert ESCAPED in page, path
    assert f'title="{ESCAPED}' in client.get(f"/rounds/{ROUND_2}").text  # a footnote mark's publisher


def position_topic(session: Session, position: Position) -> str:
    topic = session.get(Topic, position.topic_id)
    assert topic is not None
    return topic.slug
