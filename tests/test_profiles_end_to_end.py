"""Argo profiles in argopy's point layout through the user's paths: `predict_files` with argopy's in-memory Dataset,
`depthdif-predict --obs_path` with the saved file, `train.ipynb -p obs_path` with the file and `fit` with the Dataset.
The argopy profiles are the EN4 sample's (or the twin's) good profiles turned into in-situ temperature on pressure by gsw
here, so each run must see exactly the profiles the EN4 file gives."""
import json, sys
import numpy as np
import pytest
import xarray as xr
from conftest import ROOT, run, tiny_predict_run, tool

def en4_as_argopy(path, keep=None):
    "The good profiles and levels of an EN4-schema file as argopy's point layout: in-situ TEMP on PRES (gsw, salinity 35), integer QC."
    import gsw
    with xr.open_dataset(path) as e: e = e.load()
    good = (e.PROFILE_POTM_QC.values == b'1') & (e.POSITION_QC.values == b'1') & (keep if keep is not None else True)
    e = e.isel(N_PROF=np.flatnonzero(good))
    z, pt = e.DEPH_CORRECTED.values.astype(float), e.POTM_CORRECTED.values.astype(float)
    lat = np.broadcast_to(e.LATITUDE.values[:, None], z.shape); lon = np.broadcast_to((e.LONGITUDE.values[:, None] + 180) % 360 - 180, z.shape)
    p = gsw.p_from_z(-z, lat)
    t = gsw.pt_from_t(gsw.SA_from_SP(35., p, lon, lat), pt, 0., p)
    there = np.isfinite(t) & np.isfinite(p) & (e.POTM_CORRECTED_QC.values == b'1')
    prof = np.broadcast_to(np.arange(len(z))[:, None], z.shape)[there]
    n, f = len(prof), (lambda a: np.asarray(a)[there])
    ones = ('N_POINTS', np.ones(n, int))
    return xr.Dataset(dict(PLATFORM_NUMBER=('N_POINTS', 5900000 + prof), CYCLE_NUMBER=ones, DIRECTION=('N_POINTS', np.full(n, 'A')),
                           DATA_MODE=('N_POINTS', np.full(n, 'R')), POSITION_QC=ones, TIME_QC=ones, PRES=('N_POINTS', f(p), dict(units='decibar')),
                           PRES_QC=ones, TEMP=('N_POINTS', f(t), dict(units='degree_Celsius')), TEMP_QC=ones,
                           PSAL=('N_POINTS', np.full(n, 35.), dict(units='psu')), PSAL_QC=ones),
                      coords=dict(N_POINTS=np.arange(n), LATITUDE=('N_POINTS', f(lat)), LONGITUDE=('N_POINTS', f(lon)),
                                  TIME=('N_POINTS', np.broadcast_to(e.JULD.values[:, None], z.shape)[there])), attrs=dict(DATA_ID='ARGO'))

@pytest.fixture(scope='module')
def predict_inputs(tmp_path_factory):
    "A 1-epoch diffusion checkpoint (2° grid), the OSTIA and EN4 samples of January and February 2020, and the EN4 profiles as argopy points."
    made = tiny_predict_run(tmp_path_factory.mktemp('argo_predict'))
    points = en4_as_argopy(made['en4'])
    points.to_netcdf(made['dir'] / 'argo_points.nc')
    return dict(made, points=points, argo=str(made['dir'] / 'argo_points.nc'))

def test_predict_with_argopy(tmp_path, predict_inputs):
    "argopy's Dataset in memory (predict_files) and its saved file (depthdif-predict --obs_path) give the observations the EN4 file gives."
    from depthdif.inference import predict_files
    i = predict_inputs
    kw = dict(lat=(-30, 30), lon=(-60, 20), time=('2020-01', '2020-02'), n_samples=2, steps=2, device='cpu')
    by_en4 = predict_files(i['checkpoint'], i['sst'], i['en4'], **kw)
    in_memory = predict_files(i['checkpoint'], i['sst'], i['points'], **kw)
    seen, got = by_en4.obs.notnull().values, in_memory.obs.notnull().values
    # EN4 stores depths to 0.1 m: a level exactly 5 m under a target (top_gap) or two exactly max_gap apart flips on gsw's
    # cm-scale depth -> pressure -> depth round trip; at most a cell or two of the ~50 may differ, every shared cell agrees
    assert seen.sum() > 40 and (got != seen).sum() <= 2, ((got != seen).sum(), seen.sum())
    both = seen & got
    np.testing.assert_allclose(in_memory.obs.values[both], by_en4.obs.values[both], atol=2e-3)
    assert in_memory.attrs['obs_input'].startswith('memory:')
    out = tmp_path / 'cli.nc'
    script = tool('depthdif-predict')
    cmd = [script] if script else [sys.executable, '-c', 'from depthdif.inference import predict_cli; predict_cli()']
    run([*cmd, i['checkpoint'], i['sst'], '--obs_path', i['argo'], '--lat=-30,30', '--lon=-60,20', '--time', '2020-01,2020-02',
         '--n_samples', '2', '--steps', '2', '--device', 'cpu', '--out', str(out)], cwd=tmp_path)
    with xr.open_dataset(out) as cli:                              # the saved file reads as the Dataset it was saved from
        np.testing.assert_allclose(cli.obs.values, in_memory.obs.values, atol=1e-6)
        assert cli.obs_input == i['argo']

BOX = dict(lat=(25., 36.5), lon=(-50., -36.), time=('2003-01', '2004-12'))
TINY = dict(epochs=1, max_patches=32, channels=(16, 32), eval_samples=2, eval_steps=2, val_steps=2, threads=1, dataset='twin', **BOX)

def test_train_with_argopy(tmp_path):
    "train.ipynb -p obs_path with an argopy file, and fit(TrainConfig(obs_path=<argopy Dataset>)): the twin's profiles, so the same withheld points."
    from depthdif.twin import twin_profiles_path
    from depthdif.train import TrainConfig, fit, test_scores
    with xr.open_dataset(twin_profiles_path()) as t:
        keep = ((t.LATITUDE >= 24) & (t.LATITUDE <= 37.5) & (t.LONGITUDE % 360 >= 309) & (t.LONGITUDE % 360 <= 325)).values
    points = en4_as_argopy(twin_profiles_path(), keep)
    points.to_netcdf(tmp_path / 'argo_twin.nc')
    out = tmp_path / 'by_file'
    run([tool('papermill'), str(ROOT / 'nbs/train.ipynb'), str(tmp_path / 'train.ipynb'), '-p', 'obs_path', str(tmp_path / 'argo_twin.nc'),
         '-p', 'out_dir', str(out), '-p', 'epochs', '1', '-p', 'max_patches', '32', '-y', 'channels: [16, 32]', '-p', 'eval_samples', '2',
         '-p', 'eval_steps', '2', '-p', 'val_steps', '2', '-p', 'threads', '1', '-p', 'dataset', 'twin',
         '-y', 'lat: [25, 36.5]', '-y', 'lon: [-50, -36]', '-y', 'time: [2003-01, 2004-12]'], cwd=tmp_path)
    assert json.loads((out / 'config.json').read_text())['obs_path'] == str(tmp_path / 'argo_twin.nc')
    by_file = json.loads((out / 'test_metrics_profiles.json').read_text())
    api = fit(TrainConfig(obs_path=points, out_dir=str(tmp_path / 'in_memory'), **TINY), progress=False)
    config = json.loads((api / 'config.json').read_text())
    assert config['obs_path'].startswith('memory:'), config['obs_path']
    test_scores(api, 'cpu', progress=False, split='test_profiles')   # reads config.json: its memory: name finds the Dataset of this session
    in_memory = json.loads((api / 'test_metrics_profiles.json').read_text())
    n = by_file['diffusion']['hidden']['n']
    assert n > 0 and in_memory['diffusion']['hidden']['n'] == n, (n, in_memory['diffusion']['hidden'])
