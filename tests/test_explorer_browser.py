"""The masking explorer in a real browser: JupyterLab on a free localhost port with a token, nbs/explorer.ipynb run in
headless Chromium through Playwright, the corruption slider dragged with the mouse; the observation count shown must
change and no error may appear. Screenshots: the test's tmp dir and tests/artifacts/explorer.png (gitignored)."""
import json, os, re, secrets, shutil, signal, socket, subprocess, time, urllib.request
from pathlib import Path
import pytest
from conftest import ROOT, BIN

CHROMIUM = Path('/usr/bin/chromium')   # Debian's package: Playwright cannot download its own browser here
ARTIFACTS = ROOT / 'tests' / 'artifacts'
FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync']

if not CHROMIUM.exists():
    if os.environ.get('CI') == 'true': raise RuntimeError(f'{CHROMIUM} is missing on CI: .ci/run installs the Debian package chromium')
    pytest.skip(f'{CHROMIUM} not found: apt-get install chromium to run the browser test', allow_module_level=True)

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def _api(base, token, path, method='GET'):
    req = urllib.request.Request(f'{base}{path}', method=method, headers={'Authorization': f'token {token}'})
    with urllib.request.urlopen(req, timeout=5) as r: return json.loads(r.read() or 'null')

@pytest.fixture
def lab(tmp_path):
    "A JupyterLab server on 127.0.0.1 serving a copy of nbs/explorer.ipynb; stopped (kernels first) when the test ends."
    root = tmp_path / 'lab'; root.mkdir()
    shutil.copy(ROOT / 'nbs' / 'explorer.ipynb', root)
    settings = tmp_path / 'lab-settings' / '@jupyterlab' / 'apputils-extension'
    settings.mkdir(parents=True)   # no news or update checks: nothing leaves the machine
    (settings / 'notification.jupyterlab-settings').write_text(json.dumps(dict(fetchNews='false', checkForUpdates=False)))
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, 'JUPYTER_CONFIG_DIR': str(tmp_path / 'jupyter-config'), 'JUPYTER_RUNTIME_DIR': str(tmp_path / 'runtime'),
           'JUPYTERLAB_SETTINGS_DIR': str(tmp_path / 'lab-settings'), 'JUPYTERLAB_WORKSPACES_DIR': str(tmp_path / 'workspaces'),
           'IPYTHONDIR': str(tmp_path / 'ipython'), 'OMP_NUM_THREADS': '1'}
    log = open(tmp_path / 'jupyterlab.log', 'w')
    proc = subprocess.Popen([str(BIN / 'jupyter'), 'lab', '--no-browser', '--ServerApp.ip=127.0.0.1', f'--ServerApp.port={port}',
                             '--ServerApp.port_retries=0', f'--IdentityProvider.token={token}', f'--ServerApp.root_dir={root}',
                             '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate', '--LabApp.extension_manager=readonly',
                             '--allow-root'],  # CI runs as root
                            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f'http://127.0.0.1:{port}'
    try:
        deadline = time.time() + 60
        while True:
            if proc.poll() is not None: pytest.fail(f'JupyterLab exited {proc.returncode}:\n{(tmp_path / "jupyterlab.log").read_text()[-3000:]}')
            try: _api(base, token, '/api/status'); break
            except OSError:
                if time.time() > deadline: pytest.fail('JupyterLab did not answer within 60 s')
                time.sleep(0.5)
        yield dict(base=base, token=token, log=tmp_path / 'jupyterlab.log')
    finally:
        try:
            for k in _api(base, token, '/api/kernels'): _api(base, token, f"/api/kernels/{k['id']}", 'DELETE')
        except OSError: pass
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try: proc.wait(20)
            except subprocess.TimeoutExpired: os.killpg(proc.pid, signal.SIGKILL); proc.wait(10)
        log.close()

def _count(text:str) -> int:
    m = re.search(r'observations: (\d+) of (\d+)', text)
    assert m, f'no observation count in {text!r}'
    return int(m[1])

def test_explorer_in_jupyterlab(lab, tmp_path):
    from playwright.sync_api import sync_playwright, TimeoutError as PlaywrightTimeout
    ARTIFACTS.mkdir(exist_ok=True)
    shots = [tmp_path / 'explorer.png', ARTIFACTS / 'explorer.png']
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(str(tmp_path / 'chromium-profile'), executable_path=str(CHROMIUM), headless=True,
                                                   args=FLAGS, viewport=dict(width=1500, height=1150))
        page = ctx.pages[0] if ctx.pages else ctx.new_page()
        try:
            page.goto(f"{lab['base']}/lab/tree/explorer.ipynb?token={lab['token']}")
            page.locator('.jp-Notebook .jp-Cell').first.wait_for(timeout=60_000)
            select = page.locator('.jp-Dialog').get_by_role('button', name='Select', exact=True)
            try: select.wait_for(timeout=15_000); select.click()   # JupyterLab asks which kernel to start: the default one
            except PlaywrightTimeout: pass
            page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(timeout=60_000)  # kernel up
            page.locator('.jp-Notebook').first.click()
            page.get_by_role('menuitem', name='Run', exact=True).click()
            page.get_by_role('menuitem', name='Run All Cells', exact=True).click()
            label = page.locator('.depthdif-obs-count')
            label.wait_for(timeout=120_000)
            page.wait_for_function("document.querySelector('.depthdif-obs-count').textContent.includes('observations:')", timeout=30_000)
            before = _count(label.text_content())
            figure = page.locator('img.depthdif-figure')
            page.wait_for_function("(() => { const i = document.querySelector('img.depthdif-figure'); return i && i.naturalWidth > 500; })()",
                                   timeout=30_000)
            slider = page.locator('.widget-slider', has_text='hidden %')
            readout = slider.locator('.widget-readout')
            assert float(readout.text_content()) == 95.0, readout.text_content()
            handle = slider.locator('.noUi-handle')
            handle.scroll_into_view_if_needed()
            box = handle.bounding_box()
            x, y = box['x'] + box['width'] / 2, box['y'] + box['height'] / 2
            page.mouse.move(x, y); page.mouse.down(); page.mouse.move(x - 50, y, steps=10); page.mouse.up()
            page.wait_for_function(f"!document.querySelector('.depthdif-obs-count').textContent.includes('observations: {before} ')",
                                   timeout=60_000)
            page.wait_for_function("(() => { const i = document.querySelector('img.depthdif-figure'); return i && i.naturalWidth > 500; })()")
            after, value = _count(label.text_content()), float(readout.text_content())
            assert value < 95.0, f'the slider did not move: {value}'
            assert after > before, f'fewer hidden points must show more observations: {before} at 95 %, {after} at {value} %'
            page.wait_for_timeout(500)
            figure.evaluate("e => e.scrollIntoView({block: 'end'})")   # the whole explorer in the screenshot
            for shot in shots: page.screenshot(path=str(shot))
            errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
            texts = [errors.nth(i).text_content() for i in range(errors.count())]
            assert not texts, f'error output in the notebook: {texts}'
            body = page.locator('.jp-Notebook').text_content()
            assert 'Traceback' not in body and 'Error' not in body, body[-2000:]
        except Exception:
            for shot in shots: page.screenshot(path=str(shot.with_name('explorer-failed.png')))
            raise
        finally:
            ctx.close()
