"""Patches from an archive far larger than memory: a synthetic global store in the GLORYS layout, read lazily.

    nice -n 10 python benchmarks/data_scale.py                         # 1/4°, 50 levels, 108 months (20.9 GiB as float32)
    nice -n 10 python benchmarks/data_scale.py --months 12 --res 1     # a quick look (0.2 GiB)
    nice -n 10 python benchmarks/data_scale.py --format netcdf         # one NetCDF file per month, as GLORYS is delivered

Writes `thetao` (time, depth, latitude, longitude; the 50 GLORYS levels, °C, NaN on land and below the sea floor) and
`analysed_sst` (kelvin, on the same grid) as smooth fields quantised to 1/1024 °C (they compress well), chunked,
into a temporary folder under --dir that is removed afterwards, also on an error or Ctrl-C. Then, in a fresh process
per worker count, it builds the datasets the way training does (`load_sources` on the store, `make_datasets` with a
cached patch index: the first process passes over the data once, the others read the index back) and reports:

- patches/s of the training `DataLoader` (64×64 patches, track masks, batches of 32) with 0, 1 and 2 workers;
- peak memory of the process and its workers while reading patches: the largest sum of their RSS (counts shared pages
  once per process, an upper bound) and of their PSS (shared pages divided among them), sampled every 0.2 s, and
  ru_maxrss (whole process life); and apart, the peak while the datasets are built (the pass over the archive);
- the uncompressed (float32) and on-disk sizes of the store;
- a training step of the main job's network on such a batch (forward, backward, AdamW; this machine's CPU) and the
  ratio patches/s ÷ samples/s of that step: above 1, the input pipeline keeps that step busy.

Prints a markdown table and writes the figures as JSON to --json if given. Not a test: the figures depend on the machine.
"""
import argparse, json, os, resource, shutil, subprocess, sys, tempfile, threading, time
from pathlib import Path
import numpy as np

GLORYS_DEPTHS = [0.494, 1.541, 2.646, 3.819, 5.078, 6.441, 7.930, 9.573, 11.405, 13.467, 15.810, 18.496, 21.599, 25.211,
                 29.445, 34.434, 40.344, 47.374, 55.764, 65.807, 77.854, 92.326, 109.729, 130.666, 155.851, 186.126,
                 222.475, 266.040, 318.127, 380.213, 453.938, 541.089, 643.567, 763.333, 902.339, 1062.440, 1245.291,
                 1452.251, 1684.284, 1941.893, 2225.078, 2533.336, 2865.703, 3220.820, 3597.032, 3992.484, 4405.224,
                 4833.291, 5274.784, 5727.917]  # m, the 50 levels of GLORYS12V1

def grid(res:float):
    lat = np.arange(-90 + res / 2, 90, res)
    lon = np.arange(-180 + res / 2, 180, res)
    return lat, lon

def fields(t:int, depth, lat, lon):
    "Smooth thetao (Z, Y, X) °C, NaN on land and below a smooth sea floor, quantised to 1/1024 °C; and the SST (Y, X) in kelvin."
    la, lo = np.deg2rad(lat)[:, None], np.deg2rad(lon)[None, :]
    season = np.sin(2 * np.pi * (t % 12) / 12)
    surface = (1 + 26 * np.cos(la) ** 2 + 2 * season * np.sin(la) * np.cos(la) + 1.2 * np.sin(3 * lo + 0.1 * t) * np.cos(la) ** 2
               + 0.5 * np.cos(5 * la) * np.sin(2 * lo) * np.cos(la))
    deep = 1.5 + 1.5 * np.cos(la) ** 2
    land = (np.sin(2 * lo) * np.cos(3 * la) > 0.55) | (np.abs(lat)[:, None] > 78)
    floor = 4000 + 1800 * np.sin(4 * lo) * np.cos(2 * la)                          # m
    z = np.asarray(depth)[:, None, None]
    th = deep + (surface - deep) * np.exp(-z / (300 + 200 * np.cos(la) ** 2))
    th = np.where(land | (z > floor), np.nan, np.round(th * 1024) / 1024).astype('float32')
    sst = np.where(land, np.nan, np.round((surface + 273.15) * 1024) / 1024).astype('float32')
    return th, sst

def write_store(path:Path, months:int, res:float, chunks:tuple, fmt:str) -> dict:
    "Write the synthetic archive (Zarr store, or one NetCDF file per month) chunk by chunk; returns its sizes."
    import dask, dask.array as da, pandas as pd, xarray as xr
    lat, lon = grid(res)
    time_ = pd.date_range('2000-01-16', periods=months, freq='MS') + pd.Timedelta(days=15)
    ct, cz, cy, cx = chunks
    def th_block(block_info=None):
        (t0, t1), (z0, z1), (y0, y1), (x0, x1) = block_info[None]['array-location']
        return np.stack([fields(t, GLORYS_DEPTHS[z0:z1], lat[y0:y1], lon[x0:x1])[0] for t in range(t0, t1)])
    def sst_block(block_info=None):
        (t0, t1), (y0, y1), (x0, x1) = block_info[None]['array-location']
        return np.stack([fields(t, GLORYS_DEPTHS[:1], lat[y0:y1], lon[x0:x1])[1] for t in range(t0, t1)])
    shape = (months, len(GLORYS_DEPTHS), len(lat), len(lon))
    th = da.map_blocks(th_block, dtype='float32', chunks=da.core.normalize_chunks((ct, cz, cy, cx), shape))
    sst = da.map_blocks(sst_block, dtype='float32', chunks=da.core.normalize_chunks((ct, cy, cx), (months, len(lat), len(lon))))
    ds = xr.Dataset(dict(thetao=(('time', 'depth', 'latitude', 'longitude'), th, dict(units='degrees_C', standard_name='sea_water_potential_temperature')),
                         analysed_sst=(('time', 'latitude', 'longitude'), sst, dict(units='kelvin', standard_name='sea_surface_foundation_temperature'))),
                    coords=dict(time=time_, depth=('depth', GLORYS_DEPTHS, dict(units='m', positive='down')),
                                latitude=('latitude', lat, dict(units='degrees_north')), longitude=('longitude', lon, dict(units='degrees_east'))))
    t0 = time.time()
    from tqdm.dask import TqdmCallback
    with dask.config.set(scheduler='threads', num_workers=2), TqdmCallback(desc=f'writing the {fmt} archive', mininterval=10):
        if fmt == 'zarr':
            from zarr.codecs import BloscCodec
            codec = lambda: dict(compressors=[BloscCodec(cname='zstd', clevel=3, shuffle='bitshuffle')])
            ds.to_zarr(path, mode='w', consolidated=True, encoding=dict(thetao=dict(chunks=chunks, **codec()), analysed_sst=dict(chunks=(ct, cy, cx), **codec())))
        else:
            path.mkdir()
            for t in range(months):
                m = ds.isel(time=[t])
                enc = dict(thetao=dict(chunksizes=(1, cz, cy, cx), zlib=True, complevel=1, shuffle=True),
                           analysed_sst=dict(chunksizes=(1, cy, cx), zlib=True, complevel=1, shuffle=True))
                m.to_netcdf(path / f'glorys_like_{t:04d}.nc', encoding=enc, engine='netcdf4')
    disk = sum(f.stat().st_size for f in path.rglob('*') if f.is_file())
    return dict(shape=list(shape), chunks=list(chunks), format=fmt, write_s=round(time.time() - t0),
                uncompressed_gib=(np.prod(shape) + months * len(lat) * len(lon)) * 4 / 2 ** 30, disk_gib=disk / 2 ** 30)

class MemorySampler(threading.Thread):
    "Peak of the summed RSS and PSS of this process and its children (DataLoader workers), sampled every `every` s."
    def __init__(self, every=0.2):
        super().__init__(daemon=True); self.every, self.stop, self.rss, self.pss = every, threading.Event(), 0, 0
    def run(self):
        import psutil
        me = psutil.Process()
        while not self.stop.is_set():
            rss = pss = 0
            for p in [me] + me.children(recursive=True):
                try: m = p.memory_full_info(); rss += m.rss; pss += getattr(m, 'pss', m.rss)
                except Exception: pass
            self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)
            self.stop.wait(self.every)

def read(store:str, fmt:str, workers:int, batches:int, patch:int, batch_size:int, index:str, step:bool) -> dict:
    "One reading run (in a fresh process): datasets as training builds them, then `batches` batches of the training DataLoader."
    import torch
    torch.set_num_threads(1)
    sampler = MemorySampler(); sampler.start()
    from torch.utils.data import DataLoader
    from depthdif.data import load_sources, make_datasets, worker_init
    src = store if fmt == 'zarr' else str(Path(store) / '*.nc')
    t0 = time.time()
    ds = load_sources(src, src)
    dsets, norm = make_datasets(ds, patch_size=patch, patch_stride=patch // 2, block=4 * patch, cache=index, sources=[src])
    prepare_s = time.time() - t0
    prepare_rss, prepare_pss = sampler.rss, sampler.pss                        # the pass over the archive (first run) or the index read back
    sampler.rss = sampler.pss = 0                                              # from here: reading patches
    train = dsets['train']
    loader = DataLoader(train, batch_size=batch_size, shuffle=True, num_workers=workers, worker_init_fn=worker_init,
                        generator=torch.Generator().manual_seed(0))
    it = iter(loader); first = next(it)                                         # workers started, first batch read
    t1, n = time.time(), 0
    for _ in range(batches): n += len(next(it)['y'])
    dt = time.time() - t1
    del it
    res = dict(workers=workers, patches=n, seconds=dt, patches_per_s=n / dt, prepare_s=prepare_s, samples=len(train),
               months=train.thetao.shape[0], lazy=train.lazy)
    sampler.stop.set(); sampler.join()                                         # the training step below is not part of the reading
    res.update(peak_rss_gib=sampler.rss / 2 ** 30, peak_pss_gib=sampler.pss / 2 ** 30,
               prepare_peak_rss_gib=prepare_rss / 2 ** 30, prepare_peak_pss_gib=prepare_pss / 2 ** 30,
               maxrss_self_gib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20,
               maxrss_children_gib=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2 ** 20)
    if step: res.update(train_step(first))
    return res

def train_step(batch, steps:int=5) -> dict:
    "Seconds per training step of the main job's network (no first guess) on `batch`, on this CPU with torch's threads."
    import torch
    from depthdif.train import TrainConfig, build_model, train_loss
    from depthdif.diffusion import make_schedule
    torch.set_num_threads(int(os.environ.get('STEP_THREADS', os.cpu_count())))
    cfg = TrainConfig(first_guess='')
    model = build_model(cfg); opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    schedule, g = make_schedule(cfg.schedule, cfg.timesteps), torch.Generator().manual_seed(0)
    def one():
        loss = train_loss(model, batch, schedule, cfg, generator=g)
        opt.zero_grad(); loss.backward(); opt.step()
    one()
    t0 = time.time()
    for _ in range(steps): one()
    dt = (time.time() - t0) / steps
    return dict(step_s=dt, step_samples_per_s=len(batch['y']) / dt, step_threads=torch.get_num_threads())

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--months', type=int, default=108); ap.add_argument('--res', type=float, default=0.25, help='grid spacing, degrees')
    ap.add_argument('--chunks', default='1,50,90,90', help='time,depth,lat,lon chunk of thetao')
    ap.add_argument('--format', default='zarr', choices=['zarr', 'netcdf'])
    ap.add_argument('--workers', default='0,1,2'); ap.add_argument('--batches', type=int, default=20)
    ap.add_argument('--patch', type=int, default=64); ap.add_argument('--batch_size', type=int, default=32)
    ap.add_argument('--dir', default=tempfile.gettempdir(), help='where the temporary store goes')
    ap.add_argument('--json', default='', help='also write the figures here')
    ap.add_argument('--read', default='', help=argparse.SUPPRESS)                   # internal: one reading run
    ap.add_argument('--index', default='', help=argparse.SUPPRESS)
    ap.add_argument('--step', action='store_true', help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.read:
        print(json.dumps(read(a.read, a.format, int(a.workers), a.batches, a.patch, a.batch_size, a.index, a.step))); return
    chunks = tuple(int(c) for c in a.chunks.split(','))
    lat, lon = grid(a.res)
    size = a.months * (len(GLORYS_DEPTHS) + 1) * len(lat) * len(lon) * 4
    free = shutil.disk_usage(a.dir).free
    print(f"store: {a.months} months × {len(GLORYS_DEPTHS)} levels × {len(lat)} × {len(lon)} ({a.res}°), {size / 2 ** 30:.1f} GiB as float32; "
          f"{free / 2 ** 30:.0f} GiB free in {a.dir}")
    if free < 0.5 * size: sys.exit(f"not enough free space in {a.dir} for a store that may take up to half its {size / 2 ** 30:.1f} GiB")
    tmp = Path(tempfile.mkdtemp(prefix='depthdif-data-scale-', dir=a.dir))
    try:
        store = tmp / ('glorys_like.zarr' if a.format == 'zarr' else 'glorys_like')
        info = write_store(store, a.months, a.res, chunks, a.format)
        print(f"written in {info['write_s']} s: {info['uncompressed_gib']:.2f} GiB uncompressed, {info['disk_gib']:.2f} GiB on disk", flush=True)
        runs = []
        for k, w in enumerate(int(w) for w in a.workers.split(',')):
            cmd = [sys.executable, __file__, '--read', str(store), '--format', a.format, '--workers', str(w), '--batches', str(a.batches),
                   '--patch', str(a.patch), '--batch_size', str(a.batch_size), '--index', str(tmp / 'index')] + (['--step'] if k == 0 else [])
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode: sys.exit(f"reading run with {w} workers failed:\n{r.stderr[-3000:]}")
            runs.append(json.loads(r.stdout.strip().splitlines()[-1])); print(json.dumps(runs[-1]), flush=True)
        step = runs[0]
        print(f"\n{info['shape'][0]} months × {info['shape'][1]} levels × {info['shape'][2]} × {info['shape'][3]}, chunks {tuple(info['chunks'])} ({a.format}): "
              f"{info['uncompressed_gib']:.2f} GiB uncompressed, {info['disk_gib']:.2f} GiB on disk; {runs[0]['samples']:,} training patches of "
              f"{a.patch}×{a.patch}; index and normaliser built in {runs[0]['prepare_s']:.0f} s (first run), read back in "
              f"{min(r['prepare_s'] for r in runs[1:]) if len(runs) > 1 else float('nan'):.1f} s")
        print(f"training step of the main job's network, batch {a.batch_size}, CPU ({step['step_threads']} threads): {step['step_s']:.2f} s = "
              f"{step['step_samples_per_s']:.1f} samples/s\n")
        print(f"building the datasets: peak RSS {runs[0].get('prepare_peak_rss_gib', float('nan')):.2f} GiB with the pass over the archive, "
              f"{max(r.get('prepare_peak_rss_gib', 0) for r in runs[1:]) if len(runs) > 1 else float('nan'):.2f} GiB reading the index back\n")
        print('| workers | patches/s | × training step | peak RSS sum (GiB) | peak PSS sum (GiB) | ru_maxrss main / worker (GiB) |')
        print('|---|---|---|---|---|---|')
        for r in runs:
            print(f"| {r['workers']} | {r['patches_per_s']:.1f} | {r['patches_per_s'] / step['step_samples_per_s']:.2f} | {r['peak_rss_gib']:.2f} | "
                  f"{r['peak_pss_gib']:.2f} | {r['maxrss_self_gib']:.2f} / {r['maxrss_children_gib']:.2f} |")
        if a.json: Path(a.json).write_text(json.dumps(dict(store=info, runs=runs), indent=1))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"removed {tmp}" if not tmp.exists() else f"could not remove {tmp}")

if __name__ == '__main__':
    main()
