"nbs/sample.ipynb through papermill on a tiny checkpoint, and with no checkpoint at all."
import json, subprocess
import nbformat
import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, run, tool

METHODS = {'climatology', 'sst_regression', 'interp', 'idw', 'regression_interp', 'regression_oi'}
SCORED = METHODS | {'regression_oi_calibrated'}                 # OI also as a calibrated Gaussian

@pytest.fixture(scope='module')
def tiny_run(tmp_path_factory):
    "A 1-epoch diffusion model refining the OI first guess, with its deterministic twin."
    d = tmp_path_factory.mktemp('tiny')
    run([tool('depthdif-train'), '--epochs', '1', '--max_patches', '16', '--batch_size', '8', '--out_dir', str(d / 'run'), '--channels', '16,32',
         '--emb_dim', '32', '--val_steps', '2', '--eval_samples', '2', '--eval_steps', '2', '--no_score'], cwd=d)   # and its U-Net twin
    return d / 'run'

def test_sample_notebook_with_checkpoint(tiny_run, tmp_path):
    out = tmp_path / 'sample'
    run([tool('papermill'), str(ROOT / 'nbs/sample.ipynb'), str(tmp_path / 'out.ipynb'), '-p', 'checkpoint', str(tiny_run / 'checkpoints/last.pt'),
         '-p', 'n_samples', '2', '-p', 'steps', '2', '-y', 'sweep_steps: [2, 3]', '-p', 'out_dir', str(out)], cwd=tmp_path)
    metrics = json.loads((out / 'metrics.json').read_text())
    assert set(metrics) == SCORED | {'unet', 'diffusion', 'diffusion_uncalibrated', 'diffusion_32'}   # and the mean of a 32-member ensemble
    assert 'crps' in metrics['diffusion']['hidden'] and 'crps' not in metrics['diffusion_32']['hidden']   # antithetic pairs: their mean alone
    for name, m in metrics.items():
        assert {'rmse', 'mae', 'bias', 'per_depth'} <= set(m['hidden']) and 'observed' in m, name
        assert m['hidden']['rmse'] > 0 and m['observed']['rmse'] < 1e-4, name  # observations are kept by every method
    cal, raw = metrics['diffusion']['hidden'], metrics['diffusion_uncalibrated']['hidden']
    assert cal['rmse'] == pytest.approx(raw['rmse'], rel=1e-5)        # the same members: the calibration moves spread, not mean
    assert cal['spread_skill'] != pytest.approx(raw['spread_skill'], rel=1e-3) and cal['crps'] != raw['crps']
    oi, oi_cal = metrics['regression_oi']['hidden'], metrics['regression_oi_calibrated']['hidden']   # OI as a Gaussian, raw and calibrated
    assert {'crps', 'spread_skill'} <= set(oi) and oi_cal['rmse'] == pytest.approx(oi['rmse'], rel=1e-9)
    assert oi_cal['spread_skill'] != pytest.approx(oi['spread_skill'], rel=1e-3)
    printed = ''.join(o.get('text', '') for c in nbformat.read(tmp_path / 'out.ipynb', as_version=4).cells for o in c.get('outputs', []))
    assert 'spread calibration per depth' in printed and 'fitting the spread calibration' not in printed  # the checkpoint's (ddim-2, ×2)
    table = (out / 'skill_table.md').read_text()
    assert all(name in table for name in metrics)
    csv = pd.read_csv(out / 'skill_table.csv', index_col=0)  # ratio to the best classical RMSE, with its bootstrap interval over locations
    best = min(METHODS, key=lambda n: metrics[n]['hidden']['rmse'])
    for name, r in csv.iterrows():
        assert r['vs best classical'] == pytest.approx(metrics[name]['hidden']['rmse'] / metrics[best]['hidden']['rmse'], rel=1e-6), name
        assert r['95% low'] <= r['vs best classical'] <= r['95% high'], name
    assert csv.loc[best, '95% low'] == csv.loc[best, '95% high'] == 1
    assert (csv['95% high'] - csv['95% low']).max() > 0
    loc = pd.read_csv(out / 'skill_by_location.csv', index_col=[0, 1])  # per-location RMSE, pooling back to the overall one
    assert set(metrics) <= set(loc.columns) and loc['hidden points'].sum() == metrics[best]['hidden']['n']
    for name in metrics:
        assert ((loc[name] ** 2 * loc['hidden points']).sum() / loc['hidden points'].sum()) ** 0.5 == pytest.approx(metrics[name]['hidden']['rmse'], rel=1e-6), name
    dist = pd.read_csv(out / 'skill_by_distance.csv', index_col=0)  # per distance to the observations, pooling back likewise
    assert dist['share of hidden points'].sum() == pytest.approx(1) and dist['share of hidden points'].min() >= 0
    for name in metrics:
        assert ((dist[name] ** 2 * dist['share of hidden points']).sum()) ** 0.5 == pytest.approx(metrics[name]['hidden']['rmse'], rel=1e-6), name
    for name in ('step_sweep.csv', 'step_sweep.png', 'intermediates.png', 'mae_vs_step.png', 'schedules.png', 'map.png', 'spectra.md', 'spectra.csv', 'spectra.png'):
        assert (out / name).exists(), name
    qt = pd.read_csv(out / 'quantity_table.csv', index_col=[0, 1])   # the ocean quantities of every method, scored in the same pass as the skill
    quantities = ['heat_content', 'mixed_layer_depth', 'isotherm_depth', 'steric_height']
    assert set(qt.index.get_level_values('method')) == set(metrics) and len(set(qt.index.get_level_values('quantity'))) == 4
    for q in ('heat_content 0–500 m (GJ m-2)', 'mixed_layer_depth (m)', 'steric_height (cm)'):
        for m in ('diffusion', 'regression_oi', 'regression_oi_calibrated'): assert 0 <= qt.loc[(q, m), 'cover_90'] <= 1 and qt.loc[(q, m), 'crps'] > 0, (q, m)
        assert np.isnan(qt.loc[(q, 'unet'), 'crps']) and qt.loc[(q, 'unet'), 'rmse'] > 0, q      # deterministic: RMSE and bias alone
    assert 'quantities' in metrics['diffusion'] and (out / 'quantity_table.md').exists()
    for q in quantities: assert (out / f'quantity_{q}.png').stat().st_size > 10_000, q

def test_sample_notebook_without_checkpoint(tmp_path):
    out = tmp_path / 'sample'
    r = run([tool('papermill'), str(ROOT / 'nbs/sample.ipynb'), str(tmp_path / 'out.ipynb'), '-p', 'out_dir', str(out)], cwd=tmp_path)
    assert set(json.loads((out / 'metrics.json').read_text())) == SCORED
    assert 'No checkpoint given' in (tmp_path / 'out.ipynb').read_text()

def sample(tmp_path, *params):
    return subprocess.run([tool('papermill'), str(ROOT / 'nbs/sample.ipynb'), str(tmp_path / 'out.ipynb'), *params], capture_output=True,
                          text=True, cwd=tmp_path, timeout=300)

def test_sample_notebook_refuses_early(tiny_run, tmp_path):
    "Settings the model cannot take, a month the split lacks, the twin given as the diffusion model, or a folder of another sampling stop first."
    ck = str(tiny_run / 'checkpoints/last.pt')
    for params, message in [(['-p', 'steps', '1001'], 'steps=1001 is invalid: the model has 1000 diffusion steps'),
                            (['-y', 'sweep_steps: [5, 5000]'], 'sweep_steps=[5, 5000] is invalid'),
                            (['-p', 'map_month', '40'], 'map_month=40 is invalid'),
                            (['-p', 'checkpoint', str(tiny_run / 'unet/checkpoints/last.pt')], 'is a deterministic U-Net twin')]:
        r = sample(tmp_path, '-p', 'checkpoint', ck, '-p', 'out_dir', str(tmp_path / 'never'), *params)
        assert r.returncode != 0 and message in r.stdout + r.stderr, (params, (r.stdout + r.stderr)[-1500:])
        assert not (tmp_path / 'never').exists()
    used = tmp_path / 'used'; used.mkdir(); (used / 'sample_config.json').write_text(json.dumps(dict(checkpoint='another run')))
    r = sample(tmp_path, '-p', 'checkpoint', ck, '-p', 'out_dir', str(used))
    assert r.returncode != 0 and 'already holds the results of another sampling' in r.stdout + r.stderr
    assert sorted(p.name for p in used.iterdir()) == ['sample_config.json']

def test_latent_run_through_both_notebooks(tmp_path):
    "A tiny latent run through train.ipynb (its autoencoder trained first), then scored by sample.ipynb like a pixel one, next to its floor."
    out = tmp_path / 'run'
    run([tool('papermill'), str(ROOT / 'nbs/train.ipynb'), str(tmp_path / 'train.ipynb'), '-p', 'latent', 'True', '-p', 'epochs', '1',
         '-p', 'max_patches', '16', '-y', 'channels: [16, 32]', '-p', 'eval_samples', '2', '-p', 'eval_steps', '2', '-p', 'unet_baseline', 'False', '-p', 'first_guess', 'regression_oi',
         '-p', 'ae_epochs', '2', '-p', 'ae_width', '8', '-p', 'out_dir', str(out)], cwd=tmp_path)
    for name in ('config.json', 'checkpoints/last.pt', 'autoencoder/checkpoints/last.pt', 'autoencoder/metrics.csv', 'metrics.csv',
                 'test_metrics.json', 'loss.png', 'samples.png'):
        assert (out / name).exists(), name
    assert not (out / 'unet').exists()
    saved = json.loads((out / 'test_metrics.json').read_text())
    assert set(saved) >= {'latent_diffusion', 'latent_floor', 'regression_oi'} and 'diffusion' not in saved
    assert saved['latent_diffusion']['hidden']['n'] == saved['latent_floor']['hidden']['n'] == saved['regression_oi']['hidden']['n']
    sample_out = tmp_path / 'sample'
    run([tool('papermill'), str(ROOT / 'nbs/sample.ipynb'), str(tmp_path / 'sample.ipynb'), '-p', 'checkpoint', str(out / 'checkpoints/last.pt'),
         '-p', 'n_samples', '2', '-p', 'steps', '2', '-y', 'sweep_steps: [2]', '-p', 'out_dir', str(sample_out)], cwd=tmp_path)
    metrics = json.loads((sample_out / 'metrics.json').read_text())
    assert set(metrics) == SCORED | {'latent_diffusion', 'latent_diffusion_uncalibrated', 'latent_diffusion_32', 'latent_floor'}
    n = {m['hidden']['n'] for m in metrics.values()}
    assert len(n) == 1, n                                                 # every method on the same hidden points
    for name, m in metrics.items(): assert m['hidden']['rmse'] > 0 and m['observed']['rmse'] < 1e-4, name
    assert metrics['latent_diffusion']['hidden']['rmse'] == pytest.approx(saved['latent_diffusion']['hidden']['rmse'], rel=1e-5)
    for name in ('skill_table.md', 'step_sweep.csv', 'intermediates.png', 'mae_vs_step.png', 'map.png'):
        assert (sample_out / name).exists(), name

def test_unet_checkpoint_of_other_depths_refused_early(tiny_run, tmp_path):
    "A `unet_checkpoint` trained on other depths is refused by its parameter's name before any work, not after the baselines."
    from depthdif.train import TrainConfig, fit
    other = fit(TrainConfig(objective='regression', depths=(10, 100), epochs=1, max_patches=16, batch_size=8, channels=(16, 32), emb_dim=32,
                            eval_patches=32, threads=1, out_dir=str(tmp_path / 'other')), progress=False)
    r = sample(tmp_path, '-p', 'checkpoint', str(tiny_run / 'checkpoints/last.pt'), '-p', 'unet_checkpoint', str(other / 'checkpoints/last.pt'),
               '-p', 'out_dir', str(tmp_path / 'never'))
    assert r.returncode != 0 and "parameter unet_checkpoint=" in r.stdout + r.stderr, (r.stdout + r.stderr)[-1500:]
    assert "'depths': ([10.0, 100.0], [10.0, 30.0, 50.0, 100.0, 200.0, 500.0])" in r.stdout + r.stderr, (r.stdout + r.stderr)[-1500:]
    assert not (tmp_path / 'never').exists()
