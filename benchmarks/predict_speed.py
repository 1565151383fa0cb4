"""How fast does a trained model reconstruct? Grid cells × depths per second of `inference.predict`, the code users run.

    nice -n 10 python benchmarks/predict_speed.py              # this machine's CPU, and its GPU if it has one
    python benchmarks/predict_speed.py --devices cpu --steps 5 --json out.json

An untrained model of the main job's size (TrainConfig()'s network: 6 depths, 16×16 patches, U-Net channels 32-64-128;
no first guess) reconstructs `--months` months of a region of the embedded default (2° grid) from its SST and 95 %
track-corrupted observations, with DDIM `--steps` steps and `--n_samples` members, as `predict_files` would after
reading the files. The weights do not change the work, so nothing is trained. A first, untimed call warms the device up.

Prints a markdown table per device: the ocean cells reconstructed, seconds, cells × depths per second (the whole
ensemble), and cells × depths × members × steps per second (one member through one sampler step: the figure to scale
from to other settings).

Measured 2026-12-04 on the shared 2-core CPU machine, 1 torch thread (OMP_NUM_THREADS=1), the defaults (one month,
40°S–40°N × 80°W–40°E, 1,399 ocean cells, 6 depths, DDIM-25 × 8 members): 2.5 s, about 3,400 cells × depths/s and
670,000 cells × depths × members × steps/s. No GPU was available to this run.
"""
import argparse, json, time
from dataclasses import asdict, replace
import torch
import xarray as xr

def untrained_checkpoint(cfg) -> dict:
    "A checkpoint dict of an untrained model of `cfg`'s network, as `load_model` reads it (plausible normalisation statistics)."
    from depthdif.data import Normalizer
    from depthdif.train import build_model
    model = build_model(cfg)
    state, C = model.state_dict(), len(cfg.depths)
    norm = Normalizer([float(d) for d in cfg.depths], [15.] * C, [5.] * C, 20., 8.)
    return dict(model=state, ema={f'module.{k}': v for k, v in state.items()}, config=json.loads(json.dumps(asdict(cfg))), norm=asdict(norm),
                depths=list(cfg.depths), model_config=model.config, epoch=0, grid=dict(lat_step=2., lon_step=2.))

def inputs(cfg, lat, lon, months, corruption=0.95):
    "(sst, obs) of the embedded default over the region: SST (time, lat, lon) and track observations (time, depth, lat, lon), °C."
    from depthdif.data import load_default, select_depths
    from depthdif.masking import track_mask
    ds = load_default().isel(time=list(range(months))).sel(lat=slice(*lat), lon=slice(*lon))
    truth = select_depths(ds.thetao, cfg.depths)
    ocean = truth.isel(time=0, depth=0).notnull().values
    seen = xr.DataArray(track_mask(ocean, corruption, seed=0), dims=('lat', 'lon'))
    return ds.sst, truth.where(seen)

def measure(ck, sst, obs, device, n_samples, steps) -> dict:
    "Seconds of one `predict` call (after a warm-up call on one month) and the throughputs."
    from depthdif.inference import predict
    predict(ck, sst.isel(time=[0]), obs.isel(time=[0]), n_samples=n_samples, steps=min(steps, 2), device=device)
    t0 = time.time()
    rec = predict(ck, sst, obs, n_samples=n_samples, steps=steps, device=device)
    seconds = time.time() - t0
    cells = int(rec.thetao_mean.isel(depth=0).notnull().sum())       # ocean cells × months reconstructed
    depths = rec.sizes['depth']
    return dict(device=str(device), cells=cells, depths=depths, n_samples=n_samples, steps=steps, seconds=seconds,
                cells_depths_per_s=cells * depths / seconds, per_member_step=cells * depths * n_samples * steps / seconds)

def table(rows) -> str:
    head = ('| device | ocean cells × months | depths | members × steps | seconds | cells × depths / s | cells × depths × members × steps / s |\n'
            '|---|---:|---:|---:|---:|---:|---:|')
    return '\n'.join([head] + [f"| {r['device']} | {r['cells']:,} | {r['depths']} | {r['n_samples']} × {r['steps']} | {r['seconds']:.1f} | "
                               f"{r['cells_depths_per_s']:,.0f} | {r['per_member_step']:,.0f} |" for r in rows])

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--devices', default='auto', help="'auto' (the CPU, and the GPU if there is one), or a comma list: cpu,cuda")
    p.add_argument('--lat', default='-40,40', help='south,north of the region (degrees), as --lat=-40,40')
    p.add_argument('--lon', default='-80,40', help='west,east of the region (degrees), as --lon=-80,40')
    p.add_argument('--months', type=int, default=1, help='months reconstructed')
    p.add_argument('--n_samples', type=int, default=8, help='ensemble members')
    p.add_argument('--steps', type=int, default=25, help='DDIM steps')
    p.add_argument('--json', default='', help='also write the figures to this JSON file')
    a = p.parse_args(argv)
    from depthdif.train import TrainConfig
    cfg = replace(TrainConfig(), first_guess='')                     # the main job's network; no first guess to fit
    devices = (['cpu'] + (['cuda'] if torch.cuda.is_available() else [])) if a.devices == 'auto' else a.devices.split(',')
    ck = untrained_checkpoint(cfg)
    sst, obs = inputs(cfg, [float(v) for v in a.lat.split(',')], [float(v) for v in a.lon.split(',')], a.months)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads; region {dict(sst.sizes)}, DDIM, untrained main-job network")
    rows = [measure(ck, sst, obs, torch.device(d), a.n_samples, a.steps) for d in devices]
    print(table(rows))
    if a.json:
        with open(a.json, 'w') as f: json.dump(rows, f, indent=1)

if __name__ == '__main__': main()
