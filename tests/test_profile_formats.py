"""Profile files as users have them (Argo GDAC, argopy in both user modes and both layouts, CF appendix H.3 layouts, the World
Ocean Database), built from the formats' documents in profile_fixtures.py, read by `open_profiles` to the positions, times and
potential temperatures an independent reading (gsw on the fixtures' numbers) gives, keeping the profiles each convention keeps."""
import json, warnings
import numpy as np
import pytest
import xarray as xr
from depthdif.sources import open_profiles          # the public names stay where they were
from depthdif.data import open_en4  # noqa: F401
from depthdif.profiles import read_profile_table, QC_CONVENTIONS
import profile_fixtures as fx

WIDE = dict(max_gap=25.)        # every fixture samples every 10 m/dbar (a few levels rejected): no target depth near the rule's limit

def read(src, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        out = open_profiles(src, fx.TARGETS, **{**WIDE, **kw})
    return out, [str(w.message) for w in caught]

def check(out, lat, lon, time, expect, atol=2e-3):
    "The profiles read are exactly the expected ones, in order: positions, times, θ at the targets (NaN where none)."
    assert out.sizes['profile'] == len(expect), (out.sizes['profile'], len(expect))
    np.testing.assert_allclose(out.lat.values, lat, atol=1e-5); np.testing.assert_allclose(out.lon.values, lon, atol=1e-5)
    np.testing.assert_array_equal(out.time.values, np.asarray(time, 'datetime64[ns]'))
    np.testing.assert_allclose(out.thetao.values, np.stack(expect), atol=atol)

def check_kept(out, prof, lon_offset=0.) -> list:
    "`check` against the fixture profiles not marked for rejection (`why` empty), longitudes shifted by `lon_offset`; those profiles."
    kept = [q for q in prof if not q['why']]
    check(out, [q['lat'] for q in kept], [q['lon'] + lon_offset for q in kept], [q['time'] for q in kept], [q['expect'] for q in kept])
    return kept

def test_argo_gdac_multiprofile_by_data_mode(tmp_path):
    "R raw, A and D adjusted (pressure and salinity too), a D level flagged 4 dropped, a D profile not adjustable rejected (never raw), a bad position dropped."
    prof = fx.argo_profiles()
    path = fx.write_argo_prof(tmp_path / '6901234_prof.nc', prof)
    out, msgs = read(path)
    kept = check_kept(out, prof)
    summary = json.loads(out.attrs['summary'])[str(path)]
    assert (summary['profiles'], summary['kept'], summary['mode'], summary['position']) == (6, 4, 1, 1), summary
    assert any('dropped: mode 1, position 1' in m for m in msgs), msgs
    tab = read_profile_table(str(path))
    assert list(tab['why']) == [q['why'] for q in prof]
    # the raw TEMP of the not-adjustable profile, were it used, would give a profile 0.9 °C too warm: it is nowhere
    assert not np.isclose(out.lat.values, 23.).any()

def test_argo_mono_profile_directory(tmp_path):
    "A directory of mono-profile files: the one whose only profile is rejected is named in a warning with its reason; the others are read."
    prof = fx.argo_profiles()
    d = tmp_path / 'profiles'; d.mkdir()
    files = {d / f"{q['mode']}6901234_{q['cycle']:03d}.nc": q for q in prof[:4]}
    for fn, q in files.items(): fx.write_argo_prof(fn, [q])
    out, msgs = read(str(d / '*.nc'))
    read_in = [files[fn] for fn in sorted(files) if not files[fn]['why']]          # the glob is read in the order of the names
    check(out, [q['lat'] for q in read_in], [q['lon'] for q in read_in], [q['time'] for q in read_in], [q['expect'] for q in read_in])
    bad = d / 'D6901234_004.nc'
    assert any(f'{bad} yields no profile and is skipped' in m and 'mode: 1' in m for m in msgs), msgs
    summary = json.loads(out.attrs['summary'])
    assert set(summary) == {str(p) for p in sorted(d.glob('*.nc'))} and 'skipped' in summary[str(bad)]
    assert all(summary[str(d / f"{q['mode']}6901234_{q['cycle']:03d}.nc")]['kept'] == 1 for q in prof[:3])

@pytest.mark.parametrize('mode', ['standard', 'expert'])
def test_argopy_points_and_profiles(tmp_path, mode):
    "argopy's point layout in memory and saved, and its profile layout from argopy's own point2profile (flags of shape (N_PROF,)): the same profiles."
    pytest.importorskip('argopy')
    points, expect = fx.argopy_points(mode)
    keep = [k for k, e in enumerate(expect) if e is not None]
    first = np.r_[0, np.flatnonzero(np.diff(points.CYCLE_NUMBER.values) != 0) + 1]
    lat, lon, time = (points[c].values[first][keep] for c in ('LATITUDE', 'LONGITUDE', 'TIME'))
    points.to_netcdf(tmp_path / 'argopy_points.nc')
    profiles = points.argo.point2profile()
    if mode == 'standard': assert profiles.TEMP_QC.dims == ('N_PROF',) and profiles.PSAL.dims == ('N_PROF',)   # argopy's collapse
    profiles.to_netcdf(tmp_path / 'argopy_profiles.nc')
    for src in (points, tmp_path / 'argopy_points.nc', profiles, tmp_path / 'argopy_profiles.nc'):
        out, _ = read(src)
        out, o = out.isel(profile=np.argsort(out.time.values)), np.argsort(time)   # point2profile orders the profiles by its own key
        check(out, lat[o], lon[o], time[o], [expect[keep[k]] for k in o])
    why = read_profile_table(points)['why']
    assert list(why) == (['', '', 'qc'] if mode == 'standard' else ['mode', '', ''])

@pytest.mark.parametrize('form', ['orthogonal', 'incomplete', 'contiguous', 'indexed', 'single'])
def test_cf_dsg_layouts(tmp_path, form):
    "Every CF appendix H.3 profile layout: in-situ temperature on depth, its status_flag read by flag_meanings, salinity 35 assumed (warned)."
    path = fx.write_cf(tmp_path / f'{form}.nc', form)
    a, expect = fx.cf_profiles()
    n = 1 if form == 'single' else 2
    out, msgs = read(path)
    check(out, a['lat'][:n], a['lon'][:n], a['time'][:n], expect[:n])
    assert sum('without salinity' in m for m in msgs) == 1, msgs

def test_wod_ragged(tmp_path):
    "WOD: each variable cut by its own row size (a cast without temperature shifts nothing), WOD flags 0 kept, a cast flagged whole dropped, sigfigs not a flag."
    path = fx.write_wod(tmp_path / 'wod_ctd_2020.nc')
    casts, expect = fx.wod_casts()
    keep = [k for k, e in enumerate(expect) if e is not None]
    t0 = np.datetime64('1770-01-01T00:00', 'ns')
    times = [t0 + np.timedelta64(int(round((89121.5 + casts[k]['day']) * 86400)), 's') for k in keep]
    out, _ = read(path)
    check(out, [casts[k]['lat'] for k in keep], [casts[k]['lon'] for k in keep], times, [expect[k] for k in keep])
    assert list(read_profile_table(str(path))['why']) == ['', 'qc', 'qc', '']
    assert QC_CONVENTIONS['wod'] == dict(levels=(0,), profiles=(0,))

def test_formats_together_and_refusals(tmp_path):
    "Several conventions in one list, read each by its own; a file of none of them, in a list, is named and skipped; alone, refused by name."
    argo = fx.write_argo_prof(tmp_path / 'a_prof.nc', fx.argo_profiles())
    wod = fx.write_wod(tmp_path / 'wod.nc')
    junk = tmp_path / 'junk.nc'; xr.Dataset(dict(x=('t', [1., 2.]))).to_netcdf(junk)
    out, msgs = read([argo, wod, junk])
    assert out.sizes['profile'] == 4 + 2 and any(f'{junk} yields no profile' in m and 'not a profile file' in m for m in msgs), msgs
    with pytest.raises(ValueError, match='not a profile file DepthDif can read'): open_profiles(junk, fx.TARGETS)
    with pytest.raises(ValueError, match='parameter schema='): open_profiles(argo, fx.TARGETS, schema='woa')
    with pytest.raises(ValueError, match='no input of 2 yields a profile'): open_profiles([junk, junk], fx.TARGETS)

def test_data_sources_page_example(monkeypatch, capsys):
    "The worked argopy example of docs/pages/data-sources.md runs as written, argopy's fetcher replaced by argopy's own point layout, and reads what it should."
    argopy = pytest.importorskip('argopy')
    from conftest import ROOT
    page = (ROOT / 'docs/pages/data-sources.md').read_text()
    code = page.split('<!-- executed by tests/test_profile_formats.py::test_data_sources_page_example')[1].split('```python\n')[1].split('```')[0]
    points, expect = fx.argopy_points('standard')
    asked = []
    class Fetcher:
        def __init__(self, mode='', src='', **kw): asked.append((src, mode))
        def region(self, box): asked.append(box); return self
        def to_xarray(self): return points
    monkeypatch.setattr(argopy, 'DataFetcher', Fetcher)
    scope = {}
    exec(compile(code, 'data-sources.md', 'exec'), scope)
    assert asked[0] == ('erddap', 'standard') and asked[1][:4] == [-45, -35, 5, 15]
    profiles = scope['profiles']
    np.testing.assert_allclose(profiles.thetao.values, np.stack([e for e in expect if e is not None]), atol=2e-3)
    out = capsys.readouterr().out
    assert '2 profiles kept' in out and "'qc': 1" in out, out

# ------------------------------------------------------------------------------------------------ salinity (issue #33)
def check_so(out, expect_so, atol=2e-4):
    "`so` beside `thetao`: practical salinity at the targets, NaN where the profile has none or none passes its QC."
    assert out.so.dims == ('profile', 'depth') and out.so.attrs['units'] == '1e-3'
    np.testing.assert_allclose(out.so.values, np.stack(expect_so), atol=atol)

def so_counts(out, path):
    s = json.loads(out.attrs['summary'])[str(path)]
    return {k: s[k] for k in ('kept', 'so_kept', 'so_rejected', 'so_absent', 'so_no_value_at_depths')}

def test_en4_salinity_by_its_flags(tmp_path):
    "EN4 PSAL_CORRECTED: a level flagged 4 dropped and bridged, PROFILE_PSAL_QC 4 rejects the salinity (not the temperature), none is NaN."
    prof = fx.en4_profiles()
    path = fx.write_en4_file(tmp_path / 'EN.4.2.2.f.profiles.g10.202001.nc', prof)
    out, msgs = read(path)
    kept = check_kept(out, prof, lon_offset=-360.)
    check_so(out, [q['expect_so'] for q in kept])
    assert np.isnan(out.so.values[1]).all() and np.isfinite(out.thetao.values[1]).all()           # T without S
    assert so_counts(out, path) == dict(kept=4, so_kept=2, so_rejected=1, so_absent=1, so_no_value_at_depths=0)
    assert out.attrs['so_kept_profiles'] == 2 and any('salinity of the kept: kept 2, rejected 1, absent 1' in m for m in msgs), msgs

def test_argo_salinity_by_data_mode(tmp_path):
    "Argo PSAL by DATA_MODE: R raw with its level flag, A and D PSAL_ADJUSTED (never raw, even when the adjusted is all flagged 4), PROFILE_PSAL_QC F rejects."
    prof = fx.argo_salinity_profiles()
    path = fx.write_argo_prof(tmp_path / '6901234_prof.nc', prof)
    out, msgs = read(path)
    kept = check_kept(out, prof)
    check_so(out, [q['expect_so'] for q in kept])
    assert np.isnan(out.so.values[[1, 3]]).all() and np.isfinite(out.so.values[[0, 2]]).all()
    np.testing.assert_allclose(out.so.values[2], fx.expected_on_targets(prof[2]['psal_adj'], -__import__('gsw').z_from_p(prof[2]['pres_adj'], 22.)), atol=2e-4)
    assert so_counts(out, path) == dict(kept=4, so_kept=2, so_rejected=2, so_absent=0, so_no_value_at_depths=0)

@pytest.mark.parametrize('mode', ['standard', 'expert'])
def test_argopy_salinity(tmp_path, mode):
    "argopy's points and its point2profile layout (salinity of shape (N_PROF,)): PSAL by the mode argopy took or by DATA_MODE, a rejected one NaN."
    pytest.importorskip('argopy')
    points, expect = fx.argopy_salinity(mode)
    keep = [e for e in expect if e is not None]
    profiles = points.argo.point2profile()
    for src in (points, profiles):
        out, _ = read(src)
        out = out.isel(profile=np.argsort(out.time.values))
        order = np.argsort([t for t, e in zip(points.TIME.values[np.r_[0, np.flatnonzero(np.diff(points.CYCLE_NUMBER.values)) + 1]], expect) if e is not None])
        np.testing.assert_allclose(out.thetao.values, np.stack([keep[k][0] for k in order]), atol=2e-3)
        check_so(out, [keep[k][1] for k in order])
        assert np.isnan(out.so.values).all(1).sum() == 1 and np.isfinite(out.so.values).all(1).sum() == 1

@pytest.mark.parametrize('kind', ['practical', 'absolute'])
@pytest.mark.parametrize('form', ['orthogonal', 'incomplete', 'contiguous', 'indexed', 'single'])
def test_cf_salinity(tmp_path, form, kind):
    "CF sea_water_practical_salinity as it is, sea_water_absolute_salinity converted by TEOS-10; its status_flag 'bad' level dropped; θ from the file's salinity."
    path = fx.write_cf(tmp_path / f'{form}_{kind}.nc', form, kind)
    a, _ = fx.cf_profiles()
    expect = fx.cf_salinity(kind)[2]
    n = 1 if form == 'single' else 2
    out, msgs = read(path)
    check(out, a['lat'][:n], a['lon'][:n], a['time'][:n], [e[0] for e in expect[:n]])
    check_so(out, [e[1] for e in expect[:n]])
    assert not any('without salinity' in m for m in msgs), msgs

def test_wod_salinity_by_its_flags(tmp_path):
    "WOD Salinity: Salinity_WODflag 3 drops a level (bridged), Salinity_WODprofileflag 2 rejects a cast's salinity, its temperature kept."
    path = fx.write_wod(tmp_path / 'wod_ctd_2020.nc')
    casts, expect = fx.wod_casts()
    out, _ = read(path)
    check_so(out, [casts[0]['expect_so'], casts[3]['expect_so']])
    assert np.isnan(out.so.values[1]).all() and np.isfinite(out.thetao.values[1]).any()
    assert so_counts(out, path) == dict(kept=2, so_kept=1, so_rejected=1, so_absent=0, so_no_value_at_depths=0)

def implausible(tmp_path, layout):
    "A file of `layout` whose good salinity cannot be sea water, and the variable that holds it."
    import netCDF4
    if layout == 'en4':
        prof = fx.en4_profiles(); prof[0]['psal'] = prof[0]['psal'] * 1000            # psu×1000
        return fx.write_en4_file(tmp_path / 'en4.nc', prof), 'PSAL_CORRECTED', 'psu×1000'
    if layout == 'argo':
        prof = fx.argo_profiles(); prof[0]['psal'] = prof[0]['psal'] + 20.               # 55..56 with QC 1
        return fx.write_argo_prof(tmp_path / 'a_prof.nc', prof), 'PSAL', "outside sea water's salinity"
    if layout == 'argopy':
        points, _ = fx.argopy_points('standard'); points['PSAL'] = points.PSAL / 1000. # a mass fraction
        return points, 'PSAL', 'mass fraction'
    if layout == 'cf':
        path = fx.write_cf(tmp_path / 'cf.nc', 'contiguous', 'absolute')
        with netCDF4.Dataset(path, 'a') as nc: nc['salinity'][:] = nc['salinity'][:] * 1000
        return path, 'salinity', 'psu×1000'
    path = fx.write_wod(tmp_path / 'wod.nc')
    with netCDF4.Dataset(path, 'a') as nc: nc['Salinity'][:] = nc['Salinity'][:] + 10.        # 45.x: beyond any sea
    return path, 'Salinity', "outside sea water's salinity"

@pytest.mark.parametrize('layout', ['en4', 'argo', 'argopy', 'cf', 'wod'])
def test_implausible_salinity_refused_by_name(tmp_path, layout):
    "Salinity that cannot be sea water (psu×1000, a mass fraction, beyond 45) is refused naming the file and its variable, before any profile is used."
    src, var, why = implausible(tmp_path, layout)
    with pytest.raises(ValueError) as e: read(src)
    name = src if not isinstance(src, xr.Dataset) else 'memory:'
    assert f"variable {var!r} in {name}" in str(e.value) and why in str(e.value), str(e.value)
