"""The shipped checkpoints (15_shipped): each is today's main job on today's data and scores a few test patches as it
recorded; `depthdif-predict builtin:default` and the explorer work from a fresh copy of the repository (its tracked
files alone: no run, no training)."""
import glob, json, os, subprocess, sys, tomllib
from pathlib import Path
import numpy as np
import pytest
import xarray as xr
from conftest import ROOT, run

from depthdif.train import BUILTIN_CHECKPOINTS, builtin_dir

SHIPPED = [n for n in BUILTIN_CHECKPOINTS if (builtin_dir() / n).exists()]

def test_default_ships():
    assert 'default' in SHIPPED, f'builtin:default is missing from {builtin_dir()}: depthdif-build-checkpoints default'

@pytest.mark.parametrize('name', SHIPPED)
def test_shipped_is_todays_main_job(name):
    "Its parameters are today's main job's, its data today's built-in file, and it scores its test patches as recorded (`check_shipped`)."
    from depthdif.shipped import check_shipped
    scores = check_shipped(name)
    assert set(scores) == {'diffusion', 'unet'}, scores

@pytest.mark.parametrize('name', sorted(set(BUILTIN_CHECKPOINTS) - set(SHIPPED)))
def test_unshipped_refused_with_its_command(name):
    from depthdif.train import load_model
    with pytest.raises(FileNotFoundError, match=f'build it with `depthdif-build-checkpoints {name}`'): load_model(f'builtin:{name}')

@pytest.mark.parametrize('name', SHIPPED)
def test_shipped_files_are_packaged_and_small(name):
    "Each file is tracked by git, matched by pyproject's package-data (so a wheel carries it) and a few MB."
    patterns = tomllib.loads((ROOT / 'pyproject.toml').read_text())['tool']['setuptools']['package-data']['depthdif']
    packaged = {Path(p) for pat in patterns for p in glob.glob(str(ROOT / 'depthdif' / pat))}
    tracked = set(subprocess.run(['git', 'ls-files', 'depthdif/assets/checkpoints'], cwd=ROOT, capture_output=True, text=True,
                                 check=True).stdout.split())
    files = sorted((builtin_dir() / name).rglob('*.pt'))
    assert [f.relative_to(builtin_dir() / name).as_posix() for f in files] == ['checkpoints/last.pt', 'unet/checkpoints/last.pt']
    for f in files:
        assert f in packaged, f'{f} is not in package-data {patterns}'
        assert f.relative_to(ROOT).as_posix() in tracked, f'{f} is not tracked by git'
        assert f.stat().st_size < 4 * 2 ** 20, (f, f.stat().st_size)

@pytest.fixture(scope='module')
def fresh(tmp_path_factory):
    "A copy of the repository's tracked files (what a fresh clone holds) and example OSTIA files (January and February 2020)."
    from depthdif.sources import write_sample_sources
    d = tmp_path_factory.mktemp('fresh')
    clone = d / 'clone'
    tracked = subprocess.run(['git', 'ls-files', '-z'], cwd=ROOT, capture_output=True, check=True).stdout.decode().split('\0')
    for rel in filter(None, tracked):
        if (ROOT / rel).is_file():
            (clone / rel).parent.mkdir(parents=True, exist_ok=True)
            (clone / rel).write_bytes((ROOT / rel).read_bytes())
    assert not (clone / 'runs').exists()
    write_sample_sources(d / 'sources')
    return dict(clone=clone, sst=str(d / 'sources' / '2020*OSTIA*.nc'), dir=d)

def python_in(clone:Path, code:str, *args, timeout=600):
    "Run python code in the fresh copy, importing its own depthdif (checked)."
    env = {**os.environ, 'PYTHONPATH': str(clone), 'OMP_NUM_THREADS': '1'}
    check = f"import depthdif; assert depthdif.__file__.startswith({str(clone)!r}), depthdif.__file__\n"
    return run([sys.executable, '-c', check + code, *args], cwd=clone, env=env, timeout=timeout)

def test_predict_cli_with_builtin_default(fresh):
    "`depthdif-predict builtin:default <SST>` from the fresh copy: the shipped model's reconstruction (the numbers `predict_files` gives here), from the SST alone."
    from depthdif.inference import predict_files
    from depthdif.sources import load_default, select_depths
    out, args = fresh['dir'] / 'rec.nc', dict(lat=(-30, 30), lon=(-60, 20), time=('2020-01', '2020-01'), n_samples=4, steps=10, device='cpu')
    python_in(fresh['clone'], "import sys; from depthdif.inference import predict_cli; sys.argv[0] = 'depthdif-predict'; predict_cli()",
              'builtin:default', fresh['sst'], '--lat=-30,30', '--lon=-60,20', '--time', '2020-01,2020-01', '--n_samples', '4',
              '--steps', '10', '--device', 'cpu', '--out', str(out))
    here = predict_files('builtin:default', fresh['sst'], **args)
    with xr.open_dataset(out) as ds:
        assert 'builtin:default' in ds.attrs['source'], ds.attrs['source']
        np.testing.assert_allclose(ds.thetao_mean.values, here.thetao_mean.values, atol=1e-4)   # NaN on land in both
        np.testing.assert_allclose(ds.thetao_std.values, here.thetao_std.values, atol=1e-4)
        mean = ds.thetao_mean.isel(time=0).load()
    truth = select_depths(load_default().thetao.isel(time=0), mean.depth.values).interp(lat=mean.lat, lon=mean.lon)
    sea = np.isfinite(mean.values) & np.isfinite(truth.values)
    assert sea.mean() > 0.5
    rmse = float(np.sqrt(np.mean((mean.values - truth.values)[sea] ** 2)))
    flat = float(np.sqrt(np.nanmean((truth - truth.mean(('lat', 'lon'))).values[sea] ** 2)))   # each depth's mean: no skill
    assert rmse < 0.8 * flat, (rmse, flat)                                # 0.70x from the SST alone (1.74 °C)

def test_explorer_with_builtin_default(fresh):
    "The explorer opens on the shipped checkpoint in the fresh copy, samples the diffusion model and draws it; a new mask redraws it."
    r = python_in(fresh['clone'], """
import json
from depthdif.explorer import MaskingExplorer
e = MaskingExplorer('builtin:default', n_samples=2, steps=5, progress=False)
assert e.model is not None and e.error is None, e.error
first = e.computed
e.controls['corruption'].value = 90.0
assert e.error is None and e.computed == first + 1, (e.error, e.computed)
print(json.dumps(dict(status=e.status.value, image=len(e.image.value))))""", timeout=900)
    shown = json.loads(r.stdout.strip().splitlines()[-1])
    assert shown['image'] > 10_000 and 'no checkpoint' not in shown['status'], shown
