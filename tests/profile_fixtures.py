"""Profile files as their producers write them, built here from the formats' own documents (never with DepthDif's writers),
each with the values a correct reading must give, computed independently of the reader (gsw and numpy on the fixture's numbers).

- Argo GDAC `<WMO>_prof.nc` and mono-profile `R|D<WMO>_<CYC>.nc` files: the Argo user's manual (core profile format 3.1:
  N_PROF x N_LEVELS, char QC flags, DATA_MODE R/A/D, <PARAM>_ADJUSTED and its QC, fill 99999, JULD days since 1950).
- argopy's point layout (`N_POINTS`) in its standard and expert user modes, and its profile layout from argopy's own
  `point2profile` (which writes a flag of one value per profile as (N_PROF,)).
- CF discrete-sampling-geometry profiles in the layouts of CF appendix H.3: orthogonal and incomplete multidimensional,
  single profile, contiguous and indexed ragged.
- NCEI World Ocean Database ragged netCDF: one sample dimension per variable (`z_obs`, `Temperature_obs`, ...) with its
  row size, `*_WODflag` (0 accepted), `*_WODprofileflag` per cast, `*_sigfigs`, time in days since 1770.
- EN4 profile files (the Met Office Hadley Centre's "EN4 quality controlled ocean data: Profile files" page): JULD days
  since 1950-01-01, LATITUDE, LONGITUDE, DEPH_CORRECTED, TEMP, POTM_CORRECTED, PSAL_CORRECTED (N_PROF, N_LEVELS), a
  character per profile in POSITION_QC, PROFILE_POTM_QC, PROFILE_PSAL_QC and per level in POTM_CORRECTED_QC,
  PSAL_CORRECTED_QC, '4' meaning reject.
Salinity: Argo PSAL/PSAL_ADJUSTED by DATA_MODE with their QC and PROFILE_PSAL_QC (reference table 2a, F: no good level),
CF `sea_water_practical_salinity` or `sea_water_absolute_salinity` (converted with gsw.SP_from_SA), WOD `Salinity` with
its WODflag and WODprofileflag, EN4 PSAL_CORRECTED; each with the practical salinity a correct reading gives (`expect_so`).
"""
import numpy as np
import xarray as xr

TARGETS = np.array([10., 50., 100., 200., 500.])   # m: bracketed by levels every 10 dbar (or 10 m) from 5 to 605
ARGO_FILL = 99999.
EPOCH_ARGO = np.datetime64('1950-01-01T00:00', 'ns')

def expected_theta(temp, pres=None, z=None, lat=0., lon=0., psal=None, targets=TARGETS):
    "Potential temperature at `targets` (m) of one profile, by gsw directly: pressure → depth, in situ → θ, then linear in depth."
    import gsw
    temp = np.asarray(temp, float)
    if pres is None: pres = gsw.p_from_z(-np.asarray(z, float), lat)
    pres = np.asarray(pres, float)
    depth = -gsw.z_from_p(pres, lat)
    sp = np.full_like(temp, 35.) if psal is None else np.asarray(psal, float)
    theta = gsw.pt0_from_t(gsw.SA_from_SP(sp, pres, lon, lat), temp, pres)
    ok = np.isfinite(theta) & np.isfinite(depth)
    return np.interp(targets, depth[ok], theta[ok])

def expected_on_targets(values, depth, targets=TARGETS, top_gap=5.):
    "A profile's good values (NaN elsewhere) on level depths (m) at `targets`, linear between levels, never extrapolated below (numpy only)."
    values, depth = np.asarray(values, float), np.asarray(depth, float)
    ok = np.isfinite(values) & np.isfinite(depth)
    if not ok.any(): return np.full(len(targets), np.nan)
    out = np.interp(targets, depth[ok], values[ok])
    return np.where((targets > depth[ok].max()) | (targets < depth[ok].min() - top_gap), np.nan, out)

def levels():
    "Argo-like levels every 10 dbar, 5..605 dbar, and a smooth in-situ temperature and salinity on them."
    p = np.arange(5., 606., 10.)
    return p, (25. - 0.03 * p).astype('float32').astype(float), (35. + 0.001 * p).astype('float32').astype(float)

# ------------------------------------------------------------------------------------------------ Argo GDAC files
def argo_profiles():
    """Six profiles of float 6901234 as the Argo manual's data modes make them; `expect` says what a reading keeps and why.
    R: raw values and QC. A: adjusted (raw 0.5 °C off). D: adjusted temperature, pressure (raw 1.5 dbar off) and salinity
    (raw 0.2 off), one level's adjusted temperature flagged 4. D not adjustable: adjusted fill with QC 4, raw 0.9 °C warm.
    R with a bad position flag. R with an estimated position (flag 8, kept)."""
    p, t, s = levels()
    L = len(p)
    fill = np.full(L, np.nan)
    good, bad, blank = np.full(L, b'1'), np.full(L, b'4'), np.full(L, b' ')
    prof = []
    def add(mode, temp, temp_qc, temp_adj, temp_adj_qc, pres_adj=None, psal_adj=None, psal=s, pos_qc=b'1', lat=20., lon=-30., day=0, why=''):
        pres_adj = fill if pres_adj is None else pres_adj
        psal_adj = fill if psal_adj is None else psal_adj
        adj_qc = lambda a: np.where(np.isfinite(a), b'1', b' ') if mode != 'R' else blank
        prof.append(dict(mode=mode, pres=p, pres_qc=good, pres_adj=pres_adj, pres_adj_qc=adj_qc(pres_adj), temp=temp, temp_qc=temp_qc,
                         temp_adj=temp_adj, temp_adj_qc=temp_adj_qc, psal=psal, psal_qc=good, psal_adj=psal_adj, psal_adj_qc=adj_qc(psal_adj),
                         lat=lat, lon=lon, juld=25567.25 + day, pos_qc=pos_qc, cycle=len(prof) + 1, why=why))
    add('R', t, good, fill, blank, lat=20.)
    add('A', t + 0.5, good, t, good, pres_adj=p, psal_adj=s, lat=21., day=10)
    flagged = good.copy(); flagged[20] = b'4'
    add('D', t, good, t, flagged, pres_adj=p, psal_adj=s, psal=s + 0.2, lat=22., day=20)
    prof[-1]['pres'] = p + 1.5                                    # the raw pressure is off; the adjusted one is right
    add('D', t + 0.9, good, fill, bad, pres_adj=p, psal_adj=s, lat=23., day=30, why='mode')
    add('R', t, good, fill, blank, pos_qc=b'4', lat=24., day=40, why='position')
    add('R', t, good, fill, blank, pos_qc=b'8', lat=25., day=50)
    for q in prof: argo_expect(q)
    return prof

def argo_expect(q):
    "What a correct reading gives an Argo profile (the manual's rules): each parameter from its mode (raw in R, _ADJUSTED in A, D) where the mode's QC is 1, salinity not where PROFILE_PSAL_QC is F; θ with salinity 35 where there is none."
    import gsw
    use_adj = q['mode'] in 'AD'
    good = lambda f: np.char.strip(np.asarray(f).astype('U1')) == '1'
    temp = np.where(good(q['temp_adj_qc'] if use_adj else q['temp_qc']), q['temp_adj'] if use_adj else q['temp'], np.nan)
    pres = q['pres_adj'] if use_adj else q['pres']
    psal = np.where(good(q['psal_adj_qc'] if use_adj else q['psal_qc']) & (q.get('psal_grade', b'A') != b'F'), q['psal_adj'] if use_adj else q['psal'], np.nan)
    q['expect'] = None if q['why'] else expected_theta(temp, pres, lat=q['lat'], lon=q['lon'], psal=np.where(np.isfinite(psal), psal, 35.))
    q['expect_so'] = None if q['why'] else expected_on_targets(psal, -gsw.z_from_p(np.asarray(pres, float), q['lat']))
    q['time'] = EPOCH_ARGO + np.timedelta64(int(round(q['juld'] * 86400)), 's')
    return q

def argo_salinity_profiles():
    """`argo_profiles` with salinity to reject: R, its PSAL at 45 dbar flagged 4 (and 30, so reading it would show); A, its
    PSAL_ADJUSTED_QC 4 on every level (the raw PSAL, QC 1, must not stand in); D, the raw PSAL 0.2 off (the adjusted one
    read); the R profile at an estimated position graded F in PROFILE_PSAL_QC whatever its level flags say."""
    prof = argo_profiles()
    r, a, d, est = prof[0], prof[1], prof[2], prof[5]
    r['psal'] = r['psal'].copy(); r['psal'][4] = 30.; r['psal_qc'] = r['psal_qc'].copy(); r['psal_qc'][4] = b'4'
    a['psal_adj_qc'] = np.full(len(a['psal_adj']), b'4')
    est['psal_grade'] = b'F'
    assert not np.allclose(d['psal'], d['psal_adj'])
    for q in prof: argo_expect(q)
    return prof

def write_argo_prof(path, profiles, wmo='6901234'):
    "An Argo GDAC core profile file (multi-profile `<WMO>_prof.nc`, or a mono-profile file with one profile) by the user's manual."
    import netCDF4
    P, L = len(profiles), max(len(q['pres']) for q in profiles)
    with netCDF4.Dataset(path, 'w', format='NETCDF3_CLASSIC') as nc:
        for d, n in dict(DATE_TIME=14, STRING8=8, STRING4=4, STRING16=16, N_PROF=P, N_LEVELS=L).items(): nc.createDimension(d, n)
        def var(name, dtype, dims, data, fill=None, **attrs):
            v = nc.createVariable(name, dtype, dims, fill_value=fill)
            v.setncatts(attrs)
            v[:] = data
        def chars(s, n): return np.array([list(s.ljust(n))], 'S1')[0]
        var('DATA_TYPE', 'S1', ('STRING16',), chars('Argo profile', 16), long_name='Data type')
        var('FORMAT_VERSION', 'S1', ('STRING4',), chars('3.1', 4), long_name='File format version')
        var('PLATFORM_NUMBER', 'S1', ('N_PROF', 'STRING8'), np.array([chars(wmo, 8)] * P), long_name='Float unique identifier', conventions='WMO float identifier : A9IIIII')
        var('CYCLE_NUMBER', 'i4', ('N_PROF',), [q['cycle'] for q in profiles], 99999, long_name='Float cycle number')
        var('DIRECTION', 'S1', ('N_PROF',), np.array([b'A'] * P), long_name='Direction of the station profiles', conventions='A: ascending profiles, D: descending profiles')
        var('DATA_MODE', 'S1', ('N_PROF',), np.array([q['mode'].encode() for q in profiles]), long_name='Delayed mode or real time data',
            conventions='R : real time; D : delayed mode; A : real time with adjustment')
        var('JULD', 'f8', ('N_PROF',), [q['juld'] for q in profiles], 999999., long_name='Julian day (UTC) of the station relative to REFERENCE_DATE_TIME',
            standard_name='time', units='days since 1950-01-01 00:00:00 UTC', conventions='Relative julian days with decimal part (as parts of day)', axis='T')
        var('JULD_QC', 'S1', ('N_PROF',), np.array([b'1'] * P), ' ', long_name='Quality on date and time', conventions='Argo reference table 2')
        var('LATITUDE', 'f8', ('N_PROF',), [q['lat'] for q in profiles], ARGO_FILL, long_name='Latitude of the station, best estimate',
            standard_name='latitude', units='degree_north', valid_min=-90., valid_max=90., axis='Y')
        var('LONGITUDE', 'f8', ('N_PROF',), [q['lon'] for q in profiles], ARGO_FILL, long_name='Longitude of the station, best estimate',
            standard_name='longitude', units='degree_east', valid_min=-180., valid_max=180., axis='X')
        var('POSITION_QC', 'S1', ('N_PROF',), np.array([q['pos_qc'] for q in profiles]), ' ', long_name='Quality on position (latitude and longitude)',
            conventions='Argo reference table 2')
        var('PROFILE_TEMP_QC', 'S1', ('N_PROF',), np.array([b'A'] * P), ' ', long_name='Global quality flag of TEMP profile', conventions='Argo reference table 2a')
        var('PROFILE_PRES_QC', 'S1', ('N_PROF',), np.array([b'A'] * P), ' ', long_name='Global quality flag of PRES profile', conventions='Argo reference table 2a')
        var('PROFILE_PSAL_QC', 'S1', ('N_PROF',), np.array([q.get('psal_grade', b'A') for q in profiles]), ' ', long_name='Global quality flag of PSAL profile',
            conventions='Argo reference table 2a')
        units = dict(PRES=('decibar', 'sea_water_pressure'), TEMP=('degree_Celsius', 'sea_water_temperature'), PSAL=('psu', 'sea_water_salinity'))
        pad = lambda a, f: np.concatenate([np.asarray(a), np.full(L - len(a), f, np.asarray(a).dtype)])
        for param, (u, sn) in units.items():
            key = param.lower()
            for suffix, k in (('', key), ('_ADJUSTED', key + '_adj')):
                vals = np.ma.masked_invalid(np.stack([pad(np.asarray(q[k], float), np.nan) for q in profiles]).astype('f4'))
                var(param + suffix, 'f4', ('N_PROF', 'N_LEVELS'), vals, np.float32(ARGO_FILL), long_name=param + suffix, standard_name=sn, units=u,
                    C_format='%9.3f', resolution=np.float32(0.001))
                var(param + suffix + '_QC', 'S1', ('N_PROF', 'N_LEVELS'), np.stack([pad(q[k + '_qc'], b' ') for q in profiles]), ' ',
                    long_name='quality flag', conventions='Argo reference table 2')
            var(param + '_ADJUSTED_ERROR', 'f4', ('N_PROF', 'N_LEVELS'), np.ma.masked_all((P, L)), np.float32(ARGO_FILL), units=u)
        nc.setncatts(dict(title='Argo float vertical profile', institution='fixture', source='Argo float', Conventions='Argo-3.1 CF-1.6',
                          featureType='trajectoryProfile', user_manual_version='3.1'))
    return path

# ------------------------------------------------------------------------------------------------ argopy
def argopy_points(mode='standard'):
    """argopy's point layout (`DataFetcher(...).to_xarray()`): every level a point on N_POINTS, QC as integers, DATA_MODE per point.
    standard: the values already those of each profile's data mode (no _ADJUSTED); expert: raw and _ADJUSTED side by side.
    Three profiles; with `mode='standard'` each profile's flags agree (all 1, all 1, all 4) and so does its salinity, as
    argopy's point2profile then writes them (N_PROF,). Returns (Dataset, [expected θ at TARGETS or None, per profile])."""
    p, t, s = levels()
    rows, expect = [], []
    specs = [dict(wmo=6901234, cyc=1, lat=10., lon=-40., day='2020-01-10T06:00', dm='D', qc=1, sal=35.0, off=0.),
             dict(wmo=6901234, cyc=2, lat=10.5, lon=-40.5, day='2020-01-20T06:00', dm='A', qc=1, sal=34.5, off=0.3),
             dict(wmo=6902000, cyc=7, lat=11., lon=-38., day='2020-01-15T12:00', dm='R', qc=4, sal=36.0, off=0.)]
    for k, sp in enumerate(specs):
        n = len(p)
        row = dict(PLATFORM_NUMBER=np.full(n, sp['wmo']), CYCLE_NUMBER=np.full(n, sp['cyc']), DIRECTION=np.full(n, 'A'),
                   DATA_MODE=np.full(n, sp['dm']), LATITUDE=np.full(n, sp['lat']), LONGITUDE=np.full(n, sp['lon']),
                   TIME=np.full(n, np.datetime64(sp['day'], 'ns')), POSITION_QC=np.ones(n, int), TIME_QC=np.ones(n, int),
                   PRES=p, PRES_QC=np.ones(n, int), PSAL=np.full(n, sp['sal']), PSAL_QC=np.ones(n, int))
        if mode == 'standard':
            row.update(TEMP=t, TEMP_QC=np.full(n, sp['qc']))
            expect.append(expected_theta(t, p, lat=sp['lat'], lon=sp['lon'], psal=np.full(n, sp['sal'])) if sp['qc'] == 1 else None)
        else:                                                     # expert: the profile in D mode is not adjustable (fill, QC 4)
            adjustable = sp['dm'] != 'D'
            row.update(TEMP=t + sp['off'] + (0. if adjustable else 0.9), TEMP_QC=np.ones(n, int),
                       TEMP_ADJUSTED=(t if sp['dm'] == 'A' else np.full(n, np.nan)), TEMP_ADJUSTED_QC=np.full(n, 1 if sp['dm'] == 'A' else 4 if sp['dm'] == 'D' else 0),
                       PRES_ADJUSTED=(p if sp['dm'] != 'R' else np.full(n, np.nan)), PRES_ADJUSTED_QC=np.full(n, 1 if sp['dm'] != 'R' else 0),
                       PSAL_ADJUSTED=(np.full(n, sp['sal']) if sp['dm'] != 'R' else np.full(n, np.nan)), PSAL_ADJUSTED_QC=np.full(n, 1 if sp['dm'] != 'R' else 0))
            row['TEMP_QC'] = np.full(n, 1)
            expect.append(None if sp['dm'] == 'D' else expected_theta(t if sp['dm'] == 'A' else t + sp['off'], p, lat=sp['lat'], lon=sp['lon'], psal=np.full(n, sp['sal'])))
        rows.append(row)
    data = {k: np.concatenate([r[k] for r in rows]) for k in rows[0]}
    coords = {c: ('N_POINTS', data.pop(c)) for c in ('LATITUDE', 'LONGITUDE', 'TIME')}
    ds = xr.Dataset({k: ('N_POINTS', v) for k, v in data.items()}, coords=dict(N_POINTS=np.arange(len(data['PRES'])), **coords),
                    attrs=dict(DATA_ID='ARGO', DOI='http://doi.org/10.17882/42182', Fetched_from='fixture', Fetched_by='fixture',
                               Fetched_constraints='[x=-45.00/-35.00; y=5.00/15.00; z=0.0/1000.0; t=2020-01-01/2020-02-01]',
                               Fetched_uri='fixture', Fetched_mode=mode))
    ds.TEMP.attrs.update(units='degree_Celsius', standard_name='sea_water_temperature', long_name='SEA TEMPERATURE IN SITU ITS-90 SCALE')
    ds.PRES.attrs.update(units='decibar', standard_name='sea_water_pressure', long_name='Sea Pressure')
    ds.PSAL.attrs.update(units='psu', standard_name='sea_water_salinity', long_name='PRACTICAL SALINITY')
    return ds, expect

def argopy_salinity(mode='standard'):
    """`argopy_points` with the A-mode profile's salinity rejected: in standard mode its PSAL_QC 4 (argopy has taken the
    mode), in expert mode its PSAL_ADJUSTED_QC 4 (the raw PSAL, QC 1, must not stand in). Returns (Dataset, [(θ, S) expected
    at TARGETS, or None, per profile]): S constant per profile as the fixture's, NaN where rejected, θ with 35 there."""
    import gsw
    ds, _ = argopy_points(mode)
    p, t, _ = levels()
    cyc = ds.CYCLE_NUMBER.values
    rejected = cyc == 2
    if mode == 'standard': ds['PSAL_QC'] = ('N_POINTS', np.where(rejected, 4, ds.PSAL_QC.values))
    else: ds['PSAL_ADJUSTED_QC'] = ('N_POINTS', np.where(rejected, 4, ds.PSAL_ADJUSTED_QC.values))
    expect = []
    for c in (1, 2, 7):
        k = np.flatnonzero(cyc == c)
        dm, lat, lon, temp_qc = ds.DATA_MODE.values[k[0]], float(ds.LATITUDE.values[k[0]]), float(ds.LONGITUDE.values[k[0]]), ds.TEMP_QC.values[k]
        if (mode == 'standard' and (temp_qc != 1).all()) or (mode == 'expert' and dm == 'D'): expect.append(None); continue
        temp = ds.TEMP.values[k] if mode == 'standard' or dm == 'R' else ds.TEMP_ADJUSTED.values[k]
        sal = np.full(len(k), np.nan) if c == 2 else (ds.PSAL.values[k] if mode == 'standard' or dm == 'R' else ds.PSAL_ADJUSTED.values[k])
        expect.append((expected_theta(temp, p, lat=lat, lon=lon, psal=np.where(np.isfinite(sal), sal, 35.)),
                       expected_on_targets(sal, -gsw.z_from_p(p, lat))))
    return ds, expect

# ------------------------------------------------------------------------------------------------ CF DSG (appendix H.3)
def cf_profiles():
    """Two profiles of in-situ temperature on depth (10 m levels, 5..605 m; the second stops at 305 m), no salinity, and a
    quality flag with flag_values 0 1 2 and flag_meanings 'good questionable bad': the first profile's level at 205 m is
    'questionable', so rejected. Returns (arrays, expected θ per profile)."""
    z = np.arange(5., 606., 10.)
    t0, t1 = 24. - 0.03 * z, 22. - 0.025 * z
    n1 = 31                                                        # the second profile: 31 levels, to 305 m
    qc0 = np.zeros(len(z), 'i1'); qc0[20] = 1
    lat, lon = np.array([-20., -21.]), np.array([170., 171.])
    time = np.array(['2019-07-01T00:00', '2019-07-03T12:00'], 'datetime64[ns]')
    e0 = expected_theta(np.where(qc0 == 0, t0, np.nan), z=z, lat=lat[0], lon=lon[0])
    e1 = expected_theta(t1[:n1], z=z[:n1], lat=lat[1], lon=lon[1], targets=TARGETS[TARGETS < 305])
    e1 = np.concatenate([e1, np.full((TARGETS >= 305).sum(), np.nan)])
    return dict(z=z, t=[t0, t1[:n1]], qc=[qc0, np.zeros(n1, 'i1')], lat=lat, lon=lon, time=time), [e0, e1]

def cf_salinity(kind='practical'):
    """Salinity for the two `cf_profiles`: practical (`sea_water_practical_salinity`, units 1) or TEOS-10 absolute
    (`sea_water_absolute_salinity`, g kg-1, from the practical by gsw.SA_from_SP), with its own status flag: the first
    profile's level at 205 m 'bad' (and 30, so reading it would show). Returns ([values per profile], [flags per profile],
    [(θ, S) expected per profile]): θ now from the file's salinity, S practical at TARGETS."""
    import gsw
    a, _ = cf_profiles()
    z, (t0, t1), n1 = a['z'], a['t'], len(a['t'][1])
    sp = [34.6 + 0.001 * z, 35.3 - 0.0008 * z[:n1]]
    sp[0][20] = 30.                                               # 205 m: a target (200 m) lies between it and 195 m
    flags = [np.zeros(len(z), 'i1'), np.zeros(n1, 'i1')]; flags[0][20] = 2
    zz = [z, z[:n1]]
    values = sp if kind == 'practical' else [gsw.SA_from_SP(s, gsw.p_from_z(-h, la), lo, la) for s, h, la, lo in zip(sp, zz, a['lat'], a['lon'])]
    expect = []
    for k, (t, s, f, h) in enumerate(zip(a['t'], sp, flags, zz)):
        good_s = np.where(f == 0, s, np.nan)
        targets = TARGETS if k == 0 else TARGETS[TARGETS < 305]
        theta = expected_theta(np.where(a['qc'][k] == 0, t, np.nan), z=h, lat=a['lat'][k], lon=a['lon'][k], psal=np.where(f == 0, s, 35.), targets=targets)
        so = expected_on_targets(good_s, h, targets)
        pad = lambda e: np.concatenate([e, np.full(len(TARGETS) - len(e), np.nan)])
        expect.append((pad(theta), pad(so)))
    return values, flags, expect

def write_cf(path, form, salinity=None):
    "The two `cf_profiles` in one CF appendix H.3 layout: 'orthogonal', 'incomplete', 'contiguous', 'indexed'; or 'single' (the first only); `salinity` 'practical' or 'absolute' adds `cf_salinity`'s."
    import netCDF4
    a, _ = cf_profiles()
    z, (t0, t1), (q0, q1) = a['z'], a['t'], a['qc']
    (s0, s1), (f0, f1) = cf_salinity(salinity)[:2] if salinity else ((None, None), (None, None))
    sattrs = dict(standard_name=f'sea_water_{salinity}_salinity', units='1' if salinity == 'practical' else 'g kg-1', coordinates='time lat lon z',
                  ancillary_variables='salinity_qc', long_name=f'{salinity} salinity')
    fattrs = dict(long_name='salinity quality', standard_name=f'sea_water_{salinity}_salinity status_flag', flag_values=np.array([0, 1, 2], 'i1'),
                  flag_meanings='good questionable bad')
    L, n1 = len(z), len(t1)
    with netCDF4.Dataset(path, 'w') as nc:
        nc.setncatts(dict(Conventions='CF-1.11', featureType='profile', title=f'CF appendix H.3 {form} fixture'))
        def var(name, dtype, dims, data, fill=None, **attrs):
            v = nc.createVariable(name, dtype, dims, fill_value=fill); v.setncatts(attrs); v[:] = data
        tattrs = dict(standard_name='sea_water_temperature', long_name='Water Temperature', units='Celsius', coordinates='time lat lon z',
                      ancillary_variables='temperature_qc')
        qattrs = dict(long_name='temperature quality', standard_name='sea_water_temperature status_flag', flag_values=np.array([0, 1, 2], 'i1'),
                      flag_meanings='good questionable bad')
        zattrs = dict(standard_name='depth', long_name='depth below the surface', units='m', positive='down', axis='Z')
        days = (a['time'] - np.datetime64('1970-01-01', 'ns')) / np.timedelta64(1, 'D')
        prof = 'profile'
        if form == 'single':
            nc.createDimension('z', L)
            var('z', 'f4', ('z',), z, **zattrs); var('temperature', 'f4', ('z',), t0, -999.9, **tattrs); var('temperature_qc', 'i1', ('z',), q0, **qattrs)
            if salinity: var('salinity', 'f4', ('z',), s0, -999.9, **sattrs); var('salinity_qc', 'i1', ('z',), f0, **fattrs)
            var('lat', 'f4', (), a['lat'][0], standard_name='latitude', units='degrees_north')
            var('lon', 'f4', (), a['lon'][0], standard_name='longitude', units='degrees_east')
            var('time', 'f8', (), days[0], standard_name='time', units='days since 1970-01-01')
            var('profile', 'i4', (), 0, cf_role='profile_id')
            return path
        nc.createDimension(prof, 2)
        var('profile', 'i4', (prof,), [0, 1], cf_role='profile_id')
        var('lat', 'f4', (prof,), a['lat'], standard_name='latitude', units='degrees_north')
        var('lon', 'f4', (prof,), a['lon'], standard_name='longitude', units='degrees_east')
        var('time', 'f8', (prof,), days, standard_name='time', units='days since 1970-01-01')
        t1p, q1p = np.concatenate([t1, np.full(L - n1, np.nan)]), np.concatenate([q1, np.full(L - n1, 2, 'i1')])
        if form in ('orthogonal', 'incomplete'):
            nc.createDimension('z', L)
            if form == 'orthogonal': var('z', 'f4', ('z',), z, **zattrs)
            else: var('z', 'f4', (prof, 'z'), np.ma.masked_invalid(np.stack([z, np.where(np.arange(L) < n1, z, np.nan)])), -999.9, **zattrs)
            var('temperature', 'f4', (prof, 'z'), np.ma.masked_invalid(np.stack([t0, t1p])), -999.9, **tattrs)
            var('temperature_qc', 'i1', (prof, 'z'), np.stack([q0, q1p]), **qattrs)
            if salinity:
                var('salinity', 'f4', (prof, 'z'), np.ma.masked_invalid(np.stack([s0, np.concatenate([s1, np.full(L - n1, np.nan)])])), -999.9, **sattrs)
                var('salinity_qc', 'i1', (prof, 'z'), np.stack([f0, np.concatenate([f1, np.full(L - n1, 2, 'i1')])]), **fattrs)
        else:
            n_obs = L + n1
            nc.createDimension('obs', n_obs)
            zz, tt, qq, who = np.concatenate([z, z[:n1]]), np.concatenate([t0, t1]), np.concatenate([q0, q1]), np.repeat([0, 1], [L, n1])
            ss, ff = (np.concatenate([s0, s1]), np.concatenate([f0, f1])) if salinity else (None, None)
            if form == 'indexed':                                 # observations interleaved in time order, each naming its profile
                order = np.argsort(np.concatenate([np.arange(L) * 2., np.arange(n1) * 2. + 1]), kind='stable')
                zz, tt, qq, who = zz[order], tt[order], qq[order], who[order]
                if salinity: ss, ff = ss[order], ff[order]
                var('profileIndex', 'i4', ('obs',), who, long_name='which profile this obs is for', instance_dimension=prof)
            else: var('rowSize', 'i4', (prof,), [L, n1], long_name='number of obs for this profile', sample_dimension='obs')
            var('z', 'f4', ('obs',), zz, **zattrs)
            var('temperature', 'f4', ('obs',), tt, -999.9, **tattrs)
            var('temperature_qc', 'i1', ('obs',), qq, **qattrs)
            if salinity: var('salinity', 'f4', ('obs',), ss, -999.9, **sattrs); var('salinity_qc', 'i1', ('obs',), ff, **fattrs)
    return path

# ------------------------------------------------------------------------------------------------ World Ocean Database
def wod_casts():
    """Four casts as NCEI's WOD ragged files hold them: a CTD cast with temperature and salinity (one temperature level
    flagged 2, a depth inversion flag on another depth), a cast with salinity but no temperature (Temperature_row_size 0),
    a cast whose Temperature_WODprofileflag is 1 (rejected whole), and a bottle cast of 3-significant-figure values on a
    few levels. Returns (casts, expected θ per cast or None)."""
    z = np.arange(5., 606., 10.)
    casts = []
    def add(zz, temp=None, sal=None, tflag=None, zflag=None, tprof=0, sig=5, lat=40., lon=-60., day=0., sflag=None, sprof=0):
        casts.append(dict(z=zz, temp=temp, sal=sal, tflag=np.zeros(len(zz), 'i4') if tflag is None and temp is not None else tflag,
                          zflag=np.zeros(len(zz), 'i4') if zflag is None else zflag, tprof=tprof, sig=sig, lat=lat, lon=lon, day=day,
                          sflag=np.zeros(len(zz), 'i4') if sflag is None else sflag, sprof=sprof))
    t, s = 18. - 0.02 * z, 35.5 - 0.001 * z
    tflag = np.zeros(len(z), 'i4'); tflag[10] = 2; zflag = np.zeros(len(z), 'i4'); zflag[30] = 1
    s0, sflag = s.copy(), np.zeros(len(z), 'i4'); s0[20], sflag[20] = 31., 3       # 205 m: salinity flagged 3 (gradient), 31 if read
    add(z, t, s0, tflag, zflag, lat=40., lon=-60., day=0., sflag=sflag)
    add(z[:20], None, s[:20], lat=41., lon=-61., day=1.)
    add(z, t + 3., s, tprof=1, lat=42., lon=-62., day=2.)
    zb = np.array([0., 10., 30., 50., 75., 100., 125., 150., 200., 250., 300., 400., 500., 600.])
    tb = np.round(19. - 0.02 * zb, 1)                             # bottle values, 3 significant figures
    add(zb, tb, np.round(35.4 - 0.001 * zb, 2), sig=3, lat=43., lon=-63., day=3., sprof=2)   # its salinity: Salinity_WODprofileflag 2
    expect, expect_so = [], []
    for c in casts:
        if c['temp'] is None or c['tprof']: expect.append(None); expect_so.append(None); continue
        ok = (c['tflag'] == 0) & (c['zflag'] == 0)
        s_ok = (c['sflag'] == 0) & (c['zflag'] == 0) & (c['sprof'] == 0)
        expect.append(expected_theta(np.where(ok, c['temp'], np.nan), z=np.where(ok, c['z'], np.nan), lat=c['lat'], lon=c['lon'],
                                     psal=np.where(ok & s_ok, c['sal'], 35.)))
        expect_so.append(expected_on_targets(np.where(s_ok, c['sal'], np.nan), c['z']))
    casts[0]['expect_so'], casts[3]['expect_so'] = expect_so[0], expect_so[3]
    return casts, expect

def write_wod(path):
    "The `wod_casts` in the WOD ragged netCDF layout (NCEI's `wod_*.nc`): per-variable sample dimensions, row sizes, WOD flags, sigfigs."
    import netCDF4
    casts, _ = wod_casts()
    with netCDF4.Dataset(path, 'w') as nc:
        nc.setncatts(dict(Conventions='CF-1.6', featureType='profile', title='World Ocean Database fixture', project='World Ocean Database',
                          institution='National Centers for Environmental Information (NCEI), NOAA'))
        n = len(casts)
        nc.createDimension('casts', n)
        def var(name, dtype, dims, data, fill=None, **attrs):
            v = nc.createVariable(name, dtype, dims, fill_value=fill); v.setncatts(attrs); v[:] = data
        var('wod_unique_cast', 'i4', ('casts',), np.arange(n) + 20000001, cf_role='profile_id')
        var('lat', 'f4', ('casts',), [c['lat'] for c in casts], standard_name='latitude', units='degrees_north')
        var('lon', 'f4', ('casts',), [c['lon'] for c in casts], standard_name='longitude', units='degrees_east')
        var('time', 'f8', ('casts',), [89121.5 + c['day'] for c in casts], standard_name='time', long_name='time', units='days since 1770-01-01 00:00:00 UTC')
        flag_meanings = 'accepted range_out inversion gradient anomaly gradient+inversion range+inversion range+gradient range+anomaly range+inversion+gradient'
        for v, key, units, sn in (('z', 'z', 'm', 'depth'), ('Temperature', 'temp', 'degree_C', 'sea_water_temperature'), ('Salinity', 'sal', '1e-3', 'sea_water_salinity')):
            have = [c[key] if c[key] is not None else np.array([]) for c in casts]
            nc.createDimension(f'{v}_obs', sum(map(len, have)))
            var(f'{v}_row_size', 'i4', ('casts',), [len(h) for h in have], long_name=f'number of {v} measurements for this cast', sample_dimension=f'{v}_obs')
            extra = dict(positive='down') if v == 'z' else dict(coordinates='time lat lon z', grid_mapping='crs')
            var(v, 'f4', (f'{v}_obs',), np.concatenate(have), -1e10 if v != 'z' else None, standard_name=sn, units=units,
                ancillary_variables=f'{v}_sigfigs {v}_WODflag' + (f' {v}_WODprofileflag' if v != 'z' else ''), **extra)
            var(f'{v}_sigfigs', 'i1', (f'{v}_obs',), np.concatenate([np.full(len(h), c['sig']) for h, c in zip(have, casts)]), long_name=f'{v} significant figures')
            flags = np.concatenate([c['zflag'] if v == 'z' else (c['tflag'] if v == 'Temperature' else c['sflag']) if len(h) else np.array([], 'i4')
                                    for h, c in zip(have, casts)])
            var(f'{v}_WODflag', 'i1', (f'{v}_obs',), flags, long_name='WOD_observation_flag', flag_values=np.arange(10, dtype='i1'), flag_meanings=flag_meanings,
                standard_name=f'{sn} status_flag')
            if v != 'z':
                var(f'{v}_WODprofileflag', 'i1', ('casts',), [c['tprof'] if v == 'Temperature' else c['sprof'] for c in casts], long_name='WOD_profile_flag',
                    flag_values=np.arange(10, dtype='i1'), flag_meanings='accepted annual_sd_out density_inversion cruise seasonal_sd_out monthly_sd_out '
                    'annual+seasonal_sd_out anomaly_or_annual+monthly_sd_out seasonal+monthly_sd_out annual+seasonal+monthly_sd_out')
    return path

# ------------------------------------------------------------------------------------------------ EN4
EN4_FILL = 99999.
EN4_EPOCH = np.datetime64('1950-01-01T00:00', 'ns')

def en4_profiles():
    """Five EN4 profiles on depth levels every 10 m (5..605 m), as the EN4 profile-file page describes them; what a correct
    reading keeps: 0, T and S good but PSAL_CORRECTED_QC '4' at 45 m (and 30 there, so reading it would show); 1,
    PROFILE_PSAL_QC '4' (salinity rejected whole, temperature kept); 2, no salinity (fill, blank flags); 3, PROFILE_POTM_QC
    '4' (the profile dropped); 4, salinity only to 95 m. `expect` θ and `expect_so` S at TARGETS (None: dropped)."""
    z = np.arange(5., 606., 10.)
    L, prof = len(z), []
    def add(potm, psal, psal_qc, psal_prof=b'1', potm_prof=b'1', lat=50., lon=340., day=0.):
        prof.append(dict(z=z, potm=potm, psal=psal, psal_qc=psal_qc, psal_prof=psal_prof, potm_prof=potm_prof, lat=lat, lon=lon, juld=25567.5 + day))
    t, s = 15. - 0.015 * z, 35.0 + 0.0005 * z
    good = np.full(L, b'1')
    bad_level = good.copy(); bad_level[4] = b'4'; s0 = s.copy(); s0[4] = 30.
    add(t, s0, bad_level)
    add(t + 1., s, good, psal_prof=b'4', lat=51., day=1.)
    add(t + 2., np.full(L, np.nan), np.full(L, b' '), lat=52., day=2.)
    add(t + 3., s, good, potm_prof=b'4', lat=53., day=3.)
    shallow = np.where(z < 100, s, np.nan)
    add(t + 4., shallow, np.where(z < 100, b'1', b' '), lat=54., day=4.)
    for q in prof:
        q['time'] = EN4_EPOCH + np.timedelta64(int(round(q['juld'] * 86400)), 's')
        q['why'] = 'qc' if q['potm_prof'] == b'4' else ''
        q['expect'] = None if q['why'] else expected_on_targets(q['potm'], z)
        s_ok = (np.char.strip(q['psal_qc'].astype('U1')) == '1') & (q['psal_prof'] != b'4')
        q['expect_so'] = None if q['why'] else expected_on_targets(np.where(s_ok, q['psal'], np.nan), z)
    return prof

def write_en4_file(path, profiles):
    "An EN4 profile file (`EN.4.2.2.f.profiles.g10.YYYYMM.nc`) as the EN4 page lays it out: float32 fields with fill 99999, char QC flags."
    import netCDF4
    P, L = len(profiles), max(len(q['z']) for q in profiles)
    with netCDF4.Dataset(path, 'w', format='NETCDF3_CLASSIC') as nc:
        nc.createDimension('N_PROF', P); nc.createDimension('N_LEVELS', L)
        def var(name, dtype, dims, data, fill=None, **attrs):
            v = nc.createVariable(name, dtype, dims, fill_value=fill); v.setncatts(attrs)
            v[:] = np.ma.masked_invalid(np.asarray(data, float)) if fill is not None else data
        stack = lambda k: np.stack([q[k] for q in profiles])
        var('JULD', 'f8', ('N_PROF',), [q['juld'] for q in profiles], EN4_FILL, long_name='Julian day (UTC) of the location relative to REFERENCE_DATE_TIME',
            units='days since 1950-01-01 00:00:00 utc', conventions='Relative julian days with decimal part (as parts of day)')
        var('LATITUDE', 'f8', ('N_PROF',), [q['lat'] for q in profiles], EN4_FILL, long_name='Latitude of the station, best estimate', units='degree_north')
        var('LONGITUDE', 'f8', ('N_PROF',), [q['lon'] for q in profiles], EN4_FILL, long_name='Longitude of the station, best estimate', units='degree_east')
        var('DEPH_CORRECTED', 'f4', ('N_PROF', 'N_LEVELS'), stack('z'), np.float32(EN4_FILL), long_name='Corrected depth', units='metre')
        var('TEMP', 'f4', ('N_PROF', 'N_LEVELS'), stack('potm') + 0.05, np.float32(EN4_FILL), long_name='Sea temperature in-situ ITS-90 scale', units='degree_Celsius')
        var('POTM_CORRECTED', 'f4', ('N_PROF', 'N_LEVELS'), stack('potm'), np.float32(EN4_FILL), long_name='Corrected potential temperature', units='degree_Celsius')
        var('PSAL_CORRECTED', 'f4', ('N_PROF', 'N_LEVELS'), stack('psal'), np.float32(EN4_FILL), long_name='Corrected practical salinity', units='psu')
        var('POSITION_QC', 'S1', ('N_PROF',), np.array([b'1'] * P), long_name='Quality on position (latitude and longitude)')
        var('JULD_QC', 'S1', ('N_PROF',), np.array([b'1'] * P), long_name='Quality on date and time')
        var('PROFILE_POTM_QC', 'S1', ('N_PROF',), np.array([q['potm_prof'] for q in profiles]), long_name='Global quality flag of POTM profile')
        var('PROFILE_PSAL_QC', 'S1', ('N_PROF',), np.array([q['psal_prof'] for q in profiles]), long_name='Global quality flag of PSAL profile')
        var('POTM_CORRECTED_QC', 'S1', ('N_PROF', 'N_LEVELS'), np.full((P, L), b'1'), long_name='Quality on potential temperature')
        var('PSAL_CORRECTED_QC', 'S1', ('N_PROF', 'N_LEVELS'), stack('psal_qc'), long_name='Quality on practical salinity')
        nc.setncatts(dict(title='EN4 profile fixture', Conventions='CF-1.0'))
    return path
