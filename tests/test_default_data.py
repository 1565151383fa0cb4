"The embedded default: offline, compact, rebuilt byte for byte from the Debian source, real values."
import hashlib
import numpy as np
import pytest
from depthdif import data

FERRET = data.FERRET_DIR / 'ocean_atlas_subset.nc'
needs_ferret = pytest.mark.skipif(not FERRET.exists(), reason='Debian package ferret-datasets not installed')

def test_shipped_file_is_compact():
    assert data.default_path().exists()
    assert data.default_path().stat().st_size < 8e6

def test_load_default_without_source(monkeypatch):
    "load_default needs neither the network nor the Debian files."
    monkeypatch.setattr(data, 'FERRET_DIR', data.Path('/nonexistent'))
    ds = data.load_default()
    assert ds.thetao.dims == ('time', 'depth', 'lat', 'lon') and ds.sst.dims == ('time', 'lat', 'lon')
    assert ds.thetao.attrs['units'] == ds.sst.attrs['units'] == 'degC'
    assert 'long_name' in ds.thetao.attrs and 'long_name' in ds.sst.attrs

@needs_ferret
def test_rebuild_is_byte_identical(tmp_path):
    out = data.build_default(out_path=tmp_path / 'rebuilt.nc')
    sha = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()
    assert sha(out) == sha(data.default_path()), "the shipped default differs from a fresh build: run depthdif-build-default"

@needs_ferret
def test_values_match_source_at_sampled_points():
    import xarray as xr
    ds = data.load_default()
    with xr.open_dataset(FERRET, decode_times=False) as woa:
        temp = woa.TEMP.load()
    rng = np.random.default_rng(1)
    ok = np.argwhere(np.isfinite(temp.values))
    for t, k, i, j in ok[rng.choice(len(ok), 500)]:
        lon = float(temp.XAX_SUBSET[j]); lon = (lon + 180) % 360 - 180
        got = float(ds.thetao.isel(time=t, depth=k).sel(lat=float(temp.YAX_SUBSET[i]), lon=lon))
        assert abs(got - float(temp.values[t, k, i, j])) < 6e-4
    # land in the source is NaN in the default
    t, k, i, j = np.argwhere(~np.isfinite(temp.values))[0]
    lon = (float(temp.XAX_SUBSET[j]) + 180) % 360 - 180
    assert np.isnan(float(ds.thetao.isel(time=t, depth=k).sel(lat=float(temp.YAX_SUBSET[i]), lon=lon)))

@needs_ferret
def test_sst_keeps_coads_values():
    import xarray as xr
    raw = xr.open_dataset(data.default_path())
    with xr.open_dataset(data.FERRET_DIR / 'coads_climatology.cdf', decode_times=False) as c:
        sst = c.SST.load()
    a = raw.sst.values  # (time, lat_sst, lon_sst), longitudes rolled to [-180, 180)
    b = sst.roll(COADSX=-int((sst.COADSX >= 180).argmax()), roll_coords=True).values
    fin = np.isfinite(b)
    assert np.array_equal(np.isfinite(a), fin)
    assert np.abs(a[fin] - b[fin]).max() < 6e-4
