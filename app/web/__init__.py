"""HTTP: the routes, by audience, and the plumbing in front of them.

Routes: ``pages`` (readers' HTML), ``api`` (their JSON twins), ``editor`` (the editors' screens),
``admin`` (signing in, accounts), ``widgets`` (for other sites' pages) with their ``embed_code`` and ``oembed``,
``feeds`` and ``exports``.
Plumbing: ``caching`` (rendered answers and ETags), ``security`` (sessions, CSRF, headers, framing),
``accounts`` (who is signed in), ``deps`` (what routes ask for), ``params``, ``templating``, ``htmx``
and ``error_pages``."""
