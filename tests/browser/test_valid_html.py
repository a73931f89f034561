"""Every public page is valid HTML, as the Nu Html Checker (the W3C validator) reads it."""

import json
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

from .conftest import HERE, unavailable
from .test_accessibility import PUBLIC_PAGES

VNU = HERE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def fetch(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url) as response:
            return bytes(response.read())
    except urllib.error.HTTPError as error:  # the error page is a page too
        return bytes(error.read())


def html_problems(files: dict[Path, str]) -> list[str]:
    """What the Nu Html Checker finds wrong in each file, named by the address it was fetched from.

    One JVM for all files: starting it is most of the cost.
    """
    java = shutil.which("java")
    if java is None or not VNU.exists():
        unavailable("the Nu Html Checker needs java on PATH and vnu.jar (npm ci --prefix tests/browser)")
    checked = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--errors-only", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        check=True,
    )
    by_name = {file.name: address for file, address in files.items()}
    return [
        f"{by_name.get(Path(m.get('url', '')).name, m.get('url'))} line {m.get('lastLine')}: {m['message']}\n"
        f"    {m.get('extract', '')!r}"
        for m in json.loads(checked.stderr)["messages"]
    ]


def test_every_public_page_is_valid_html(live_server: str, tmp_path: Path) -> None:
    files = {}
    for number, path in enumerate(PUBLIC_PAGES):
        file = tmp_path / f"page-{number}.html"
        file.write_bytes(fetch(live_server + path))
        files[file] = path
    problems = html_problems(files)
    assert not problems, "invalid HTML:\n" + "\n".join(problems)
