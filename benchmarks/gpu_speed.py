"""Does the input pipeline keep a training step busy? Samples/s of the pipeline alone against those of the step.

    nice -n 10 python benchmarks/gpu_speed.py                 # on this machine's GPU if it has one, else its CPU
    python benchmarks/gpu_speed.py --device cpu --json out.json

On the embedded default with the main job's settings (16×16 patches, 6 depths, track masks, the regression + OI first
guess, batches of 32), it reports:

- the pipeline alone: patches/s of the training `DataLoader` (patch, masks, first guess in `FirstGuessCollate`)
  with 0, 1, 2, ... worker processes (`--workers`);
- a training step (forward, backward, AdamW) of the main job's network: samples/s in fp32, and on a GPU in bf16
  autocast too, with and without `torch.compile` and channels-last, and the ratio pipeline ÷ step;
- sampling: samples/s of a DDIM-25, 8-member reconstruction (fp32; bf16 on a GPU);
- on a GPU, the largest training batch that fits (doubling until out of memory);
- on a CPU, the step with 1 torch thread against all the cores, alone and with `--busy` processes spinning beside it
  (what other work on a shared machine does to torch's default).

The same script runs unchanged on a GPU machine: it uses CUDA when `--device auto` finds it. Prints markdown tables.
"""
import argparse, json, math, multiprocessing as mp, os, time
from pathlib import Path
import numpy as np
import torch

def _sync(device):
    if device.type == 'cuda': torch.cuda.synchronize(device)

def pipeline(train_set, guess, workers, batch_size, batches):
    "Patches/s of the training DataLoader alone (first batch, which starts the workers, not timed)."
    from torch.utils.data import DataLoader
    from depthdif.data import worker_init
    from depthdif.sampling import FirstGuessCollate
    loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, num_workers=workers, worker_init_fn=worker_init,
                        collate_fn=FirstGuessCollate(guess, 'x_ambient_mask'), generator=torch.Generator().manual_seed(0))
    it = iter(loader); next(it)
    t0, n = time.time(), 0
    for _, b in zip(range(batches), it): n += len(b['x'])
    return n / (time.time() - t0)

def step_speed(cfg, batch, device, bf16=False, compile=False, channels_last=False, steps=10, warmup=3):
    "Samples/s of training steps on `batch` (already on `device`)."
    from depthdif.train import build_model, train_loss
    from depthdif.diffusion import make_schedule
    model = build_model(cfg).to(device)
    if channels_last: model = model.to(memory_format=torch.channels_last)
    net = torch.compile(model) if compile else model
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    schedule, g = make_schedule(cfg.schedule, cfg.timesteps), torch.Generator(device).manual_seed(0)
    amp = torch.autocast('cuda', dtype=torch.bfloat16, enabled=bf16) if device.type == 'cuda' else torch.autocast('cpu', enabled=False)
    def one():
        with amp: loss = train_loss(net, batch, schedule, cfg, generator=g)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    t0 = time.time()
    for _ in range(warmup): one()
    _sync(device); warm = time.time() - t0
    t0 = time.time()
    for _ in range(steps): one()
    _sync(device)
    return len(batch['x']) * steps / (time.time() - t0), warm

def sample_speed(model, batch, schedule, device, bf16=False, steps=25, members=8):
    "Samples/s (patches reconstructed per second) of a DDIM ensemble."
    from depthdif.sampling import reconstruct
    amp = torch.autocast('cuda', dtype=torch.bfloat16, enabled=bf16) if device.type == 'cuda' else torch.autocast('cpu', enabled=False)
    g = torch.Generator(device).manual_seed(0)
    with amp: reconstruct(model, batch, schedule, 'v', 'ddim', 2, members, generator=g)     # warm-up
    _sync(device); t0 = time.time()
    with amp: reconstruct(model, batch, schedule, 'v', 'ddim', steps, members, generator=g)
    _sync(device)
    return len(batch['x']) / (time.time() - t0)

def largest_batch(cfg, batch, device, bf16=True, cap=2 ** 16):
    "The largest power-of-two training batch (the given batch tiled) that runs a step without running out of GPU memory."
    fits, b = None, len(batch['x'])
    while b <= cap:
        n = len(batch['x'])
        big = {k: v.repeat(b // n, *[1] * (v.ndim - 1)) if v.shape[0] == n else v for k, v in batch.items()}
        try: step_speed(cfg, big, device, bf16=bf16, steps=1, warmup=1); fits = b
        except torch.OutOfMemoryError: break
        finally: del big; torch.cuda.empty_cache()
        b *= 2
    return fits

def _spin(stop):
    while not stop.is_set(): pass

def threads_table(cfg, batch, busy:int):
    "CPU step samples/s with 1 thread and with one per core, alone and beside `busy` spinning processes (measured alternately)."
    rows, cores = [], os.cpu_count()
    for n_busy in sorted({0, busy}):
        stop = mp.Event(); procs = [mp.Process(target=_spin, args=(stop,)) for _ in range(n_busy)]
        for p in procs: p.start()
        try:
            for threads in (1, cores):
                torch.set_num_threads(threads)
                rows.append(dict(busy=n_busy, threads=threads, samples_per_s=step_speed(cfg, batch, torch.device('cpu'), steps=5, warmup=1)[0]))
        finally:
            stop.set()
            for p in procs: p.join()
    torch.set_num_threads(cores)
    return rows

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--device', default='auto'); ap.add_argument('--workers', default='', help='e.g. 0,1,2 (default: 0, 1, 2 and half the cores)')
    ap.add_argument('--batches', type=int, default=15); ap.add_argument('--batch_size', type=int, default=32)
    ap.add_argument('--no_compile', action='store_true'); ap.add_argument('--busy', type=int, default=1, help='spinning processes beside the CPU thread test')
    ap.add_argument('--json', default='')
    a = ap.parse_args()
    from torch.utils.data import DataLoader, Subset
    from depthdif.train import TrainConfig, datasets_for, resolve_device, build_model
    from depthdif.baselines import RegressionOI
    from depthdif.sampling import fit_residual_scale, FirstGuessCollate, to_device
    from depthdif.diffusion import make_schedule
    device = resolve_device(a.device)
    cfg = TrainConfig()
    name = torch.cuda.get_device_name(device) if device.type == 'cuda' else f'CPU ({os.cpu_count()} cores)'
    print(f"device: {name}; torch {torch.__version__}, {torch.get_num_threads()} threads" + ('' if device.type == 'cuda' else '; no GPU here: GPU rows are not measured'))
    dsets, norm = datasets_for(cfg, index=None)
    t0 = time.time()
    guess = RegressionOI().fit(dsets['train']); guess.residual_scale = fit_residual_scale(guess, dsets['train'])
    print(f"first guess fitted in {time.time() - t0:.0f} s", flush=True)
    res = dict(device=name, torch=torch.__version__)
    workers = [int(w) for w in a.workers.split(',')] if a.workers else sorted({0, 1, 2, max(1, os.cpu_count() // 2)})
    res['pipeline'] = {w: pipeline(dsets['train'], guess, w, a.batch_size, a.batches) for w in workers}
    for w, v in res['pipeline'].items(): print(f"pipeline, {w} workers: {v:.0f} patches/s", flush=True)
    batch = to_device(next(iter(DataLoader(dsets['train'], batch_size=a.batch_size, collate_fn=FirstGuessCollate(guess, 'x_ambient_mask')))), device)
    variants = [dict(), dict(channels_last=True)] + ([] if a.no_compile else [dict(compile=True)])
    if device.type == 'cuda': variants += [dict(bf16=True), dict(bf16=True, channels_last=True)] + ([] if a.no_compile else [dict(bf16=True, compile=True)])
    res['step'] = []
    for v in variants:
        try: sps, warm = step_speed(cfg, batch, device, **v)
        except Exception as e: print(f"step {v}: failed ({type(e).__name__}: {str(e)[:200]})"); continue
        res['step'].append(dict(v, samples_per_s=sps, warmup_s=warm)); print(f"step {v or 'fp32'}: {sps:.1f} samples/s (warm-up {warm:.1f} s)", flush=True)
    model = build_model(cfg).to(device).eval(); schedule = make_schedule(cfg.schedule, cfg.timesteps)
    vb = to_device(next(iter(DataLoader(dsets['val'], batch_size=64, collate_fn=FirstGuessCollate(guess)))), device)
    res['sampling'] = {p: sample_speed(model, vb, schedule, device, bf16=(p == 'bf16')) for p in (['fp32', 'bf16'] if device.type == 'cuda' else ['fp32'])}
    if device.type == 'cuda': res['largest_batch'] = {p: largest_batch(cfg, batch, device, bf16=(p == 'bf16')) for p in ('fp32', 'bf16')}
    else: res['threads'] = threads_table(cfg, {k: v for k, v in batch.items()}, a.busy)
    best = max(res['pipeline'].items(), key=lambda kv: kv[1])
    base = next(r['samples_per_s'] for r in res['step'] if len(r) == 2)
    print(f"\n{name}, main job (16×16 patches, batch {a.batch_size}, regression + OI first guess)\n")
    print('| training step | samples/s | × fp32 | pipeline ÷ step (best: ' + f'{best[0]} workers, {best[1]:.0f} patches/s) |'); print('|---|---|---|---|')
    for r in res['step']:
        what = ', '.join(k for k in ('bf16', 'compile', 'channels_last') if r.get(k)) or 'fp32'
        print(f"| {what} | {r['samples_per_s']:.1f} | {r['samples_per_s'] / base:.2f} | {best[1] / r['samples_per_s']:.2f} |")
    print('\n| pipeline workers | patches/s |\n|---|---|\n' + '\n'.join(f'| {w} | {v:.0f} |' for w, v in res['pipeline'].items()))
    print('\n| sampling (DDIM-25 × 8) | patches/s |\n|---|---|\n' + '\n'.join(f'| {p} | {v:.2f} |' for p, v in res['sampling'].items()))
    if 'largest_batch' in res: print(f"\nlargest training batch that fits: {res['largest_batch']}")
    if 'threads' in res:
        print('\n| busy processes beside | torch threads | step samples/s |\n|---|---|---|\n' +
              '\n'.join(f"| {r['busy']} | {r['threads']} | {r['samples_per_s']:.1f} |" for r in res['threads']))
    if a.json: Path(a.json).write_text(json.dumps(res, indent=1, default=str))

if __name__ == '__main__':
    main()
