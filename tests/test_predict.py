"nbs/predict.ipynb and depthdif-predict on a tiny checkpoint and the example OSTIA/EN4 files: the NetCDF, its map, and bad inputs refused by name."
import os, subprocess, sys
import numpy as np
import pytest
import xarray as xr
from conftest import tiny_predict_run, ROOT, run, tool

REGION = ['-y', 'lat: [-30, 30]', '-y', 'lon: [-60, 20]']

@pytest.fixture(scope='module')
def inputs(tmp_path_factory):
    "A 1-epoch diffusion checkpoint (it records its 2° training grid) and example OSTIA (daily, kelvin) and EN4 files, January and February 2020."
    return tiny_predict_run(tmp_path_factory.mktemp('predict'))

def papermill(tmp_path, inputs, *params):
    return subprocess.run([tool('papermill'), str(ROOT / 'nbs/predict.ipynb'), str(tmp_path / 'out.ipynb'), '-p', 'checkpoint', inputs['checkpoint'],
                           '-p', 'sst_path', inputs['sst'], '-p', 'n_samples', '2', '-p', 'steps', '2', '-p', 'device', 'cpu', *params],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)

def test_notebook_writes_netcdf_and_map(tmp_path, inputs):
    out = tmp_path / 'rec' / 'reconstruction.nc'
    r = papermill(tmp_path, inputs, '-p', 'obs_path', inputs['en4'], *REGION, '-y', 'time: [2020-01, 2020-02]', '-p', 'members', 'True',
                  '-p', 'map_depth', '100', '-p', 'out', str(out))
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    with xr.open_dataset(out) as ds:
        assert set(ds.data_vars) == {'thetao_mean', 'thetao_std', 'obs', 'obs_count', 'thetao'}
        assert ds.thetao_mean.dims == ('time', 'depth', 'lat', 'lon') and ds.thetao.dims == ('member', 'time', 'depth', 'lat', 'lon')
        assert dict(ds.sizes) == dict(time=2, depth=6, lat=30, lon=40, member=2)
        np.testing.assert_allclose(np.diff(ds.lat.values), 2); np.testing.assert_allclose(ds.lon.values[[0, -1]], [-59, 19])   # the checkpoint's grid
        assert ds.attrs['Conventions'] == 'CF-1.8' and 'history' in ds.attrs and ds.attrs['obs_input'] == inputs['en4']
        assert (ds.lat.attrs['standard_name'], ds.lat.attrs['units'], ds.lon.attrs['units']) == ('latitude', 'degrees_north', 'degrees_east')
        assert (ds.depth.attrs['positive'], ds.depth.attrs['units'], ds.time.attrs['axis']) == ('down', 'm', 'T')
        assert ds.thetao_mean.attrs['units'] == 'degC' and ds.thetao_mean.attrs['standard_name'] == 'sea_water_potential_temperature'
        ocean, seen = ds.thetao_mean.notnull().values, ds.obs.notnull().values
        assert 0.3 < ocean.mean() < 1 and (ds.thetao_std.values[ocean] >= 0).all() and (seen & ocean).sum() > 0
        assert (ds.obs_count.values[seen] >= 1).all() and (ds.obs_count.values[~seen] == 0).all()   # the profiles behind each observed cell
        np.testing.assert_allclose(ds.thetao_mean.values[seen & ocean], ds.obs.values[seen & ocean], atol=1e-4)   # the profiles are kept
    assert (out.parent / 'map.png').stat().st_size > 10_000

def test_cli_writes_netcdf(tmp_path, inputs):
    out = tmp_path / 'cli.nc'
    script = tool('depthdif-predict')                 # installed with the package; else its function, from this checkout
    cmd = [script] if script else [sys.executable, '-c', 'from depthdif.inference import predict_cli; predict_cli()']
    run([*cmd, inputs['checkpoint'], inputs['sst'], '--obs_path', inputs['en4'], '--lat=-30,30', '--lon=-60,20', '--time', '2020-02,2020-02',
         '--n_samples', '2', '--steps', '2', '--device', 'cpu', '--out', str(out)], cwd=tmp_path)
    with xr.open_dataset(out) as ds:
        assert ds.thetao_mean.shape == (1, 6, 30, 40) and str(ds.time.values[0])[:7] == '2020-02' and ds.Conventions == 'CF-1.8'

def _inf_sst(d):
    "The example SST with +inf over the southern half (a fill value not flagged), as a float file."
    import glob
    fn = d / 'inf_sst.nc'
    if not fn.exists():
        ds = xr.open_dataset(sorted(glob.glob(str(d / 'sources/2020*OSTIA*.nc')))[1]).load()
        ds['analysed_sst'] = ds.analysed_sst.where(ds.lat >= 0, np.inf); ds.analysed_sst.encoding.clear()
        ds.to_netcdf(fn)
    return str(fn)

def _far_profiles(d):
    "An EN4 file whose profiles lie in the North Pacific, far from the example SST's region."
    from depthdif.data import write_sample_sources
    return str(write_sample_sources(d / 'far', months=(1,), region=dict(lat=slice(20, 50), lon=slice(150, 179)))['en4'])

BAD = [('inf SST', lambda i: dict(sst_path=_inf_sst(i['dir'])), 'inf_sst.nc over lat=[-30, 30], lon=[-60, 20], time=[] holds'),
       ('profiles elsewhere', lambda i: dict(obs_path=_far_profiles(i['dir'])), "no profile of obs_path="),
       ('no SST in the period', lambda i: dict(time=('2021-01', '2021-06')), "time=['2021-01', '2021-06'] selects no time"),
       ('no SST in the region', lambda i: dict(lat=(40, 60)), 'lat=[40, 60] selects no lat'),
       ('not a model', lambda i: dict(checkpoint=i['en4']), 'is not a DepthDif model checkpoint')]

@pytest.mark.parametrize('what,change,message', BAD, ids=[b[0] for b in BAD])
def test_bad_input_refused_by_name(inputs, what, change, message):
    "predict_files (what the notebook and the command run) names the input at fault."
    from depthdif.inference import predict_files
    args = dict(checkpoint=inputs['checkpoint'], sst_path=inputs['sst'], lat=(-30, 30), lon=(-60, 20), n_samples=2, steps=2, device="cpu")
    with pytest.raises(ValueError) as e: predict_files(**{**args, **change(inputs)})
    assert message in str(e.value)

@pytest.mark.parametrize('params,message', [(['-p', 'map_depth', '75'], 'map_depth=75 is invalid'),
                                            (['-p', 'members', 'yes'], "members='yes' is invalid")])
def test_bad_parameter_stops_the_notebook(tmp_path, inputs, params, message):
    out = tmp_path / 'rec.nc'
    r = papermill(tmp_path, inputs, *REGION, '-p', 'out', str(out), *params)
    assert r.returncode != 0 and message in r.stdout + r.stderr, (r.stdout + r.stderr)[-3000:]
    assert not out.exists()

def test_existing_output_refused(tmp_path, inputs):
    out = tmp_path / 'rec.nc'
    out.write_text('an earlier result')
    r = papermill(tmp_path, inputs, '-p', 'out', str(out))
    assert r.returncode != 0 and 'already exists' in r.stdout + r.stderr
    assert out.read_text() == 'an earlier result'

def test_obs_on_other_months_refused(inputs):
    "predict itself refuses observations that share no month with the SST, naming both calendars."
    from depthdif.data import DEFAULT_DEPTHS, load_default, select_depths
    from depthdif.inference import predict
    ds = load_default().isel(time=[0]).sel(lat=slice(-20, 20), lon=slice(-40, 0))
    obs = select_depths(ds.thetao, DEFAULT_DEPTHS).assign_coords(time=[np.datetime64('2001-01-15')])
    with pytest.raises(ValueError, match='obs shares no month with the SST: obs holds 2001-01, the SST 2000-01'):
        predict(inputs['checkpoint'], ds.sst, obs)

def cli(*args):
    "`depthdif-predict` with `args`, as a process of its own (the installed script, else its function from this checkout)."
    script = tool('depthdif-predict')
    cmd = [script] if script else [sys.executable, '-c', 'from depthdif.inference import predict_cli; predict_cli()']
    return subprocess.run([*cmd, *map(str, args)], capture_output=True, text=True, timeout=300)

@pytest.mark.parametrize('what,args,message', [
    ('one member', ['--n_samples', '1'], 'n_samples=1 is invalid: must be an integer >= 2 for a diffusion model'),
    ('no SST in the region', ['--lat=40,60'], 'lat=[40, 60] selects no lat'),
    ('a region as text', ['--lat', 'north'], "parameter lat='north' is invalid")])
def test_cli_refusal_is_its_message_alone(tmp_path, inputs, what, args, message):
    "depthdif-predict ends a refused input as depthdif-train does: the message alone, exit status 1, nothing written."
    out = tmp_path / 'rec.nc'
    r = cli(inputs['checkpoint'], inputs['sst'], '--steps', '2', '--device', 'cpu', *args, '--out', out)
    last = r.stderr.strip().splitlines()[-1]
    assert r.returncode == 1 and last.startswith('depthdif-predict: error: ') and message in last and 'Traceback' not in r.stderr, r.stderr[-2000:]
    assert not out.exists()

@pytest.fixture
def small_disk(tmp_path):
    "A 1 MB tmpfs, mounted for the test (as root; skipped otherwise) and unmounted after."
    if os.geteuid() != 0: pytest.skip('mounting a small tmpfs needs root')
    d = tmp_path / 'small'; d.mkdir()
    r = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', str(d)], capture_output=True, text=True)
    if r.returncode: pytest.skip(f'cannot mount a tmpfs here: {r.stderr.strip()}')
    try: yield d
    finally: subprocess.run(['umount', '--lazy', str(d)], check=True)   # lazy: HDF5 may keep the failed write's file open until the process ends

def test_full_disk_refused_before_the_work(inputs, small_disk):
    "depthdif-predict onto a disk without room for its reconstruction stops before sampling, naming the file and the room."
    (small_disk / 'filler').write_bytes(b'\1' * 950_000)
    out = small_disk / 'rec.nc'
    r = cli(inputs['checkpoint'], inputs['sst'], '--n_samples', '2', '--steps', '2', '--device', 'cpu', '--members', '--out', out)
    assert r.returncode == 1 and f"depthdif-predict: error: output {str(out)!r}: its disk has" in r.stderr and 'Traceback' not in r.stderr, r.stderr[-2000:]
    assert 'the reconstruction needs up to' in r.stderr and not out.exists()

def test_disk_full_while_writing_named(small_disk):
    "A write that fails for want of room (netCDF4: 'NetCDF: HDF error') names the file and the cause; the earlier file is kept, no temporary left."
    from depthdif.inference import write_reconstruction
    dims, rng = ('time', 'depth', 'lat', 'lon'), np.random.default_rng(0)
    field = lambda n: xr.Dataset({v: (dims, rng.normal(size=(2, 6, n, n)).astype('float32')) for v in ('thetao_mean', 'thetao_std', 'obs')},
                                 coords=dict(time=np.array(['2020-01-15', '2020-02-15'], 'datetime64[ns]'), depth=[10., 30., 50., 100., 200., 500.],
                                             lat=np.arange(n) * 0.25, lon=np.arange(n) * 0.25))
    out = write_reconstruction(field(10), small_disk / 'rec.nc')
    before = out.read_bytes()
    with pytest.raises(OSError) as e: write_reconstruction(field(100), out, overwrite=True)   # 1.4 MB of noise: more than the disk holds
    assert f"could not write the reconstruction to {str(out)!r}" in str(e.value) and 'MB free' in str(e.value), str(e.value)
    assert 'the existing file is kept' in str(e.value)
    assert out.read_bytes() == before and sorted(p.name for p in small_disk.iterdir()) == ['rec.nc']
