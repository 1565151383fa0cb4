"Bad input refused (or warned about) by name before minutes of work, and training progress as plain text lines under papermill."
import json, subprocess
import numpy as np
import pytest
import xarray as xr
from conftest import ROOT, run, tool
from depthdif.data import load_sources, open_reanalysis, write_sample_sources
from depthdif.train import TrainConfig, _open_run, cli_config

@pytest.fixture(scope='module')
def sources(tmp_path_factory):
    "GLORYS-schema thetao of January and February 2020 and OSTIA-schema SST (three days a month), as str paths."
    paths = write_sample_sources(tmp_path_factory.mktemp('src'))
    return dict(thetao=[str(p) for p in paths['reanalysis']], sst=[str(p) for p in paths['ostia']])

def _sst_of(sources, month): return [p for p in sources['sst'] if f'2020{month}' in p.split('/')[-1][:6]]

# --- depthdif-train --config

def test_config_file_read_and_overridden(tmp_path):
    path = tmp_path / 'run.json'
    path.write_text(json.dumps(dict(epochs=3, lr=1e-3)))
    cfg, _ = cli_config(['--config', str(path), '--epochs', '5'])
    assert (cfg.epochs, cfg.lr) == (5, 1e-3)

@pytest.mark.parametrize('content,error,message', [
    (None, FileNotFoundError, ': no such file'),
    ('{"epochs": 3,\n "lr": }', ValueError, 'is not valid JSON: Expecting value at line 2, column 8'),
    ('{"epochs": 3\n\n  "lr": 0.001}', ValueError, "is not valid JSON: Expecting ',' delimiter at line 3, column 3"),
    (b'\x80\x04\x95 a checkpoint, not JSON', ValueError, 'is not valid JSON'),
    ('[{"epochs": 3}]', ValueError, 'must hold a JSON object of parameters'),
    ('50', ValueError, 'must hold a JSON object of parameters'),
])
def test_bad_config_file_named(tmp_path, content, error, message):
    path = tmp_path / 'bad.json'
    if isinstance(content, str): path.write_text(content)
    elif content is not None: path.write_bytes(content)
    with pytest.raises(error) as e: cli_config(['--config', str(path)])
    assert f'--config {path}' in str(e.value) and message in str(e.value), str(e.value)

def test_cli_ends_with_the_message_alone(tmp_path):
    "depthdif-train on a malformed --config exits with one line naming the file, line and column, not a traceback."
    path = tmp_path / 'bad.json'
    path.write_text('{"epochs": 3,\n "lr": }')
    r = subprocess.run([tool('depthdif-train'), '--config', str(path)], capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert r.returncode != 0 and 'Traceback' not in r.stderr, r.stderr[-2000:]
    assert f'depthdif-train: error: --config {path} is not valid JSON: Expecting value at line 2, column 8' in r.stderr, r.stderr[-2000:]

# --- load_sources: months of one input only

def test_thetao_months_without_sst_warned(sources):
    feb = _sst_of(sources, '02')
    with pytest.warns(UserWarning, match='dropped') as caught: ds = load_sources(sources['thetao'], feb)
    said = [str(w.message) for w in caught if 'dropped' in str(w.message)]
    assert len(said) == 1 and 'month(s) 2020-01 of the thetao input' in said[0] and sources['thetao'][0] in said[0] and feb[0] in said[0], said
    assert [str(t)[:7] for t in ds.time.values] == ['2020-02'] and ds.sst.sizes['time'] == 1

def test_sst_months_without_thetao_warned(sources):
    with pytest.warns(UserWarning, match='dropped') as caught: ds = load_sources(sources['thetao'][1], sources['sst'])
    said = [str(w.message) for w in caught if 'dropped' in str(w.message)]
    assert len(said) == 1 and 'month(s) 2020-01 of the SST input' in said[0] and 'have no thetao in' in said[0], said
    assert [str(t)[:7] for t in ds.time.values] == ['2020-02']

def test_matching_months_not_warned(sources, recwarn):
    load_sources(sources['thetao'], sources['sst'])
    assert not [w for w in recwarn if 'dropped' in str(w.message)]

def test_no_shared_month_names_both_files(sources):
    feb = _sst_of(sources, '02')
    with pytest.raises(ValueError, match='share no month') as e: load_sources(sources['thetao'][0], feb)
    assert sources['thetao'][0] in str(e.value) and feb[0] in str(e.value) and '2020-01' in str(e.value) and '2020-02' in str(e.value)

# --- open_reanalysis: the time axis

def test_thetao_without_time_named(sources, tmp_path):
    path = tmp_path / 'no_time.nc'
    xr.open_dataset(sources['thetao'][0]).isel(time=0, drop=True).to_netcdf(path)
    with pytest.raises(ValueError) as e: open_reanalysis(path)
    msg = str(e.value)
    assert f"variable 'thetao' in {path} (the thetao input) has no time dimension" in msg and "'depth', 'lat', 'lon'" in msg, msg
    assert 'do not exist' not in msg

def test_thetao_with_scalar_time_is_one_month(sources, tmp_path):
    path = tmp_path / 'one_month.nc'
    src = xr.open_dataset(sources['thetao'][0])
    src.isel(time=0).to_netcdf(path)                                     # `time` kept as a scalar coordinate
    one = open_reanalysis(path)
    assert one.thetao.dims == ('time', 'depth', 'lat', 'lon') and one.time.values.tolist() == src.time.values.tolist()
    with pytest.warns(UserWarning, match='2020-02 of the SST input'): paired = load_sources(str(path), sources['sst'])
    assert paired.sizes['time'] == 1 and np.isfinite(paired.sst.values).any()

# --- resume on a folder without a checkpoint

@pytest.mark.parametrize('made', [True, False])
def test_resume_without_checkpoint_warns(tmp_path, made):
    out = tmp_path / 'run'
    if made: (out / 'checkpoints').mkdir(parents=True)
    with pytest.warns(UserWarning, match='starting a new run') as caught:
        assert _open_run(TrainConfig(out_dir=str(out), resume=True), rank=0) is None
    assert any(f"no checkpoint in {out / 'checkpoints'}: starting a new run" in str(w.message) for w in caught)

# --- progress lines under papermill --log-output

TINY = ['-p', 'epochs', '2', '-p', 'max_patches', '16', '-y', 'channels: [8, 16]', '-p', 'eval_samples', '2', '-p', 'eval_steps', '2',
        '-p', 'val_steps', '2', '-p', 'unet_baseline', 'False', '-p', 'threads', '1', '-p', 'first_guess', '']

def test_papermill_log_shows_epoch_lines(tmp_path):
    "Each epoch prints one text line that `--log-output` relays (the tqdm bar is a widget there); resume=True on a new folder says so."
    out = tmp_path / 'run'
    r = run([tool('papermill'), str(ROOT / 'nbs/train.ipynb'), str(tmp_path / 'out.ipynb'), '--log-output', *TINY,
             '-p', 'resume', 'True', '-p', 'out_dir', str(out)], cwd=tmp_path)
    log = r.stdout + r.stderr
    lines = [l for l in log.splitlines() if 'diffusion: epoch ' in l]
    assert len(lines) == 2, log[-3000:]
    assert 'diffusion: epoch 1/2, training loss ' in lines[0] and ' °C, ' in lines[0] and lines[0].rstrip().endswith('left'), lines
    assert 'diffusion: epoch 2/2, ' in lines[1] and lines[1].rstrip().endswith('done'), lines
    assert 'scoring diffusion on the test split' in log
    assert f"no checkpoint in {out / 'checkpoints'}: starting a new run" in log
    assert (out / 'test_metrics.json').exists()
