"""What htmx asks of the server, in one place: whether a request came from htmx, whether it wants a
part of the page or the whole of it, and how to send the browser somewhere else after a form.

Every route and error handler asks here rather than reading the ``HX-*`` headers itself, so that a
change to the protocol (htmx 4's headers) is made once.
"""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response


def is_htmx(request: Request) -> bool:
    """Sent by htmx, whatever it means to do with the answer."""
    return request.headers.get("HX-Request") == "true"


def wants_fragment(request: Request) -> bool:
    """htmx asked for a part of the page; boosted links and history restores want the whole page."""
    headers = request.headers
    return (
        is_htmx(request) and headers.get("HX-Boosted") != "true" and headers.get("HX-History-Restore-Request") != "true"
    )


def current_url(request: Request) -> str:
    """The address of the page an htmx request was made from ("" for any other request)."""
    return request.headers.get("HX-Current-URL", "") if is_htmx(request) else ""


def go_to(request: Request, url: str, *, htmx_status: int = 204) -> Response:
    """After a form: 303 to ``url``, or for htmx a full navigation there (an htmx request would swap a
    followed redirect into the page it came from). ``htmx_status`` 401 says why htmx is sent away."""
    if is_htmx(request):
        return Response(status_code=htmx_status, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def swap_into(response: Response, target: str) -> Response:
    """Have htmx put this answer's content into ``target``, whatever the request meant to swap: a
    refusal or an error replaces the page's content, or shows as a notice."""
    response.headers.update({"HX-Retarget": target, "HX-Reswap": "innerHTML"})
    return response
