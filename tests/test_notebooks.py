"""The notebooks run top to bottom, offline, in a kernel of this very Python, and are committed clean.

Each notebook is executed with nbclient in a fresh kernel whose kernelspec is written into a temporary
JUPYTER_PATH (so it is this venv's interpreter, whatever kernels the machine has installed). The kernel
inherits INCIDENTKIT_CACHE_DIR (the session's gazetteer index, built once) and INCIDENTKIT_NOTEBOOK_WORK
(a temp folder: the notebooks write nothing into the repository), and starts with a ``sitecustomize``
that refuses every non-loopback connection, so a notebook that reached for the network would fail here.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import nbformat
import pytest
from ipykernel.kernelspec import write_kernel_spec
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
#: The figures each notebook must render (as PNG outputs): the issue's list, per notebook.
MIN_FIGURES = {"01_explore_incidents": 4, "02_compare_with_public_data": 3, "03_coding_workflow": 1}

OFFLINE = '''
import socket

_LOCAL = ("127.0.0.1", "::1", "localhost", "0.0.0.0")
_connect = socket.socket.connect
_getaddrinfo = socket.getaddrinfo


def _guard(host):
    if isinstance(host, (bytes, bytearray)):
        host = host.decode()
    if host not in _LOCAL and not (isinstance(host, str) and host.startswith("127.")):
        raise OSError(f"notebook tests run offline: connection to {host!r} refused")


def connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6):
        _guard(address[0])
    return _connect(self, address)


def getaddrinfo(host, *args, **kwargs):
    if host is not None:
        _guard(host)
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = connect
socket.getaddrinfo = getaddrinfo
'''


def test_notebooks_exist() -> None:
    assert [p.stem for p in NOTEBOOKS] == list(MIN_FIGURES)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_has_no_outputs(path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    nbformat.validate(book)
    for i, cell in enumerate(book.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {i} has outputs: strip them before committing " \
                "(see docs/how-to/notebooks.md)"
            assert cell.execution_count is None, f"{path.name} cell {i} has an execution count"
            assert "execution" not in cell.metadata, f"{path.name} cell {i} keeps run timings in its metadata"
        assert "attachments" not in cell or not cell.attachments
    assert book.metadata.get("kernelspec", {}).get("name") == "python3"
    assert "widgets" not in book.metadata


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """JUPYTER_PATH with a python3 kernelspec for sys.executable, and a PYTHONPATH that blocks the network."""
    root = tmp_path_factory.mktemp("jupyter")
    spec_dir = Path(write_kernel_spec(root / "kernels" / "python3"))
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert Path(spec["argv"][0]).resolve() == Path(sys.executable).resolve()
    offline = root / "offline"
    offline.mkdir()
    (offline / "sitecustomize.py").write_text(OFFLINE)
    pythonpath = os.pathsep.join(p for p in (str(offline), os.environ.get("PYTHONPATH", "")) if p)
    return {"JUPYTER_PATH": str(root), "PYTHONPATH": pythonpath, "PYTHONDONTWRITEBYTECODE": "1",
            "MPLBACKEND": "module://matplotlib_inline.backend_inline"}


def _execute(book: nbformat.NotebookNode, cwd: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    client = NotebookClient(book, timeout=240, kernel_name="python3", resources={"metadata": {"path": str(cwd)}})
    client.execute()


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def test_kernel_is_offline_this_python_and_shares_the_cache(kernel_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os, socket, sys\n"
        "print(sys.executable)\n"
        "print(os.environ.get('INCIDENTKIT_CACHE_DIR'))\n"
        "try:\n"
        "    socket.create_connection(('example.org', 80), timeout=2)\n"
        "except OSError as exc:\n"
        "    print('blocked' if 'offline' in str(exc) else f'other error: {exc}')\n"
        "else:\n"
        "    print('connected')")])
    _execute(book, tmp_path, kernel_env, monkeypatch)
    lines = book.cells[0].outputs[0]["text"].split()
    assert Path(lines[0]).resolve() == Path(sys.executable).resolve()
    assert lines[1] == os.environ["INCIDENTKIT_CACHE_DIR"]  # the session's gazetteer index is shared
    assert lines[2] == "blocked"


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path | None]:
    """The coded folders the notebooks run on: the seed (datasets/coded, the default) and a generated project
    of 300 incidents in 40 countries on five continents over 15 years (incidentkit.testing.write_coded_project),
    read through INCIDENTKIT_CODED as a researcher's own records would be."""
    # generated once for all xdist workers of the run
    from test_plots import build_once, shared_dir

    from incidentkit.testing import write_coded_project

    def make(root: Path) -> None:
        write_coded_project(root / "multi" / "coded", 300, countries=40, start="2010-01-01", years=15, seed=11)
        # one incident, one country, one day
        write_coded_project(root / "one" / "coded", 1, countries=1, start="2023-05-01", years=0.001, seed=2)

    root = build_once(shared_dir(tmp_path_factory) / "notebook-projects", make)
    return {"seed": None, "multi": root / "multi" / "coded", "one": root / "one" / "coded"}


#: Every notebook on the seed and on the 40-country project; the exploration notebook also on one incident.
CASES = [pytest.param(p, project, id=f"{p.stem}-{project}") for p in NOTEBOOKS for project in ("seed", "multi")] + \
    [pytest.param(p, "one", id=f"{p.stem}-one") for p in NOTEBOOKS if p.stem.startswith("01")]


@pytest.mark.slow
@pytest.mark.notebooks
@pytest.mark.parametrize("path,project", CASES)
def test_notebook_runs_offline(path: Path, project: str, projects: dict[str, Path | None],
                               kernel_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    before = {d: _digest(REPO / d) for d in ("datasets", "notebooks")}
    book = nbformat.read(path, as_version=4)
    env = {**kernel_env, "INCIDENTKIT_NOTEBOOK_WORK": str(tmp_path)}
    if projects[project] is not None:
        env["INCIDENTKIT_CODED"] = str(projects[project])
    else:
        monkeypatch.delenv("INCIDENTKIT_CODED", raising=False)
    _execute(book, path.parent, env, monkeypatch)
    errors = [o for c in book.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    figures = [o for c in book.cells if c.cell_type == "code" for o in c.outputs
               if "image/png" in o.get("data", {})]
    assert len(figures) >= MIN_FIGURES[path.stem]
    assert any(tmp_path.rglob("incidents.parquet")), "the notebook should build into the work folder"
    if project != "seed":  # the records it read are the project's, not the seed's
        text = "".join(o.get("text", "") for c in book.cells if c.cell_type == "code" for o in c.outputs)
        assert f"records from {projects[project]}" in text
    after = {d: _digest(REPO / d) for d in ("datasets", "notebooks")}
    assert after == before, "a notebook changed files in the repository"
