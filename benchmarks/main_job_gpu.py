"""The twin main job on a GPU: how long it takes, and what more diffusion epochs do to the corrective split.

    python benchmarks/main_job_gpu.py --diffusion_epochs 8 12 --workers 8 --json out.json   # on a lent GPU
    python benchmarks/main_job_gpu.py --max_patches 64 --eval_patches 32 --device cpu --diffusion_epochs 2   # a dry run

First the twin main job itself: `train.fit` (`TrainConfig`'s defaults, `dataset='twin'`, 4 epochs, the diffusion model
refining its U-Net twin). Then, for each of `--diffusion_epochs`, a diffusion model trained for that many epochs on the
same U-Net twin (its folder and patch index copied into a new run), so that only the diffusion model's training
changes. Each run is scored by `test_scores` (the U-Net twin, the 8-member DDIM-25 ensemble, regression + OI) and by
the mean of a 32-member ensemble in antithetic pairs on the same test points (as `sample.ipynb`'s `diffusion_32` row).
Prints a markdown table: seconds of each stage, hidden-point RMSE overall and from 100 m down, fair CRPS and
spread/skill, with tqdm progress on stderr (each epoch and scoring pass). `--budget` skips the runs that would end
past it (each estimated from the main job's diffusion epochs and scoring).
"""
import argparse, json, shutil, time
from dataclasses import replace
from pathlib import Path
import pandas as pd
import torch
from depthdif.data import Normalizer
from depthdif.diffusion import make_schedule
from depthdif.sampling import evaluate
from depthdif.train import TrainConfig, _train, check_device, datasets_for, first_guess_of, fit, load_model, test_scores

MAIN_JOB_EPOCHS = 4   # the twin main job's (README: `-p dataset twin -p epochs 4`)

def train_on_twin(cfg:TrainConfig, main_run:Path, device:str) -> Path:
    "Train `cfg`'s diffusion model alone on the U-Net twin (and patch index) of `main_run`, copied into its own run folder."
    cfg = replace(cfg.validate(), out_dir=str(cfg.run_dir)); run = Path(cfg.out_dir)
    for part in ('unet', 'index'): shutil.copytree(main_run / part, run / part)
    return _train(cfg, 0, 1, check_device(device), True)

def run_one(cfg:TrainConfig, device:str, main_run:Path|None=None) -> dict:
    "Train (the whole main job, or the diffusion model alone on `main_run`'s twin) and score one run; seconds and hidden-point scores."
    t0 = time.time(); run = fit(cfg, progress=True) if main_run is None else train_on_twin(cfg, main_run, device); trained = time.time() - t0
    history = {part: pd.read_csv(run / part / 'metrics.csv').seconds.sum() for part in ('unet', '.')}
    t0 = time.time(); scores = test_scores(run, device=device, progress=True); scored = time.time() - t0
    model, ck = load_model(run / 'checkpoints' / 'last.pt')
    dsets, norm = datasets_for(cfg, norm=Normalizer(**ck['norm']), index=run / 'index')
    t0, dev = time.time(), check_device(device)
    d32 = evaluate(model.to(dev), dsets['test'], norm, make_schedule(cfg.schedule, cfg.timesteps), cfg.parameterization,
                   'ddim', cfg.eval_steps, 32, seed=cfg.seed + 1, guess=first_guess_of(ck), obs_error=dsets['test'].obs_error,
                   device=dev, sampler_kwargs=dict(antithetic=True))['hidden']
    sampled32 = time.time() - t0
    deep = lambda s: {f'{d} m': v['rmse'] for d, v in s['per_depth'].items() if float(d) >= 100}
    d8, unet, oi = (scores[k]['hidden'] for k in ('diffusion', 'unet', 'regression_oi'))
    unet_deep = deep(unet)
    return dict(diffusion_epochs=cfg.epochs, train_s=trained, unet_epochs_s=history['unet'], diffusion_epochs_s=history['.'], score_s=scored,
                sample32_s=sampled32, unet=unet['rmse'], diffusion_8=d8['rmse'], diffusion_32=d32['rmse'], regression_oi=oi['rmse'],
                ratio_8=d8['rmse'] / unet['rmse'], ratio_32=d32['rmse'] / unet['rmse'],
                **{f'ratio_32 {k}': v / unet_deep[k] for k, v in deep(d32).items()},
                crps_8=d8['crps'], crps_over_unet_mae=d8['crps'] / unet['mae'], spread_skill=d8['spread_skill'],
                ratio_32_oi=d32['rmse'] / oi['rmse'])

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--diffusion_epochs', type=int, nargs='*', default=[], help="after the main job: diffusion models of these many epochs on its U-Net twin")
    ap.add_argument('--runs', default='runs/gpu', help='where the run folders go (<runs>/twin-main, <runs>/twin-diffusion-<epochs>)')
    ap.add_argument('--device', default='auto')
    ap.add_argument('--workers', type=int, default=0, help='DataLoader workers (masks and classical first guesses in them)')
    ap.add_argument('--max_patches', type=int, default=0, help='a dry run: at most this many training patches')
    ap.add_argument('--eval_patches', type=int, default=1024)
    ap.add_argument('--budget', type=float, default=0, help='seconds: skip the runs estimated to end past it; 0: none')
    ap.add_argument('--json', default='', help='also write the rows here, after each run')
    args = ap.parse_args()
    print(f"device: {torch.cuda.get_device_name() if torch.cuda.is_available() and args.device != 'cpu' else 'cpu'}", flush=True)
    base = replace(TrainConfig(dataset='twin', first_guess='unet'), epochs=MAIN_JOB_EPOCHS, device=args.device, num_workers=args.workers,
                   max_patches=args.max_patches, eval_patches=args.eval_patches)
    start, main_run = time.time(), Path(args.runs) / 'twin-main'
    rows = [run_one(replace(base, out_dir=str(main_run)), args.device)]
    for epochs in args.diffusion_epochs:
        per_epoch = rows[0]['diffusion_epochs_s'] / MAIN_JOB_EPOCHS
        estimate = rows[0]['train_s'] - rows[0]['unet_epochs_s'] - rows[0]['diffusion_epochs_s'] + per_epoch * epochs + rows[0]['score_s'] + rows[0]['sample32_s']
        print(pd.DataFrame(rows).T.round(3).to_markdown(), flush=True)
        if args.json: Path(args.json).write_text(json.dumps(rows, indent=1))
        if args.budget and time.time() - start + estimate > args.budget:
            print(f"skipped {epochs} diffusion epochs: about {estimate:.0f} s, past the budget"); continue
        rows.append(run_one(replace(base, epochs=epochs, out_dir=f'{args.runs}/twin-diffusion-{epochs}'), args.device, main_run))
    print(pd.DataFrame(rows).T.round(3).to_markdown(), flush=True)
    if args.json: Path(args.json).write_text(json.dumps(rows, indent=1))
