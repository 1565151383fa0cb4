"""Salinity beside temperature (#33 §2): a tiny T+S run through train.ipynb (papermill -p variables thetao,so), its skill table per
variable and depth, predict writing so_mean/so_std, refusals of a bad `variables` and of input without salinity; the embedded
default's thetao and sst as before it carried salinity."""
import hashlib, json
import numpy as np
import pytest
import xarray as xr
from conftest import ROOT, run, tool

TINY = ['-p', 'epochs', '1', '-p', 'max_patches', '16', '-y', 'channels: [16, 32]', '-p', 'eval_samples', '2', '-p', 'eval_steps', '2',
        '-p', 'emb_dim', '32', '-p', 'val_steps', '2', '-p', 'eval_patches', '16', '-p', 'threads', '1']

# sha256 of the packed thetao and sst of depthdif/assets/woa_coads_default.nc, and its coordinates, before it carried `so` (main 8c44b02)
THETAO_SST_DIGEST = 'b8eb878188c4744c598a8ce071a12276c7d54e0ad6eb38a60374ba790fa2c016'

def packed_digest(path) -> str:
    with xr.open_dataset(path, mask_and_scale=False, decode_times=False) as ds:
        h = hashlib.sha256()
        for v in ('thetao', 'sst'): h.update(np.ascontiguousarray(ds[v].values).tobytes())
        for c in ('time', 'depth', 'lat', 'lon', 'lat_sst', 'lon_sst'): h.update(np.ascontiguousarray(ds[c].values).tobytes())
        return h.hexdigest()

def test_default_keeps_thetao_and_sst():
    "The embedded default gains salinity and keeps its temperature and SST bit for bit, and stays small."
    from depthdif.sources import default_path, load_default
    assert packed_digest(default_path()) == THETAO_SST_DIGEST
    assert default_path().stat().st_size < 6.5 * 2 ** 20
    ds = load_default()
    assert ds.so.dims == ds.thetao.dims and ds.so.attrs['standard_name'] == 'sea_water_practical_salinity' and ds.so.attrs['units'] == '1e-3'
    assert (ds.so.notnull() == ds.thetao.notnull()).all()                  # salinity wherever the temperature is: no gap, no land value
    assert 30 < float(ds.so.sel(depth=500).mean()) < 36 and float(ds.so.min()) > 2 and float(ds.so.max()) < 42

def test_build_default_reproduces_the_asset(tmp_path):
    "depthdif-build-default from ferret-datasets writes today's asset: thetao and sst as before, so as shipped."
    from depthdif.sources import FERRET_DIR, build_default, default_path
    if not (FERRET_DIR / 'levitus_climatology.cdf').exists(): pytest.skip(f'ferret-datasets is not installed ({FERRET_DIR})')
    new = build_default(out_path=tmp_path / 'default.nc')
    assert packed_digest(new) == THETAO_SST_DIGEST
    with xr.open_dataset(new, mask_and_scale=False) as a, xr.open_dataset(default_path(), mask_and_scale=False) as b:
        assert np.array_equal(a.so.values, b.so.values)

@pytest.mark.parametrize('variables, match', [(('so',), 'thetao first'), (('thetao', 'salt'), 'thetao first'), (('thetao', 'so', 'so'), 'once each'),
                                              ((), 'thetao first'), ((1,), 'must be a list of texts')])
def test_bad_variables_refused(variables, match):
    from depthdif.train import TrainConfig
    with pytest.raises(ValueError, match=f"parameter variables=.*{match}"): TrainConfig(variables=variables).validate()

def test_variables_parse_and_default():
    from depthdif.train import TrainConfig, cli_config
    assert TrainConfig().variables == ('thetao',) and TrainConfig.from_dict({}).variables == ('thetao',)   # an older config: temperature alone
    assert cli_config(['--variables', 'thetao,so'])[0].variables == ('thetao', 'so')
    with pytest.raises(ValueError, match="parameter variables=.*the built-in 'twin' has thetao"): TrainConfig(dataset='twin', variables=('thetao', 'so')).validate()

@pytest.fixture(scope='module')
def ts_run(tmp_path_factory):
    "A tiny T+S run on the default, trained and scored through train.ipynb with papermill."
    d = tmp_path_factory.mktemp('ts')
    run([tool('papermill'), str(ROOT / 'nbs/train.ipynb'), str(d / 'out.ipynb'), *TINY, '-p', 'variables', 'thetao,so', '-p', 'out_dir', str(d / 'run')], cwd=d)
    return d / 'run'

def test_ts_run_scores_each_variable(ts_run):
    from depthdif.metrics import skill_table, depth_table
    assert json.loads((ts_run / 'config.json').read_text())['variables'] == ['thetao', 'so']
    norm = json.loads((ts_run / 'norm.json').read_text())
    assert list(norm['column']) == ['so'] and 30 < np.mean(norm['column']['so'][0]) < 37   # its own normaliser entry, per depth
    scores = json.loads((ts_run / 'test_metrics.json').read_text())
    table = skill_table({m: scores[m] for m in ('diffusion', 'unet', 'regression_oi')})
    assert [c for c in table.columns if c.endswith(' m')] == ['10 m', '30 m', '50 m', '100 m', '200 m', '500 m',
                                                              'so 10 m', 'so 30 m', 'so 50 m', 'so 100 m', 'so 200 m', 'so 500 m']
    assert (table['so rmse'] < 3).all() and (table['so 100 m'] < table['100 m']).all()   # salinity in its own units (1e-3), not °C
    assert depth_table(table, variable='so').index.tolist() == [10., 30., 50., 100., 200., 500.]

def test_ts_predict_writes_salinity(ts_run, tmp_path):
    from depthdif.inference import predict, predict_files
    from depthdif.sources import write_sample_sources
    src = write_sample_sources(tmp_path / 'sources')
    ds = predict_files(str(ts_run / 'checkpoints/last.pt'), str(tmp_path / 'sources/2020*OSTIA*.nc'), str(src['en4']), n_samples=2, steps=2,
                       quantities='mixed_layer_depth')
    for v in ('so_mean', 'so_std', 'so_obs', 'thetao_mean', 'thetao_std', 'obs', 'mixed_layer_depth_mean'): assert v in ds, v
    assert ds.mixed_layer_depth_mean.attrs['standard_name'] == 'ocean_mixed_layer_thickness_defined_by_sigma_theta'   # with salinity: by density
    assert ds.so_mean.attrs['standard_name'] == 'sea_water_practical_salinity' and ds.so_mean.attrs['units'] == '1e-3'
    assert ds.so_std.attrs['units'] == '1e-3' and ds.thetao_mean.attrs['units'] == 'degC'
    sea = ds.thetao_mean.notnull()
    assert (ds.so_mean.notnull() == sea).all() and 30 < float(ds.so_mean.mean()) < 38 and float(ds.so_std.where(sea).min()) >= 0
    sst = ds.thetao_mean.isel(depth=0).rename('sst').assign_attrs(units='degC')
    with pytest.raises(ValueError, match=r"obs lacks \['so'\]: the checkpoint reconstructs the variables \['thetao', 'so'\]"):
        predict(str(ts_run / 'checkpoints/last.pt'), sst, ds.obs, n_samples=2, steps=2)
    both = predict(str(ts_run / 'checkpoints/last.pt'), sst, xr.Dataset(dict(thetao=ds.obs, so=ds.so_obs)), n_samples=2, steps=2)
    assert 'so_mean' in both and both.so_mean.shape == both.thetao_mean.shape

def glorys_so(path, so:xr.DataArray, year=2020, months=(1, 2), standard_name='sea_water_salinity', units='1e-3'):
    "A GLORYS-schema salinity file per month (`latitude`, `longitude` 0..360), as write_sample_sources writes its thetao."
    out = []
    for m in months:
        s = so.isel(time=m - 1).expand_dims(time=[np.datetime64(f'{year}-{m:02d}-16T00:00', 'ns')])
        g = s.rename(lat='latitude', lon='longitude').assign_coords(longitude=lambda x: x.longitude % 360)
        g.attrs = dict(units=units, standard_name=standard_name, long_name='Salinity')
        fn = path / f'glorys_so_{year}{m:02d}.nc'
        g.to_dataset(name='so').to_netcdf(fn); out.append(str(fn))
    return out

def test_own_files_with_salinity(tmp_path):
    "GLORYS `so` beside `thetao`: read, paired by month, on the reanalysis's grid; absolute salinity converted (TEOS-10); implausible values refused by name."
    from depthdif.sources import load_default, load_sources, write_sample_sources
    from depthdif.train import TrainConfig, datasets_for
    src = write_sample_sources(tmp_path / 'sources')
    so = load_default().so.sel(lat=slice(-30, 30), lon=slice(-60, 20))
    files = glorys_so(tmp_path / 'sources', so)
    ds = load_sources([str(p) for p in src['reanalysis']], src['ostia'], so_path=files)
    assert ds.so.dims == ds.thetao.dims and np.allclose(ds.so.isel(time=0).values, so.isel(time=0).values, equal_nan=True)
    cfg = TrainConfig(thetao_path=str(tmp_path / 'sources/glorys_2020*.nc'), sst_path=str(tmp_path / 'sources/2020*OSTIA*.nc'), so_path=str(tmp_path / 'sources/glorys_so_*.nc'),
                      variables=('thetao', 'so'), patch_size=8, patch_stride=4, block=16, out_dir=str(tmp_path / 'run')).validate()
    dsets, norm = datasets_for(cfg, index=None)
    assert norm.variables == ('thetao', 'so') and dsets['train'][0]['y'].shape[0] == 2 * len(cfg.depths)
    (tmp_path / 'abs').mkdir(); (tmp_path / 'bad').mkdir()
    absolute = load_sources([str(p) for p in src['reanalysis']], src['ostia'],
                            so_path=glorys_so(tmp_path / 'abs', so, standard_name='sea_water_absolute_salinity', units='g/kg'))
    drop = (ds.so - absolute.so).values[np.isfinite(ds.so.values)]     # TEOS-10: practical salinity about 0.16 below absolute (35.16 g/kg ~ 35)
    assert absolute.so.attrs['standard_name'] == 'sea_water_practical_salinity' and 0.1 < drop.mean() < 0.25
    with pytest.raises(ValueError, match=r"variable 'so' in .*glorys_so"):
        load_sources([str(p) for p in src['reanalysis']], src['ostia'], so_path=glorys_so(tmp_path / 'bad', so * 1000))
    with pytest.raises(ValueError, match='parameter so_path='): TrainConfig(so_path='x.nc').validate()

def test_ts_sample_notebook(ts_run, tmp_path):
    "sample.ipynb scores a T+S checkpoint: salinity's columns in its skill table, temperature's per-depth table as before."
    import pandas as pd
    out = tmp_path / 'sample'
    run([tool('papermill'), str(ROOT / 'nbs/sample.ipynb'), str(tmp_path / 'out.ipynb'), '-p', 'checkpoint', str(ts_run / 'checkpoints/last.pt'),
         '-p', 'n_samples', '2', '-p', 'steps', '2', '-y', 'sweep_steps: [2, 3]', '-p', 'out_dir', str(out)], cwd=tmp_path)
    metrics = json.loads((out / 'metrics.json').read_text())
    assert 'so 100' in metrics['diffusion']['hidden']['per_depth'] and 'so' in metrics['regression_oi']['hidden']['per_variable']
    table = pd.read_csv(out / 'skill_table.csv', index_col=0)
    assert {'100 m', 'so 100 m', 'so rmse'} <= set(table.columns)
    quantities = pd.read_csv(out / 'quantity_table.csv')                # the ocean quantities of T and S (density's mixed layer)
    assert quantities.astype(str).apply(lambda c: c.str.contains('mixed_layer_depth')).any().any()
    assert pd.read_csv(out / 'skill_by_depth.csv', index_col=0).index.tolist() == [10., 30., 50., 100., 200., 500.]
