"""Latent against pixel-space diffusion, in one run, with every depth level of a built-in dataset down to 1000 m as
targets (the 19 World Ocean Atlas levels 0–1000 m of the embedded default): where pixel diffusion pays the most.

    python benchmarks/latent.py                                  # the embedded default, the main job's 50 epochs
    python benchmarks/latent.py --epochs 20 --dataset twin       # fewer epochs (for every model alike), another dataset
    python benchmarks/latent.py pixel latent                     # some of the models
    python benchmarks/latent.py pixel latent --depths woa        # the default's 19-level column run (#33): pixel against latent, same epochs
    python benchmarks/latent.py pixel latent --dataset twin --depths all   # the twin's column, every level to 2000 m
    python benchmarks/latent.py pixel latent --depths woa --short          # a check that it runs (64 patches, 1 epoch): not a result

Every model is the main job (`TrainConfig()`: 50 epochs, refining regression + OI, 95 % track corruption) with the
diffusion model alone (no U-Net twin) and the dataset's levels as `depths`; the models differ only where the
comparison needs it (`MODELS`); the latent models share one autoencoder (trained with the first, reused by the other). Each is trained into --out/<model> (a finished one is read back, an interrupted one
resumes) and scored on the test split's hidden points with the evaluation ensemble (DDIM-25 × 8 members, spread
calibrated), next to the autoencoder's round trip of the truth (its floor) and the regression + OI first guess.
Timings: training seconds per epoch (the optimiser steps, without the per-epoch validation; the fastest epoch of
metrics.csv, the least disturbed by other work on a shared machine), and
sampling seconds per patch (the 8-member ensemble of the whole test split, first guess given, decoding included),
timed for every model in turn, twice, keeping the faster. Prints markdown tables and writes latent.json/latent.md
under --out (and, with --publish DIR, copies them to DIR: the docs' results page includes them).
"""
import argparse, json, shutil, time
from pathlib import Path
import numpy as np
import pandas as pd
import torch
from torch.utils.data import DataLoader
from depthdif.data import Normalizer
from depthdif.diffusion import make_schedule
from depthdif.latent import latent_model, reconstruction_rmse
from depthdif.metrics import skill_table
from depthdif.sampling import evaluate, reconstruct, score_baseline, score_floor, with_first_guess
from depthdif.train import DATASETS, DEPTH_NAMES, TrainConfig, first_guess_of, fit, datasets_for, list_param, load_model, spread_scale_of

RUN = dict(unet_baseline=False, first_guess='regression_oi')   # the main job as it was measured: the diffusion model alone, refining regression + OI
MODELS = {  # name: (what it is, TrainConfig overrides)
    'pixel':            ('pixel-space diffusion, the main job (ambient loss: sparse observations only)', {}),
    'pixel_supervised': ('pixel-space diffusion learning from the dense field, as the latent model does', dict(loss='supervised')),
    'latent':           ('latent diffusion (autoencoder: half the levels as channels, 2x coarser grid), ambient loss', dict(latent=True)),
    'latent_supervised': ('latent diffusion learning from the dense latent (supervised loss)', dict(latent=True, loss='supervised')),
}

SHORT = dict(max_patches=64, epochs=1, ae_epochs=1, eval_patches=32)   # --short: a check that it runs, every model alike

def target_depths(dataset:str, deepest:float=1000., depths:str='') -> tuple:
    "The comparison's depths: `depths` (a named set such as 'woa' or 'all', or a list '10,20,50', as TrainConfig.depths takes it), or every level of the built-in `dataset` down to `deepest` m."
    if depths:
        value = depths if depths.strip() in DEPTH_NAMES else list_param('depths', depths)
        return TrainConfig.from_dict(dict(dataset=dataset, depths=value)).depths   # refused by name beyond the dataset's levels
    return tuple(float(d) for d in DATASETS[dataset]().depth.values if d <= deepest)

AE_FROM = 'latent'   # the latent models after the first reuse its autoencoder, so that they differ in their diffusion only

def config(name:str, dataset:str, depths:tuple, out:Path, epochs:int|None=None, short:bool=False) -> TrainConfig:
    "The run of model `name`: the main job with the comparison's dataset, depths (and epochs, if given; `SHORT` with short) and the model's overrides."
    extra = {**(SHORT if short else {}), **(dict(epochs=epochs) if epochs else {})}
    if MODELS[name][1].get('latent') and name != AE_FROM: extra['autoencoder'] = str(out / AE_FROM / 'autoencoder' / 'checkpoints' / 'last.pt')
    return TrainConfig.from_dict({**RUN, 'dataset': dataset, 'depths': depths, **extra, **MODELS[name][1], 'out_dir': str(out / name),
                                  'resume': (out / name / 'checkpoints' / 'last.pt').exists()})

def train_and_score(name:str, cfg:TrainConfig) -> dict:
    "Train (or resume, or read back) model `name` into cfg.out_dir and score it on the test split."
    out = Path(cfg.out_dir); done = out / 'result.json'
    if done.exists(): return json.loads(done.read_text())
    t0 = time.time(); fit(cfg); fit_s = time.time() - t0
    model, ck = load_model(out / 'checkpoints' / 'last.pt')
    norm, guess = Normalizer(**ck['norm']), first_guess_of(ck)
    dsets = datasets_for(cfg, norm=norm)[0]
    scores = {name: evaluate(model, dsets['test'], norm, make_schedule(cfg.schedule, cfg.timesteps), cfg.parameterization, 'ddim',
                             cfg.eval_steps, cfg.eval_samples, guess=guess, progress=True,
                             spread_scale=spread_scale_of(ck, 'ddim', cfg.eval_steps, cfg.eval_samples))}
    extra = {}
    if latent_model(model) is not None:
        scores[f'{name}_floor'] = score_floor(model, dsets['test'], norm, guess=guess)         # the exact latent of the truth, decoded
        scores['autoencoder'] = score_floor(model.ae, dsets['test'], norm)                     # the round trip of the truth, same points
        extra['autoencoder_all_points'] = reconstruction_rmse(model.ae, dsets['test'], norm)   # ... and over every valid point
        ae_history = pd.read_csv(out / 'autoencoder' / 'metrics.csv')
        extra['autoencoder_train_s_per_epoch'] = float(ae_history.seconds.mean()); extra['autoencoder_epochs'] = len(ae_history)
    if guess is not None: scores['regression_oi'] = score_baseline(guess, dsets['test'], norm)
    res = dict(model=name, what=MODELS[name][0], overrides=MODELS[name][1], epochs=cfg.epochs, fit_s=round(fit_s),
               parameters=sum(p.numel() for p in model.parameters() if p.requires_grad), scores=scores, **extra)
    done.write_text(json.dumps(res, indent=1))
    return res

def training_seconds(cfg:TrainConfig) -> dict:
    "Seconds per epoch of the optimiser steps (the fastest epoch, the least disturbed on a shared CPU, and the mean) from metrics.csv."
    s = pd.read_csv(Path(cfg.out_dir) / 'metrics.csv').train_seconds
    return dict(train_s_per_epoch=float(s.min()), train_s_per_epoch_mean=float(s.mean()))

@torch.no_grad()
def sampling_seconds(cfgs:dict, rounds:int=2, batch_size:int=64) -> dict:
    "Seconds per test patch of each model's evaluation ensemble (first guess precomputed, decoding included), fastest of `rounds`."
    setups = {}
    for name, cfg in cfgs.items():
        model, ck = load_model(Path(cfg.out_dir) / 'checkpoints' / 'last.pt')
        test = datasets_for(cfg, norm=Normalizer(**ck['norm']))[0]['test']
        batches = [with_first_guess(b, first_guess_of(ck)) for b in DataLoader(test, batch_size=batch_size)]   # not timed
        setups[name] = (model, batches, make_schedule(cfg.schedule, cfg.timesteps), cfg, len(test))
    best = {name: float('inf') for name in setups}
    for _ in range(rounds):                          # models in turn, so that a busy spell on the shared CPU hits one round
        for name, (model, batches, schedule, cfg, n) in setups.items():
            g = torch.Generator().manual_seed(0)
            t0 = time.perf_counter()
            for b in batches: reconstruct(model, b, schedule, cfg.parameterization, 'ddim', cfg.eval_steps, cfg.eval_samples, generator=g)
            best[name] = min(best[name], (time.perf_counter() - t0) / n)
    return best

def tables(results:list, sample_s:dict, depths:tuple) -> str:
    "The summary (one row per method) and the per-depth RMSE (one row per depth), as markdown."
    scores = {}
    for r in results:
        scores.update({k: v for k, v in r['scores'].items() if k not in scores})
    ref = 'pixel' if 'pixel' in scores else None
    t = skill_table(scores, reference=ref)
    info = {r['model']: r for r in results}
    rows = ['| method | RMSE °C | × pixel | CRPS °C | spread/skill | training s/epoch | sampling s/patch | sampling × faster than pixel |',
            '|---|---|---|---|---|---|---|---|']
    for name in t.index:
        r, s = info.get(name, {}), sample_s.get(name)
        faster = f"{sample_s['pixel'] / s:.1f}" if s and 'pixel' in sample_s else '–'
        fmt = lambda v, p=3: '–' if v is None or (isinstance(v, float) and np.isnan(v)) else f'{v:.{p}f}'
        rows.append(f"| {name} | {t.loc[name, 'rmse']:.3f} | {fmt(t.loc[name, f'vs {ref}']) if ref else '–'} | {fmt(t.loc[name, 'crps'])} | "
                    f"{fmt(t.loc[name, 'spread_skill'], 2)} | {fmt(r.get('train_s_per_epoch'), 1)} | {fmt(s, 4)} | {faster} |")
    per_depth = t[[c for c in t.columns if c.endswith(' m')]].T.round(3)
    for name in [n for n in ('latent', 'latent_supervised') if n in per_depth.columns and 'pixel' in per_depth.columns]:
        per_depth[f'{name} / pixel'] = (t.loc[name, per_depth.index] / t.loc['pixel', per_depth.index]).round(3).to_numpy()   # same epochs, same points
    ae = next((r for r in results if 'autoencoder_all_points' in r), None)
    if ae: per_depth['autoencoder (all valid points)'] = [round(ae['autoencoder_all_points']['per_depth'][c[:-2]], 3) for c in per_depth.index]
    return '\n'.join(rows) + '\n\nHidden-point RMSE (°C) per depth:\n\n' + per_depth.to_markdown()

def verdict(results:list, sample_s:dict) -> str:
    "The issue's goal, latent sampling >= 3x faster than pixel at <= 10 % higher RMSE, as measured."
    scores = {k: v for r in results for k, v in r['scores'].items()}
    if not {'pixel', 'latent'} <= set(scores) or not {'pixel', 'latent'} <= set(sample_s): return ''
    speed, worse = sample_s['pixel'] / sample_s['latent'], scores['latent']['hidden']['rmse'] / scores['pixel']['hidden']['rmse'] - 1
    met = speed >= 3 and worse <= 0.10
    return f"latent sampling {speed:.1f}x faster than pixel, RMSE {worse:+.1%}: goal (>= 3x, <= +10 %) {'met' if met else 'not met'}"

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('models', nargs='*', help=f"some of {', '.join(MODELS)} (default: all)")
    ap.add_argument('--dataset', default='default', help=f"a built-in dataset: one of {list(DATASETS)} (TrainConfig.dataset)")
    ap.add_argument('--epochs', type=int, default=0, help="epochs of every model (0: the main job's)")
    ap.add_argument('--depths', default='', help="the depths: a named set (woa: the 19 WOA levels; all: every level of the dataset to 2000 m) or a list 10,20,50; "
                                                 "default: every level of the dataset to 1000 m")
    ap.add_argument('--short', action='store_true', help=f"a check that it runs: {SHORT} for every model (not a result)")
    ap.add_argument('--threads', type=int, default=1, help='torch threads (1 is the steadiest on a shared CPU)')
    ap.add_argument('--out', default='', help='folder of the runs (default: runs/latent_<dataset>)')
    ap.add_argument('--publish', default='', help='also copy latent.json and latent.md to this folder (docs/results/<dataset>/latent for the docs)')
    args = ap.parse_args()
    unknown = [m for m in args.models if m not in MODELS]
    if unknown: ap.error(f"unknown model(s) {unknown}; known: {', '.join(MODELS)}")
    if args.dataset not in DATASETS: ap.error(f"--dataset {args.dataset!r} is not a built-in dataset: {list(DATASETS)}")
    torch.set_num_threads(args.threads)
    try: depths = target_depths(args.dataset, depths=args.depths)
    except ValueError as e: ap.error(str(e))
    if args.publish and args.short: ap.error('--publish takes a full run, not --short')
    tag = (f'_{len(depths)}levels' if args.depths else '') + ('_short' if args.short else '')
    out = Path(args.out or f'runs/latent_{args.dataset}{tag}'); out.mkdir(parents=True, exist_ok=True)
    cfgs = {name: config(name, args.dataset, depths, out, args.epochs, args.short) for name in (args.models or MODELS)}   # all checked first
    results = [dict(train_and_score(name, cfg), **training_seconds(cfg)) for name, cfg in cfgs.items()]
    sample_s = sampling_seconds(cfgs)
    text = (f"{args.dataset} dataset, {len(depths)} depths {depths[0]:g}–{depths[-1]:g} m, test split, 95 % track corruption, "
            f"DDIM-{cfgs[next(iter(cfgs))].eval_steps} × {cfgs[next(iter(cfgs))].eval_samples} ensemble mean, "
            f"{cfgs[next(iter(cfgs))].epochs} epochs, {args.threads} torch thread(s)" + (' (SHORT check: not a result)' if args.short else '') +
            "\n\n" + tables(results, sample_s, depths))
    text += '\n\n' + verdict(results, sample_s)
    (out / 'latent.json').write_text(json.dumps(dict(results=results, sampling_s_per_patch=sample_s), indent=1))
    (out / 'latent.md').write_text(text + '\n')
    if args.publish:
        Path(args.publish).mkdir(parents=True, exist_ok=True)
        for f in ('latent.json', 'latent.md'): shutil.copy(out / f, Path(args.publish) / f)
    print(text)
