"nbs/train.ipynb through papermill, as a user runs it: the main job's one definition, the run folder, bad parameters, own and regional data, kill and resume, DDP."
import ast, json, os, signal, subprocess, sys, time, warnings
from pathlib import Path
import nbformat
import numpy as np
import pandas as pd
import papermill
import pytest
import torch
from conftest import ROOT, run, tool

TINY = ['-p', 'epochs', '1', '-p', 'max_patches', '16', '-y', 'channels: [16, 32]', '-p', 'eval_samples', '2', '-p', 'eval_steps', '2']

def parameters_cell(nb):
    return next(c.source for c in nbformat.read(ROOT / 'nbs' / nb, as_version=4).cells if 'parameters' in c.metadata.get('tags', []))

TYPES = dict(str=str, int=int, float=(int, float), bool=bool, list=list)   # what an annotation promises of its default

@pytest.mark.parametrize('nb', ['train.ipynb', 'sample.ipynb', 'predict.ipynb'])
def test_every_parameter_parses(nb):
    "papermill reads every assignment of the parameters cell (an '=' in a comment would hide it), with its comment as help and its type."
    body = ast.parse(parameters_cell(nb)).body
    assigned = [(n.target if isinstance(n, ast.AnnAssign) else n.targets[0]).id for n in body]
    inferred = papermill.inspect_notebook(str(ROOT / 'nbs' / nb))
    assert list(inferred) == assigned
    assert all(p['help'] for p in inferred.values()), [n for n, p in inferred.items() if not p['help']]
    untyped = [n for n, p in inferred.items() if p['inferred_type_name'] not in TYPES]   # 'None': --help-notebook's "Unknown type"
    assert not untyped, f"annotate these parameters (name: type = value): {untyped}"
    wrong = [n for n, p in inferred.items() if not isinstance(ast.literal_eval(p['default']), TYPES[p['inferred_type_name']])
             or (p['inferred_type_name'] == 'int' and isinstance(ast.literal_eval(p['default']), bool))]
    assert not wrong, f"defaults not of their annotated type: {wrong}"
    shown = run([tool('papermill'), '--help-notebook', str(ROOT / 'nbs' / nb)]).stdout
    assert 'Unknown type' not in shown and f"{assigned[0]}: {inferred[assigned[0]]['inferred_type_name']} (default" in shown, shown[:2000]

def test_main_job_is_one_definition():
    "The notebook's defaults, the command line's and TrainConfig()'s are the same run; the cell is generated from TrainConfig."
    from depthdif.train import TrainConfig, cli_config, notebook_parameters
    assert parameters_cell('train.ipynb') == notebook_parameters(), "regenerate the cell: depthdif.train.notebook_parameters()"
    ns = {}; exec(parameters_cell('train.ipynb'), ns)
    assert TrainConfig.from_params(ns) == TrainConfig() == cli_config([])[0]
    assert TrainConfig().first_guess == 'unet' and TrainConfig().epochs == 50

def test_threads_give_way_to_a_busy_process():
    "Beside one CPU-bound process, `CoreShare` (the training loop's and `score`'s) runs torch on the cores left free, and restores torch's threads after."
    cores = len(os.sched_getaffinity(0))
    if cores < 2: pytest.skip('one core: nothing to give way')
    code = ("import subprocess, sys, time, torch; from depthdif.sampling import CoreShare; ceiling = torch.get_num_threads(); "
            "spin = subprocess.Popen([sys.executable, '-c', 'while True: pass']); time.sleep(0.3)\n"
            "with CoreShare(interval=1.0) as share:\n    time.sleep(1.5); busy = share.step()\n"
            "spin.kill(); print(ceiling, busy, torch.get_num_threads())")
    ceiling, busy, after = map(int, run([sys.executable, '-c', code], env={k: v for k, v in os.environ.items() if 'OMP' not in k}).stdout.split())
    assert busy == min(ceiling, cores - 1) and after == ceiling, (cores, ceiling, busy, after)

def test_train_notebook_writes_run_folder(tmp_path):
    out = tmp_path / 'run'
    run([tool('papermill'), str(ROOT / 'nbs/train.ipynb'), str(tmp_path / 'out.ipynb'), *TINY, '-p', 'out_dir', str(out),
         '-p', 'min_snr', '5', '-p', 'train_corruption', '[0.9, 0.97]'], cwd=tmp_path)
    for name in ('config.json', 'checkpoints/last.pt', 'norm.json', 'metrics.csv', 'loss.png', 'validation.png', 'test_metrics.json', 'samples.png',
                 'unet/checkpoints/last.pt'):
        assert (out / name).exists(), name
    config = json.loads((out / 'config.json').read_text())
    assert (config['channels'], config['min_snr'], config['train_corruption'], config['first_guess']) == ([16, 32], 5, [0.9, 0.97], 'unet')
    saved = json.loads((out / 'test_metrics.json').read_text())
    m = saved['diffusion']['hidden']
    assert np.isfinite(m['rmse']) and m['rmse'] > 0 and set(m['per_depth']) == {'10', '30', '50', '100', '200', '500'}
    assert 'crps' in m and 'spread_skill' in m and set(saved) >= {'diffusion', 'unet', 'regression_oi'}
    calib = torch.load(out / 'checkpoints/last.pt', weights_only=True)['spread_calibration']   # fitted for the notebook's eval settings
    assert (calib['sampler'], calib['steps'], calib['n_samples'], len(calib['scale'])) == ('ddim', 2, 2, 6) and min(calib['scale']) > 0
    assert saved['spread_scale'] == calib['scale'] and saved['epoch'] == pd.read_csv(out / 'metrics.csv').epoch.iloc[-1]
    # the deterministic twin keeps the weights of its best validation epoch
    twin_val = pd.read_csv(out / 'unet' / 'metrics.csv')
    assert torch.load(out / 'unet/checkpoints/last.pt', weights_only=True)['best']['epoch'] == twin_val.epoch[twin_val.val_rmse.idxmin()]

BAD = [('epochs', '-1', 'epochs=-1'), ('epochs', '1.5', 'epochs=1.5 is invalid'), ('epochs', 'abc', "epochs='abc' is invalid"),
       ('schedule', 'exotic', "schedule='exotic'"), ('corruption', '0', 'corruption=0.0 is invalid'), ('min_snr', '-1', 'min_snr=-1'),
       ('depths', '[10, 10, 50]', 'depths=[10, 10, 50] is invalid'), ('depths', 'ten', "depths='ten' is invalid"),
       ('eval_samples', '1', 'eval_samples=1 is invalid'), ('latent_channels', '-1', 'latent_channels=-1 is invalid'),
       ('autoencoder', 'ae.pt', "autoencoder='ae.pt' is invalid")] + ([] if torch.cuda.is_available() else [('device', 'cuda', "device='cuda' is invalid")])

@pytest.mark.parametrize('param,value,message', BAD)
def test_bad_parameter_stops_early(tmp_path, param, value, message):
    out = tmp_path / 'run'
    r = subprocess.run([tool('papermill'), str(ROOT / 'nbs/train.ipynb'), str(tmp_path / 'out.ipynb'), '-p', param, value,
                        '-p', 'out_dir', str(out)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert r.returncode != 0 and message in r.stderr + r.stdout, (r.stderr + r.stdout)[-2000:]
    assert not out.exists(), "nothing is written before the parameters are checked"
    assert 'Passed unknown parameter' not in r.stderr

def test_typo_is_the_only_warning(tmp_path):
    "A misspelt parameter is the one papermill warns about (and the run stops on the next, real mistake)."
    r = subprocess.run([tool('papermill'), str(ROOT / 'nbs/train.ipynb'), str(tmp_path / 'out.ipynb'), '-p', 'epoch', '5', '-p', 'epochs', '-1'],
                       capture_output=True, text=True, cwd=tmp_path, timeout=300)
    unknown = [l for l in r.stderr.splitlines() if 'Passed unknown parameter' in l]
    assert len(unknown) == 1 and unknown[0].rstrip().endswith('epoch'), unknown

def _train_cmd(out, epochs):
    return [tool('depthdif-train'), '--epochs', str(epochs), '--max_patches', '32', '--batch_size', '8', '--out_dir', str(out),
            '--channels', '16,32', '--emb_dim', '32', '--val_steps', '2', '--eval_samples', '2', '--eval_steps', '2', '--first_guess', '',
            '--unet_baseline', 'False', '--no_score']

def test_kill_and_resume(tmp_path):
    "SIGKILL after the first checkpoint, then resume: training continues from the saved epoch with the same config."
    out = tmp_path / 'run'
    proc = subprocess.Popen(_train_cmd(out, 8), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path)
    last = out / 'checkpoints' / 'last.pt'
    deadline = time.time() + 300
    while not (out / 'metrics.csv').exists() and time.time() < deadline and proc.poll() is None: time.sleep(0.05)  # after the first checkpoint
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
    assert not list((out / 'checkpoints').glob('*.tmp*'))

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
    "thetao_path/sst_path with a region and period of a larger archive: GLORYS-schema monthly files, daily OSTIA-schema SST."
    from depthdif.data import write_sample_sources
    write_sample_sources(tmp_path / 'src', months=(1, 2, 3), region=dict(lat=slice(-90, 90), lon=slice(-180, 180)))
    out = tmp_path / 'run'
    run([tool('papermill'), str(ROOT / 'nbs/train.ipynb'), str(tmp_path / 'out.ipynb'), *TINY, '-p', 'unet_baseline', 'False', '-p', 'first_guess', 'regression_oi',
         '-p', 'thetao_path', str(tmp_path / 'src' / 'glorys_*.nc'), '-p', 'sst_path', str(tmp_path / 'src' / '*OSTIA*.nc'),
         '-p', 'lat', '[-60, 60]', '-p', 'lon', '[-150, 30]', '-p', 'time', '2020-02,2020-03', '-p', 'out_dir', str(out)], cwd=tmp_path)
    config = json.loads((out / 'config.json').read_text())
    assert config['thetao_path'].endswith('glorys_*.nc') and (config['lat'], config['lon'], config['time']) == ([-60, 60], [-150, 30], ['2020-02', '2020-03'])
    m = json.loads((out / 'test_metrics.json').read_text())
    assert set(m) >= {'diffusion', 'regression_oi'} and 'unet' not in m and np.isfinite(m['diffusion']['hidden']['rmse'])
    from depthdif.train import TrainConfig, datasets_for
    dsets, _ = datasets_for(TrainConfig.from_dict(config))
    assert -60 <= dsets['test'].lat.min() and dsets['test'].lat.max() <= 60 and -150 <= dsets['test'].lon.min() and dsets['test'].lon.max() <= 30
    assert len(dsets['test'].doy) == 2                                            # two months of the three

def test_train_notebook_on_regional_box(tmp_path):
    "A 50×60-pixel GLORYS-schema box with a daily OSTIA-schema SST file trains with the default split parameters."
    from depthdif.data import write_sample_sources
    write_sample_sources(tmp_path / 'src', region=dict(lat=slice(-50, 49), lon=slice(-60, 59)))
    out = tmp_path / 'run'
    r = run([tool('papermill'), str(ROOT / 'nbs/train.ipynb'), str(tmp_path / 'out.ipynb'), *TINY, '-p', 'unet_baseline', 'False', '-p', 'first_guess', 'regression_oi',
             '-p', 'thetao_path', str(tmp_path / 'src' / 'glorys_*.nc'), '-p', 'sst_path', str(tmp_path / 'src' / '*OSTIA*.nc'),
             '-p', 'out_dir', str(out)], cwd=tmp_path)
    from depthdif.data import open_reanalysis
    assert open_reanalysis(str(tmp_path / 'src' / 'glorys_*.nc')).thetao.shape[2:] == (50, 60)
    assert 'leaves' in (tmp_path / 'out.ipynb').read_text()                      # the split said it adapted
    assert np.isfinite(json.loads((out / 'test_metrics.json').read_text())['diffusion']['hidden']['rmse'])
