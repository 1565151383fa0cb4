"""Does the main job survive a busy machine? Each main job's training epochs timed alone and beside one
single-threaded CPU-bound process (`while True: pass`, as a busy browser tab or another kernel), with the thread
settings of OpenMP (torch's intra-op threads), read when torch loads:

- `old`: torch's own behaviour (libgomp spins about 300,000 times, ~3 ms, at the end of every parallel region before
  it sleeps), what the package did before issue #36;
- `passive`: `OMP_WAIT_POLICY=PASSIVE`: waiting threads sleep at once;
- `spin 10k`, `spin 50k`: `GOMP_SPINCOUNT`: a short spin (~0.1 ms, ~0.5 ms), then sleep;
- `follow load`: torch's own waiting, with as many threads as cores the other processes leave free (`CoreShare`,
  TrainConfig's `threads=0`, the README's setting).

The others run torch's default thread count, fixed (`threads` = the cores), so their arithmetic, and every loss and
validation figure, is the old one; `follow load` changes the last bits of the gradients when it changes the thread
count (busy). The table says which figures agree. tests/test_benchmarks.py checks that the package's own setting (its
OpenMP environment, set when depthdif is imported before torch, and TrainConfig's `threads`) is a row here. Each run is `train.fit` of the main job
(`TrainConfig`'s defaults, the twin's with `dataset='twin'`), the U-Net twin then the diffusion model, for `--epochs`
epochs on `--max_patches` training patches; an epoch's time is its `train_seconds` in metrics.csv.

    python benchmarks/threads.py                            # both main jobs, one full epoch of each model, 16 runs
    python benchmarks/threads.py --short                    # a check that it runs: 320 patches (10 steps an epoch)
    python benchmarks/threads.py twin --max_patches 3200    # the twin alone, 100 steps an epoch
    python benchmarks/threads.py default --epochs 2 --repeats 3 --settings 'old,follow load'   # a closer look: runs interleaved

Run it with nothing else on the machine: the competing process is the only load it should see. Prints a markdown
table (and writes it to --out, with the runs' figures as JSON): per job and model, the epoch alone and beside the
competitor for each setting, the ratio busy/alone (the goal: at most ~2.5) and each setting's time alone over the
old's (the goal: no slower).
"""
import argparse, json, os, subprocess, sys, tempfile, time
import numpy as np
from pathlib import Path
from main_job_time import machine

ROOT = Path(__file__).resolve().parents[1]
CORES = len(os.sched_getaffinity(0))
# setting: (the OpenMP environment the training process starts with, TrainConfig's threads)
SETTINGS = {'old': ({}, CORES), 'passive': ({'OMP_WAIT_POLICY': 'PASSIVE'}, CORES), 'spin 10k': ({'GOMP_SPINCOUNT': '10000'}, CORES),
            'spin 50k': ({'GOMP_SPINCOUNT': '50000'}, CORES), 'follow load': ({}, 0)}
CHILD = r'''
import json, sys, time
import torch                                      # OpenMP reads its wait policy now, before depthdif could set one
from depthdif.train import TrainConfig, fit
import pandas as pd, torch
run = fit(TrainConfig(**json.loads(sys.argv[1])), progress=False)
out = {m: {k: pd.read_csv(run / sub / 'metrics.csv')[k].tolist() for k in ('train_seconds', 'train_loss', 'val_rmse')}
       for m, sub in (('unet', 'unet'), ('diffusion', '.'))}
print(json.dumps(dict(out, threads=torch.get_num_threads())))
'''
SPIN = 'while True: pass'

def train_once(job:str, omp:dict, threads:int, busy:bool, folder:Path, epochs:int, max_patches:int, num_workers:int) -> dict:
    "One main-job training in a fresh process, optionally beside a spinning single-threaded process: its metrics per model."
    cfg = dict(dataset=job, epochs=epochs, max_patches=max_patches, num_workers=num_workers, out_dir=str(folder), threads=threads,
               eval_patches=64, eval_samples=2, eval_steps=2)          # the calibration after training: small, not timed
    env = {k: v for k, v in os.environ.items() if k not in ('OMP_WAIT_POLICY', 'OMP_NUM_THREADS', 'GOMP_SPINCOUNT')}
    env.update(omp, PYTHONPATH=str(ROOT))
    spin = subprocess.Popen([sys.executable, '-c', SPIN]) if busy else None
    try:
        time.sleep(0.5 if busy else 0)
        r = subprocess.run([sys.executable, '-c', CHILD, json.dumps(cfg)], env=env, capture_output=True, text=True, cwd=ROOT)
    finally:
        if spin: spin.kill(); spin.wait()
    if r.returncode: raise SystemExit(f"{job}{' (busy)' if busy else ''} {omp} threads={threads} failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])

def per_epoch(m:dict) -> float: return float(np.median(m['train_seconds']))   # the median epoch of all repeats

def merged(runs:list) -> dict:
    "One setting's repeated runs as one: every epoch's time; the first run's figures, checked to be every run's (else None)."
    figures = lambda r, model: (r[model]['train_loss'], r[model]['val_rmse'])
    out = {model: dict(train_seconds=[t for r in runs for t in r[model]['train_seconds']],
                       **({k: runs[0][model][k] for k in ('train_loss', 'val_rmse')} if all(figures(r, model) == figures(runs[0], model) for r in runs)
                          else dict(train_loss=None, val_rmse=None)))
           for model in ('unet', 'diffusion')}
    return dict(out, threads=sorted({r['threads'] for r in runs}), repeats=len(runs))

def table(results:dict) -> str:
    "Markdown: per job, model and setting, the epoch alone and busy, busy/alone, its time alone over the old setting's, and whether its figures are the old's."
    rows = ['| job | model | setting | alone s | busy s | busy/alone | alone / old alone | same figures |', '|---|---|---|---|---|---|---|---|']
    for job, r in results.items():
        for model in ('unet', 'diffusion'):
            figures = lambda s, b: (r[s][b][model]['train_loss'], r[s][b][model]['val_rmse'])
            old = per_epoch(r['old']['alone'][model])
            for s in r:
                alone, busy = per_epoch(r[s]['alone'][model]), per_epoch(r[s]['busy'][model])
                same = [figures(s, b) == figures('old', 'alone') for b in ('alone', 'busy')]
                same = 'yes' if all(same) else 'alone only' if same[0] else 'busy only' if same[1] else 'no'
                rows.append(f"| {job} | {model} | {s} | {alone:.1f} | {busy:.1f} | {busy / alone:.2f} | {alone / old:.2f} | {same} |")
    return '\n'.join(rows)

def repeats(run:dict) -> str: return f", each run {run['repeats']} times interleaved" if run.get('repeats', 1) > 1 else ''

def report(results:dict) -> str:
    "The run's conditions (`results['run']`), then `table` of the jobs."
    run = results['run']
    head = (f"{run['machine']}, {run['date']}: {run['epochs']} epoch(s) of each model{repeats(run)} on {run['max_patches'] or 'all'} training patches, "
            f"{run['num_workers']} DataLoader workers; load {run['load']:.1f} before the first run "
            f"({'alone' if run['load'] <= 0.5 else 'NOT alone: the times are not a verdict'}). Seconds per training epoch (metrics.csv "
            "train_seconds, the median epoch); busy: beside one single-threaded CPU-bound process; same figures: each run's losses and validation RMSE "
            "against the old setting's alone.\n\n")
    return head + table({job: r for job, r in results.items() if job != 'run'})

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('jobs', nargs='*', default=['default', 'twin'], help="main jobs: 'default' and/or 'twin'")
    ap.add_argument('--epochs', type=int, default=1, help='epochs of each model per run')
    ap.add_argument('--max_patches', type=int, default=0, help='training patches per epoch (TrainConfig.max_patches); 0: all')
    ap.add_argument('--num_workers', type=int, default=0, help="DataLoader workers (TrainConfig.num_workers; 0 is the main job's)")
    ap.add_argument('--repeats', type=int, default=1, help='runs of each setting, alone and busy, interleaved (setting after setting, then again)')
    ap.add_argument('--short', action='store_true', help='a check that it runs: --max_patches 320')
    ap.add_argument('--settings', default=','.join(SETTINGS), help=f"comma list of the settings to run, 'old' among them (default: all: {list(SETTINGS)})")
    ap.add_argument('--out', default='', help='also write threads.md and threads.json into this folder')
    args = ap.parse_args()
    if args.short: args.max_patches = 320
    unknown = [j for j in args.jobs if j not in ('default', 'twin')]
    if unknown: ap.error(f"unknown job(s) {unknown}: 'default' or 'twin'")
    settings = [s.strip() for s in args.settings.split(',')]
    if 'old' not in settings or set(settings) - set(SETTINGS): ap.error(f"--settings {args.settings!r}: 'old' and any of {list(SETTINGS)}")
    load = os.getloadavg()[0]
    results = {}
    with tempfile.TemporaryDirectory(prefix='depthdif-threads-') as tmp:
        for job in args.jobs:
            runs = {(s, b): [] for s in settings for b in ('alone', 'busy')}
            for rep in range(args.repeats):
                for (setting, b), done in runs.items():
                    t0 = time.time()
                    done.append(train_once(job, *SETTINGS[setting], b == 'busy', Path(tmp) / f'{job}-{setting}-{b}-{rep}', args.epochs,
                                           args.max_patches, args.num_workers))
                    print(f"{job} {setting} {b} ({rep + 1}/{args.repeats}): {time.time() - t0:.0f} s, {done[-1]['threads']} torch threads", file=sys.stderr)
            results[job] = {s: {b: merged(runs[s, b]) for b in ('alone', 'busy')} for s in settings}
    results['run'] = dict(machine=machine(), epochs=args.epochs, max_patches=args.max_patches, num_workers=args.num_workers, load=load,
                          repeats=args.repeats, date=time.strftime('%Y-%m-%d'))
    text = report(results)
    print(text)
    if args.out:
        out = Path(args.out); out.mkdir(parents=True, exist_ok=True)
        (out / 'threads.md').write_text(text + '\n'); (out / 'threads.json').write_text(json.dumps(results, indent=1))
