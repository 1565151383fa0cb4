"Repository invariants: notebooks are the source, the package and README agree with them, CI runs the README's command."
import filecmp, hashlib, re, shutil
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
