"""The pages of a party and of a person."""

from fastapi.testclient import TestClient

from tests.factories import soup_of, text


def test_party_page_lists_roles_and_rounds(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/parties/turkey")
    roles = text(soup.select_one("section[aria-labelledby=roles-heading]"))
    # The fact sheet calls Turkey host and chair, and the United States outside pressure, not mediators.
    assert "Host in Russia–Ukraine talks, Istanbul 2025" in roles and "Chair in" in roles
    assert "Mediator" not in roles
    us_roles = text(soup_of(client, "/parties/united-states").select_one("section[aria-labelledby=roles-heading]"))
    assert us_roles.startswith("Roles Outside party in Russia–Ukraine talks, Istanbul 2025 — Outside pressure")
    rounds = [text(li) for li in soup.select("section[aria-labelledby=rounds-heading] li")]
    assert rounds[0].startswith("Round 1, Istanbul (16 May 2025) — hosted; delegation led by Hakan Fidan")
    assert len(rounds) == 2


def test_person_page_lists_the_delegations_led(seeded, client: TestClient) -> None:
    soup = soup_of(client, "/people/rustem-umerov")
    led = [text(li) for li in soup.select("section[aria-labelledby=delegations-heading] li")]
    assert led == [
        "Round 1, Istanbul (16 May 2025) — Led Ukraine’s delegation as Defence Minister",
        "Round 2, Istanbul (2 June 2025) — Led Ukraine’s delegation as Defence Minister",
    ]
    assert text(soup.select_one("h1")) == "Rustem Umerov (Рустем Умєров)"
