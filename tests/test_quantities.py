"Ocean quantities (#34) end to end: predict with the shipped default checkpoint writes them into its CF NetCDF; the command line takes them; bad names are refused first."
import subprocess, sys
import numpy as np
import pytest
import xarray as xr
from conftest import ROOT, run

STATS = ('mean', 'std', 'q05', 'q95')

@pytest.fixture(scope='module')
def sst(tmp_path_factory):
    from depthdif.data import write_sample_sources
    d = tmp_path_factory.mktemp('quantities')
    write_sample_sources(d / 'sources')
    return str(d / 'sources' / '2020*OSTIA*.nc')

def test_predict_writes_quantities(sst, tmp_path):
    "builtin:default on one 16 × 16 patch of cells (2°), one month: <q>_mean/_std/_q05/_q95 (time, lat, lon) with CF names, consistent with the members."
    from depthdif.inference import predict_files, write_reconstruction
    from depthdif.quantities import QUANTITIES, compute, summarise
    names = list(QUANTITIES)
    ds = predict_files('builtin:default', sst, lat=(-16, 16), lon=(-40, -8), time=('2020-01', '2020-01'), n_samples=4, steps=5, device='cpu',
                       members=True, quantities=','.join(names), isotherm=20.)
    out = write_reconstruction(ds, tmp_path / 'rec.nc')
    with xr.open_dataset(out) as f:
        for q in names:
            for s in STATS:
                v = f[f'{q}_{s}']
                assert v.dims == ('time', 'lat', 'lon'), (q, s, v.dims)
                assert v.attrs['standard_name'] == QUANTITIES[q]['standard_name'] and v.attrs['units'] == QUANTITIES[q]['units'], (q, s)
                assert v.attrs['long_name'].startswith(QUANTITIES[q]['long_name'])
            mean, lo, hi, sd = (f[f'{q}_{s}'].values for s in ('mean', 'q05', 'q95', 'std'))
            ok = np.isfinite(mean) & np.isfinite(lo)
            assert ok.mean() > 0.3 or q == 'isotherm_depth', (q, ok.mean())
            assert (lo[ok] <= mean[ok] + 1e-3).all() and (mean[ok] <= hi[ok] + 1e-3).all() and (sd[ok] >= 0).all(), q
        d20 = f.isotherm_depth_mean.values
        assert np.isfinite(d20).mean() > 0.5 and 30 < np.nanmedian(d20) < 300          # the tropical Atlantic: D20 in the thermocline
        ohc = compute('heat_content', f.thetao.values, f.depth.values, axis=2, bottom=500.)   # the members' own, recomputed
        np.testing.assert_allclose(summarise(ohc)['mean'], f.heat_content_mean.values, rtol=1e-5)
        assert f.heat_content_mean.attrs['comment'].startswith('heat_content 0–500 m')   # the default's column ends at 500 m

def test_cli_quantities(sst, tmp_path):
    "depthdif-predict --quantities --isotherm writes them; an unknown quantity is refused by name before any work."
    code = "import sys; from depthdif.inference import predict_cli; sys.argv[0] = 'depthdif-predict'; predict_cli()"
    out = tmp_path / 'cli.nc'
    run([sys.executable, '-c', code, 'builtin:default', sst, '--lat=-16,16', '--lon=-40,-8', '--time', '2020-01,2020-01', '--n_samples', '2',
         '--steps', '2', '--device', 'cpu', '--quantities', 'isotherm_depth,mixed_layer_depth', '--isotherm', '15', '--out', str(out)], cwd=tmp_path)
    with xr.open_dataset(out) as f:
        assert {f'{q}_{s}' for q in ('isotherm_depth', 'mixed_layer_depth') for s in STATS} <= set(f.data_vars)
        assert 'heat_content_mean' not in f and 'isotherm_depth 15 °C' in f.isotherm_depth_mean.attrs['comment']
    r = subprocess.run([sys.executable, '-c', code, 'builtin:default', sst, '--quantities', 'ohc', '--out', str(tmp_path / 'never.nc')],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 1 and "quantities=['ohc'] is invalid" in r.stderr and not (tmp_path / 'never.nc').exists(), r.stderr[-2000:]
