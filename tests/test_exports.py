"""Downloads (app/web/exports.py): the record as JSON, each kind as CSV, the codebook page."""

import csv
import io
import json

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.record import document
from app.record.codebook import KIND_DESCRIPTIONS, codebook, csv_columns, record_fields
from app.record.document import KIND_BY_KEY, KINDS
from app.record.models import DelegationMember
from app.record.transfer import bundled_record, export_record
from tests.factories import statements_sent

ATOM = {"atom": "http://www.w3.org/2005/Atom"}
HOSTILE = '<script>alert("x")</script> & "quoted" \x07 ]]> done'
PLANNED = "2025-06-next-round"


# ---------------------------------------------------------------- Atom


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def test_each_kind_downloads_as_csv_with_the_json_values(seeded, client: TestClient) -> None:
    expected = json.loads(document.dump(bundled_record()))
    for kind in KINDS:
        response = client.get(f"/exports/{kind.key}.csv")
        assert response.status_code == 200, kind.key
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.headers["content-disposition"] == f'attachment; filename="parley-{kind.key}.csv"'
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
        fields = record_fields(kind)
        assert fields[0] == "id" and fields[-2:] == ["created_at", "updated_at"]
        assert [[row[name] for name in fields] for row in rows] == [
            [_cell(entry[name]) for name in fields] for entry in expected[kind.key]
        ], kind.key


def test_each_id_in_a_csv_file_has_the_name_of_what_it_stands_for_beside_it(seeded, client: TestClient) -> None:
    """An analyst reads positions.csv alone, without joining sixteen files."""
    text = client.get("/exports/positions.csv").content.decode("utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert header[header.index("party_id") + 1] == "party_name"
    assert header[header.index("round_id") + 1 : header.index("round_id") + 3] == ["round_slug", "round_date"]
    rows = list(csv.DictReader(io.StringIO(text)))
    children = next(r for r in rows if r["topic_name"] == "Deported children" and r["party_name"] == "Ukraine")
    assert (children["round_slug"], children["round_date"]) == ("2025-06-02-istanbul", "2025-06-02")
    citations = list(csv.DictReader(io.StringIO(client.get("/exports/citations.csv").content.decode("utf-8"))))
    axios = next(r for r in citations if r["source_publisher"] == "Axios")
    assert axios["figure_as_reported"] == "a little over an hour" and axios["source_title"] == ""


def test_the_data_package_describes_every_csv_file(seeded, client: TestClient) -> None:
    package = client.get("/exports/datapackage.json").json()
    assert package["profile"] == "tabular-data-package"
    resources = {r["name"]: r for r in package["resources"]}
    assert set(resources) == {kind.key.replace("_", "-") for kind in KINDS}
    positions = resources["positions"]
    assert positions["path"] == "http://testserver/exports/positions.csv"
    schema = positions["schema"]
    header = next(csv.reader(io.StringIO(client.get("/exports/positions.csv").content.decode("utf-8"))))
    assert [f["name"] for f in schema["fields"]] == header
    types = {f["name"]: f["type"] for f in schema["fields"]}
    assert (types["id"], types["published"], types["stated_on"], types["updated_at"]) == (
        "integer",
        "boolean",
        "date",
        "datetime",
    )
    assert all(f["description"] for f in schema["fields"])
    assert {"fields": ["party_id"], "reference": {"resource": "parties", "fields": ["id"]}} in schema["foreignKeys"]
    for resource in package["resources"]:  # every key refers to a resource of the package
        assert all(k["reference"]["resource"] in resources for k in resource["schema"]["foreignKeys"])


def test_rounds_csv_reads_as_a_spreadsheet_would(seeded, client: TestClient) -> None:
    text = client.get("/exports/rounds.csv").content.decode("utf-8")
    rows = {row["slug"]: row for row in csv.DictReader(io.StringIO(text))}
    assert len(rows) == len(bundled_record().rounds)
    round_2 = rows["2025-06-02-istanbul"]
    assert round_2["venue"] == "Çırağan Palace"
    assert (round_2["date"], round_2["scheduled_start"], round_2["status"]) == ("2025-06-02", "13:00:00", "held")
    assert round_2["start_time"] == "", "no source says when round 2 began"
    assert round_2["duration_minutes"] == "", "null is an empty cell"
    assert [row["id"] for row in csv.DictReader(io.StringIO(text))] == ["1", "2", "3"]
    planned = rows[PLANNED]
    assert (planned["date"], planned["date_precision"]) == ("2025-06-01", "month")


def test_delegation_heads_are_true_and_false(seeded, client: TestClient, session: Session) -> None:
    session.add(DelegationMember(delegation_id=4, person_id=6, is_head=False))
    session.commit()
    text = client.get("/exports/delegation_members.csv").content.decode("utf-8")
    assert {row["is_head"] for row in csv.DictReader(io.StringIO(text))} == {"true", "false"}


def test_unknown_kind_is_404(seeded, client: TestClient) -> None:
    assert client.get("/exports/secrets.csv").status_code == 404
    assert client.get("/exports/record.csv").status_code == 404


def test_record_json_is_what_parley_export_writes(seeded, client: TestClient, session: Session) -> None:
    response = client.get("/exports/record.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"] == 'attachment; filename="parley-record.json"'
    assert response.content == document.dump(export_record(session=session)).encode("utf-8")
    assert document.parse(response.content).size() == bundled_record().size()


def test_downloads_query_a_fixed_number_of_times(seeded, client: TestClient) -> None:
    """One query per kind, whatever the number of rows."""
    with statements_sent(client) as many:
        client.get("/exports/citations.csv")
    with statements_sent(client) as none:
        client.get("/exports/gap_assessments.csv")
    assert len(bundled_record().citations) > 100
    assert len(many) == len(none) == len(KINDS)  # drafts are pruned from the whole record
    with statements_sent(client) as record:
        client.get("/exports/record.json")
    assert len(record) == len(KINDS)


def test_an_empty_record_gives_a_csv_of_headers_only(client: TestClient) -> None:
    text = client.get("/exports/rounds.csv").content.decode("utf-8")
    assert list(csv.reader(io.StringIO(text))) == [csv_columns(KIND_BY_KEY["rounds"])]


# ---------------------------------------------------------------- codebook


def test_every_kind_and_field_has_a_description() -> None:
    book = codebook(base_url="http://parley.test/")
    assert [kind.key for kind in book.kinds] == [kind.key for kind in KINDS]
    for kind, described in zip(KINDS, book.kinds, strict=True):
        assert described.description.strip(), f"{kind.key} has no description"
        assert [field.name for field in described.fields] == csv_columns(kind), "the codebook follows the CSV"
        for field in described.fields:
            assert field.description.strip(), f"{kind.key}.{field.name} has no description"
            assert field.type.strip(), f"{kind.key}.{field.name} has no type"


def test_codebook_texts_name_only_real_kinds() -> None:
    assert set(KIND_DESCRIPTIONS) == {kind.key for kind in KINDS}


def test_the_codebook_describes_a_field_in_its_models_own_words() -> None:
    """A field's description lives on the model, once: the codebook (and the OpenAPI schema) read it there."""
    described = {kind.key: {field.name: field for field in kind.fields} for kind in codebook(base_url="/").kinds}
    for kind in KINDS:
        for name, info in kind.record.model_fields.items():
            if name != "id":
                assert described[kind.key][name].description == info.description
    assert (
        described["rounds"]["date_note"].description
        == 'The date in the words of the sources, e.g. "before the end of June".'
    )


def test_codebook_json_describes_types_in_words(client: TestClient) -> None:
    response = client.get("/api/codebook")
    assert response.status_code == 200
    kinds = {kind["key"]: kind for kind in response.json()["kinds"]}
    rounds = {field["name"]: field for field in kinds["rounds"]["fields"]}
    assert rounds["status"]["type"] == "one of: planned, held, postponed, cancelled"
    assert rounds["status"]["values"] == ["planned", "held", "postponed", "cancelled"]
    assert rounds["date"]["type"] == "date (YYYY-MM-DD)"
    assert (rounds["date"]["nullable"], rounds["slug"]["nullable"]) == (True, False)
    assert rounds["summary"]["blank"] and not rounds["slug"]["blank"]
    assert rounds["slug"]["unique"]
    assert (rounds["chair_id"]["type"], rounds["chair_id"]["references"]) == ("id of a person", "people")
    assert rounds["date_note"]["description"].endswith('e.g. "before the end of June".')
    members = {field["name"]: field for field in kinds["delegation_members"]["fields"]}
    assert members["is_head"]["type"] == "true/false"
    assert members["delegation_id"]["type"] == "id of a delegation"
    assert kinds["delegations"]["unique_together"] == [["round_id", "party_id"]]
    assert kinds["rounds"]["csv_url"] == "http://testserver/exports/rounds.csv"


def test_openapi_documents_every_dataset_route(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/feed.atom", "/calendar.ics", "/exports/record.json", "/exports/{kind}.csv"):
        assert paths[path]["get"]["summary"], path
    assert "/exports" not in paths  # an HTML page, like the others; its twin is /api/codebook
    schema = paths["/api/codebook"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Codebook"}


def test_codebook_page_lists_every_kind_and_field_accessibly(seeded, client: TestClient) -> None:
    response = client.get("/exports")
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.select_one('link[rel="alternate"][type="application/json"]')["href"] == "/api/codebook"
    assert "/api/codebook" in response.headers["link"]

    downloads = {a["href"] for a in soup.select("a[download]")}
    assert "http://testserver/exports/record.json" in downloads
    for kind in KINDS:
        section = soup.select_one(f"section#kind-{kind.key}")
        assert section is not None, kind.key
        assert section.find(["h2", "h3"]).get_text(strip=True) == kind.key
        assert f"http://testserver/exports/{kind.key}.csv" in downloads
        table = section.select_one("div.table-scroll > table")
        assert table.caption.get_text(strip=True)
        assert [th.get("scope") for th in table.thead.find_all("th")] == ["col"] * 4
        rows = table.tbody.find_all("tr")
        assert [row.th.get_text(strip=True) for row in rows] == csv_columns(kind)
        for row in rows:
            field_type, may_be_empty, description = (td.get_text(strip=True) for td in row.find_all("td"))
            assert field_type and description, f"{kind.key}.{row.th.get_text(strip=True)}"
            assert may_be_empty in {"yes", "no", "yes (empty text)"}

    status = soup.select_one("#kind-rounds").find("code", string="status").find_parent("tr")
    assert "one of: planned, held, postponed, cancelled" in status.get_text()
    chair = soup.select_one("#kind-rounds").find("code", string="chair_id").find_parent("tr")
    assert chair.select_one('a[href="#kind-people"]').get_text(strip=True) == "id of a person"
    assert client.get(next(iter(sorted(downloads)))).status_code == 200


def test_a_comparison_downloads_as_the_csv_its_widget_links(seeded, client: TestClient) -> None:
    widget = BeautifulSoup(
        client.get("/embed/compare?party=russia&party=ukraine&topic=children&as_of=2025-06-02-istanbul").text,
        "html.parser",
    )
    link = widget.select_one("a[download]")
    assert link.get_text(" ", strip=True).startswith("Get the data")
    address = link["href"].removeprefix("http://testserver")
    assert address == "/compare.csv?party=russia&party=ukraine&topic=children&as_of=2025-06-02-istanbul"
    response = client.get(address)
    assert response.headers["content-disposition"] == (
        'attachment; filename="parley-compare-russia-ukraine-istanbul-2025-round-2.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["topic"], r["party"], r["as_of_round"]) for r in rows] == [
        ("Deported children", "Russia", "2"),
        ("Deported children", "Ukraine", "2"),
    ]
    ukraine = rows[1]
    assert ukraine["summary"] == "Unconditional return of all deported children; list submitted"
    assert ukraine["change"] == "first recorded" and ukraine["stated_at_round"] == "2"
    assert "TASS <https://tass.com/politics/1967401>" in ukraine["sources"]


def test_each_widget_links_the_data_it_shows_as_csv(seeded, client: TestClient) -> None:
    timeline = BeautifulSoup(client.get("/embed/timeline?order=newest").text, "html.parser")
    address = timeline.select_one("a[download]")["href"].removeprefix("http://testserver")
    assert address == "/timeline.csv?order=newest"
    rows = list(csv.DictReader(io.StringIO(client.get(address).text)))
    assert [(r["kind"], r["title"]) for r in rows] == [
        ("round", "Round 3"),
        ("round", "Round 2 · Istanbul"),
        ("event", "Ukrainian drone strikes on Russian strategic bombers"),
        ("round", "Round 1 · Istanbul"),
    ]
    assert rows[1]["delegation_heads"] == "Vladimir Medinsky (Russia); Hakan Fidan (Turkey); Rustem Umerov (Ukraine)"
    assert rows[3]["topics"] == "Ceasefire; Prisoners and humanitarian issues; Leaders' meeting"

    card = BeautifulSoup(client.get("/embed/round/2025-05-16-istanbul").text, "html.parser")
    address = card.select_one("a[download]")["href"].removeprefix("http://testserver")
    assert address == "/rounds/2025-05-16-istanbul/outcomes.csv"
    response = client.get(address)
    assert response.headers["content-disposition"] == (
        'attachment; filename="parley-round-2025-05-16-istanbul-outcomes.csv"'
    )
    outcomes = list(csv.DictReader(io.StringIO(response.text)))
    assert outcomes[0]["title"] == "1,000-for-1,000 prisoner exchange"
    assert (outcomes[0]["status"], outcomes[0]["topic"]) == ("implemented", "Prisoners and humanitarian issues")
    assert client.get("/rounds/no-such-round/outcomes.csv").status_code == 404
