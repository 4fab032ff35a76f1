"""The documentation keeps its promises to a newcomer.

* The README is a front door (at most ``MAX_README_LINES`` lines) whose two set-up commands are the ones
  CI runs, and whose links lead somewhere.
* Every ``console`` block in the README and in the documentation pages is a session that can be
  replayed: each ``$ incidentkit ...`` command is run, in order, in a scratch copy of the repository's
  shipped files (``datasets/`` and ``examples/``), and what it prints must be what the page shows. A
  line holding only ``...`` on the page stands for any number of printed lines. Commands that cannot
  run here (downloads, online geocoders) belong in ``sh`` blocks, which are not run.
* The site builds with ``mkdocs build --strict``: a broken link or anchor, a page missing from the nav
  or a docstring mkdocstrings cannot render fails the suite.
* Nothing in the repository's code, tests, docs or notebooks reaches for files beside the repository: a
  clone with nothing next to it must work.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
DOCS = REPO / "docs"
MAX_README_LINES = 200
#: What a replayed session may read: the files that ship with the repository for users.
SHIPPED = ("datasets", "examples")
ELLIPSIS = "..."

_CONSOLE_BLOCK = re.compile(r"^```console[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
_PYTHON_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)


@dataclass(frozen=True)
class Step:
    """One ``$ command`` of a console block and the lines the page says it prints."""

    command: str
    expected: tuple[str, ...]


def console_steps(markdown: str) -> list[Step]:
    """The commands of every console block, in page order, each with the lines shown below it."""
    steps: list[Step] = []
    for block in _CONSOLE_BLOCK.findall(markdown):
        command: str | None = None
        expected: list[str] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    steps.append(Step(command, tuple(expected)))
                command, expected = line[2:].strip(), []
            elif command is None:
                raise AssertionError(f"console block does not start with a '$ ' command: {line!r}")
            else:
                expected.append(line)
        if command is not None:
            steps.append(Step(command, tuple(expected)))
    return steps


def output_matches(expected: tuple[str, ...] | list[str], actual: list[str]) -> bool:
    """Whether ``actual`` equals ``expected`` line for line, an ``...`` line matching any run of lines.

    Trailing spaces are ignored on both sides: a page's editor may strip them, a terminal shows none.
    """
    want = [line.rstrip() for line in expected]
    got = [line.rstrip() for line in actual]
    # match[i][j]: want[i:] matches got[j:]
    match = [[False] * (len(got) + 1) for _ in range(len(want) + 1)]
    match[len(want)][len(got)] = True
    for i in range(len(want) - 1, -1, -1):
        for j in range(len(got), -1, -1):
            if want[i] == ELLIPSIS:
                match[i][j] = match[i + 1][j] or (j < len(got) and match[i][j + 1])
            else:
                match[i][j] = j < len(got) and want[i] == got[j] and match[i + 1][j + 1]
    return match[0][0]


def _incidentkit() -> list[str]:
    """The console script installed beside this Python (what a user types), else ``python -m``."""
    script = Path(sys.executable).with_name("incidentkit")
    return [str(script)] if script.exists() else [sys.executable, "-m", "incidentkit"]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    # Unbuffered, so stdout and stderr interleave as on a terminal; no colours; a fixed width.
    env.update(PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1", NO_COLOR="1", COLUMNS="100",
               NO_MKDOCS_2_WARNING="1")
    # Progress reports depend on the terminal and on whether the gazetteer index is cached yet (a cold
    # cache prints a note while it builds); the pages show what a command prints once it is cached.
    env["INCIDENTKIT_PROGRESS"] = "off"
    return env


def replay(markdown: str, workspace: Path) -> list[tuple[Step, list[str], int]]:
    """Run each console step in ``workspace`` (one shell-free process per command, in page order)."""
    results = []
    for step in console_steps(markdown):
        argv = shlex.split(step.command)
        assert argv[0] == "incidentkit", f"console blocks replay incidentkit commands only: {step.command!r}"
        proc = subprocess.run(_incidentkit() + argv[1:], cwd=workspace, env=_environment(), text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
        results.append((step, proc.stdout.splitlines(), proc.returncode))
    return results


def make_workspace(root: Path) -> Path:
    """A scratch copy of what ships for users, so commands that write cannot touch the repository."""
    root.mkdir(parents=True, exist_ok=True)
    for name in SHIPPED:
        shutil.copytree(REPO / name, root / name)
    return root


def _pages_with_sessions() -> list[Path]:
    pages = [README, *sorted(DOCS.rglob("*.md"))]
    return [p for p in pages if _CONSOLE_BLOCK.search(p.read_text(encoding="utf-8"))]


def _report(page: Path, step: Step, actual: list[str], code: int) -> str:
    shown = "\n".join(actual)
    return (f"{page.relative_to(REPO)}: the output of `{step.command}` (exit {code}) is not what the page shows.\n"
            f"--- the page shows:\n" + "\n".join(step.expected) + f"\n--- the command printed:\n{shown}\n"
            "Paste the printed output into the page (use a line '...' to leave lines out).")


# ---- the README is a front door ----------------------------------------------------------------------

def test_readme_is_a_front_door_of_at_most_200_lines() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, (
        f"README.md has {len(lines)} lines; keep it a front door (<= {MAX_README_LINES}) and move the rest "
        "into a page under docs/")


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second() -> None:
    text = README.read_text(encoding="utf-8")
    first_block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert first_block is not None, "the README's first block shows the two set-up commands"
    install, test = first_block.group(1).strip().splitlines()
    assert install == "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/incidentkit build"
    assert "pytest" in test
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test in ci, ".ci/run must run the README's test command character for character"


def test_readme_tells_how_to_serve_the_docs() -> None:
    text = README.read_text(encoding="utf-8")
    assert '.venv/bin/pip install -e ".[docs]" && .venv/bin/mkdocs serve' in text


def test_readme_links_lead_somewhere() -> None:
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    assert targets, "the README links onward"
    for target in targets:
        if re.match(r"[a-z]+:", target):
            continue
        path = target.split("#", 1)[0]
        assert (REPO / path).exists(), f"README.md links to {target}, which does not exist"


def test_the_tours_file_with_mistakes_ships() -> None:
    text = README.read_text(encoding="utf-8")
    assert "$ incidentkit validate examples/bad.yaml" in text
    assert (REPO / "examples" / "bad.yaml").is_file()


# ---- every console session runs as printed -----------------------------------------------------------

def test_output_matching_rules() -> None:
    assert output_matches(["a", "b"], ["a", "b"])
    assert output_matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert output_matches(["a", "...", "b"], ["a", "b"])
    assert output_matches(["a  "], ["a"])
    assert not output_matches(["a", "b"], ["a", "b", "c"])
    assert not output_matches(["a", "...", "d"], ["a", "b", "c"])
    steps = console_steps("```console\n$ incidentkit x\none\n...\n$ incidentkit y\n```\n")
    assert steps == [Step("incidentkit x", ("one", "...")), Step("incidentkit y", ())]


@pytest.mark.parametrize("page", _pages_with_sessions(), ids=lambda p: str(p.relative_to(REPO)))
def test_console_sessions_print_what_the_page_shows(page: Path, tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "workspace")
    for step, actual, code in replay(page.read_text(encoding="utf-8"), workspace):
        assert "Traceback (most recent call last)" not in "\n".join(actual), _report(page, step, actual, code)
        assert output_matches(step.expected, actual), _report(page, step, actual, code)


#: Pages whose Python blocks are run as written (each block on its own, from a copy of the repository's
#: root). Other pages' Python blocks use files the reader brings, or write where they please.
PYTHON_PAGES = (README, DOCS / "tutorial" / "first-report.md")


@pytest.mark.parametrize("page", PYTHON_PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_python_blocks_run(page: Path, tmp_path: Path) -> None:
    """The README's and the tutorial's Python lines run as written (they do not depend on the console
    sessions having run first: the shipped datasets/ is already built)."""
    blocks = _PYTHON_BLOCK.findall(page.read_text(encoding="utf-8"))
    assert blocks, f"{page.name} shows Python"
    workspace = make_workspace(tmp_path / "workspace")
    for block in blocks:
        proc = subprocess.run([sys.executable, "-c", block], cwd=workspace, env=_environment(), text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
        assert proc.returncode == 0, f"{page.name}: Python block failed:\n{block}\n--- output:\n{proc.stdout}"


# ---- the documentation site --------------------------------------------------------------------------

def _mkdocs_available() -> str | None:
    """Why the site cannot be built here, or None. mkdocs is in the test extra, so CI builds it."""
    for module in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is not installed: pip install -e '.[docs]' (the test extra has it too)"
    return None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reason = _mkdocs_available()
    if reason:
        pytest.skip(reason)
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
                           str(REPO / "mkdocs.yml"), "--site-dir", str(out)],
                          cwd=REPO, env=_environment(), text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=900)
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stdout}"
    return out


def test_docs_build_strictly(site: Path) -> None:
    assert (site / "index.html").is_file()
    assert (site / "codebook" / "index.html").is_file() and (site / "cli" / "index.html").is_file()


def test_error_catalogue_page_lists_every_code(site: Path) -> None:
    from incidentkit.errors import CATALOGUE

    page = (site / "reference" / "errors" / "index.html").read_text(encoding="utf-8")
    missing = [code for code in CATALOGUE if f'id="{code}"' not in page]
    assert not missing, f"error codes missing from the catalogue page: {missing}"


def test_python_api_pages_are_generated_from_docstrings(site: Path) -> None:
    page = (site / "reference" / "api" / "index.html").read_text(encoding="utf-8")
    for name in ("incidentkit.build.build", "incidentkit.validate.validate", "incidentkit.dataset.read_incidents"):
        assert f'id="{name}"' in page, f"{name} is not documented on the API page"


# ---- a clone needs nothing beside it -----------------------------------------------------------------

#: A path reaching out of the repository to a sibling "shared" folder, however it is spelled: as text
#: ("..", then a separator, then "shared"), or built from the repository's parent in Python.
OUTSIDE_REFERENCE = re.compile(
    rb"\.\.[/\\]+shared\b"
    rb"|\bparents?(\[\d+\])?\s*/\s*['\"]shared\b"
    rb"|\bparents?(\[\d+\])?\s*\.\s*joinpath\(\s*['\"]shared\b"
    rb"|['\"]\.\.['\"]\s*[,/]\s*['\"]shared\b")
SCANNED = ("src", "tests", "docs", "notebooks", "examples", "README.md", "mkdocs.yml", ".ci")


def _repository_files() -> list[Path]:
    """Files under SCANNED as a clone has them: git's tracked and new (not ignored) files, so stale
    build artefacts (egg-info, bytecode of deleted modules) neither hide nor raise a reference."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--",
                                 *SCANNED], cwd=REPO, capture_output=True, check=True).stdout
        return [REPO / name for name in listed.decode("utf-8").split("\0") if name and (REPO / name).is_file()]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (an sdist): every file counts
        files: list[Path] = []
        for name in SCANNED:
            root = REPO / name
            files += [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        return files


def test_outside_reference_pattern_catches_every_spelling() -> None:
    # Spelled with placeholders, so this file does not itself hold what it forbids.
    for text in ('"{up}/shared/reference/x.csv"', "{up}\\shared", 'REPO.{p} / "shared"', "ROOT.{p}s[1] / 'shared'",
                 'REPO.{p}.joinpath("shared")', 'os.path.join("{up}", "shared")', "see {up}/{up}/shared/design"):
        text = text.format(up="..", p="parent")
        assert OUTSIDE_REFERENCE.search(text.encode()), text
    for text in ("shared lock", "tests/data/reference", 'REPO / "shared_types"', "a shared folder"):
        assert not OUTSIDE_REFERENCE.search(text.encode()), text


def test_nothing_refers_to_files_beside_the_repository() -> None:
    offenders = []
    for path in _repository_files():
        for number, line in enumerate(path.read_bytes().splitlines(), start=1):
            if OUTSIDE_REFERENCE.search(line):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.decode('utf-8', 'replace').strip()[:120]}")
    assert not offenders, ("a fresh clone has nothing beside it; copy what is needed into the repository "
                           "(e.g. tests/data/ with its attribution):\n" + "\n".join(offenders))


# ---- regenerating the sessions ---------------------------------------------------------------------

def _regenerated(expected: tuple[str, ...], actual: list[str]) -> list[str]:
    """What a page should show for a step: the printed lines, with the page's elision kept in place (as
    many lines before the first ``...`` and after the last one as the page showed)."""
    if ELLIPSIS not in expected:
        return actual
    head = expected.index(ELLIPSIS)
    tail = len(expected) - 1 - max(i for i, line in enumerate(expected) if line == ELLIPSIS)
    if head + tail >= len(actual):
        return actual
    return actual[:head] + [ELLIPSIS] + (actual[len(actual) - tail:] if tail else [])


def regenerate(page: Path) -> bool:
    """Rewrite ``page``'s console blocks with what their commands print now; True if the page changed."""
    import tempfile

    text = page.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        results = iter(replay(text, make_workspace(Path(tmp) / "workspace")))

        def block(match: re.Match[str]) -> str:
            lines: list[str] = []
            for step in console_steps(match.group(0)):
                _, actual, _ = next(results)
                lines += [f"$ {step.command}", *_regenerated(step.expected, [a.rstrip() for a in actual])]
            return "```console\n" + "\n".join(lines) + "\n```"

        new = _CONSOLE_BLOCK.sub(block, text)
    if new != text:
        page.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    # .venv/bin/python tests/test_docs.py [PAGE...]: paste into the pages (the README and every docs page
    # with a console block, by default) what their commands print now. Review the diff before committing.
    os.environ.setdefault("INCIDENTKIT_CACHE_DIR", str(REPO / ".pytest_cache" / "incidentkit"))
    for name in sys.argv[1:] or [str(p) for p in _pages_with_sessions()]:
        changed = regenerate(Path(name).resolve())
        print(f"{'updated' if changed else 'unchanged'}: {Path(name).resolve().relative_to(REPO)}")

