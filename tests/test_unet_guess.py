"A run whose diffusion model refines its own U-Net twin (first_guess='unet'), through train.ipynb and sample.ipynb as a user runs them."
import json, subprocess
import pandas as pd
import pytest
import torch
from conftest import ROOT, run, tool
from test_train_notebook import TINY

def test_unet_first_guess_through_both_notebooks(tmp_path):
    out = tmp_path / 'run'
    run([tool('papermill'), str(ROOT / 'nbs/train.ipynb'), str(tmp_path / 'train.ipynb'), *TINY, '-p', 'first_guess', 'unet',
         '-p', 'out_dir', str(out)], cwd=tmp_path)
    ck = torch.load(out / 'checkpoints/last.pt', weights_only=True)
    twin = torch.load(out / 'unet/checkpoints/last.pt', weights_only=True)
    assert ck['config']['first_guess'] == 'unet' and ck['first_guess']['unet'] == 'unet/checkpoints/last.pt'
    assert twin['config']['first_guess'] == 'regression_oi' and twin['config']['objective'] == 'regression'   # the twin, as in any run
    saved = json.loads((out / 'test_metrics.json').read_text())
    assert set(saved) >= {'diffusion', 'unet', 'regression_oi'}
    sample_out = tmp_path / 'sample'
    run([tool('papermill'), str(ROOT / 'nbs/sample.ipynb'), str(tmp_path / 'sample.ipynb'), '-p', 'checkpoint', str(out / 'checkpoints/last.pt'),
         '-p', 'n_samples', '2', '-p', 'n_samples_large', '4', '-p', 'steps', '2', '-y', 'sweep_steps: [2]', '-p', 'out_dir', str(sample_out)],
        cwd=tmp_path)
    metrics = json.loads((sample_out / 'metrics.json').read_text())
    assert {'diffusion', 'diffusion_uncalibrated', 'diffusion_4', 'unet', 'regression_oi'} <= set(metrics)
    assert len({m['hidden']['n'] for m in metrics.values()}) == 1                        # every method on the same hidden points
    assert metrics['diffusion']['hidden']['rmse'] == pytest.approx(saved['diffusion']['hidden']['rmse'], rel=1e-5)   # the members test_scores drew
    assert metrics['unet']['hidden']['rmse'] == pytest.approx(saved['unet']['hidden']['rmse'], rel=1e-5)
    assert metrics['diffusion_4']['hidden']['rmse'] != metrics['diffusion']['hidden']['rmse']   # another, larger ensemble
    assert 'diffusion_4' in (sample_out / 'skill_table.md').read_text()
    spectra = pd.read_csv(sample_out / 'spectra.csv', index_col=[0, 1])
    assert list(spectra.columns) == ['truth', 'member', 'member_calibrated', 'ensemble_mean', 'unet', 'regression_oi', 'patches']
    assert (spectra.drop(columns='patches') > 0).all().all() and (spectra.ensemble_mean <= spectra.member * (1 + 1e-9)).all()
    assert set(spectra.index.get_level_values('wavelength')) == {16, 8, 5.33, 4, 3.2, 2.67, 2.29, 2}
    table = (sample_out / 'spectra.md').read_text()
    assert 'member_calibrated' in table and '5.33' in table and '2.67' not in table   # bands of wavelength >= 4 px only
    assert sum(line.startswith('|') for line in table.splitlines()) == 2 + 4 * 6          # header, rule, 4 bands at each of 6 depths
    assert (sample_out / 'spectra.png').stat().st_size > 0
    # without its U-Net twin the run refuses to sample, naming the file, before writing anything
    (out / 'unet').rename(tmp_path / 'unet_moved')
    never = tmp_path / 'never'
    r = subprocess.run([tool('papermill'), str(ROOT / 'nbs/sample.ipynb'), str(tmp_path / 'refused.ipynb'), '-p', 'checkpoint', str(out / 'checkpoints/last.pt'),
                        '-p', 'out_dir', str(never)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert r.returncode != 0 and f"{out / 'unet/checkpoints/last.pt'} is missing" in r.stdout + r.stderr, (r.stdout + r.stderr)[-1500:]
    assert not never.exists()
