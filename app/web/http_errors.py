"""What the server says about a request too broken to reach Parley at all.

uvicorn answers a request its HTTP parser refuses (a malformed request line, or an address longer
than the parser takes, about 64 KB) itself, with a plain-text "Invalid HTTP request received.".
``parley serve`` uses this protocol instead, which answers the same 400 with a short page in
Parley's words. The page is a fixed text: nothing of the refused request is read or repeated.
"""

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

PAGE = (
    '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>That request cannot be answered · Parley</title></head>\n"
    "<body><main><h1>That request cannot be answered</h1>"
    "<p>Parley could not read the request: its address is too long (more than about 64,000 characters) "
    "or it is not well formed. Shorten the address, or start again from "
    '<a href="/timeline">the timeline</a>, where every choice is a link or a list.</p></main></body>\n</html>\n'
).encode()


class ParleyHttpToolsProtocol(HttpToolsProtocol):
    def send_400_response(self, msg: str) -> None:
        content = [STATUS_LINE[400]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: text/html; charset=utf-8\r\n",
                b"content-security-policy: default-src 'none'\r\n",
                b"x-content-type-options: nosniff\r\n",
                b"content-length: " + str(len(PAGE)).encode("ascii") + b"\r\n",
                b"connection: close\r\n",
                b"\r\n",
                PAGE,
            ]
        )
        self.transport.write(b"".join(content))
        self.transport.close()
