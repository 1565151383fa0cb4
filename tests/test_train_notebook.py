"nbs/train.ipynb through papermill, as a user runs it: the run folder, bad parameters, kill and resume, DDP."
import json, os, signal, subprocess, sys, time
from pathlib import Path
import numpy as np
import pandas as pd
import pytest
import torch
from conftest import ROOT, run, tool

TINY = ['-p', 'epochs', '1', '-p', 'max_patches', '16', '-y', 'channels: [16, 32]', '-p', 'eval_samples', '2', '-p', 'eval_steps', '2']

def test_train_notebook_writes_run_folder(tmp_path):
    out = tmp_path / 'run'
    run([tool('papermill'), str(ROOT / 'nbs/train.ipynb'), str(tmp_path / 'out.ipynb'), *TINY, '-p', 'out_dir', str(out),
         '-p', 'min_snr', '5', '-p', 'train_corruption', '[0.9, 0.97]'], cwd=tmp_path)
    for name in ('config.json', 'checkpoints/last.pt', 'norm.json', 'metrics.csv', 'loss.png', 'validation.png', 'test_metrics.json', 'samples.png'):
        assert (out / name).exists(), name
    config = json.loads((out / 'config.json').read_text())
    assert (config['channels'], config['min_snr'], config['train_corruption']) == ([16, 32], 5, [0.9, 0.97])
    m = json.loads((out / 'test_metrics.json').read_text())['diffusion']['hidden']
    assert np.isfinite(m['rmse']) and m['rmse'] > 0 and set(m['per_depth']) == {'10', '30', '50', '100', '200', '500'}
    assert 'crps' in m and 'spread_skill' in m
    calib = torch.load(out / 'checkpoints/last.pt', weights_only=True)['spread_calibration']   # fitted for the notebook's eval settings
    assert (calib['sampler'], calib['steps'], calib['n_samples'], len(calib['scale'])) == ('ddim', 2, 2, 6) and min(calib['scale']) > 0
    assert json.loads((out / 'test_metrics.json').read_text())['spread_scale'] == calib['scale']
    assert json.loads((out / 'test_metrics.json').read_text())['epoch'] == pd.read_csv(out / 'metrics.csv').epoch.iloc[-1]
    # the deterministic twin keeps the weights of its best validation epoch
    twin_val = pd.read_csv(out / 'unet' / 'metrics.csv')
    assert torch.load(out / 'unet/checkpoints/last.pt', weights_only=True)['best']['epoch'] == twin_val.epoch[twin_val.val_rmse.idxmin()]

@pytest.mark.parametrize('param,value,message', [('epochs', '-1', 'epochs=-1'), ('schedule', 'exotic', "schedule='exotic'"),
                                                  ('corruption', '1.0', 'corruption=1.0'), ('min_snr', '-1', 'min_snr=-1'),
                                                  ('depths', 'ten', "depths='ten' is invalid")])
def test_bad_parameter_stops_early(tmp_path, param, value, message):
    out = tmp_path / 'run'
    r = subprocess.run([tool('papermill'), str(ROOT / 'nbs/train.ipynb'), str(tmp_path / 'out.ipynb'), '-p', param, value,
                        '-p', 'out_dir', str(out)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert r.returncode != 0 and message in r.stderr + r.stdout
    assert not out.exists(), "nothing is written before the parameters are checked"

def _train_cmd(out, epochs):
    return [tool('depthdif-train'), '--epochs', str(epochs), '--max_patches', '32', '--batch_size', '8', '--out_dir', str(out),
            '--params_json', json.dumps(dict(channels=[16, 32], emb_dim=32, val_steps=2, calib_samples=2, calib_steps=2))]

def test_kill_and_resume(tmp_path):
    "SIGKILL after the first checkpoint, then resume: training continues from the saved epoch with the same config."
    out = tmp_path / 'run'
    proc = subprocess.Popen(_train_cmd(out, 8), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
    last = out / 'checkpoints' / 'last.pt'
    deadline = time.time() + 300
    while not last.exists() and time.time() < deadline and proc.poll() is None: time.sleep(0.05)
    proc.send_signal(signal.SIGKILL); proc.wait()
    assert last.exists(), "no checkpoint was written before the deadline"
    from depthdif.train import load_checkpoint
    saved = load_checkpoint(last)
    assert saved['epoch'] < 7, "killed before the end"
    config_before = (out / 'config.json').read_text()
    run(_train_cmd(out, 8) + ['--resume', 'True'], cwd=tmp_path)
    done = load_checkpoint(last)
    assert done['epoch'] == 7 and done['config'] == saved['config'] | {'resume': True}
    assert json.loads((out / 'config.json').read_text()) | {'resume': False} == json.loads(config_before)
    epochs = pd.read_csv(out / 'metrics.csv').epoch.tolist()
    assert epochs == list(range(8)), epochs  # every epoch once: none lost, none repeated

def test_ddp_two_processes(tmp_path):
    "torchrun with 2 CPU processes (gloo) trains through the same code path."
    out = tmp_path / 'ddp'
    run([tool('torchrun'), '--nproc_per_node', '2', '--no-python'] + _train_cmd(out, 1), cwd=tmp_path,
        env={**os.environ, 'OMP_NUM_THREADS': '1'})
    from depthdif.train import load_checkpoint
    ck = load_checkpoint(out / 'checkpoints' / 'last.pt')
    assert ck['epoch'] == 0 and all(torch.isfinite(v).all() for v in ck['model'].values() if v.is_floating_point())
    # each rank saw half of the 32 samples: 2 steps of 8 per epoch
    assert ck['scheduler']['last_epoch'] == 2

def test_train_notebook_on_user_files(tmp_path):
    "thetao_path/sst_path: GLORYS-schema monthly files and daily OSTIA-schema files instead of the embedded default."
    from depthdif.data import write_sample_sources
    src = write_sample_sources(tmp_path / 'src', region=dict(lat=slice(-90, 90), lon=slice(-180, 180)))
    out = tmp_path / 'run'
    run([tool('papermill'), str(ROOT / 'nbs/train.ipynb'), str(tmp_path / 'out.ipynb'), *TINY, '-p', 'unet_baseline', 'False',
         '-p', 'thetao_path', str(tmp_path / 'src' / 'glorys_*.nc'), '-p', 'sst_path', str(tmp_path / 'src' / '*OSTIA*.nc'),
         '-p', 'out_dir', str(out)], cwd=tmp_path)
    config = json.loads((out / 'config.json').read_text())
    assert config['thetao_path'].endswith('glorys_*.nc')
    m = json.loads((out / 'test_metrics.json').read_text())
    assert set(m) >= {'diffusion', 'regression_oi'} and 'unet' not in m and np.isfinite(m['diffusion']['hidden']['rmse'])
