"""The Jinja environment, built once, and the filters that speak the record's language."""

import datetime as dt

from fastapi.templating import Jinja2Templates

from app.config import PROJECT_ROOT
from app.models import DatePrecision


def fuzzy_date(value: dt.date | None, precision: DatePrecision | str = DatePrecision.day) -> str:
    """A date as precisely as it is known: "2 June 2025", "June 2025" or "2025"."""
    if value is None:
        return "date not set"
    precision = DatePrecision(precision)
    if precision is DatePrecision.year:
        return str(value.year)
    if precision is DatePrecision.month:
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


def minutes(value: int | None) -> str:
    """90 → "1 h 30 min"."""
    if value is None:
        return ""
    hours, rest = divmod(value, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


templates = Jinja2Templates(directory=PROJECT_ROOT / "templates")
templates.env.filters["fuzzy_date"] = fuzzy_date
templates.env.filters["minutes"] = minutes
# Keep the rendered HTML free of the blank lines block tags would leave.
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True
