"""Temporal context on the embedded default: the single-month network against neighbouring months stacked as channels
and against a temporal axis in the U-Net, same epochs, same batches, same test points (`13_temporal`).

    nice -n 10 python benchmarks/temporal.py                       # 15 epochs, scored with DDIM-10 × 8
    python benchmarks/temporal.py --epochs 50 --steps 25           # the main job's length and score

Prints a markdown table of the test split's hidden-point RMSE (°C, all depths and per depth) of each network's
ensemble mean next to its regression + OI first guess, and writes it to --json if given.
"""
import argparse, json, time
from pathlib import Path
import numpy as np
import torch

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--epochs', type=int, default=15); ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--members', type=int, default=8); ap.add_argument('--k', type=int, default=1, help='months each side')
    ap.add_argument('--workers', type=int, default=0); ap.add_argument('--json', default='')
    a = ap.parse_args()
    from depthdif.train import TrainConfig, datasets_for, build_model
    from depthdif.baselines import RegressionOI
    from depthdif.sampling import evaluate, fit_residual_scale, score_baseline
    from depthdif.diffusion import make_schedule
    from depthdif.model import count_parameters
    from depthdif.temporal import TemporalContext, channel_stack_unet, temporal_unet, train_prototype
    cfg = TrainConfig()
    dsets, norm = datasets_for(cfg, index=None)
    guess = RegressionOI().fit(dsets['train']); guess.residual_scale = fit_residual_scale(guess, dsets['train'])
    ctx = lambda s: TemporalContext(dsets[s], k=a.k, cyclic=True)          # the default is a 12-month climatology
    runs = {'single month': (lambda: build_model(cfg), lambda s: dsets[s]),
            f'±{a.k} month(s) as channels': (lambda: channel_stack_unet(cfg, a.k), ctx),
            f'±{a.k} month(s), temporal axis': (lambda: temporal_unet(cfg, a.k), ctx)}
    schedule, out = make_schedule(cfg.schedule, cfg.timesteps), {}
    for name, (net, data) in runs.items():
        torch.manual_seed(cfg.seed); model = net()
        t0 = time.time()
        model = train_prototype(model, data('train'), guess, cfg, a.epochs, num_workers=a.workers)
        train_s = time.time() - t0
        sc = evaluate(model, data('test'), norm, schedule, cfg.parameterization, 'ddim', a.steps, a.members, guess=guess, seed=cfg.seed, progress=True)
        out[name] = dict(parameters=count_parameters(model), train_s=train_s, hidden=sc['hidden'])
        print(name, json.dumps({k: v for k, v in out[name].items() if k != 'hidden'}), f"rmse {sc['hidden']['rmse']:.4f}", flush=True)
    oi = score_baseline(guess, dsets['test'], norm)['hidden']
    assert len({r['hidden']['n'] for r in out.values()} | {oi['n']}) == 1, 'the networks were scored on different points'
    depths = list(oi['per_depth'])
    print(f"\n{a.epochs} epochs each, test split hidden points ({oi['n']:,}), DDIM-{a.steps} × {a.members} ensemble mean; °C\n")
    print('| network | parameters | RMSE | ' + ' | '.join(f'{d} m' for d in depths) + ' | training s |')
    print('|---|---|---|' + '---|' * len(depths) + '---|')
    for name, r in out.items():
        print(f"| {name} | {r['parameters']:,} | {r['hidden']['rmse']:.3f} | " + ' | '.join(f"{r['hidden']['per_depth'][d]['rmse']:.3f}" for d in depths) + f" | {r['train_s']:.0f} |")
    print(f"| regression + OI (the first guess) | – | {oi['rmse']:.3f} | " + ' | '.join(f"{oi['per_depth'][d]['rmse']:.3f}" for d in depths) + ' | – |')
    if a.json: Path(a.json).write_text(json.dumps(dict(args=vars(a), runs=out, oi=oi), indent=1))

if __name__ == '__main__':
    main()
