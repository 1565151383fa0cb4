"""The production path on the twin ocean's shipped Argo-like profiles, through the notebooks users run: training with the
dense target and from the profiles alone, each scored against the dense truth and at the withheld profiles."""
import json, subprocess
import pandas as pd
import torch
import xarray as xr
from depthdif.twin import twin_path, twin_profiles_path
import pytest
from conftest import ROOT, run, tool

BOX = ['-y', 'lat: [25, 36.5]', '-y', 'lon: [-50, -36]', '-y', 'time: [2003-01, 2004-12]']   # 64 × 64 px, two years of the twin
TINY = ['-p', 'epochs', '1', '-p', 'max_patches', '32', '-y', 'channels: [16, 32]', '-p', 'eval_samples', '2', '-p', 'eval_steps', '2',
        '-p', 'val_steps', '2', '-p', 'threads', '1', '-p', 'dataset', 'twin', '-p', 'obs_path', 'builtin', *BOX]
METHODS = {'diffusion', 'unet', 'regression_oi'}

def train(tmp_path, name, *params):
    out = tmp_path / name
    run([tool('papermill'), str(ROOT / 'nbs/train.ipynb'), str(tmp_path / f'{name}.ipynb'), *TINY, '-p', 'out_dir', str(out), *params],
        cwd=tmp_path)
    return out

def hidden(path): return json.loads(path.read_text())

def test_profiles_with_dense_target(tmp_path):
    "The profiles are the input; the dense truth is scored everywhere, the withheld profiles at their own cells, for every method."
    out = train(tmp_path, 'profiles')
    dense, profiles = hidden(out / 'test_metrics.json'), hidden(out / 'test_metrics_profiles.json')
    assert METHODS <= set(dense) and METHODS <= set(profiles)
    n_dense, n_prof = dense['diffusion']['hidden']['n'], profiles['diffusion']['hidden']['n']
    assert 0 < n_prof < 0.05 * n_dense, (n_prof, n_dense)           # a withheld profile is a few points among the dense ones
    assert all(profiles[m]['hidden']['n'] == n_prof for m in METHODS)   # the same points for every method
    config = json.loads((out / 'config.json').read_text())
    assert (config['obs_path'], config['obs_only'], config['withheld']) == ('builtin', False, 0.2)
    obs_error = torch.load(out / 'checkpoints/last.pt', weights_only=True)['obs_error']   # the profiles' error travels with the model
    assert len(obs_error) == len(config['depths']) and max(obs_error) > 0, obs_error
    # every classical baseline at the withheld profiles, by the sample notebook
    sample = tmp_path / 'sample'
    run([tool('papermill'), str(ROOT / 'nbs/sample.ipynb'), str(tmp_path / 'sample.ipynb'), '-p', 'checkpoint', str(out / 'checkpoints/last.pt'),
         '-p', 'split', 'test_profiles', '-p', 'n_samples', '2', '-p', 'steps', '2', '-y', 'sweep_steps: []', '-p', 'out_dir', str(sample)],
        cwd=tmp_path)
    table = pd.read_csv(sample / 'skill_table.csv', index_col=0)
    assert {'climatology', 'sst_regression', 'interp', 'idw', 'regression_oi', 'unet', 'diffusion'} <= set(table.index)
    scored = json.loads((sample / 'metrics.json').read_text())
    assert {m: scored[m]['hidden']['n'] for m in table.index} == {m: n_prof for m in table.index}   # the same points as test_scores'
    # a reconstruction from the twin's own files: its SST and the shipped profiles, for a box and two months
    rec = tmp_path / 'rec.nc'
    run([tool('papermill'), str(ROOT / 'nbs/predict.ipynb'), str(tmp_path / 'predict.ipynb'), '-p', 'checkpoint', str(out / 'checkpoints/last.pt'),
         '-p', 'sst_path', str(twin_path()), '-p', 'obs_path', str(twin_profiles_path()), '-y', 'lat: [30, 36]', '-y', 'lon: [-45, -38]',
         '-y', 'time: [2004-01, 2004-02]', '-p', 'n_samples', '2', '-p', 'steps', '2', '-p', 'device', 'cpu', '-p', 'out', str(rec)], cwd=tmp_path)
    with xr.open_dataset(rec) as r:
        assert dict(r.thetao_mean.sizes)['time'] == 2 and r.thetao_mean.notnull().all() and int(r.obs_count.sum()) > 0
        assert float(r.thetao_std.where(r.obs.notnull()).max()) > 0      # at the profiles' cells the members spread by their error

def test_profiles_alone(tmp_path):
    "Learning from the profiles alone: scored at the withheld profiles (test) and, on this OSSE, against its dense truth (test_dense)."
    out = train(tmp_path, 'obs-only', '-p', 'obs_only', 'True')
    at_profiles, dense = hidden(out / 'test_metrics.json'), hidden(out / 'test_metrics_dense.json')
    assert METHODS <= set(at_profiles) and METHODS <= set(dense)
    assert 0 < at_profiles['diffusion']['hidden']['n'] < 0.05 * dense['diffusion']['hidden']['n']
    norm = json.loads((out / 'norm.json').read_text())              # fitted on the profiles: close to, not equal to, the dense field's
    assert 10 < norm['thetao_mean'][0] < 30

def test_refused_by_name(tmp_path):
    "A dataset without shipped profiles, and profiles alone with a reanalysis, stop before any work."
    for params, message in [(['-p', 'dataset', 'default', '-p', 'obs_path', 'builtin'], "obs_path='builtin' is invalid"),
                            (['-p', 'obs_path', str(tmp_path / 'none*.nc')], 'no file matches')]:
        r = subprocess.run([tool('papermill'), str(ROOT / 'nbs/train.ipynb'), str(tmp_path / 'bad.ipynb'), *params,
                            '-p', 'out_dir', str(tmp_path / 'bad')], capture_output=True, text=True, cwd=tmp_path)
        assert r.returncode != 0 and message in r.stdout + r.stderr, (r.stdout + r.stderr)[-2000:]
        assert not (tmp_path / 'bad' / 'checkpoints').exists()
