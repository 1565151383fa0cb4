"Repository invariants: notebooks are the source, the package and README agree with them, CI runs the README's command."
import filecmp, hashlib, json, re, shutil
from pathlib import Path
import pytest
from conftest import ROOT, run, tool

def _copy_project(dst):
    for p in ('nbs', 'depthdif', 'settings.ini', 'pyproject.toml', 'README.md'):
        src = ROOT / p
        (shutil.copytree if src.is_dir() else shutil.copy)(src, dst / p)
    return dst

def test_export_in_sync(tmp_path):
    "nbdev_export on the committed notebooks reproduces the committed package."
    proj = _copy_project(tmp_path)
    run([tool('nbdev_export')], cwd=proj)
    cmp = filecmp.dircmp(ROOT / 'depthdif', proj / 'depthdif', ignore=['__pycache__', 'assets'])
    changed = cmp.diff_files + cmp.left_only + cmp.right_only
    assert not changed, f"depthdif/ out of sync with nbs/: {changed}"

def test_notebooks_clean(tmp_path):
    "Committed notebooks are clean (nbdev_clean changes nothing)."
    proj = _copy_project(tmp_path)
    run([tool('nbdev_clean')], cwd=proj)
    dirty = [p.name for p in (ROOT / 'nbs').glob('*.ipynb') if (proj / 'nbs' / p.name).read_bytes() != p.read_bytes()]
    assert not dirty, f"notebooks not clean: {dirty}"

def test_readme_from_index(tmp_path):
    "README.md is the markdown of nbs/index.ipynb."
    run([tool('jupyter'), 'nbconvert', '--to', 'markdown', str(ROOT / 'nbs/index.ipynb'), '--output-dir', str(tmp_path), '--output', 'README'])
    assert (tmp_path / 'README.md').read_text() == (ROOT / 'README.md').read_text(), "regenerate README.md from nbs/index.ipynb"

def test_ci_runs_readme_test_command():
    "The README has one set-up-and-test command and one set-up-and-train command; .ci/run runs the test one."
    readme = (ROOT / 'README.md').read_text()
    test_cmds = [l for l in readme.splitlines() if re.search(r'-m venv \.venv .*nbdev_test', l)]
    main_cmds = [l for l in readme.splitlines() if re.search(r'-m venv \.venv .*papermill nbs/train\.ipynb', l)]
    assert len(test_cmds) == 1 and len(main_cmds) == 1, (test_cmds, main_cmds)
    assert 'pytest' in test_cmds[0]
    ci = (ROOT / '.ci/run').read_text()
    assert "grep -m1 -- '-m venv .venv .*nbdev_test' README.md" in ci and 'bash -c "$test_cmd"' in ci
    assert 'torch==2.13.0' in test_cmds[0] and 'torch==2.13.0' in main_cmds[0]

def test_torch_range_admits_cpu_build():
    "pyproject's torch requirement is a range that 2.13.0 satisfies and that excludes newer (CUDA-pulling) releases."
    from packaging.requirements import Requirement
    import tomllib
    deps = tomllib.loads((ROOT / 'pyproject.toml').read_text())['project']['dependencies']
    torch_req = next(Requirement(d) for d in deps if d.startswith('torch'))
    assert torch_req.specifier.contains('2.13.0') and not torch_req.specifier.contains('2.15.0')

def _depthdif_imports(source:str) -> set:
    "The depthdif modules a piece of python imports (absolute `depthdif.x` or relative `.x` imports)."
    import ast
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import): found |= {a.name.split('.')[1] for a in node.names if a.name.startswith('depthdif.')}
        elif isinstance(node, ast.ImportFrom):
            mod = ('depthdif.' if node.level else '') + (node.module or '')
            if mod in ('depthdif', 'depthdif.'): found |= {a.name for a in node.names}
            elif mod.startswith('depthdif.'): found.add(mod.split('.')[1])
    return found

def test_imports_flow_one_way():
    "Every module and every numbered notebook imports only modules of lower-numbered notebooks (or a same-numbered leaf, one importing no DepthDif module): no cycle, one direction."
    import nbformat
    number = {}                                                               # module name -> its notebook's number
    for nb in (ROOT / 'nbs').glob('[0-9][0-9]_*.ipynb'):
        m = re.search(r'#\|\s*default_exp\s+(\w+)', nb.read_text())
        if m: number[m.group(1)] = int(nb.name[:2])
    assert {'masking', 'data', 'model', 'diffusion', 'baselines', 'metrics', 'sampling', 'train', 'diagnostics'} <= set(number)
    imports = {name: _depthdif_imports((ROOT / 'depthdif' / f'{name}.py').read_text()) for name in number}
    leaves = {name for name, found in imports.items() if not found}          # e.g. profiles (00): sources (00) may re-export it
    for name, n in number.items():
        up = {m for m in imports[name] if number.get(m, -1) > n or (number.get(m, -1) == n and m not in leaves)}
        assert not up, f"depthdif/{name}.py (notebook {n:02d}) imports higher or equal modules {up}"
    for nb in (ROOT / 'nbs').glob('[0-9][0-9]_*.ipynb'):
        code = '\n'.join(c.source for c in nbformat.read(nb, as_version=4).cells if c.cell_type == 'code' and not c.source.lstrip().startswith('%'))
        own = int(nb.name[:2])
        up = {m for m in _depthdif_imports(code) if number.get(m, -1) > own}
        assert not up, f"{nb.name} imports the higher-numbered modules {up}"

def test_train_loads_no_map_library():
    "Training (every DDP worker imports it) loads neither cartopy, cmocean nor matplotlib."
    import subprocess, sys
    r = subprocess.run([sys.executable, '-c', 'import sys, depthdif.train; '
                        'print(sorted({m.split(".")[0] for m in sys.modules} & {"cartopy", "cmocean", "matplotlib"}))'],
                       capture_output=True, text=True, check=True)
    assert r.stdout.strip() == '[]', r.stdout

def test_readme_is_a_front_page():
    "Under 10 KB, with both commands and the map of the package on its first screen."
    readme = (ROOT / 'README.md').read_text()
    first_screen = '\n'.join(readme.splitlines()[:45])
    assert len(readme.encode()) < 10_000, len(readme.encode())
    assert 'papermill nbs/train.ipynb' in first_screen and 'nbdev_test' in first_screen and '## Map of the package' in first_screen

@pytest.mark.parametrize('dataset, heading', [('default', '**Embedded WOA + COADS default**'), ('twin', '**Twin ocean**')])
def test_readme_headline_is_what_the_run_wrote(dataset, heading):
    "Each of the README's skill tables is the table benchmarks/shipped_scores.py makes of sample.ipynb's scores of that shipped checkpoint."
    import sys
    sys.path.insert(0, str(ROOT / 'benchmarks'))
    from shipped_scores import readme_table
    section = (ROOT / 'README.md').read_text().split(heading)[1].split('\n\n**')[0]
    assert readme_table(dataset) in section, f"regenerate the table: python benchmarks/shipped_scores.py {dataset} --readme"

def test_readme_time_is_the_measured_one():
    "The README's main-job time is what benchmarks/main_job_time.py wrote, to the second."
    r = json.loads((ROOT / 'docs/results/main_job_time.json').read_text())['default']
    m, s = divmod(round(r['seconds']), 60)
    assert f'the main job above: {m} min {s:02d} s on ' in (ROOT / 'README.md').read_text(), (m, s)
