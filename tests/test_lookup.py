"""What a page's Lookup promises: footnotes numbered from 1 in order, each pointing at a listed source."""

from fastapi.testclient import TestClient

from tests.factories import ROUND_2, soup_of, text


def test_every_citation_on_a_round_page_points_at_a_listed_source_with_its_standpoint(
    seeded, client: TestClient
) -> None:
    soup = soup_of(client, f"/rounds/{ROUND_2}")
    sources = {li["id"]: li for li in soup.select(".sources li")}
    numbers = [int(li["value"]) for li in sources.values()]
    assert numbers == list(range(1, len(numbers) + 1))
    cited = {a["href"].removeprefix("#") for a in soup.select("a.cite, a.cite-name")}
    assert cited == set(sources)
    tass = [li for li in sources.values() if "TASS" in text(li)]
    assert tass and all("Standpoint: Russian state news agency" in text(li) for li in tass)
