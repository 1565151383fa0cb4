"The water column (#33, depth): a tiny run on 20 levels through train.ipynb and predict.ipynb, Argo profiles to 2000 m binned onto many levels, and depths beyond a dataset's levels refused by name."
import json, subprocess
import numpy as np
import pytest
import xarray as xr
import profile_fixtures as fx
from conftest import ROOT, run, tool

FINE = [0., 5., 10., 15., 20., 25., 30., 40., 50., 75., 100., 125., 150., 200., 300., 400., 500., 600., 800., 1000.]   # 20 levels, fine near the surface
TINY = ['-p', 'epochs', '1', '-p', 'max_patches', '16', '-y', 'channels: [16, 32]', '-p', 'eval_samples', '2', '-p', 'eval_steps', '2',
        '-p', 'eval_patches', '32', '-p', 'threads', '1']

@pytest.fixture(scope='module')
def column_run(tmp_path_factory):
    "The main job, tiny, on 20 levels of the embedded default, through train.ipynb as a user runs it."
    d = tmp_path_factory.mktemp('column')
    run([tool('papermill'), str(ROOT / 'nbs/train.ipynb'), str(d / 'out.ipynb'), *TINY, '-y', f'depths: {FINE}', '-p', 'out_dir', str(d / 'run')], cwd=d)
    return d

def test_train_notebook_on_twenty_levels(column_run):
    out = column_run / 'run'
    config = json.loads((out / 'config.json').read_text())
    assert config['depths'] == FINE
    assert json.loads((out / 'norm.json').read_text())['depths'] == FINE
    for name in ('diffusion', 'unet', 'regression_oi'):
        m = json.loads((out / 'test_metrics.json').read_text())[name]['hidden']
        assert list(m['per_depth']) == [f'{d:g}' for d in FINE], name
        assert all(np.isfinite(v['rmse']) and v['rmse'] > 0 for v in m['per_depth'].values()), name
    nb = json.loads((column_run / 'out.ipynb').read_text())
    shown = ''.join(''.join(o.get('data', {}).get('text/plain', '')) for c in nb['cells'] for o in c.get('outputs', []))
    assert 'diffusion / regression_oi' in shown, "the per-depth table of a long column is shown"

def test_predict_writes_every_level(column_run, tmp_path):
    "predict.ipynb on the 20-level checkpoint writes all 20 levels, the observed cells kept."
    from depthdif.data import write_sample_sources
    src = write_sample_sources(tmp_path / 'sources')
    out = tmp_path / 'rec.nc'
    run([tool('papermill'), str(ROOT / 'nbs/predict.ipynb'), str(tmp_path / 'out.ipynb'), '-p', 'checkpoint', str(column_run / 'run/checkpoints/last.pt'),
         '-p', 'sst_path', str(tmp_path / 'sources/2020*OSTIA*.nc'), '-p', 'obs_path', str(src['en4']), '-y', 'lat: [-30, 30]', '-y', 'lon: [-60, 20]',
         '-y', 'time: [2020-01, 2020-01]', '-p', 'n_samples', '2', '-p', 'steps', '2', '-p', 'device', 'cpu', '-p', 'out', str(out)], cwd=tmp_path)
    with xr.open_dataset(out) as ds:
        assert ds.depth.values.tolist() == FINE and ds.thetao_mean.sizes['depth'] == 20
        ocean, seen = ds.thetao_mean.notnull().values, ds.obs.notnull().values
        assert ocean[:, -1].mean() > 0.2 and (ds.thetao_std.values[ocean] >= 0).all()
        assert (seen & ocean).any((0, 2, 3)).sum() >= 10, "the profiles observe most of the 20 levels"
        np.testing.assert_allclose(ds.thetao_mean.values[seen & ocean], ds.obs.values[seen & ocean], atol=1e-4)

@pytest.mark.parametrize('dataset', ['default', 'twin'])
def test_depths_beyond_the_dataset_refused_by_name(tmp_path, dataset):
    "A depth below a built-in dataset's deepest level stops train.ipynb before anything is written, naming the dataset and its levels."
    from depthdif.sources import levels_text
    from depthdif.train import builtin_levels
    out = tmp_path / 'run'
    r = subprocess.run([tool('papermill'), str(ROOT / 'nbs/train.ipynb'), str(tmp_path / 'out.ipynb'), '-p', 'dataset', dataset, '-p', 'depths', '10,2500',
                        '-p', 'out_dir', str(out)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    levels = builtin_levels(dataset)
    message = f"[2500.0] m lie outside the source range {levels[0]:g}..{levels[-1]:g} m of the built-in dataset {dataset!r}, whose levels are {levels_text(levels)}"
    assert r.returncode != 0 and message in r.stderr + r.stdout, (r.stderr + r.stdout)[-2000:]
    assert not out.exists(), "nothing is written before the depths are checked"

def test_named_depths_through_papermill(tmp_path):
    "`-p depths woa` names the 19 WOA levels (the run stops at the next, bad parameter, before any work)."
    r = subprocess.run([tool('papermill'), str(ROOT / 'nbs/train.ipynb'), str(tmp_path / 'out.ipynb'), '-p', 'depths', 'woa', '-p', 'epochs', '0',
                        '-p', 'out_dir', str(tmp_path / 'run')], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert r.returncode != 0 and 'epochs=0 is invalid' in r.stderr + r.stdout, (r.stderr + r.stdout)[-2000:]
    r = subprocess.run([tool('papermill'), str(ROOT / 'nbs/train.ipynb'), str(tmp_path / 'out.ipynb'), '-p', 'depths', 'deep',
                        '-p', 'out_dir', str(tmp_path / 'run')], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert r.returncode != 0 and "depths='deep' is invalid" in r.stderr + r.stdout and "named set: ['all', 'default', 'woa']" in r.stderr + r.stdout

def deep_profile(cycle, pres, lat, day):
    "One real-time Argo profile (Argo user's manual, core format 3.1) on the pressures `pres`, dbar: a smooth thermocline."
    temp = (4. + 22. * np.exp(-pres / 300.)).astype('float32').astype(float)
    psal = np.full(len(pres), 35.)
    good, blank, fill = np.full(len(pres), b'1'), np.full(len(pres), b' '), np.full(len(pres), np.nan)
    return dict(mode='R', pres=pres, pres_qc=good, pres_adj=fill, pres_adj_qc=blank, temp=temp, temp_qc=good, temp_adj=fill, temp_adj_qc=blank,
                psal=psal, psal_qc=good, psal_adj=fill, psal_adj_qc=blank, lat=lat, lon=-30., juld=25567.25 + day, pos_qc=b'1', cycle=cycle)

def test_argo_to_2000_m_binned_onto_many_levels(tmp_path):
    "Argo profiles to 2000 dbar (2 dbar near the surface, 50 dbar at depth) read at 23 levels 0..2000 m: θ by gsw at every level; a profile that stops at 1000 dbar observes no deeper level."
    from depthdif.sources import WOA_DEPTHS, open_profiles
    from depthdif.masking import profile_mask
    targets = np.array(list(WOA_DEPTHS) + [1250., 1500., 1750., 2000.])
    pres = np.concatenate([np.arange(4., 200., 2.), np.arange(200., 1000., 25.), np.arange(1000., 2051., 50.)])
    short = pres[pres <= 1000.]
    prof = [deep_profile(1, pres, 20., 0), deep_profile(2, short, 21., 10)]
    path = fx.write_argo_prof(tmp_path / '6901234_prof.nc', prof)
    out = open_profiles(str(path), targets)
    assert out.depth.values.tolist() == targets.tolist() and out.sizes['profile'] == 2
    expect = [fx.expected_theta(q['temp'], q['pres'], lat=q['lat'], lon=q['lon'], psal=q['psal'], targets=targets) for q in prof]
    import gsw
    expect[1][targets > -gsw.z_from_p(1000., 21.)] = np.nan            # below its deepest level: no value (never extrapolated)
    np.testing.assert_allclose(out.thetao.values, np.stack(expect), atol=2e-3)
    assert np.isfinite(out.thetao.values[0]).all() and np.isnan(out.thetao.values[1, -4:]).all()
    # the synthetic profile mask per depth on the same column: truncated profiles observe a top part of it, never a deeper level alone
    m = profile_mask(np.ones((16, 16), bool), 0.9, len(targets), partial=0.5, seed=0)
    seen = m.any(0)
    assert m.shape == (len(targets), 16, 16) and (m[0] == seen).all() and (np.diff(m[:, seen].astype(int), axis=0) <= 0).all()

def test_explorer_depth_selector_on_the_column():
    "The explorer on the 19 WOA levels (no checkpoint): a depth selector of 19 entries; the deepest redraws the figure alone, without recomputing."
    from depthdif.explorer import MaskingExplorer
    from depthdif.sources import WOA_DEPTHS
    ex = MaskingExplorer(depths='woa', baseline_patches=32, progress=False)
    depth = ex.controls['depth']
    assert [label for label, _ in depth.options] == [f'{d:g} m' for d in WOA_DEPTHS] and depth.label == '100 m'
    computed, png = ex.computed, bytes(ex.image.value)
    depth.value = len(WOA_DEPTHS) - 1
    assert ex.error is None and ex.computed == computed and bytes(ex.image.value) != png
    titles = [ax.get_title() for ax in ex.figure.axes if hasattr(ax, 'projection')]
    assert titles[1].startswith('target 1000 m'), titles
    assert 'over all 19 depths' in ex.status.value
