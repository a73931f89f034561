"""Citable releases (app/record/releases.py, app/web/releases.py): `parley release` and the editors'
button freeze the published record under a number; /releases/N serves its files with checksums and a
citation, forever; the corrections page and feed say what changed from one release to the next."""

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli import cli
from app.core.config import Settings
from app.record import releases
from app.record.models import Outcome, Release
from tests.accounts_fixtures import csrf
from tests.factories import soup_of, text

runner = CliRunner()


def _release(note: str = "") -> str:
    result = runner.invoke(cli, ["release", "--note", note] if note else ["release"])
    return result.output


def test_parley_release_makes_release_1_and_refuses_a_second_with_nothing_new(
    seeded: sa.Engine, settings: Settings, client: TestClient
) -> None:
    made = runner.invoke(cli, ["release", "--note", "Rounds 1 and 2"])
    assert made.exit_code == 0, made.output
    assert made.output.startswith("Made release 1 (record document SHA-256 ")
    again = runner.invoke(cli, ["release"])
    assert again.exit_code == 1
    assert "No release was made: the published record has not changed since release 1." in again.output

    page = soup_of(client, "/releases/1")
    assert "Rounds 1 and 2" in text(page.select_one(".lede"))
    files = {text(tr.select_one("th")): tr for tr in page.select(".release-files tbody tr")}
    for name in ("record.json", "rounds.csv", "codebook.json", "datapackage.json", "CITATION.cff", "citation.bib"):
        assert name in files, name
    assert "Parley editors. Parley: peace negotiations, round by round, with sources, release 1" in text(
        page.select_one('section[aria-labelledby="cite-heading"] p')
    )


def test_a_releases_files_match_their_checksums_and_the_record(
    seeded: sa.Engine, settings: Settings, client: TestClient
) -> None:
    _release()
    sums = dict(line.split("  ")[::-1] for line in client.get("/releases/1/SHA256SUMS").text.splitlines())
    for name, digest in sums.items():
        body = client.get(f"/releases/1/{name}").content
        assert hashlib.sha256(body).hexdigest() == digest, name
    package = client.get("/releases/1/datapackage.json").json()
    rounds = next(r for r in package["resources"] if r["path"] == "rounds.csv")
    assert rounds["hash"] == f"sha256:{sums['rounds.csv']}", "the files name one another by relative paths"
    book = client.get("/releases/1/codebook.json").json()
    assert book["record_url"] == "record.json" and "rounds.csv" in [k["csv_url"] for k in book["kinds"]]
    assert package["version"] == "1"
    record = client.get("/releases/1/record.json").json()
    assert record == json.loads(client.get("/exports/record.json").text)
    cff = client.get("/releases/1/CITATION.cff").text
    assert 'version: "1"' in cff and "cff-version: 1.2.0" in cff
    twin = client.get("/api/releases/1").json()
    assert {f["name"]: f["sha256"] for f in twin["files"] if f["name"] != "SHA256SUMS"} == sums
    assert twin["citation_cff"] == cff and [r["number"] for r in client.get("/api/releases").json()] == [1]


def test_a_later_edit_shows_in_the_corrections_and_leaves_release_1_as_it_was(
    seeded: sa.Engine, settings: Settings, client: TestClient, session: Session
) -> None:
    _release()
    before = client.get("/releases/1/outcomes.csv").content
    outcome = session.exec(select(Outcome).where(Outcome.title == "Further talks")).one()
    outcome.title = "Further talks, before the end of June"
    session.add(outcome)
    session.commit()
    assert _release("After a correction").startswith("Made release 2")
    assert client.get("/releases/1/outcomes.csv").content == before, "a release never changes"
    corrections = soup_of(client, "/corrections")
    listed = [text(li) for li in corrections.select("#release-2 ~ ul.corrections li")]
    assert listed == [f"Changed: outcomes #{outcome.id}, Further talks, before the end of June (title)"]
    feed = client.get("/corrections.atom").text
    assert "<title>Release 2</title>" in feed and "After a correction — 1 changed since release 1." in feed


def test_an_editor_makes_a_release_from_the_releases_page(
    seeded: sa.Engine, editor_client: TestClient, client: TestClient
) -> None:
    page = soup_of(editor_client, "/releases")
    assert text(page.select_one('form[action="/releases"] button')) == "Make release 1"
    made = editor_client.post(
        "/releases", data={"csrf_token": csrf(editor_client, "/releases"), "note": "For the June report"},
        follow_redirects=False,
    )  # fmt: skip
    assert made.status_code == 303 and made.headers["location"] == "/releases/1"
    # The editor's screens and signing in are the live site's: an address of them under a release leads there.
    sent = editor_client.get("/releases/1/view/drafts", follow_redirects=False)
    assert sent.status_code == 308 and sent.headers["location"] == "/drafts"
    assert "set-cookie" not in client.get("/releases/1/view/timeline").headers, "no cookie of the live site replaced"
    refused = editor_client.post("/releases", data={"csrf_token": csrf(editor_client, "/releases"), "note": "Again"})
    assert refused.status_code == 422 and "has not changed since release 1" in refused.text
    typed = BeautifulSoup(refused.text, "html.parser").select_one("#release-note")
    assert "Again" in typed.get_text(), "the note comes back as typed"
    assert soup_of(client, "/releases").select_one('form[action="/releases"]') is None, "readers see no button"


def test_a_releases_files_are_kept_as_made_whatever_parley_does_later(
    seeded: sa.Engine, settings: Settings, client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _release()
    before = {name: client.get(f"/releases/1/{name}").content for name in ("rounds.csv", "SHA256SUMS")}
    # A later Parley that lays its CSVs out differently must not change what release 1 published.
    monkeypatch.setattr(releases, "record_csv", lambda record, kind: "laid out differently\n")
    assert {name: client.get(f"/releases/1/{name}").content for name in before} == before


def test_a_release_made_before_files_were_kept_still_serves_them(
    seeded: sa.Engine, settings: Settings, client: TestClient, session: Session
) -> None:
    _release()
    kept = client.get("/releases/1/SHA256SUMS").text
    session.exec(sa.update(Release).values(files=None))  # as migration 0018 leaves an older release
    session.commit()
    assert client.get("/releases/1/SHA256SUMS").text == kept
    assert client.get("/releases/1/rounds.csv").status_code == 200
    session.expire_all()
    assert session.exec(select(Release)).one().files is not None, "stored when first read, never made again"


# ---------------------------------------------------------------- pages as of a release


def test_every_page_can_be_read_as_it_stood_at_a_release(
    seeded: sa.Engine, settings: Settings, client: TestClient, session: Session
) -> None:
    _release("Before the correction")
    outcome = session.exec(select(Outcome).where(Outcome.title == "Further talks")).one()
    outcome.title = "Further talks, corrected later"
    session.add(outcome)
    session.commit()

    today = soup_of(client, "/rounds/2025-06-02-istanbul")
    assert "Further talks, corrected later" in text(today.select_one("main"))
    then = soup_of(client, "/releases/1/view/rounds/2025-06-02-istanbul")
    banner = then.select_one(".as-of-banner")
    assert "The record as it stood at release 1" in text(banner) and "(Before the correction)" in text(banner)
    assert banner.select_one('a[href="/releases/1"]') is not None
    assert banner.find("a", string="This page as it is today")["href"] == "http://testserver/rounds/2025-06-02-istanbul"
    main = text(then.select_one("main"))
    assert "Further talks" in main and "corrected later" not in main, "the outcome as it was then"
    # Its links stay in the release; the releases, sign-in and static files stay live.
    links = [a["href"] for a in then.select("a[href^='/']")]
    assert "/releases/1/view/compare" in links and "/releases/1/view/" in links
    assert not [href for href in links if href.startswith(("/rounds", "/compare", "/topics"))]
    assert then.select_one('.site-footer a[href="/releases"]') is not None
    assert then.select_one('link[rel="stylesheet"]')["href"] == "/static/parley.css"
    assert then.select_one('nav[aria-label="Main"] a[aria-current="page"]')["href"] == "/releases/1/view/timeline"

    # The JSON twin, a widget and the CSV export are as they were too.
    api = client.get("/releases/1/view/api/rounds/2025-06-02-istanbul").json()
    assert api["slug"] == "2025-06-02-istanbul" and "corrected later" not in json.dumps(api)
    widget = client.get("/releases/1/view/embed/round/2025-06-02-istanbul")
    assert widget.status_code == 200 and "As it stood at Parley's release 1" in widget.text
    outcomes = client.get("/releases/1/view/exports/outcomes.csv").text
    assert "Further talks" in outcomes and "corrected later" not in outcomes
    assert soup_of(client, "/releases/1").select_one('a[href="/releases/1/view/"]') is not None
    assert client.get("/api/releases/1").json()["view_url"] == "http://testserver/releases/1/view/"


def test_a_release_is_read_only_and_no_one_is_signed_in_to_it(
    seeded: sa.Engine, settings: Settings, client: TestClient, editor_client: TestClient
) -> None:
    _release()
    page = soup_of(editor_client, "/releases/1/view/rounds/2025-06-02-istanbul")
    assert page.select_one(".account") is None, "an editor reads a release as everyone does"
    assert not page.select('a[href*="/edit"]')
    # The editor's screens and signing in are the live site's: an address of them under a release leads there.
    sent = editor_client.get("/releases/1/view/drafts", follow_redirects=False)
    assert sent.status_code == 308 and sent.headers["location"] == "/drafts"
    assert "set-cookie" not in client.get("/releases/1/view/timeline").headers, "no cookie of the live site replaced"
    refused = editor_client.post("/releases/1/view/rounds/2025-06-02-istanbul/outcomes", data={"csrf_token": "x"})
    assert refused.status_code == 405 and "A release cannot be changed" in refused.text
    assert refused.headers["allow"] == "GET, HEAD" and "content-security-policy" in refused.headers
    assert client.get("/releases/1/view", follow_redirects=False).headers["location"] == "/releases/1/view/"
    missing = client.get("/releases/2/view/")
    assert missing.status_code == 404 and "no release 2" in missing.text.lower()


def test_a_release_keeps_the_pages_filters_and_its_widgets_embed(
    seeded: sa.Engine, settings: Settings, client: TestClient
) -> None:
    _release()
    planned = soup_of(client, "/releases/1/view/timeline?kind=planned")
    titles = [text(a) for a in planned.select("ol.timeline h3 a, ol.timeline h2 a")]
    assert titles and all("Round 3" in t for t in titles), titles
    assert planned.select_one("#filter-kind option[selected]")["value"] == "planned"
    assert planned.select_one("form.filters")["action"] == "/releases/1/view/timeline"
    found = client.get("/releases/1/view/api/search?q=children").json()
    assert found["q"] == "children" and found["groups"]
    widget = client.get("/releases/1/view/embed/compare")
    assert "x-frame-options" not in widget.headers, "a release's widgets embed like the live ones"
    page = client.get("/releases/1/view/compare")
    assert "</releases/1/view/api/compare>" in page.headers["link"]
    missing = client.get("/releases/1/view/api/rounds/no-such-round")
    assert missing.status_code == 404 and "no round" in missing.json()["detail"], "an API error is JSON there too"


def test_two_readers_opening_a_release_at_once_share_one_app_of_it(
    seeded: sa.Engine, settings: Settings, client: TestClient
) -> None:
    _release()
    views = client.app.release_views  # type: ignore[attr-defined]
    with ThreadPoolExecutor(max_workers=4) as pool:
        made = list(pool.map(lambda _: views._make(1), range(4)))
    assert all(app is made[0] for app in made) and list(views.apps) == [1]
