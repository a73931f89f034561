"""The Jinja environment, built once, and the one helper that renders a page or its htmx fragment."""

import datetime as dt
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.idtracking import VAR_LOAD_RESOLVE
from jinja2.runtime import Context
from jinja2.utils import _PassArg
from jinja2_fragments import render_block
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup, escape

from app.core.config import PROJECT_ROOT
from app.record.models import as_utc, fuzzy_date
from app.web import charts, markup
from app.web.htmx import wants_fragment


def machine_time(moment: dt.datetime) -> str:
    """For <time datetime>: whole seconds, UTC."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def human_time(moment: dt.datetime) -> str:
    return as_utc(moment).strftime("%-d %B %Y, %H:%M UTC")


# Values whose words are not their underscores as spaces.
_SPELLED = {"follow_up_talks": "follow-up talks"}


def humanize(value: object) -> str:
    """An enum value as words: "prisoner_exchange" → "prisoner exchange"."""
    text = str(getattr(value, "value", value))
    return _SPELLED.get(text) or text.replace("_", " ")


def code_spans(text: str | None) -> Markup:
    """Text written for the OpenAPI schema, with its `backticks` shown as code, escaped."""
    parts = escape(text or "").split("`")
    return Markup("".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts)))  # noqa: S704


# Paths by app, then by route name and parameters; weakly, so that an app let go (a release view, a
# test's) takes its paths with it.
_PATHS: weakref.WeakKeyDictionary[Any, dict[tuple[str, tuple[tuple[str, str], ...]], str]] = weakref.WeakKeyDictionary()
_MOST_PATHS = 4096  # one per round's JSON twin on the largest records; beyond that, start afresh


def route_path(app: Any, name: str, /, **params: str) -> str:
    """``app.url_path_for(name, **params)``, worked out once per address.

    Finding a path walks every route of the app, and each page asks for five (its stylesheet,
    scripts, icon and JSON twin): a twentieth of a page rendered afresh.
    """
    paths = _PATHS.setdefault(app, {})
    key = (name, tuple(sorted(params.items())))
    if (path := paths.get(key)) is None:
        if len(paths) >= _MOST_PATHS:
            paths.clear()
        path = paths[key] = str(app.url_path_for(name, **params))
    return path


@pass_context
def _path_for(context: Context, name: str, /, **params: str) -> str:
    """For templates: what ``url_for(name, …).path`` gave, the app's root path included."""
    request: Request = context["request"]
    root: str = request.scope.get("root_path", "")
    return root + route_path(request.app, name, **params)


class _OutputCodeGenerator(CodeGenerator):
    """Compiles ``{{ … }}`` under autoescape to call ``markup.escape_output`` rather than ``escape``.

    Were a later Jinja to rename the method this overrides, templates would compile with ``escape``
    as before: slower, never unescaped (tests/test_security.py checks what pages write).
    """

    def _output_child_pre(self, node: Any, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("environment.escape_output(")
            if finalize.src is not None:
                self.write(finalize.src)
        else:
            super()._output_child_pre(node, frame, finalize)

    def visit_Call(self, node: nodes.Call, frame: Frame, forward_caller: bool = False) -> None:
        """A call of one of ``DIRECT_CALLS`` compiles to a plain call, not ``context.call(…)``.

        ``context.call`` looks on each function for Jinja's ``pass_context`` marks and takes the loop's
        and block's variables along, 2–3 µs before the function starts; a round page or a long
        timeline makes 150–200 such calls. The functions of ``app.web.markup`` and ``app.web.charts``
        take no context (``DIRECT_CALLS`` refuses one that does); a name the template sets in the
        same scope is called as Jinja would; and ``render`` refuses a page context that gives a
        template a variable of such a name, which would be called directly too.
        """
        callee = node.node
        if (
            not forward_caller
            and isinstance(callee, nodes.Name)
            and callee.name in DIRECT_CALLS
            and frame.symbols.find_load(frame.symbols.ref(callee.name)) == (VAR_LOAD_RESOLVE, callee.name)
        ):
            self.visit(callee, frame)
            self.write("(*()")  # Jinja writes each argument after a comma
            self.signature(node, frame)
            self.write(")")
            return
        super().visit_Call(node, frame, forward_caller=forward_caller)

    def visit_Output(self, node: Any, frame: Frame) -> None:
        """One ``yield`` for a run of text and ``{{ … }}``, not one per piece.

        Each piece a template yields is handed up through every generator between it and the page
        (the page's block, its parent's, the layout's): a few thousand pieces five levels deep, 4%
        of a long timeline's instructions. Jinja already writes a run into a list where it renders into a
        buffer (a macro, a ``{% set %}`` block); here a page's run does the same, then yields it
        joined. Outside a block of a page that extends another, Jinja skips output altogether.
        """
        if frame.buffer is not None or frame.require_output_check or len(node.nodes) < 2:
            super().visit_Output(node, frame)
            return
        frame.buffer = "_parley_run"
        self.writeline("_parley_run = []")
        try:
            super().visit_Output(node, frame)
        finally:
            frame.buffer = None
        self.writeline("yield ''.join(_parley_run)")


def _direct_calls(*functions: Mapping[str, object]) -> frozenset[str]:
    """The names of plain functions templates may call without ``context.call``."""
    names = {name: function for group in functions for name, function in group.items()}
    if wanting := [name for name, function in names.items() if _PassArg.from_obj(function) is not None]:  # type: ignore[type-var]
        raise TypeError(f"{', '.join(wanting)} take Jinja's context: not to be called directly")
    return frozenset(names)


DIRECT_CALLS = _direct_calls(markup.GLOBALS, charts.GLOBALS)

templates = Jinja2Blocks(directory=PROJECT_ROOT / "templates")
# Before any template is compiled: every one compiles with the faster escape.
templates.env.code_generator_class = _OutputCodeGenerator
templates.env.escape_output = markup.escape_output  # type: ignore[attr-defined]
# Keep the rendered HTML free of the blank lines block tags would leave.
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True
templates.env.filters.update(
    fuzzy_date=fuzzy_date,
    minutes=markup.minutes,
    humanize=humanize,
    paragraphs=markup.paragraphs,
    machine_time=machine_time,
    human_time=human_time,
    number_ranges=markup.number_ranges,
    code_spans=code_spans,
    category_words=markup.category_words,
)
templates.env.globals["path_for"] = _path_for
# Before the macro modules are made (below): they see the globals as they are then.
templates.env.globals.update(markup.GLOBALS)
templates.env.globals.update(charts.GLOBALS)


def add_globals(**functions: Callable[..., Any]) -> None:
    """The functions templates call, given once, by ``app.main``: they live with what they answer
    (the CSRF token in ``security``, the signed-in user in ``accounts``, embed code in ``embed_code``), and
    those modules render templates themselves, so they cannot be imported here."""
    templates.env.globals.update(functions)


# The shared macros are globals rather than per-template imports: htmx fragments render a block
# alone, and a block does not see imports made at the top of its template.
SHARED_MACROS = ("_macros.html", "_editing.html", "_documents.html", "_state.html")
_macros_ready = False


def _load_macros() -> None:
    """Make the shared macros globals, once, after every other global is in place: a macro module
    sees the globals as they were when it was made (csrf_token, current_user …)."""
    global _macros_ready
    if _macros_ready:
        return
    for shared in SHARED_MACROS:
        module = templates.env.get_template(shared).module
        templates.env.globals.update({name: getattr(module, name) for name in dir(module) if not name.startswith("_")})
    _macros_ready = True


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    twin: str | None = None,
    status_code: int = 200,
    retitle: bool = True,
) -> HTMLResponse:
    """Render a screen, or only its ``fragment`` block for htmx; link the page's JSON twin.

    A fragment fetched by GET (a filter changed, another round chosen) starts with the page's
    ``<title>``, which htmx takes out and puts on the tab, so the tab says what the page now shows.
    """
    _load_macros()
    if shadowed := DIRECT_CALLS.intersection(context):
        # Calls of these names compile to plain calls (see _OutputCodeGenerator.visit_Call).
        raise TypeError(f"{', '.join(sorted(shadowed))}: names of markup functions, not to be given to a template")
    block = fragment if fragment and wants_fragment(request) else None
    response = templates.TemplateResponse(
        request, template, {**context, "json_twin": twin}, status_code=status_code, block_name=block
    )
    assert isinstance(response, HTMLResponse)
    if block and retitle and request.method == "GET" and "title" in templates.env.get_template(template).blocks:
        title = render_block(templates.env, template, "title", {**context, "request": request}).strip()
        response.body = f"<title>{title} · Parley</title>\n".encode() + bytes(response.body)
        response.headers["Content-Length"] = str(len(response.body))
    if fragment:
        response.headers["Vary"] = "HX-Request"
    if twin:
        response.headers["Link"] = f'<{twin}>; rel="alternate"; type="application/json"'
    return response
