"""Citable releases: the published record frozen as a numbered release, its files with checksums,
the citation to give, and what changed from one release to the next.

A release keeps the record document itself (what ``parley export`` writes, drafts left out) and
every other file made from it when the release is made (a CSV per kind, the codebook,
datapackage.json with each file's checksum, CITATION.cff, BibTeX and SHA256SUMS), so that they never
change. The files refer to one another by relative paths: they are the same whichever address they
are served from, and still make sense downloaded together into one folder.
"""

import contextlib
import datetime as dt
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.core.config import Settings
from app.core.db import make_engine, session_scope
from app.core.errors import InvalidChoice, NotFound
from app.record import document
from app.record.codebook import codebook, datapackage
from app.record.document import KINDS, RecordDocument
from app.record.models import STAMPS, Release
from app.record.tables import record_csv
from app.record.transfer import export_record, import_record, public_record

# The fields that name an entry in a list of changes, by kind (the first one an entry has).
NAMES = ("title", "name", "summary", "publisher", "as_reported", "heading", "text", "slug", "note")


class NothingNew(InvalidChoice):
    """The published record is as the latest release froze it."""


def make_release(session: Session, *, made_by: str, note: str = "") -> Release:
    """Freeze the published record as the next release; refused when nothing changed since the last."""
    text = document.dump(public_record(export_record(session=session)))
    digest = hashlib.sha256(text.encode()).hexdigest()
    latest = session.exec(select(Release).order_by(col(Release.number).desc()).limit(1)).first()
    if latest is not None and latest.sha256 == digest:
        raise NothingNew(f"note: the published record has not changed since release {latest.number}")
    release = Release(
        number=(latest.number + 1) if latest else 1,
        made_by=made_by[:200],
        note=note.strip(),
        document=text,
        sha256=digest,
    )
    release.files = json.dumps(_make_files(release), ensure_ascii=False, sort_keys=True)
    session.add(release)
    session.flush()
    return release


def files_of(release: Release) -> dict[str, str]:
    """The release's files, name → text, in the order its SHA256SUMS lists them, that file last.

    The order is the release's own, not today's list of kinds: a kind renamed later still shows.
    """
    found: dict[str, str] = json.loads(release.files) if release.files else _make_files(release)
    order = [line.split("  ", 1)[1] for line in found["SHA256SUMS"].splitlines()]
    return {name: found[name] for name in [*order, "SHA256SUMS"]}


def keep_files(session: Session, release: Release) -> bool:
    """Store the files of a release made before they were stored (migration 0018), made from its
    record document as they always were until then; from now on they never change. True if it did."""
    if release.files is not None:
        return False
    release.files = json.dumps(_make_files(release), ensure_ascii=False, sort_keys=True)
    session.add(release)
    return True


def _make_files(release: Release) -> dict[str, str]:
    record = record_of(release)
    files = {"record.json": release.document}
    for kind in KINDS:
        files[f"{kind.key}.csv"] = record_csv(record, kind)
    book = codebook(base_url="").model_dump(mode="json")
    book["record_url"] = "record.json"
    for entry in book["kinds"]:
        entry["csv_url"] = f"{entry['key']}.csv"
    files["codebook.json"] = json.dumps(book, ensure_ascii=False, indent=2) + "\n"
    package = datapackage(base_url="")
    package.pop("homepage", None)
    package["name"], package["version"] = f"parley-record-release-{release.number}", str(release.number)
    for kind, resource in zip(KINDS, package["resources"], strict=True):
        resource["path"] = f"{kind.key}.csv"
        resource["hash"] = "sha256:" + _sha(files[f"{kind.key}.csv"])
    files["datapackage.json"] = json.dumps(package, ensure_ascii=False, indent=2) + "\n"
    files["CITATION.cff"] = citation_cff(release)
    files["citation.bib"] = bibtex(release)
    files["SHA256SUMS"] = "".join(f"{_sha(body)}  {name}\n" for name, body in files.items())
    return files


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def get_release(session: Session, number: int) -> Release:
    found = session.exec(select(Release).where(col(Release.number) == number)).first()
    if found is None:
        raise NotFound(f"There is no release {number}.")
    return found


def all_releases(session: Session) -> list[sa.Row[Any]]:
    """Every release, newest first, without its document."""
    return list(
        session.execute(
            sa.select(
                col(Release.number),
                col(Release.created_at),
                col(Release.made_by),
                col(Release.note),
                col(Release.sha256),
            ).order_by(col(Release.number).desc())
        ).all()
    )


def record_of(release: Release) -> RecordDocument:
    return RecordDocument.model_validate(json.loads(release.document))


# ---------------------------------------------------------------- reading pages as they stood


def release_database(release: Release, *, settings: Settings) -> Path:
    """A SQLite database holding the release's record and nothing else, for serving Parley's pages
    as they stood at the release (app/web/as_of.py).

    It is made the first time it is asked for, under the data folder, and named by the record
    document's checksum and the schema it was made with (a Parley with a newer schema makes its own):
    every worker shares it, and a half-made one is never seen — it is written under another name and
    linked into place when whole, never over a file another process has open. The live database is
    only read.
    """
    from alembic.script import ScriptDirectory  # Alembic takes a tenth of a second to import

    from app.core import migrate

    head = ScriptDirectory.from_config(migrate.alembic_config(settings)).get_current_head()
    folder = settings.data_dir / "releases"
    path = folder / f"record-{release.sha256[:32]}-schema-{head}.sqlite3"
    if path.exists():
        return path
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f"{path.name}.{os.getpid()}-{threading.get_ident()}.partial"
    url = f"sqlite:///{partial}"
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            migrate.create_at_head(settings, connection)
        with session_scope(engine) as session:
            import_record(session=session, record=record_of(release))
        with engine.connect() as connection:
            # Back to one file before it is linked into place: the write-ahead log is named after the file.
            connection.exec_driver_sql("PRAGMA journal_mode = DELETE")
        engine.dispose()
        with contextlib.suppress(FileExistsError):  # another worker made it first: the same rows
            os.link(partial, path)
    finally:
        engine.dispose()
        for leftover in (partial, *(partial.with_name(partial.name + end) for end in ("-wal", "-shm", "-journal"))):
            leftover.unlink(missing_ok=True)
    return path


# ---------------------------------------------------------------- what changed between two releases


@dataclass(frozen=True)
class Change:
    kind: str
    id: int
    change: str  # added, removed, changed
    name: str
    fields: tuple[str, ...] = ()


def changes_between(before: RecordDocument | None, after: RecordDocument) -> list[Change]:
    """Entries added, removed and changed from one release to the next, kind by kind (times aside)."""
    found: list[Change] = []
    for kind in KINDS:
        old = {e["id"]: e for e in _entries(before, kind.key)}
        new = {e["id"]: e for e in _entries(after, kind.key)}
        for entry_id in sorted(new.keys() - old.keys()):
            found.append(Change(kind.key, entry_id, "added", _name(new[entry_id])))
        for entry_id in sorted(old.keys() - new.keys()):
            found.append(Change(kind.key, entry_id, "removed", _name(old[entry_id])))
        for entry_id in sorted(old.keys() & new.keys()):
            differ = tuple(
                name for name in new[entry_id] if name not in STAMPS and new[entry_id][name] != old[entry_id].get(name)
            )
            if differ:
                found.append(Change(kind.key, entry_id, "changed", _name(new[entry_id]), differ))
    return found


def _entries(record: RecordDocument | None, key: str) -> list[dict[str, Any]]:
    if record is None:
        return []
    return [entry.model_dump(mode="json") for entry in getattr(record, key)]


def _name(entry: dict[str, Any]) -> str:
    for field in NAMES:
        if entry.get(field):
            words = str(entry[field])
            return words if len(words) <= 80 else words[:79] + "…"
    return f"#{entry['id']}"


# ---------------------------------------------------------------- citing a release


def citation_cff(release: Release) -> str:
    """CITATION.cff (Citation File Format 1.2.0) for the release."""
    lines = [
        "cff-version: 1.2.0",
        'message: "If you use this data, please cite it as below."',
        "type: dataset",
        'title: "Parley: peace negotiations, round by round, with sources"',
        f'version: "{release.number}"',
        f"date-released: {release.created_at.date().isoformat()}",
        "authors:",
        '  - name: "Parley editors"',
        "identifiers:",
        "  - type: other",
        f'    value: "sha256:{release.sha256}"',
        '    description: "The release\'s record document"',
    ]
    return "\n".join(lines) + "\n"


def bibtex(release: Release) -> str:
    created: dt.datetime = release.created_at
    return (
        f"@misc{{parley_release_{release.number},\n"
        "  title = {Parley: peace negotiations, round by round, with sources},\n"
        "  author = {{Parley editors}},\n"
        f"  year = {{{created.year}}},\n"
        f"  version = {{{release.number}}},\n"
        f"  howpublished = {{Parley, release {release.number}}},\n"
        f"  note = {{Release {release.number}, {created.date().isoformat()}; "
        f"record document SHA-256 {release.sha256}}}\n"
        "}\n"
    )
