"""`make bench` says by how much a cold target is missed and why (issue 13), from figures of its own run.

The figures here are made up: what is checked is what the report says of them, not how fast anything is.
"""

import argparse

from tests.benchmarks.run import COMPOSER, PAGES, Load, Run, report


def _load(rps: float, p50: float = 10.0) -> Load:
    return Load(rps=rps, p50=p50, p99=2 * p50, errors=0)


def _runs() -> dict[str, Run]:
    keys = [page.key for page in PAGES] + [COMPOSER.key]
    ceiling = Run(loads={key: _load(20_000, 1.0) for key in keys})
    bundled = Run(
        loads={key: _load(19_000, 1.0) for key in keys if key != COMPOSER.key},
        cold={key: _load(400, 80.0) for key in keys if key != "widget304"},
        floor=_load(4_000),
        same_entries={"timeline": _load(400, 80.0), "api": _load(500, 64.0)},
        cold_bytes={"timeline": 15_000, "api": 10_000},
        entries={"timeline": 4},
        startup_cpu_s=0.9,
    )
    large = Run(
        loads=dict(bundled.loads),
        cold={**bundled.cold, "timeline": _load(160, 200.0), "api": _load(250, 128.0)},
        same_entries={"timeline": _load(380, 84.0), "api": _load(480, 67.2)},
        cold_bytes={"timeline": 57_000, "api": 44_000},
        entries={"timeline": 20},
        import_s=20.0,
        startup_cpu_s=0.9,
    )
    return {"ceiling": ceiling, "SQLite, bundled": bundled, "SQLite, large": large}


def test_a_missed_cold_target_is_told_by_how_much_and_where_the_time_goes() -> None:
    text = report(_runs(), argparse.Namespace(connections=32, threads=2, runs=3, duration=4), 60.0)

    why = text.split("By how much, and why")[1].split("The large record against")[0]
    rows = [line for line in why.splitlines() if line.startswith("| SQLite, bundled |")]
    # 400 a second against 2.5% of 20,000 = 500: 2.5 ms a page against 2.0, of which the stack
    # alone (/healthz at 4,000 a second) takes 0.25 ms; the page's own work 2.25 ms against 1.75.
    timeline = next(row for row in rows if "| timeline `/timeline` |" in row)
    assert timeline.split(" | ")[2:] == ["2.50", "2.00", "0.25", "2.25", "1.75", "1.2× |"]
    # The composer's target is 1% (200 a second): met at 400, so it is not among the misses.
    assert len(rows) == len(PAGES) - 1
    assert not any("round composer" in row for row in rows)


def test_the_large_records_growth_is_told_apart_from_its_longer_first_page() -> None:
    text = report(_runs(), argparse.Namespace(connections=32, threads=2, runs=3, duration=4), 60.0)

    row = next(line for line in text.splitlines() if line.startswith("| SQLite | timeline"))
    # 4 entries against 20, 15 KB against 56; the first page 2.5× the bundled p50, the same entries 1.05×.
    assert row == "| SQLite | timeline `/timeline` | 4 / 20 | 15 / 56 | 2.50× | 1.05× |"
