"""The house rules the layout stands for, checked: imports flow one way (web → editing → reading →
record → core), and no function in app/ is too tangled to read."""

import ast
from pathlib import Path

import pytest
from radon.complexity import cc_visit

APP = Path(__file__).resolve().parent.parent / "app"
# What each layer may import from: itself and the layers below it.
MAY_IMPORT = {
    "core": {"core"},
    "record": {"record", "core"},
    "reading": {"reading", "record", "core"},
    "editing": {"editing", "reading", "record", "core"},
    "web": {"web", "editing", "reading", "record", "core"},
}
# Radon's cyclomatic complexity: past 15, a function has more paths than a reader can hold at once.
MOST_COMPLEX = 15


def _modules() -> list[Path]:
    return sorted(APP.rglob("*.py"))


def _layer(path: Path) -> str | None:
    parts = path.relative_to(APP).parts
    return parts[0] if len(parts) > 1 else None  # app/main.py and app/cli.py put everything together


def _imported_layers(path: Path) -> set[str]:
    layers = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "app" and len(parts) > 1 and parts[1] in MAY_IMPORT:
                layers.add(parts[1])
    return layers


@pytest.mark.parametrize("path", [p for p in _modules() if _layer(p)], ids=lambda p: str(p.relative_to(APP)))
def test_a_module_imports_only_its_own_layer_and_those_below(path: Path) -> None:
    layer = _layer(path)
    assert layer is not None
    assert _imported_layers(path) <= MAY_IMPORT[layer]


def test_every_module_is_in_a_layer_but_the_two_that_assemble_the_app() -> None:
    loose = {p.name for p in _modules() if _layer(p) is None}
    assert loose == {"__init__.py", "main.py", "cli.py"}
    assert {_layer(p) for p in _modules() if _layer(p)} == set(MAY_IMPORT)


def test_no_function_is_more_complex_than_15() -> None:
    tangled = [
        f"{path.relative_to(APP)}:{block.lineno} {block.fullname} ({block.complexity})"
        for path in _modules()
        for block in cc_visit(path.read_text())
        for block in [block, *getattr(block, "methods", [])]
        if block.complexity > MOST_COMPLEX
    ]
    assert tangled == []
