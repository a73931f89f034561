"""The texts on the table (app/reading/documents.py): the bundled memoranda of 2 June 2025, two
documents side by side by topic, two versions of one compared, and positions linked to their clauses."""

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.core.db import session_scope
from app.editing.clauses import PasteError, split_clauses
from app.reading import schemas
from app.reading.documents import clause_changes
from app.record.models import (
    Clause,
    ClauseTopic,
    Document,
    DocumentKind,
    DocumentParty,
    DocumentStatus,
    DocumentVersion,
    Party,
    Round,
    Topic,
)
from tests.accounts_fixtures import csrf
from tests.factories import soup_of, text

RUSSIAN = "2025-06-02-russian-memorandum"
UKRAINIAN = "2025-06-02-ukrainian-memorandum"


# ------------------------------------------------------------------ the bundled record


def test_the_two_memoranda_are_listed_with_their_authors_and_round(seeded: sa.Engine, client: TestClient) -> None:
    soup = soup_of(client, "/documents")
    listed = [text(li) for li in soup.select(".document-list > li")]
    assert any(line.startswith("Russian memorandum (Russia, 2 June 2025)") for line in listed)
    assert any(line.startswith("Ukrainian memorandum (Ukraine, 2 June 2025)") for line in listed)
    assert all("Round 2, Istanbul" in line for line in listed)
    compare = soup.select_one('a[href^="/documents/compare"]')
    assert compare is not None and "clause by clause" in text(compare)


def test_a_memorandum_shows_its_numbered_clauses_their_topics_and_the_positions_from_them(
    seeded: sa.Engine, client: TestClient
) -> None:
    soup = soup_of(client, f"/documents/{RUSSIAN}")
    assert text(soup.select_one("h1")) == "Russian memorandum"
    clauses = soup.select("article.clause")
    assert len(clauses) == 9
    first = clauses[0]
    assert text(first.select_one(".clause-heading")) == "1. Ceasefire"
    assert "a 30-day ceasefire would start once the withdrawal begins" in text(first).lower()
    assert "On: Ceasefire" in text(first.select_one(".clause-topics"))
    assert "Russia on Ceasefire" in text(first.select_one(".clause-positions"))
    # How the record came by the text is said, not hidden.
    assert "not on the record" in text(soup.select_one(".version-note"))
    assert soup.select(".sources li"), "the memorandum's sources are listed"


def test_round_2s_positions_link_to_the_clauses_they_come_from(seeded: sa.Engine, client: TestClient) -> None:
    soup = soup_of(client, "/rounds/2025-06-02-istanbul")
    links = {text(a): a["href"] for a in soup.select('.position-meta a[href^="/documents/"]')}
    assert "Russian memorandum, clause 2" in links and "Ukrainian memorandum, clause 2" in links
    page, anchor = links["Russian memorandum, clause 2"].split("#")
    clause = soup_of(client, page).select_one(f"#{anchor}")
    assert clause is not None and "Territory" in text(clause)
    # The comparison names the clause without a link of its own (a row keeps to a few tab stops).
    compare = soup_of(client, "/compare?negotiation=russia-ukraine-istanbul-2025")
    territory = compare.select_one("#topic-territory")
    assert "from Russian memorandum, clause 2" in text(territory)
    assert not territory.select('a[href^="/documents/"]')
    cells = client.get("/api/compare?negotiation=russia-ukraine-istanbul-2025").json()["rows"][1]["cells"]
    assert {cell["position"]["clause"]["document_slug"] for cell in cells} == {RUSSIAN, UKRAINIAN}


def test_the_two_memoranda_side_by_side_align_by_topic_and_mark_one_sided_clauses(
    seeded: sa.Engine, client: TestClient
) -> None:
    soup = soup_of(client, f"/documents/compare?left={RUSSIAN}&right={UKRAINIAN}")
    rows = {text(tr.select_one("th a")) if tr.select_one("th a") else "": tr for tr in soup.select("tbody tr")}
    ceasefire = rows["Ceasefire"]
    left, right = ceasefire.select("td")
    assert "Two options" in text(left) and "full, unconditional ceasefire" in text(right)
    assert "only-one-side" not in (ceasefire.get("class") or [])
    leaders = rows["Leaders' meeting"]
    assert "Only in the Ukrainian memorandum" in text(leaders)
    assert "No clause on this topic" in text(leaders.select("td")[0])
    assert "Only in the Russian memorandum" in text(rows["Reparations"])
    # The twin says the same.
    data = client.get(f"/api/documents/compare?left={RUSSIAN}&right={UKRAINIAN}").json()
    only = {row["topic"]["slug"]: row["only"] for row in data["rows"] if row["only"]}
    assert only == {"reparations": "left", "leaders-meeting": "right", "security-guarantees": "right", "other": "left"}


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        (f"/documents/compare?left={RUSSIAN}&right={RUSSIAN}", 422, "choose a document other than"),
        (f"/documents/compare?left={RUSSIAN}&right=no-such-text", 404, "no-such-text"),
        (f"/documents/{RUSSIAN}?version=7", 422, "there is no version 7 (the record has: 1)"),
        (f"/documents/{RUSSIAN}/changes", 422, "only one version of the Russian memorandum"),
    ],
)
def test_a_wrong_choice_says_what_is_wrong(
    seeded: sa.Engine, client: TestClient, url: str, status: int, says: str
) -> None:
    answer = client.get(url)
    assert answer.status_code == status and says in answer.text


# ------------------------------------------------------------------ versions compared


def _clause(number: str, heading: str, words: str, clause_id: int = 0) -> schemas.ClausePublic:
    return schemas.ClausePublic(
        id=clause_id, number=number, heading=heading, text=words, topics=[], positions=[], anchor=f"clause-{clause_id}"
    )


def test_clause_changes_tell_added_removed_moved_and_changed_with_the_changed_words() -> None:
    old = [
        _clause("1", "Ceasefire", "A ceasefire of 30 days once withdrawal begins."),
        _clause("2", "Territory", "Recognition of five regions as Russian."),
        _clause("3", "Sanctions", "All sanctions lifted."),
        _clause("4", "Elections", "Elections before a treaty."),
    ]
    new = [
        _clause("1", "Sanctions", "All sanctions lifted."),  # moved up
        _clause("2", "Ceasefire", "A ceasefire of 60 days once withdrawal begins."),  # changed
        _clause("3", "Territory", "Recognition of five regions as Russian."),
        _clause("4", "Language", "Russian as an official language."),  # added; Elections removed
    ]
    changes = clause_changes(old, new)
    states = [(c.state, (c.after or c.before).heading) for c in changes]  # type: ignore[union-attr]
    assert ("moved", "Sanctions") in states
    assert ("added", "Language") in states and ("removed", "Elections") in states
    changed = next(c for c in changes if (c.after and c.after.heading == "Ceasefire"))
    assert changed.state in ("changed", "moved_and_changed")
    assert [(s.op, s.text) for s in changed.diff if s.op != "equal"] == [("delete", "30"), ("insert", "60")]
    assert next(c for c in changes if c.after and c.after.heading == "Territory").state == "unchanged"


def _second_version(engine: sa.Engine) -> None:
    """Version 2 of the Russian memorandum: clause 2 reworded, clause 7 gone, a clause added."""
    with session_scope(engine) as session:
        document = session.exec(select(Document).where(Document.slug == RUSSIAN)).one()
        first = session.exec(select(DocumentVersion).where(DocumentVersion.document_id == document.id)).one()
        second = DocumentVersion(document_id=document.id, number=2, label="a later draft", note="Made up for a test.")
        session.add(second)
        session.flush()
        for clause in session.exec(select(Clause).where(Clause.version_id == first.id).order_by(Clause.sort_order)):
            if clause.number == "7":
                continue
            words = clause.text.replace("Kherson as Russian", "Kherson as part of Russia")
            copy = Clause(version_id=second.id, sort_order=clause.sort_order, number=clause.number,
                          heading=clause.heading, text=words)  # fmt: skip
            session.add(copy)
            session.flush()
            for link in session.exec(select(ClauseTopic).where(ClauseTopic.clause_id == clause.id)):
                session.add(ClauseTopic(clause_id=copy.id, topic_id=link.topic_id))
        session.add(
            Clause(version_id=second.id, sort_order=200, number="10", heading="Monitoring", text="A joint centre.")
        )


def test_two_versions_of_a_document_are_compared_clause_by_clause(seeded: sa.Engine, client: TestClient) -> None:
    _second_version(seeded)
    document = soup_of(client, f"/documents/{RUSSIAN}")
    assert "Clauses of version 2" in text(document.select_one("#clauses-heading"))
    link = document.select_one(f'a[href="/documents/{RUSSIAN}/changes?before=1&after=2"]')
    assert link is not None and "What changed from version 1" in text(link)
    soup = soup_of(client, link["href"])
    assert "1 added, 1 removed, 1 changed, 7 unchanged" in text(soup.select_one(".lede"))
    changed = soup.select_one(".change-changed")
    assert changed is not None and "Territory" in text(changed)
    assert [text(d) for d in changed.select("del")] == ["Russian."] and [text(i) for i in changed.select("ins")] == [
        "part of Russia."
    ]
    assert "Children" in text(soup.select_one(".change-removed")) and "Monitoring" in text(
        soup.select_one(".change-added")
    )
    data = client.get(f"/api/documents/{RUSSIAN}/changes").json()
    assert data["counts"] == {"unchanged": 7, "changed": 1, "removed": 1, "added": 1}


# ------------------------------------------------------------------ pasting clauses in


def test_numbered_text_splits_into_clauses_with_numbers_and_headings() -> None:
    pasted = (
        "1. Ceasefire\nA full ceasefire\non land and at sea.\n\n2) Territory: no recognition.\n"
        "(a) Snap-back.\nArticle 5 — Children\nAll of them returned."
    )
    split = split_clauses(pasted)
    assert [(c.number, c.heading, c.text) for c in split] == [
        ("1", "Ceasefire", "A full ceasefire on land and at sea."),
        ("2", "", "Territory: no recognition."),
        ("a", "", "Snap-back."),
        ("5", "Children", "All of them returned."),
    ]
    with pytest.raises(PasteError, match="line 1: the text must start with a numbered clause"):
        split_clauses("Preamble\n1. A clause.")


def test_an_editor_pastes_clauses_into_a_version_and_publishes_them(
    seeded: sa.Engine, editor_client: TestClient, session: Session
) -> None:
    version = session.exec(
        select(DocumentVersion).join(Document).where(Document.slug == UKRAINIAN, DocumentVersion.number == 1)
    ).one()
    composer = f"/edit/document_versions/{version.id}"
    page = soup_of(editor_client, composer)
    assert page.select_one("#paste-clauses") is not None
    token = csrf(editor_client, composer)
    bad = editor_client.post(f"{composer}/paste", data={"csrf_token": token, "clauses": "No number here"})
    assert bad.status_code == 422
    soup = soup_of_response(bad)
    assert "line 1: the text must start with a numbered clause" in text(soup.select_one(".form-problems"))
    assert soup.select_one("#paste-clauses").get_text() == "No number here", "what was typed comes back"
    pasted = "10. Reconstruction\nA fund for rebuilding.\n11. Energy\nThe nuclear plant returned."
    done = editor_client.post(
        f"{composer}/paste", data={"csrf_token": token, "clauses": pasted}, follow_redirects=False
    )
    assert done.status_code == 303 and "pasted=2" in done.headers["location"]
    draft = soup_of(editor_client, done.headers["location"])
    assert "2 clauses added to your draft" in text(draft)
    published = editor_client.post(
        done.headers["location"].split("?")[0] + "/publish",
        data={"csrf_token": csrf(editor_client, done.headers["location"].split("?")[0])},
        follow_redirects=False,
    )
    assert published.status_code == 303, published.text[:500]
    reader = soup_of(editor_client, f"/documents/{UKRAINIAN}")
    headings = [text(h) for h in reader.select(".clause-heading")]
    assert headings[-2:] == ["10. Reconstruction", "11. Energy"]


def soup_of_response(answer):  # type: ignore[no-untyped-def]
    from bs4 import BeautifulSoup

    return BeautifulSoup(answer.text, "html.parser")


def test_a_new_document_and_a_new_version_are_entries_in_the_feed(seeded: sa.Engine, client: TestClient) -> None:
    _second_version(seeded)
    feed = client.get("/feed.atom").text
    assert '<title type="text">Document: Ukrainian memorandum</title>' in feed
    assert '<title type="text">Russian memorandum: version 2</title>' in feed
    assert f"/documents/{RUSSIAN}/changes?after=2" in feed


def test_a_round_page_lists_the_documents_handed_over_there(seeded: sa.Engine, client: TestClient) -> None:
    soup = soup_of(client, "/rounds/2025-06-02-istanbul")
    section = soup.select_one('section[aria-labelledby="documents-heading"]')
    assert section is not None
    listed = [text(li) for li in section.select("li")]
    assert listed == [
        "Russian memorandum (Russia, 2 June 2025) — memorandum, handed over",
        "Ukrainian memorandum (Ukraine, 2 June 2025) — memorandum, proposed",
    ]
    assert section.select_one('a[href^="/documents/compare?left="]') is not None
    assert [d["slug"] for d in client.get("/api/rounds/2025-06-02-istanbul").json()["documents"]] == [
        RUSSIAN,
        UKRAINIAN,
    ]


# ------------------------------------------------------------------ readouts of a round


def _readout(session: Session, slug: str, title: str, party: str, points: list[tuple[str, str | None]]) -> None:
    """A party's readout of round 1: each point a clause, on the topic named (or none)."""
    round_1 = session.exec(select(Round).where(Round.slug == "2025-05-16-istanbul")).one()
    document = Document(
        slug=slug,
        negotiation_id=round_1.negotiation_id,
        round_id=round_1.id,
        kind=DocumentKind.readout,
        title=title,
        status=DocumentStatus.published,
    )
    session.add(document)
    session.flush()
    author = session.exec(select(Party).where(Party.slug == party)).one()
    session.add(DocumentParty(document_id=document.id, party_id=author.id))
    version = DocumentVersion(document_id=document.id, number=1)
    session.add(version)
    session.flush()
    for order, (words, topic) in enumerate(points):
        clause = Clause(version_id=version.id, sort_order=order, text=words)
        session.add(clause)
        session.flush()
        if topic:
            topic_id = session.exec(select(Topic.id).where(Topic.slug == topic)).one()
            session.add(ClauseTopic(clause_id=clause.id, topic_id=topic_id))


def test_a_round_sets_each_sides_readout_side_by_side_point_by_point(
    seeded: sa.Engine, client: TestClient, session: Session
) -> None:
    _readout(session, "r1-ukraine", "Ukrainian readout", "ukraine", [
        ("A 1,000-for-1,000 exchange agreed.", "prisoners-humanitarian"),
        ("We asked for a meeting of the presidents.", "leaders-meeting"),
    ])  # fmt: skip
    _readout(session, "r1-russia", "Russian readout", "russia", [
        ("An exchange of a thousand for a thousand.", "prisoners-humanitarian"),
        ("The talks were businesslike.", None),
    ])  # fmt: skip
    _readout(session, "r1-turkey", "Turkish readout", "turkey", [
        ("Both sides agreed to swap 1,000 prisoners each.", "prisoners-humanitarian"),
    ])  # fmt: skip
    session.commit()
    soup = soup_of(client, "/rounds/2025-05-16-istanbul")
    table = soup.select_one("table.readouts")
    assert [text(th) for th in table.select("thead th")][1:] == [
        "Ukrainian readout (Ukraine)",
        "Russian readout (Russia)",
        "Turkish readout (Turkey)",
    ]
    rows = {text(tr.select_one("th")): tr for tr in table.select("tbody tr")}
    prisoners = next(tr for name, tr in rows.items() if name.startswith("Prisoners"))
    assert all("Not in this account" not in text(td) for td in prisoners.select("td")), "all three report it"
    leaders = next(tr for name, tr in rows.items() if name.startswith("Leaders"))
    assert "Only in the Ukrainian readout" in text(leaders.select_one("th"))
    alone = next(tr for name, tr in rows.items() if name.startswith("On no topic"))
    assert "Only in the Russian readout" in text(alone.select_one("th"))
    data = client.get("/api/rounds/2025-05-16-istanbul").json()
    assert len(data["readouts"]["accounts"]) == 3 and data["documents"] == []
    assert {row["only"] for row in data["readouts"]["rows"]} == {None, "Ukrainian readout", "Russian readout"}


# ------------------------------------------------------------------ clauses paired by hand


def _clause_numbered(session: Session, slug: str, number: str) -> Clause:
    return session.exec(
        select(Clause).join(DocumentVersion).join(Document).where(Document.slug == slug, Clause.number == number)
    ).one()


def test_an_editor_pairs_two_clauses_and_the_comparison_sets_them_side_by_side(
    seeded: sa.Engine, editor_client: TestClient, client: TestClient, session: Session
) -> None:
    children = _clause_numbered(session, RUSSIAN, "7")
    leaders = _clause_numbered(session, UKRAINIAN, "8")
    same = _clause_numbered(session, RUSSIAN, "1")
    page = soup_of(editor_client, f"/documents/compare?left={RUSSIAN}&right={UKRAINIAN}")
    assert page.select_one('a[href="/edit/clause_pairs/new"]') is not None
    form = {"csrf_token": csrf(editor_client, "/edit/clause_pairs/new"), "action": "publish"}
    refused = editor_client.post(
        "/edit/clause_pairs/new/items/record/n0",
        data={**form, "clause_id": str(children.id), "paired_id": str(same.id)},
        follow_redirects=False,
    )
    assert refused.status_code == 422
    assert "Both clauses are of the same document" in refused.text
    done = editor_client.post(
        "/edit/clause_pairs/new/items/record/n0",
        data={**form, "clause_id": str(leaders.id), "paired_id": str(children.id)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[:500]
    data = client.get(f"/api/documents/compare?left={RUSSIAN}&right={UKRAINIAN}").json()
    row = next(r for r in data["rows"] if r["paired"])
    assert row["topic"]["slug"] == "children"
    assert [c["number"] for c in row["left"]] == ["7"] and [c["number"] for c in row["right"]] == ["6", "8"]
    assert "leaders-meeting" not in {r["topic"]["slug"] for r in data["rows"] if r["topic"]}
    soup = soup_of(client, f"/documents/compare?left={RUSSIAN}&right={UKRAINIAN}")
    assert "Clauses paired by an editor" in text(soup.select_one("tr th .paired-label").parent)


def test_words_are_found_in_documents_and_their_clauses(seeded: sa.Engine, client: TestClient) -> None:
    found = client.get("/api/search", params={"q": "neutrality"}).json()
    clauses = next(g for g in found["groups"] if g["kind"] == "clause")
    assert clauses["label"] == "clauses of documents" and clauses["count"] == 2
    titles = {hit["title"]: hit["url"] for hit in clauses["hits"]}
    url = titles["Russian memorandum, version 1, clause 3: Neutrality"]
    assert url.startswith(f"/documents/{RUSSIAN}?version=1#clause-")
    documents = client.get("/api/search", params={"q": "memorandum delegation"}).json()
    assert [h["title"] for g in documents["groups"] if g["kind"] == "document" for h in g["hits"]] == [
        "Russian memorandum"
    ]
    page = soup_of(client, "/search?q=neutrality")
    assert "Clauses of documents (2)" in text(page.select_one("#found-clause"))


def test_a_document_readers_may_not_see_is_not_found(seeded: sa.Engine, client: TestClient, session: Session) -> None:
    document = session.exec(select(Document).where(Document.slug == RUSSIAN)).one()
    document.published = False
    session.add(document)
    session.commit()
    found = client.get("/api/search", params={"q": "neutrality"}).json()
    clauses = next(g for g in found["groups"] if g["kind"] == "clause")
    assert clauses["count"] == 1
    assert client.get(f"/documents/{RUSSIAN}").status_code == 404
    links = soup_of(client, "/rounds/2025-06-02-istanbul").select(f'a[href^="/documents/{RUSSIAN}"]')
    assert links == [], "a position from an unpublished document's clause names no clause"
