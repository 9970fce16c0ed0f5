"""In a real browser: the report's pages, and the Lab as a user meets it.

The Lab test starts ``make lab`` on a pseudo-terminal, runs notebook 05 from the Run
menu, moves its explorer's slider, saves, checks git sees no change, then presses
Ctrl-C and answers Jupyter's prompt, checking that the kernels and runtime files go. Another
stops it with SIGTERM (to make) and SIGHUP (to the terminal's process group): Jupyter's own
shutdown, no server or kernel left, the temporary kernelspec folder removed.

Drives the system Chromium (Debian's ``chromium``) through Playwright; no browser is
downloaded. Skipped, with the reason, where either is missing. ``.ci/run`` installs
Chromium first, so CI runs these.
"""

from __future__ import annotations

import os
import pty
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from analysis import paths
from conftest import GIT_FILTER_ENV

pytestmark = [pytest.mark.browser]

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
PROJECT = paths.PROJECT_ROOT


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("no Chromium installed (apt-get install chromium); .ci/run installs it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright not installed (pip install playwright)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def _watch(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    return errors


def test_report_pages_load_without_errors_and_every_image_decodes(browser, default_report):
    pages = [default_report / "index.html", *sorted(default_report.glob("*/*.html"))]
    for path in pages:
        page = browser.new_page()
        page.route("**/*", lambda route: route.abort() if route.request.url.startswith("http") else route.continue_())
        errors = _watch(page)
        page.goto(path.as_uri(), wait_until="load")
        page.evaluate("() => Promise.all([...document.images].map(i => { i.loading = 'eager'; return i.decode(); }))")
        broken = page.evaluate("() => [...document.images].filter(i => !(i.complete && i.naturalWidth > 0))"
                               ".map(i => i.alt || i.src.slice(0, 60))")
        assert page.evaluate("() => document.images.length") > 0, path.name
        assert broken == [], path.name
        own = [e for e in errors if "net::ERR_FAILED" not in e]   # CDN scripts blocked offline are not the page's
        assert own == [], path.name
        page.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Terminal:
    """``make lab`` on a pseudo-terminal, as a user starts it: Jupyter sees a tty and keeps its Ctrl-C prompt."""

    def __init__(self, command: list[str], env: dict, cwd: Path):
        try:
            master, slave = pty.openpty()
        except OSError as exc:
            pytest.skip(f"no pseudo-terminal here ({exc}): the Lab test needs one to press Ctrl-C as a user does")
        self.master, self.output = master, bytearray()
        self.proc = subprocess.Popen(command, cwd=str(cwd), env=env, stdin=slave, stdout=slave, stderr=slave,
                                     start_new_session=True)
        os.close(slave)
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:        # keep the pty's buffer empty so the server never blocks on its log
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output += chunk

    def text(self) -> str:
        return self.output.decode(errors="replace")

    def ctrl_c(self) -> None:
        """What the terminal does on Ctrl-C: SIGINT to the whole foreground process group (make included)."""
        os.killpg(self.proc.pid, signal.SIGINT)

    def type(self, line: str) -> None:
        os.write(self.master, line.encode())

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        os.close(self.master)


@pytest.fixture
def lab(tmp_path):
    """``make lab`` started headless at the project root on a pseudo-terminal; yields (URL, token, terminal)."""
    if shutil.which("make") is None:
        pytest.skip("no make: this test starts the Lab as the README does, with make lab")
    port, token = _free_port(), "browser-test-token"
    config = tmp_path / "jupyter-config"
    settings = config / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    (tmp_path / "tmp").mkdir()
    env = {**os.environ, **GIT_FILTER_ENV, "JUPYTER_CONFIG_DIR": str(config), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "TMPDIR": str(tmp_path / "tmp"),
           "HOME": os.environ.get("HOME", str(tmp_path)), "ANALYSIS_NO_GIT_FILTER": "1"}
    env.pop("ANALYSIS_HEADLESS", None)
    venv = Path(sys.prefix)
    options = (f"--no-browser --port={port} --ip=127.0.0.1 --IdentityProvider.token={token} --allow-root "
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate")
    # -o: use this interpreter's environment as it is (never reinstall from inside a test)
    terminal = _Terminal(["make", "--no-print-directory", "-o", f"{venv}/.installed", "lab", f"VENV={venv}",
                          f"ARGS={options}"], env, PROJECT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if terminal.proc.poll() is not None or time.time() > deadline:
                terminal.close()
                pytest.fail("make lab did not start:\n" + terminal.text()[-2000:])
            time.sleep(0.3)
    try:
        yield base, token, terminal
    finally:
        terminal.close()


def _kernel_processes(pid: int) -> list:
    import psutil

    return [p for p in psutil.Process(pid).children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]


def _git_status() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=str(PROJECT),
                          capture_output=True, text=True, env={**os.environ, **GIT_FILTER_ENV}, check=True).stdout


def _visible(selector: str) -> str:
    return f".jp-NotebookPanel:not(.lm-mod-hidden) {selector}"


def test_lab_runs_a_notebook_and_its_explorer_git_stays_clean_and_ctrl_c_shuts_down(browser, lab, tmp_path):
    base, token, terminal = lab
    notebook = PROJECT / "notebooks" / "05_edge_vs_cloud.ipynb"
    original = notebook.read_bytes()
    before_status = _git_status()
    assert notebook.name not in before_status, "commit or stash your edits to 05 first"
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = _watch(page)
    try:
        page.goto(f"{base}/lab/tree/notebooks/{notebook.name}?token={token}")
        # ready once the splash is gone, the notebook shown and the status bar names an idle kernel
        # (the toolbar's indicator reads "idle" before any kernel exists)
        page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=60_000)
        page.wait_for_selector(_visible(".jp-Notebook-ExecutionIndicator"), timeout=60_000)
        page.wait_for_selector(".jp-StatusBar-TextItem:text-matches('\\| Idle$')", timeout=60_000)
        page.locator(_visible(".jp-Cell")).first.click()            # the notebook is the current widget
        page.get_by_role("menuitem", name="Run", exact=True).click()
        run_all = page.get_by_role("menuitem", name="Run All Cells", exact=True)
        assert "lm-mod-disabled" not in (run_all.get_attribute("class") or ""), "Run All Cells is disabled"
        run_all.click()
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='busy']", timeout=30_000)
        # done when every code cell shows an execution count ("[*]" while queued or running)
        page.wait_for_function("(sel) => { const p = [...document.querySelectorAll(sel)];"
                               " return p.length > 0 && p.every(e => /\\[\\d+\\]/.test(e.textContent)); }",
                               arg=_visible(".jp-CodeCell .jp-InputPrompt"), timeout=120_000, polling=500)
        # the explorer's figure (read through the page: the output area re-renders it, so handles go stale)
        last_image = ("(sel) => { const boxes = document.querySelectorAll(sel); const box = boxes[boxes.length - 1];"
                      " const img = box && box.querySelector('.widget-output img');"
                      " return img && img.complete && img.naturalWidth > 0 ? img.getAttribute('src') : null; }")
        explorer = _visible(".widget-vbox")
        before = page.wait_for_function(last_image, arg=explorer, timeout=30_000).json_value()
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=30_000)
        figures = page.locator(_visible(".jp-OutputArea-output img"))
        assert figures.count() >= 3
        assert page.evaluate("(sel) => [...document.querySelectorAll(sel)].every(i => i.naturalWidth > 0)",
                             _visible(".jp-OutputArea-output img"))
        assert page.locator(_visible(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")).count() == 0
        assert page.locator(_visible(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']")).count() == 0

        # the explorer at the end of 05: moving a slider redraws its figure
        handle = page.locator(explorer).last.locator(".widget-slider .noUi-handle").first
        handle.focus()
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        page.wait_for_function(f"([sel, old]) => {{ const src = ({last_image})(sel); return src && src !== old; }}",
                               arg=[explorer, before], timeout=30_000)
        assert page.locator(_visible(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")).count() == 0

        # (the server answers the save once its post-save hook has refreshed git's index)
        with page.expect_response(lambda r: r.request.method == "PUT" and f"/api/contents/notebooks/{notebook.name}"
                                  in r.url, timeout=30_000) as saved:
            page.keyboard.press("Control+s")
        assert saved.value.ok
        assert b'"image/png"' in notebook.read_bytes()          # saved, with its figures
        assert _git_status() == before_status        # nothing tracked changed (edits made before the test aside)
        assert [e for e in errors if "favicon" not in e and "net::ERR" not in e] == []
    except Exception as exc:
        shot = tmp_path / "lab-failure.png"
        page.screenshot(path=str(shot))
        exc.add_note(f"screenshot of the Lab: {shot}\nmake lab's output, last lines:\n{terminal.text()[-1500:]}")
        raise
    finally:
        page.close()
        notebook.write_bytes(original)
        subprocess.run(["git", "add", "--", str(notebook.relative_to(PROJECT))], cwd=str(PROJECT),
                       env={**os.environ, **GIT_FILTER_ENV}, capture_output=True)   # refresh the index entry's stat

    # Ctrl-C on make lab, answered "y": Jupyter's own shutdown, kernels stopped, runtime files gone
    kernels = _kernel_processes(terminal.proc.pid)
    assert kernels, "no kernel process under make lab"
    terminal.ctrl_c()
    deadline = time.time() + 10
    while "(y/[n])" not in terminal.text() and time.time() < deadline:
        time.sleep(0.1)
    terminal.type("y\n")
    assert terminal.proc.wait(timeout=30) is not None
    text = terminal.text()
    assert "Shutdown confirmed" in text and "Kernel shutdown" in text, text[-1500:]
    assert "interrupted:" not in text, text[-1500:]             # the report runner's message is not shown
    time.sleep(0.5)
    assert [p.pid for p in kernels if p.is_running() and p.status() != "zombie"] == []
    runtime = tmp_path / "runtime"
    assert sorted(p.name for p in runtime.glob("*") if p.name.startswith(("jpserver-", "kernel-"))) == []


def _lab_processes(base: str) -> list:
    """The jupyter-lab process serving ``base`` (matched by its port: other Labs may run on this machine)."""
    import psutil

    option = f"--port={base.rsplit(':', 1)[1]}"
    found = []
    for process in psutil.process_iter(["cmdline"]):
        try:
            if option in (process.info["cmdline"] or []) and process.status() != "zombie":
                found.append(process)
        except psutil.Error:
            pass
    return found


@pytest.mark.parametrize("how", ["SIGTERM to make", "SIGHUP to the terminal's process group"])
def test_lab_stops_cleanly_on_sigterm_and_sighup(browser, lab, tmp_path, how):
    """A script, timeout, a container or a closed terminal stops make lab: Jupyter's own shutdown, nothing left."""
    base, token, terminal = lab
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.goto(f"{base}/lab/tree/notebooks/02_compute_split.ipynb?token={token}")
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=60_000)
    page.wait_for_selector(".jp-StatusBar-TextItem:text-matches('\\| Idle$')", timeout=60_000)
    assert _wait_for(lambda: _kernel_processes(terminal.proc.pid), 60), "no kernel process under make lab"
    kernels = _kernel_processes(terminal.proc.pid)
    assert _lab_processes(base), "no jupyter-lab process found"
    temp = tmp_path / "tmp"
    assert [p.name for p in temp.glob("analysis-kernel-*")], "the Lab's private kernelspec folder is not in TMPDIR"
    if how.startswith("SIGTERM"):
        os.kill(terminal.proc.pid, signal.SIGTERM)              # make passes SIGTERM on to python -m analysis lab
    else:
        os.killpg(terminal.proc.pid, signal.SIGHUP)              # what a closing terminal sends
    terminal.proc.wait(timeout=60)
    text = terminal.text()
    assert "Shutting down" in text and "kernel" in text, text[-1500:]    # Jupyter's own shutdown ran
    deadline = time.time() + 10
    while time.time() < deadline and (_lab_processes(base) or [p for p in kernels if p.is_running()
                                                                 and p.status() != "zombie"]):
        time.sleep(0.2)
    assert _lab_processes(base) == [], "jupyter-lab still running after make lab stopped"
    assert [p.pid for p in kernels if p.is_running() and p.status() != "zombie"] == []
    runtime = tmp_path / "runtime"
    assert sorted(p.name for p in runtime.glob("*") if p.name.startswith(("jpserver-", "kernel-"))) == []
    assert sorted(p.name for p in temp.glob("analysis-*")) == []          # the kernelspec folder removed
    page.close()


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def test_compare_and_sweep_pages_fit_the_window_and_lead_with_the_answer(browser, tmp_path):
    """compare.html opens with its summary and fits the window; sweep.html's wide table scrolls inside the page."""
    import json as _json

    from analysis.runner.compare import compare
    from analysis.runner.pages import write_sweep_page
    from test_sweep import _edge_like_sweep

    reports = {}
    for name, cost in (("a", 0.09), ("b", 0.12)):
        folder = tmp_path / name
        (folder / "06_capex_payback").mkdir(parents=True)
        results = {"gap_2026_usd_b": -14.6 if name == "a" else -2.6, "cost_of_capital": cost,
                   "gap_by_year_central_usd_b": [v * (1 + cost) for v in (-14.62, -70.5, -68.19, -9.02, 81.57)]}
        (folder / "06_capex_payback" / "results.json").write_text(_json.dumps(results))
        (folder / "run.json").write_text(_json.dumps({"notebooks": [{"stem": "06_capex_payback", "ok": True,
                                                                      "parameters": {"cost_of_capital": cost}}],
                                                      "data_sha256": {}}))
        reports[name] = folder
    assert compare(str(reports["a"]), str(reports["b"])) == 0
    import pandas as pd

    csv = _edge_like_sweep(tmp_path / "sweep")
    table = pd.read_csv(csv)
    for column in range(30):                                           # a sweep with many result columns
        table[f"extra_result_with_a_long_name_{column}"] = table["run"] * column
    table.to_csv(csv, index=False)
    write_sweep_page(csv.parent, "05_edge_vs_cloud", [], csv)
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    errors = _watch(page)
    try:
        page.goto((reports["b"] / "compare.html").as_uri(), wait_until="load")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 1300
        top = page.evaluate("(s) => document.querySelector(s).getBoundingClientRect().top", "#summary")
        results = page.evaluate("() => [...document.querySelectorAll('h2')].find(h => h.textContent"
                                ".startsWith('Results that differ')).getBoundingClientRect().top")
        assert top < results and top < 900                                # the summary is on the first screen
        assert "-$15B a year" in page.inner_text("#summary") and "-$3B a year" in page.inner_text("#summary")
        page.goto((csv.parent / "sweep.html").as_uri(), wait_until="load")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 1300
        assert page.evaluate("() => { const s = document.querySelector('.scroll'); return s.scrollWidth > s.clientWidth; }")
        assert page.evaluate("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
        assert [e for e in errors if "net::ERR" not in e] == []
    finally:
        page.close()
