"""The ceiling: the smallest ASGI app that answers with the bytes Parley answered, under the same server.

It looks each request up by path and query in a JSON file (``PARLEY_CEILING_RESPONSES``) captured
from Parley, and answers a matching ``If-None-Match`` with 304, so every figure Parley reaches
can be read as a share of what the framework and server allow on this machine.
"""

import base64
import json
import os
from typing import Any

Responses = dict[tuple[str, bytes], tuple[int, list[tuple[bytes, bytes]], bytes, bytes]]


def _load(path: str) -> Responses:
    responses: Responses = {}
    for entry in json.loads(open(path, encoding="utf-8").read()):  # noqa: SIM115
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in entry["headers"]]
        etag = next((v for k, v in headers if k == b"etag"), b"")
        responses[(entry["path"], entry["query"].encode())] = (
            entry["status"],
            headers,
            base64.b64decode(entry["body"]),
            etag,
        )
    return responses


RESPONSES = _load(os.environ["PARLEY_CEILING_RESPONSES"]) if "PARLEY_CEILING_RESPONSES" in os.environ else {}
NOT_MODIFIED_KEPT = {b"etag", b"cache-control", b"vary", b"link"}


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    found = RESPONSES.get((scope["path"], scope["query_string"]))
    if found is None:
        await send({"type": "http.response.start", "status": 404, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    status, headers, body, etag = found
    if etag:
        for name, value in scope["headers"]:
            if name == b"if-none-match" and value == etag:
                kept = [(k, v) for k, v in headers if k in NOT_MODIFIED_KEPT]
                await send({"type": "http.response.start", "status": 304, "headers": kept})
                await send({"type": "http.response.body", "body": b""})
                return
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
