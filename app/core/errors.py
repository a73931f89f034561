"""Errors the reading and editing services raise, which the app turns into 404 and 422 answers."""


class NotFound(LookupError):
    """Nothing in the record answers to that slug."""


class InvalidChoice(ValueError):
    """A parameter names something that does not fit: the message says which and why."""
