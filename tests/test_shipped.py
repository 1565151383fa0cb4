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

def builtin_sst(name:str, fresh) -> tuple:
    "The SST files a user of `builtin:name` reconstructs from, the region and month, and the truth there: OSTIA-like example files for the default; the twin's own L4-like SST for the twin."
    from depthdif.sources import load_default
    from depthdif.twin import load_twin
    if name == 'default': return fresh['sst'], (-30, 30), (-60, 20), ('2020-01', '2020-01'), load_default().thetao.isel(time=0)
    twin = load_twin()
    path = fresh['dir'] / 'twin_sst_2003-01.nc'
    if not path.exists(): twin[['sst']].isel(time=slice(0, 1)).to_netcdf(path)
    region = lambda c: (float(np.floor(twin[c].min())), float(np.ceil(twin[c].max())))
    return str(path), region('lat'), region('lon'), ('2003-01', '2003-01'), twin.thetao.isel(time=0)

@pytest.mark.parametrize('name', SHIPPED)
def test_predict_cli_with_builtin(name, fresh):
    "`depthdif-predict builtin:<name> <SST>` from the fresh copy: the shipped model's reconstruction (the numbers `predict_files` gives here), from the SST alone."
    from depthdif.inference import predict_files
    from depthdif.sources import select_depths
    sst, lat, lon, month, truth = builtin_sst(name, fresh)
    out, args = fresh['dir'] / f'rec-{name}.nc', dict(lat=lat, lon=lon, time=month, n_samples=4, steps=10, device='cpu')
    python_in(fresh['clone'], "import sys; from depthdif.inference import predict_cli; sys.argv[0] = 'depthdif-predict'; predict_cli()",
              f'builtin:{name}', sst, f'--lat={lat[0]},{lat[1]}', f'--lon={lon[0]},{lon[1]}', '--time', ','.join(month), '--n_samples', '4',
              '--steps', '10', '--device', 'cpu', '--out', str(out))
    here = predict_files(f'builtin:{name}', sst, **args)
    with xr.open_dataset(out) as ds:
        assert f'builtin:{name}' in ds.attrs['source'], ds.attrs['source']
        np.testing.assert_allclose(ds.thetao_mean.values, here.thetao_mean.values, atol=1e-4)   # NaN on land in both
        np.testing.assert_allclose(ds.thetao_std.values, here.thetao_std.values, atol=1e-4)
        mean = ds.thetao_mean.isel(time=0).load()
    truth = select_depths(truth, mean.depth.values).interp(lat=mean.lat, lon=mean.lon)
    sea = np.isfinite(mean.values) & np.isfinite(truth.values)
    assert sea.mean() > 0.5
    rmse = float(np.sqrt(np.mean((mean.values - truth.values)[sea] ** 2)))
    flat = float(np.sqrt(np.nanmean((truth - truth.mean(('lat', 'lon'))).values[sea] ** 2)))   # each depth's mean: no skill
    assert rmse < 0.8 * flat, (rmse, flat)                                # the default: 0.70x from the SST alone (1.74 °C)

@pytest.mark.parametrize('name', SHIPPED)
def test_explorer_with_builtin(name, fresh):
    "The explorer opens on the shipped checkpoint in the fresh copy, samples the diffusion model and draws it; a new mask redraws it."
    r = python_in(fresh['clone'], f"""
import json
from depthdif.explorer import MaskingExplorer
e = MaskingExplorer('builtin:{name}', n_samples=2, steps=5, progress=False)
assert e.model is not None and e.error is None, e.error
first = e.computed
e.controls['corruption'].value = 90.0
assert e.error is None and e.computed == first + 1, (e.error, e.computed)
print(json.dumps(dict(status=e.status.value, image=len(e.image.value))))""", timeout=900)
    shown = json.loads(r.stdout.strip().splitlines()[-1])
    assert shown['image'] > 10_000 and 'no checkpoint' not in shown['status'], shown
