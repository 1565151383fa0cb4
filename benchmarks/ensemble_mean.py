"""How close an ensemble mean comes to the U-Net twin it refines: samplers, member counts, independent or antithetic members.

    python benchmarks/ensemble_mean.py runs/twin-unet-guess ddim-25-8 ddim-25-8-pairs ddpm-5-32

Each spec is `<sampler>-<steps>-<members>`, with `-pairs` for members drawn in antithetic pairs (`sample_ensemble`'s
`antithetic`). Every ensemble is scored on the run's test split (hidden points, °C; seed + 1 as `sample.ipynb`'s
second ensemble, the test split's observation error) next to the run's U-Net twin; prints a markdown table of the
RMSE, its ratio to the twin's overall and from 100 m down, and, for independent members, the fair CRPS and
spread/skill as sampled (no calibration: it moves the spread, not the mean).
"""
import argparse, time
from pathlib import Path
import pandas as pd
from depthdif.data import Normalizer
from depthdif.diffusion import make_schedule
from depthdif.sampling import evaluate
from depthdif.train import TrainConfig, check_device, datasets_for, first_guess_of, load_model

def open_run(run:Path) -> tuple:
    "(model, checkpoint, config, datasets, normaliser, U-Net twin, its checkpoint) of a run folder refining its U-Net twin."
    model, ck = load_model(run / 'checkpoints' / 'last.pt'); cfg = TrainConfig.from_dict(ck['config'])
    dsets, norm = datasets_for(cfg, norm=Normalizer(**ck['norm']), index=run / 'index')
    return model, ck, cfg, dsets, norm, *load_model(run / 'unet' / 'checkpoints' / 'last.pt')

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('run', help='a run folder refining its U-Net twin (first_guess unet)')
    ap.add_argument('specs', nargs='+', help='<sampler>-<steps>-<members>[-pairs]')
    ap.add_argument('--device', default='auto')
    args = ap.parse_args()
    run, dev = Path(args.run), check_device(args.device)
    model, ck, cfg, dsets, norm, unet, unet_ck = open_run(run)
    test, guess, schedule = dsets['test'], first_guess_of(ck), make_schedule(cfg.schedule, cfg.timesteps)
    twin = evaluate(unet.to(dev), test, norm, None, objective='regression', guess=first_guess_of(unet_ck), device=dev)['hidden']
    rows = {'unet': dict(rmse=twin['rmse'], ratio=1.0)}
    for spec in args.specs:
        sampler, steps, n, *pairs = spec.split('-'); t0 = time.time()
        h = evaluate(model.to(dev), test, norm, schedule, cfg.parameterization, sampler, int(steps), int(n), seed=cfg.seed + 1, guess=guess,
                     obs_error=test.obs_error, device=dev, sampler_kwargs=dict(antithetic=pairs == ['pairs']))['hidden']
        rows[spec] = dict(rmse=h['rmse'], ratio=h['rmse'] / twin['rmse'],
                          **{f'ratio {d} m': v['rmse'] / twin['per_depth'][d]['rmse'] for d, v in h['per_depth'].items() if float(d) >= 100},
                          **({} if pairs else dict(crps=h['crps'], spread_skill=h['spread_skill'])), seconds=time.time() - t0)
        print(pd.DataFrame(rows).T.round(4).to_markdown(), flush=True)
