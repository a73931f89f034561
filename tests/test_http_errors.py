"""A request too broken for the HTTP parser gets Parley's page, not uvicorn's plain text."""

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from app.web.http_errors import ParleyHttpToolsProtocol


async def _app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
    """Never reached by the requests below: the parser refuses them first."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"reached the app"})


@pytest.fixture
def server() -> Iterator[int]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(_app, http=ParleyHttpToolsProtocol, log_level="warning", lifespan="off")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    while not running.started:
        time.sleep(0.01)
    yield port
    running.should_exit = True
    thread.join(5)


def _ask(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_a_70000_character_address_gets_parleys_page(server: int) -> None:
    answer = _ask(server, b"GET /?q=" + b"x" * 70_000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"content-type: text/html; charset=utf-8" in head.lower()
    assert b"its address is too long" in body and b'<a href="/timeline">the timeline</a>' in body
    assert b"Invalid HTTP request received" not in answer


def test_a_request_that_is_not_http_gets_the_same_page(server: int) -> None:
    answer = _ask(server, b"\x16\x03\x01 not http at all\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 ") and b"That request cannot be answered" in answer
