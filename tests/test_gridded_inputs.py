"""Gridded inputs as users have them (issue #32, #35, #33): curvilinear NEMO output, model calendars, days repeated across files, damaged built-in
assets, float32 coordinates, inputs thinner than the region in some months, in training and at inference alike, and the water column's salinity
(GLORYS `so`, CF practical and absolute salinity)."""
import shutil, warnings
import netCDF4
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from depthdif import sources, twin
from depthdif.sources import load_sources, open_reanalysis, open_salinity, open_surface_field, write_en4, write_sample_sea_level, write_sample_sources
from depthdif.inference import inference_grid, predict_files, read_sst

NY, NX = 24, 30

def nemo_grid():
    "A rotated, stretched ORCA-like patch: nav_lat 10..60° N, nav_lon about -40..0°, both varying along y and x."
    j, i = np.meshgrid(np.arange(NY), np.arange(NX), indexing='ij')
    lat = 10 + 50 * j / (NY - 1) + 1.5 * i / (NX - 1)
    lon = -40 + 40 * i / (NX - 1) - 3 * j / (NY - 1)
    return lat.astype('f4'), lon.astype('f4')

def truth(lat, lon, month=0): return 28 - 0.4 * (lat - 10) + 0.05 * lon + month   # a linear field: linear interpolation gives it exactly

def write_nemo(path, # the file to write
               surface=True, # tos (time_counter, y, x), else thetao (time_counter, deptht, y, x)
               coordinates_attr=True, # name nav_lat nav_lon in the variable's `coordinates` (XIOS does); False: plain variables
               months=(1, 2)):
    """A NEMO/XIOS output file as NEMO's manual lays it out: dimensions time_counter (unlimited), deptht, y, x; 2-D nav_lat/nav_lon;
    time_counter in seconds since 1900-01-01 with time_centered beside it; variables on (time_counter[, deptht], y, x)."""
    lat, lon = nemo_grid()
    depth = np.array([0.5, 10., 50., 100., 200., 500.], 'f4')
    secs = [(pd.Timestamp(f'2020-{m:02d}-16') - pd.Timestamp('1900-01-01')).total_seconds() for m in months]
    with netCDF4.Dataset(path, 'w') as nc:
        nc.createDimension('time_counter', None); nc.createDimension('deptht', len(depth)); nc.createDimension('y', NY); nc.createDimension('x', NX)
        for name, data, attrs in (('nav_lat', lat, dict(standard_name='latitude', long_name='Latitude', units='degrees_north')),
                                  ('nav_lon', lon, dict(standard_name='longitude', long_name='Longitude', units='degrees_east'))):
            v = nc.createVariable(name, 'f4', ('y', 'x')); v.setncatts(attrs); v[:] = data
        v = nc.createVariable('deptht', 'f4', ('deptht',)); v.setncatts(dict(long_name='Vertical T levels', units='m', positive='down')); v[:] = depth
        for name in ('time_counter', 'time_centered'):
            v = nc.createVariable(name, 'f8', ('time_counter',))
            v.setncatts(dict(standard_name='time', units='seconds since 1900-01-01 00:00:00', calendar='gregorian')); v[:] = secs
        coords = dict(coordinates='time_centered nav_lat nav_lon') if coordinates_attr else {}
        field = np.stack([truth(lat, lon, k) for k in range(len(months))])
        if surface:
            v = nc.createVariable('tos', 'f4', ('time_counter', 'y', 'x'), fill_value=np.float32(1e20))
            v.setncatts(dict(standard_name='sea_surface_temperature', long_name='sea surface temperature', units='degC', **coords)); v[:] = field
        else:
            v = nc.createVariable('thetao', 'f4', ('time_counter', 'deptht', 'y', 'x'), fill_value=np.float32(1e20))
            v.setncatts(dict(standard_name='sea_water_potential_temperature', units='degC', **coords))
            v[:] = field[:, None] - 0.01 * depth[None, :, None, None]
    return path

@pytest.mark.parametrize('coordinates_attr', [True, False])
def test_curvilinear_sst_lands_where_it_is(tmp_path, coordinates_attr):
    "A NEMO SST is interpolated onto a regular grid covering its own 10..61° N, never read as lat 0..23 from its array indices."
    fn = write_nemo(tmp_path / 'ORCA_1m_grid_T.nc', coordinates_attr=coordinates_attr)
    with pytest.warns(UserWarning, match='curvilinear grid'): sst = open_surface_field(fn, 'sst')
    assert 9.9 < float(sst.lat.min()) and float(sst.lat.max()) < 61.6, sst.lat.values
    assert -43.1 < float(sst.lon.min()) and float(sst.lon.max()) < 0.1, sst.lon.values
    lat2, lon2 = np.meshgrid(sst.lat.values, sst.lon.values, indexing='ij')
    for k in range(2):
        got = sst.isel(time=k).values
        ok = np.isfinite(got)
        assert ok.mean() > 0.5                                                    # the grid's inside; outside its slanted edges NaN
        np.testing.assert_allclose(got[ok], truth(lat2, lon2, k)[ok], atol=2e-4)   # each value at its own place
    with pytest.warns(UserWarning, match='curvilinear grid'): on_model = read_sst(fn, dict(lat_step=2., lon_step=2.), lat=(20, 50), lon=(-30, -10))
    np.testing.assert_allclose(on_model.lat.values, np.arange(21., 50., 2.))
    lat2, lon2 = np.meshgrid(on_model.lat.values, on_model.lon.values, indexing='ij')
    np.testing.assert_allclose(on_model.isel(time=0).values, truth(lat2, lon2), atol=0.05)   # bilinear on the 2° cells of a linear field

def test_curvilinear_reanalysis_pairs_with_its_sst(tmp_path):
    "NEMO thetao and tos of the same grid: one regular grid, each value where the model put it."
    th, so = write_nemo(tmp_path / 'grid_T_3D.nc', surface=False), write_nemo(tmp_path / 'grid_T_2D.nc')
    with pytest.warns(UserWarning, match='curvilinear grid'): ds = load_sources(th, so)
    assert 9.9 < float(ds.lat.min()) and float(ds.lat.max()) < 61.6
    lat2, lon2 = np.meshgrid(ds.lat.values, ds.lon.values, indexing='ij')
    surf = ds.thetao.isel(time=1, depth=0).values
    ok = np.isfinite(surf)
    np.testing.assert_allclose(surf[ok], (truth(lat2, lon2, 1) - 0.005)[ok], atol=2e-4)
    np.testing.assert_allclose(ds.sst.isel(time=1).values[ok], truth(lat2, lon2, 1)[ok], atol=2e-4)

def test_index_only_horizontal_dims_refused(tmp_path):
    "A field on y, x without any coordinate values is refused naming the dimension, the variable and the file."
    fn = tmp_path / 'no_coords.nc'
    xr.Dataset(dict(tos=(('time', 'y', 'x'), np.full((1, 4, 5), 15., 'f4'), dict(units='degC'))),
               coords=dict(time=[np.datetime64('2020-01-16', 'ns')])).to_netcdf(fn)
    with pytest.raises(ValueError, match=r"dimension 'y' of variable 'tos' in .*no_coords.nc.* has no coordinate values"): open_surface_field(fn, 'sst')

def write_360_day(path, days):
    "An SST on the 360-day calendar (days = [(year, month, day)]), written by xarray/netCDF4 with calendar='360_day'."
    import cftime
    t = [cftime.Datetime360Day(*d, 12) for d in days]
    ds = xr.Dataset(dict(tos=(('time', 'lat', 'lon'), np.full((len(t), 3, 4), 15., 'f4') + np.arange(len(t))[:, None, None],
                              dict(units='degC', standard_name='sea_surface_temperature'))),
                    coords=dict(time=t, lat=np.arange(3.) + .5, lon=np.arange(4.) + .5))
    ds.to_netcdf(path, encoding=dict(time=dict(units='days since 2000-01-01', calendar='360_day')))
    with netCDF4.Dataset(path) as nc: assert nc['time'].calendar == '360_day'
    return path

def test_360_day_monthly_sst_dated_mid_month(tmp_path):
    "Monthly fields of a 360-day model calendar become the mid-month (15th 12:00) of their month, values unchanged."
    fn = write_360_day(tmp_path / 'tos_Omon_360.nc', [(2020, m, 16) for m in (1, 2, 12)])
    sst = open_surface_field(fn, 'sst')
    np.testing.assert_array_equal(sst.time.values, np.array(['2020-01-15T12', '2020-02-15T12', '2020-12-15T12'], 'datetime64[ns]'))
    np.testing.assert_allclose(sst.values[:, 0, 0], [15., 16., 17.])

def test_360_day_daily_sst_keeps_dates_drops_30_february(tmp_path):
    "Daily fields of a 360-day calendar keep their dates; 30 February, which the standard calendar lacks, is dropped with a warning naming it."
    fn = write_360_day(tmp_path / 'tos_Oday_360.nc', [(2021, 2, d) for d in (14, 15, 30)])
    with pytest.warns(UserWarning, match=r"2021-02-30.*dropped"): sst = open_surface_field(fn, 'sst', daily='monthly_mean')
    np.testing.assert_allclose(sst.values[0, 0, 0], 15.5)    # the 14th and 15th
    assert read_sst(fn, None, daily='mid_month').time.values[0] == np.datetime64('2021-02-15T12', 'ns')

def test_truncated_default_asset_named(tmp_path, monkeypatch):
    "A damaged embedded default names the file and how to restore it, not 'NetCDF: HDF error'."
    bad = tmp_path / sources.DEFAULT_FILE
    data = sources.default_path().read_bytes()
    bad.write_bytes(data[:len(data) // 2])
    monkeypatch.setattr(sources, 'default_path', lambda: bad)
    with pytest.raises(OSError, match=rf"embedded default {bad} is damaged.*reinstall depthdif.*depthdif-build-default"): sources.load_default()

def test_truncated_twin_asset_named(tmp_path, monkeypatch):
    bad = tmp_path / twin.TWIN_FILE
    data = twin.twin_path().read_bytes()
    bad.write_bytes(data[:len(data) // 3])
    monkeypatch.setattr(twin, 'twin_path', lambda: bad)
    with pytest.raises(OSError, match=rf"twin ocean {bad} is damaged.*reinstall depthdif.*depthdif-build-twin"): twin.load_twin()

def write_daily(path, days, offset=0.):
    xr.Dataset(dict(analysed_sst=(('time', 'lat', 'lon'), np.full((len(days), 3, 4), 288. + offset, 'f4'), dict(units='kelvin'))),
               coords=dict(time=np.array([f'2020-01-{d:02d}T12' for d in days], 'datetime64[ns]'), lat=np.arange(3.) + .5, lon=np.arange(4.) + .5)).to_netcdf(path)
    return path

@pytest.mark.parametrize('second', [(15,), (16, 17)])   # out of order (xarray refuses to combine) and in order (xarray keeps the day twice)
def test_days_repeated_across_files_named(tmp_path, second):
    a, b = write_daily(tmp_path / 'a.nc', (14, 15, 16)), write_daily(tmp_path / 'b.nc', second, 1.)
    day = f"2020-01-{second[0]} 12:00:00"
    with pytest.raises(ValueError, match=rf"the SST files repeat 1 time step\(s\): {day} in {a} and {b}"): open_surface_field(str(tmp_path / '*.nc'), 'sst')

def test_float32_extent_keeps_its_edge_row():
    "OSTIA's float32 centres (edges 34.00000191..41.99999809) give the 8 one-degree rows they span, not 7."
    lat = np.arange(34.025, 42, 0.05).astype('f4')
    lon = np.arange(-9.975, -2, 0.05).astype('f4')
    sst = xr.DataArray(np.zeros((1, len(lat), len(lon)), 'f4'), dict(time=[np.datetime64('2020-01-15', 'ns')], lat=lat, lon=lon), ('time', 'lat', 'lon'))
    assert abs(float(lat[0]) - 0.025 - 34.00000191) < 1e-6 and abs(float(lat[-1]) + 0.025 - 41.99999809) < 1e-6
    g_lat, g_lon = inference_grid(sst, dict(lat_step=1., lon_step=1.))
    np.testing.assert_allclose(g_lat, np.arange(34.5, 42, 1.), atol=1e-5)
    np.testing.assert_allclose(g_lon, np.arange(-9.5, -2, 1.), atol=1e-5)

class Reached(Exception): "Raised in place of `predict`: the inputs were read and checked, no sampling done."

def stop(*a, **k): raise Reached

@pytest.fixture(scope='module')
def sample(tmp_path_factory):
    d = tmp_path_factory.mktemp('gridded')
    return d, write_sample_sources(d / 'sources')

def test_training_month_without_profiles_warned(sample, tmp_path):
    "A month whose profiles all lie outside the region is named, with how many months hold none, when training builds its datasets."
    from depthdif.train import TrainConfig, datasets_for
    d, src = sample
    rng = np.random.default_rng(0)
    n = 30
    lat, lon = np.where(np.arange(n) < 20, rng.uniform(-25, 25, n), rng.uniform(40, 50, n)), rng.uniform(-55, 15, n)
    time = np.where(np.arange(n) < 20, np.datetime64('2020-01-10', 'ns'), np.datetime64('2020-02-10', 'ns'))   # February's all at 40..50° N
    z = np.tile(np.linspace(5, 600, 60), (n, 1))
    obs = write_en4(tmp_path / 'profiles.nc', 20 - 0.02 * z, z, lat, lon, time)
    cfg = TrainConfig(thetao_path=str(d / 'sources/glorys_*.nc'), sst_path=str(d / 'sources/*OSTIA*.nc'), obs_path=str(obs),
                      lat=(-30, 30), lon=(-60, 20), patch_size=8, patch_stride=4, block=8, out_dir=str(tmp_path / 'run')).validate()
    with pytest.warns(UserWarning, match=r"month\(s\) 2020-02 of the data .* hold no observation of .*profiles.nc \(1 of 2 months\)"):
        datasets_for(cfg, index=None)

def test_prediction_sea_level_on_half_the_region_warned(sample, monkeypatch):
    "At inference a sea-level file covering half the SST's ocean is warned about by the rule training applies, before any sampling."
    from depthdif import inference
    d, src = sample
    half = write_sample_sea_level(d / 'half_sea_level.nc', dict(lat=np.arange(-29.875, 0, 0.25), lon=np.arange(-59.875, 20, 0.25)),
                                  np.array(['2020-01-15', '2020-02-15'], 'datetime64[ns]'))
    ck = dict(config=dict(surface='sst,adt', timesteps=100), grid=dict(lat_step=2., lon_step=2.), depths=[10., 100.], epoch=1)
    monkeypatch.setattr(inference, 'predict', stop)
    with pytest.warns(UserWarning, match=rf"the ADT input {half} covers only 5\d% of the ocean points of the SST input"), pytest.raises(Reached):
        predict_files(ck, src['ostia'], lat=(-30, 30), lon=(-60, 20), sea_level_path=half, device='cpu')
    with warnings.catch_warnings(record=True) as caught, pytest.raises(Reached):    # one covering the region: no word
        warnings.simplefilter('always')
        full = write_sample_sea_level(d / 'sea_level.nc', dict(lat=np.arange(-34.875, 35, 0.25), lon=np.arange(-64.875, 25, 0.25)),
                                      np.array(['2020-01-15', '2020-02-15'], 'datetime64[ns]'))
        predict_files(ck, src['ostia'], lat=(-30, 30), lon=(-60, 20), sea_level_path=full, device='cpu')
    assert not [w for w in caught if 'covers only' in str(w.message)], [str(w.message) for w in caught]

def test_prediction_month_without_profiles_warned(sample, monkeypatch):
    from depthdif import inference
    d, src = sample
    ck = dict(config=dict(surface='sst', timesteps=100), grid=dict(lat_step=2., lon_step=2.), depths=[10., 100.], epoch=1)
    monkeypatch.setattr(inference, 'predict', stop)
    z = np.tile(np.linspace(5, 600, 60), (3, 1))
    obs = write_en4(d / 'jan_profiles.nc', 20 - 0.02 * z, z, [0., 5., -5.], [-20., -10., 0.], np.full(3, np.datetime64('2020-01-10', 'ns')))
    with pytest.warns(UserWarning, match=r"month\(s\) 2020-02 of the SST input .* hold no observation"), pytest.raises(Reached):
        predict_files(ck, src['ostia'], obs, lat=(-30, 30), lon=(-60, 20), device='cpu')

def write_grid(path, times, lat, lon, dims=('time', 'lat', 'lon'), **extra):
    shape = [dict(time=len(times), lat=len(lat), lon=len(lon), **{k: len(v) for k, v in extra.items()})[d] for d in dims]
    xr.Dataset(dict(tos=(dims, np.full(shape, 15., 'f4'), dict(units='degC', standard_name='sea_surface_temperature'))),
               coords=dict(time=np.asarray(times, 'datetime64[ns]'), lat=lat, lon=lon, **extra)).to_netcdf(path)
    return path

T2 = ['2020-01-15T12', '2020-02-15T12']

def test_files_on_different_grids_refused_tiles_combined(tmp_path):
    "January on one grid, February on a shifted one would leave half of each month empty: refused naming both; tiles of one grid with the same months combine."
    a = write_grid(tmp_path / 'jan.nc', T2[:1], np.arange(4.) + .5, np.arange(5.) + .5)
    b = write_grid(tmp_path / 'feb.nc', T2[1:], np.arange(4.) + 10.5, np.arange(5.) + .5)
    with pytest.raises(ValueError, match=rf"the SST files are on different grids at different times: {a} on lat 0.5..3.5 \(4\).* {b} on lat 10.5..13.5"):
        open_surface_field([a, b], 'sst')
    west, east = write_grid(tmp_path / 'west.nc', T2, np.arange(4.) + .5, np.arange(5.) + .5), write_grid(tmp_path / 'east.nc', T2, np.arange(4.) + .5, np.arange(5.) + 5.5)
    both = open_surface_field([west, east], 'sst')
    assert both.shape == (2, 4, 10) and bool(both.notnull().all())

def test_extra_dimensions_dropped_or_named(tmp_path):
    "The one level of a surface field is dropped; three ensemble members are refused by name, not a raw transpose error."
    one_level = write_grid(tmp_path / 'sst_level.nc', T2, np.arange(4.) + .5, np.arange(5.) + .5, dims=('time', 'depth', 'lat', 'lon'), depth=[0.5])
    assert open_surface_field(one_level, 'sst').dims == ('time', 'lat', 'lon')
    members = write_grid(tmp_path / 'sst_members.nc', T2, np.arange(4.) + .5, np.arange(5.) + .5, dims=('member', 'time', 'lat', 'lon'), member=[0, 1, 2])
    with pytest.raises(ValueError, match=rf"variable 'tos' in {members} \(the SST input\) has the dimension\(s\) 'member' \(3\)"):
        open_surface_field(members, 'sst')

def test_time_axis_without_dates_named(tmp_path):
    fn = tmp_path / 'steps.nc'
    xr.Dataset(dict(tos=(('time', 'lat', 'lon'), np.full((2, 3, 4), 15., 'f4'), dict(units='degC'))),
               coords=dict(time=[1., 2.], lat=np.arange(3.), lon=np.arange(4.))).to_netcdf(fn)
    with pytest.raises(ValueError, match=rf"the time axis of variable 'tos' in {fn} \(the SST input\) holds float64 values, not dates"):
        open_surface_field(fn, 'sst')

# ------------------------------------------------------------------------------------------------ salinity of the water column (issue #33)
G_LAT, G_LON, G_DEPTH = np.array([-1., -0.5, 0., 0.5]), np.array([-30., -29.5, -29., -28.5, -28.]), np.array([0.494, 47.37, 541.1, 1684.])

def salinity_truth():
    "(1, depth, lat, lon) a plausible practical salinity: fresher at the surface, saltier to the east; one land column (NaN) at the north-west corner."
    s = 34.6 + 0.4 * np.tanh(G_DEPTH / 300.)[:, None, None] + 0.05 * (G_LON - G_LON[0])[None, None, :] + 0.0 * G_LAT[None, :, None]
    s = s[None].copy(); s[..., -1, 0] = np.nan
    return s

def write_glorys(path, so=None, so_attrs=None, so_var='so', packed=True):
    """A GLORYS12V1 monthly mean file as the CMEMS product user manual (GLOBAL_MULTIYEAR_PHY_001_030) lays it out: dimensions time,
    depth, latitude, longitude; `thetao` and `so` as int16 with scale_factor/add_offset and _FillValue -32767 (packed=True, the
    archive's NetCDF), or float32 (the ARCO/subset files); `so` units 1e-3, standard_name sea_water_salinity."""
    s = salinity_truth() if so is None else so
    t = 20. - 0.01 * G_DEPTH[None, :, None, None] + 0 * s
    with netCDF4.Dataset(path, 'w') as nc:
        for d, n in dict(time=None, depth=len(G_DEPTH), latitude=len(G_LAT), longitude=len(G_LON)).items(): nc.createDimension(d, n)
        for name, vals, attrs in (('time', [613596.], dict(units='hours since 1950-01-01', standard_name='time', calendar='gregorian', axis='T')),
                                  ('depth', G_DEPTH, dict(units='m', standard_name='depth', positive='down', axis='Z')),
                                  ('latitude', G_LAT, dict(units='degrees_north', standard_name='latitude', axis='Y')),
                                  ('longitude', G_LON, dict(units='degrees_east', standard_name='longitude', axis='X'))):
            v = nc.createVariable(name, 'f8' if name == 'time' else 'f4', (name,)); v.setncatts(attrs); v[:] = vals
        dims = ('time', 'depth', 'latitude', 'longitude')
        for name, vals, attrs, (scale, offset) in (
                ('thetao', t, dict(units='degrees_C', standard_name='sea_water_potential_temperature', long_name='Temperature'), (0.000732444226741791, 21.)),
                (so_var, s, {**dict(units='1e-3', standard_name='sea_water_salinity', long_name='Salinity', unit_long='Practical Salinity Unit'), **(so_attrs or {})},
                 (0.00152590218931437, -0.00152590218931437))):
            v = nc.createVariable(name, 'i2' if packed else 'f4', dims, fill_value=np.int16(-32767) if packed else np.float32(np.nan))
            if packed: v.setncatts(dict(scale_factor=scale, add_offset=offset))
            v.setncatts({k: a for k, a in attrs.items() if a is not None}); v[:] = np.ma.masked_invalid(vals)
    return path

@pytest.mark.parametrize('packed', [True, False])
def test_glorys_so_beside_thetao(tmp_path, packed):
    "GLORYS `so` read by `open_salinity` on exactly the coordinates `open_reanalysis` gives `thetao` (land where it is), to the packing's precision."
    fn = write_glorys(tmp_path / 'mercatorglorys12v1_gl12_mean_202001.nc', packed=packed)
    so, th = open_salinity(fn).so, open_reanalysis(fn).thetao
    assert so.dims == th.dims == ('time', 'depth', 'lat', 'lon') and so.attrs['units'] == '1e-3'
    for c in ('time', 'depth', 'lat', 'lon'): np.testing.assert_array_equal(so[c].values, th[c].values)
    np.testing.assert_allclose(so.values, salinity_truth(), atol=1e-3 if packed else 1e-5)
    np.testing.assert_array_equal(so.isnull().values, th.isnull().values)

def test_cf_practical_and_absolute_salinity(tmp_path):
    "Any CF salinity: sea_water_practical_salinity (PSS-78) as it is; sea_water_absolute_salinity (g kg-1) converted by TEOS-10 at the depth's pressure, lazily."
    import gsw
    s = salinity_truth()
    practical = open_salinity(write_glorys(tmp_path / 'sp.nc', s, dict(standard_name='sea_water_practical_salinity', units='PSS-78'), 'salinity', False)).so
    np.testing.assert_allclose(practical.values, s, atol=1e-5)
    p = gsw.p_from_z(-G_DEPTH[:, None, None], G_LAT[None, :, None]) * np.ones((1, 1, len(G_LON)))
    sa = gsw.SA_from_SP(s, p[None], G_LON, G_LAT[:, None])                       # what a TEOS-10 model writes
    assert np.nanmin(sa - s) > 0.15                                               # read as practical it would be 0.16..0.17 too salty
    fn = write_glorys(tmp_path / 'sa.nc', sa, dict(standard_name='sea_water_absolute_salinity', units='g kg-1', long_name='Absolute Salinity'), 'SA', False)
    absolute = open_salinity(fn).so
    assert absolute.chunks is not None and absolute.attrs['standard_name'] == 'sea_water_practical_salinity'
    np.testing.assert_allclose(absolute.values, s, atol=1e-5)

@pytest.mark.parametrize('case, so, attrs, why', [
    ('psu_x1000', salinity_truth() * 1000, dict(), 'psu×1000'),
    ('beyond', salinity_truth() + 12, dict(), "outside sea water's salinity 0..45"),
    ('fraction', salinity_truth() / 1000, dict(), 'mass fraction'),
    ('all_nan', salinity_truth() * np.nan, dict(), 'holds no finite value'),
    ('celsius', salinity_truth(), dict(units='degC'), "unknown salinity units 'degC'")])
def test_implausible_salinity_field_refused_by_name(tmp_path, case, so, attrs, why):
    "A salinity field that cannot be sea water is refused naming the file, its variable and the input, before any work."
    fn = write_glorys(tmp_path / f'{case}.nc', so, attrs, packed=False)
    with pytest.raises(ValueError) as e: open_salinity(fn)
    assert f"variable 'so' in {fn} (the so input)" in str(e.value) and why in str(e.value), str(e.value)

def test_temperature_and_salinity_not_confused(tmp_path):
    "A temperature file given as salinity, or a salinity variable asked of open_reanalysis, is refused by name, not read as the other."
    fn = write_glorys(tmp_path / 'glorys.nc', packed=False)
    t_only = tmp_path / 't_only.nc'; xr.open_dataset(fn)[['thetao']].to_netcdf(t_only)
    with pytest.raises(ValueError, match=rf"no variable 'so'.* in {t_only} \(the so input\); found: \['thetao'\]"): open_salinity(t_only)
    with pytest.raises(ValueError, match="variable 'thetao' .* is sea_water_potential_temperature, not sea water salinity"): open_salinity(fn, var='thetao')
    with pytest.raises(ValueError, match="variable 'so' .* is sea_water_salinity, not sea water potential temperature"): open_reanalysis(fn, var='so')
