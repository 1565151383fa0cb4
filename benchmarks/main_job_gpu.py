"""The twin main job on a GPU: how long it takes, and what more epochs do to the corrective split.

    python benchmarks/main_job_gpu.py --epochs 4 16 --workers 8 --json out.json   # on a lent GPU
    python benchmarks/main_job_gpu.py --epochs 1 --max_patches 64 --eval_patches 32 --device cpu   # a dry run

For each epoch count: `train.fit` of the main job (`TrainConfig`'s defaults, `dataset='twin'`, the diffusion model
refining its U-Net twin) with that many epochs, `test_scores` (the U-Net twin, the 8-member DDIM-25 ensemble,
regression + OI), then the mean of an independent 32-member ensemble on the same test points (as `sample.ipynb`'s
`diffusion_32` row). Prints a markdown table: seconds of each stage, hidden-point RMSE overall and from 100 m down,
fair CRPS and spread/skill, with tqdm progress on stderr (each epoch and scoring pass). `--budget` skips the runs that would end past it (each estimated from the first).
"""
import argparse, json, time
from dataclasses import replace
from pathlib import Path
import pandas as pd
import torch
from depthdif.data import Normalizer
from depthdif.diffusion import make_schedule
from depthdif.sampling import evaluate
from depthdif.train import TrainConfig, check_device, datasets_for, first_guess_of, fit, load_model, test_scores

def run_one(cfg:TrainConfig, device:str) -> dict:
    "Train and score one run; seconds and hidden-point scores."
    t0 = time.time(); run = fit(cfg, progress=True); trained = time.time() - t0
    history = {part: pd.read_csv(run / part / 'metrics.csv').seconds.sum() for part in ('unet', '.')}
    t0 = time.time(); scores = test_scores(run, device=device, progress=True); scored = time.time() - t0
    model, ck = load_model(run / 'checkpoints' / 'last.pt')
    dsets, norm = datasets_for(cfg, norm=Normalizer(**ck['norm']), index=run / 'index')
    t0, dev = time.time(), check_device(device)
    d32 = evaluate(model.to(dev), dsets['test'], norm, make_schedule(cfg.schedule, cfg.timesteps), cfg.parameterization,
                   'ddim', cfg.eval_steps, 32, seed=cfg.seed + 1, guess=first_guess_of(ck), obs_error=dsets['test'].obs_error,
                   device=dev)['hidden']
    sampled32 = time.time() - t0
    deep = lambda s: {f'{d} m': v['rmse'] for d, v in s['per_depth'].items() if float(d) >= 100}
    d8, unet, oi = (scores[k]['hidden'] for k in ('diffusion', 'unet', 'regression_oi'))
    unet_deep = deep(unet)
    return dict(epochs=cfg.epochs, train_s=trained, unet_epochs_s=history['unet'], diffusion_epochs_s=history['.'], score_s=scored,
                sample32_s=sampled32, unet=unet['rmse'], diffusion_8=d8['rmse'], diffusion_32=d32['rmse'], regression_oi=oi['rmse'],
                ratio_8=d8['rmse'] / unet['rmse'], ratio_32=d32['rmse'] / unet['rmse'],
                **{f'ratio_32 {k}': v / unet_deep[k] for k, v in deep(d32).items()},
                crps_8=d8['crps'], crps_over_unet_mae=d8['crps'] / unet['mae'], spread_skill=d8['spread_skill'],
                ratio_32_oi=d32['rmse'] / oi['rmse'])

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--epochs', type=int, nargs='+', default=[4], help='epoch counts, one run each (the twin main job: 4)')
    ap.add_argument('--runs', default='runs/gpu', help='where the run folders go (each <runs>/twin-<epochs>)')
    ap.add_argument('--device', default='auto')
    ap.add_argument('--workers', type=int, default=0, help='DataLoader workers (first guesses of the U-Net twin in them)')
    ap.add_argument('--max_patches', type=int, default=0, help='a dry run: at most this many training patches')
    ap.add_argument('--eval_patches', type=int, default=1024)
    ap.add_argument('--budget', type=float, default=0, help='seconds: skip the runs estimated to end past it; 0: none')
    ap.add_argument('--json', default='', help='also write the rows here, after each run')
    args = ap.parse_args()
    print(f"device: {torch.cuda.get_device_name() if torch.cuda.is_available() and args.device != 'cpu' else 'cpu'}", flush=True)
    rows, start = [], time.time()
    for epochs in args.epochs:
        if args.budget and rows:
            per_epoch = rows[0]['train_s'] / rows[0]['epochs']
            estimate = rows[0]['score_s'] + rows[0]['sample32_s'] + per_epoch * epochs
            if time.time() - start + estimate > args.budget:
                print(f"skipped {epochs} epochs: about {estimate:.0f} s, past the budget"); continue
        cfg = replace(TrainConfig(dataset='twin', first_guess='unet'), epochs=epochs, out_dir=f'{args.runs}/twin-{epochs}', device=args.device,
                      num_workers=args.workers, max_patches=args.max_patches, eval_patches=args.eval_patches)
        rows.append(run_one(cfg, args.device))
        print(pd.DataFrame(rows).T.round(3).to_markdown(), flush=True)
        if args.json: Path(args.json).write_text(json.dumps(rows, indent=1))
