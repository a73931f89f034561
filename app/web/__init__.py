"""HTTP: the routes, by audience, and the plumbing in front of them.

Routes: ``pages`` (readers' HTML), ``api`` (their JSON twins), ``editor`` (the editors' screens),
``admin`` (signing in, accounts), ``embeds`` (widgets for other sites), ``feeds`` and ``exports``.
Plumbing: ``caching`` (rendered answers and ETags), ``security`` (sessions, CSRF, headers),
``accounts`` (who is signed in), ``deps`` (what routes ask for), ``params``, ``templating``, ``htmx``
and ``error_pages``."""
