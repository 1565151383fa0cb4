"Sea level beside SST, end to end: a tiny twin run conditioned on SST and ADT through papermill, then its checkpoint in `predict`."
import json
import numpy as np
import pytest
import torch
from conftest import ROOT, run, tool
from test_train_notebook import TINY

@pytest.fixture(scope='module')
def sea_level_run(tmp_path_factory):
    "A tiny `-p dataset twin -p surface sst,adt` run of train.ipynb (one epoch on 16 patches, a small network)."
    tmp = tmp_path_factory.mktemp('sea_level')
    out = tmp / 'run'
    run([tool('papermill'), str(ROOT / 'nbs/train.ipynb'), str(tmp / 'out.ipynb'), *TINY, '-p', 'dataset', 'twin', '-p', 'surface', 'sst,adt',
         '-p', 'eval_patches', '64', '-p', 'out_dir', str(out)], cwd=tmp)
    return out

def test_sea_level_run_is_conditioned_on_both_fields(sea_level_run):
    "The run records its fields; its networks see one more eo channel and one more eo-valid channel than an SST-only run's; it is scored."
    from depthdif.model import n_cond_channels
    from depthdif.train import load_checkpoint
    ck = load_checkpoint(sea_level_run / 'checkpoints' / 'last.pt')
    assert ck['config']['surface'] == 'sst,adt' and set(ck['norm']['surface']) == {'adt'}
    mean, std = ck['norm']['surface']['adt']
    assert abs(mean) < 2 and 0.01 < std < 1, (mean, std)                  # metres, a sea level's spread
    C = len(ck['config']['depths'])
    assert ck['model_config']['cond_channels'] == n_cond_channels(C, C, n_surface=2) == n_cond_channels(C, C) + 2
    unet = load_checkpoint(sea_level_run / 'unet' / 'checkpoints' / 'last.pt')
    assert unet['config']['surface'] == 'sst,adt'
    scores = json.loads((sea_level_run / 'test_metrics.json').read_text())
    assert {'diffusion', 'unet', 'regression_oi'} <= set(scores) and all(np.isfinite(scores[k]['hidden']['rmse']) for k in ('diffusion', 'unet'))

def test_checkpoint_refuses_input_without_its_fields(sea_level_run):
    "predict with a sea-level checkpoint: SST alone is refused by name before any work; SST and ADT reconstruct; SLA in its place is refused."
    from depthdif.sources import select_depths
    from depthdif.inference import predict
    from depthdif.twin import load_twin
    tw = load_twin().isel(time=[5], lat=slice(0, 32), lon=slice(0, 32))
    obs = select_depths(tw.thetao, (10., 30., 50., 100., 200., 500.)).where(np.random.default_rng(0).random((32, 32)) < 0.05)
    last = sea_level_run / 'checkpoints' / 'last.pt'
    with pytest.raises(ValueError, match='trained on the surface fields sst, adt: give adt'): predict(last, tw.sst, obs)
    with pytest.raises(ValueError, match='mean dynamic topography'): predict(last, tw.sst, obs, surface={'sla': tw.adt})
    rec = predict(last, tw.sst, obs, n_samples=2, steps=2, surface={'adt': tw.adt})
    assert np.isfinite(rec.thetao_mean.values).all() and rec.thetao_mean.shape == obs.shape
    shifted = predict(last, tw.sst, obs, n_samples=2, steps=2, surface={'adt': tw.adt + 0.5})
    assert np.abs(shifted.thetao_mean - rec.thetao_mean).max() > 0, "the sea level reaches the network"
