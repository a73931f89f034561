"""A large synthetic record for the benchmark: the bundled Istanbul record plus 50 made-up negotiations.

The bundled record stays in it unchanged, so the benchmark asks for the very same pages of both
records and compares like with like. The document is written once and kept under
``tests/benchmarks/.cache/`` (ignored by git); loading it uses ``import_record`` with a progress bar.

    .venv/bin/python -m tests.benchmarks.generate            # write the document (if missing)
    .venv/bin/python -m tests.benchmarks.generate --load URL # and load it into an empty, migrated database
"""

import argparse
import datetime as dt
import json
from importlib import resources
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app.core.db import make_engine, session_scope
from app.record import document
from app.record.transfer import BUNDLED_RECORD, import_record

CACHE = Path(__file__).parent / ".cache"
NEGOTIATIONS = 50
ROUNDS_PER_NEGOTIATION = 200  # 10,000 rounds
TOPICS_PER_ROUND = 5  # x 2 parties: 10 positions a round, 100,000 in all
OUTCOMES_PER_ROUND = 3  # 30,000
SOURCES = 20_000
EVENT_EVERY = 10  # a context event every tenth round
SHAPE = f"{NEGOTIATIONS}x{ROUNDS_PER_NEGOTIATION}-v2"


def default_path() -> Path:
    return CACHE / f"large-record-{SHAPE}.json"


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=False
    )


class _Ids:
    """The next free id of each kind, after the bundled record's."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.next = {key: max((e["id"] for e in value), default=0) + 1 for key, value in _kinds(record).items()}

    def __call__(self, key: str) -> int:
        ident = self.next[key]
        self.next[key] += 1
        return ident


def _kinds(record: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {key: value for key, value in record.items() if isinstance(value, list)}


def build(
    progress: Progress | None = None,
    *,
    negotiations: int = NEGOTIATIONS,
    rounds_per_negotiation: int = ROUNDS_PER_NEGOTIATION,
    source_count: int = SOURCES,
) -> dict[str, Any]:
    """The bundled record with the synthetic negotiations appended, as a plain document."""
    bundled = resources.files("app").joinpath("data", BUNDLED_RECORD)
    record: dict[str, Any] = json.loads(bundled.read_text(encoding="utf-8"))
    ids = _Ids(record)
    add = {key: value.append for key, value in _kinds(record).items()}
    topics = [t["id"] for t in record["topics"]]
    colours = [p["colour"] for p in record["parties"]]  # known to pass the contrast check

    sources = []
    for i in range(source_count):
        ident = ids("sources")
        sources.append(ident)
        add["sources"](
            {
                "id": ident,
                "language": "en",
                "published_on": None,
                "publisher": f"Synthetic Wire {i % 97}",
                "standpoint": "Synthetic news agency",
                "title": f"Report {i}",
                "url": f"https://synthetic.example.org/reports/{i}",
            }
        )
    cited = iter(range(10**9))

    def cite(**subject: int) -> None:
        row = {k: None for k in ("event_id", "figure_id", "outcome_id", "position_id", "round_id")} | subject
        add["citations"](row | {"id": ids("citations"), "note": None, "source_id": sources[next(cited) % source_count]})

    task = progress.add_task("Generating rounds", total=negotiations * rounds_per_negotiation) if progress else None
    host = record["parties"][0]["id"]
    for n in range(negotiations):
        sides = []
        for side in ("north", "south"):
            party = ids("parties")
            add["parties"](
                {
                    "colour": colours[(2 * n + len(sides)) % len(colours)],
                    "id": party,
                    "name": f"Synthetic {n:02d} {side.title()}",
                    "short_name": f"S{n:02d}{side[0].upper()}",
                    "slug": f"synthetic-{n:02d}-{side}",
                }
            )
            person = ids("people")
            add["people"](
                {
                    "id": person,
                    "name": f"Envoy {n:02d} {side.title()}",
                    "name_native": None,
                    "party_id": party,
                    "slug": f"envoy-{n:02d}-{side}",
                    "title": "Envoy",
                }
            )
            sides.append((party, person))
        negotiation = ids("negotiations")
        add["negotiations"](
            {
                "description": f"Synthetic negotiation {n} for the benchmark.",
                "id": negotiation,
                "slug": f"synthetic-talks-{n:02d}",
                "title": f"Synthetic talks {n:02d}",
            }
        )
        for party, _ in sides:
            add["negotiation_parties"](
                {
                    "id": ids("negotiation_parties"),
                    "negotiation_id": negotiation,
                    "note": None,
                    "party_id": party,
                    "role": "negotiating_party",
                }
            )
        start = dt.date(2000, 1, 3) + dt.timedelta(days=n)
        for s in range(1, rounds_per_negotiation + 1):
            day = start + dt.timedelta(days=40 * s)
            round_id = ids("rounds")
            add["rounds"](
                {
                    "atmosphere": None,
                    "chair_id": None,
                    "city": "Geneva",
                    "date": day.isoformat(),
                    "date_note": None,
                    "date_precision": "day",
                    "delay_minutes": 15,
                    "duration_minutes": 120,
                    "host_party_id": host,
                    "id": round_id,
                    "negotiation_id": negotiation,
                    "published": True,
                    "sequence": s,
                    "slug": f"synthetic-{n:02d}-round-{s:03d}",
                    "start_time": "10:00:00",
                    "status": "held",
                    "summary": f"Round {s} of synthetic talks {n}. The delegations met for two hours.",
                    "timezone": "Europe/Zurich",
                    "venue": "Palais des Nations",
                }
            )
            cite(round_id=round_id)
            cite(round_id=round_id)
            figure = ids("reported_figures")
            add["reported_figures"](
                {
                    "as_reported": "about two hours",
                    "high": 130,
                    "id": figure,
                    "low": 110,
                    "measure": "duration_minutes",
                    "outcome_id": None,
                    "round_id": round_id,
                    "unit": None,
                }
            )
            cite(figure_id=figure)
            for party, person in sides:
                delegation = ids("delegations")
                add["delegations"]({"id": delegation, "note": None, "party_id": party, "round_id": round_id})
                add["delegation_members"](
                    {
                        "delegation_id": delegation,
                        "id": ids("delegation_members"),
                        "is_head": True,
                        "person_id": person,
                        "title": "Envoy",
                    }
                )
            for o in range(OUTCOMES_PER_ROUND):
                outcome = ids("outcomes")
                add["outcomes"](
                    {
                        "description": f"Outcome {o + 1} of round {s}.",
                        "id": outcome,
                        "implemented_on": None,
                        "implemented_precision": "day",
                        "kind": "follow_up_talks" if o == 0 else "other",
                        "published": True,
                        "round_id": round_id,
                        "status": "agreed",
                        "title": f"Outcome {o + 1}",
                    }
                )
                cite(outcome_id=outcome)
            for t in range(TOPICS_PER_ROUND):
                topic = topics[(s + t) % len(topics)]
                for party, person in sides:
                    position = ids("positions")
                    add["positions"](
                        {
                            "id": position,
                            "negotiation_id": negotiation,
                            "party_id": party,
                            "published": True,
                            "quote": None,
                            "round_id": round_id,
                            "speaker_id": person,
                            "stated_in": None,
                            "stated_on": None,
                            "stated_precision": "day",
                            "summary": f"Position {s}.{t} of {party}: terms restated with a small change.",
                            "text": "A longer statement of the position, as reported. " * 3,
                            "topic_id": topic,
                        }
                    )
                    cite(position_id=position)
            if s % EVENT_EVERY == 0:
                event = ids("events")
                add["events"](
                    {
                        "date": (day - dt.timedelta(days=3)).isoformat(),
                        "date_precision": "day",
                        "description": "Context outside the talks.",
                        "id": event,
                        "kind": "military",
                        "negotiation_id": negotiation,
                        "published": True,
                        "slug": f"synthetic-{n:02d}-event-{s:03d}",
                        "title": f"Event before round {s}",
                    }
                )
                cite(event_id=event)
            if progress is not None and task is not None:
                progress.advance(task)
    return record


def ensure(path: Path | None = None) -> Path:
    """Write the large record's document unless it is there already; return its path."""
    path = path or default_path()
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with _progress() as progress:
        record = build(progress)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, separators=(",", ":")), encoding="utf-8")
    tmp.replace(path)
    return path


def load(database_url: str, path: Path) -> int:
    """Import the document at ``path`` into the empty, migrated database at ``database_url``."""
    with _progress() as progress:
        task = progress.add_task("Checking the document", total=None)
        record = document.parse(path.read_bytes())
        progress.update(task, total=1, completed=1)
        task = progress.add_task("Importing", total=record.size())
        engine = make_engine(database_url)
        try:
            with session_scope(engine) as session:
                written = import_record(session=session, record=record, on_progress=lambda n: progress.advance(task, n))
        finally:
            engine.dispose()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=None, help="where to write the document")
    parser.add_argument("--load", metavar="DATABASE_URL", help="import it into this empty, migrated database")
    args = parser.parse_args()
    path = ensure(args.output)
    sizes = {key: len(value) for key, value in _kinds(json.loads(path.read_bytes())).items()}
    print(path, sizes)
    if args.load:
        print(f"{load(args.load, path)} entries written")


if __name__ == "__main__":
    main()
