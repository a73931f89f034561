"""Editing the record: one framework for every kind of record.

- ``kinds``: how each kind is edited (words, fields in order, what it cites, what it holds);
- ``fields``, ``forms``, ``pickers``: field specifications, item forms as typed, choosing records;
- ``validation``: the rules beyond a record's own fields, and what publishing needs;
- ``drafts``, ``publishing``: changes kept apart until published, merged three ways, applied whole;
- ``history``: revisions and their snapshots;
- ``library``: the source library, every source found by title, publisher, address or date;
- ``composer``: the page that puts them together, for the routes in ``app/web/editor.py``.
"""
