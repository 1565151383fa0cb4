"""What sea level buys on the twin ocean: the twin main job (`-p dataset twin -p epochs 4`) conditioned on SST and the
twin's L4-like ADT (`-p surface sst,adt`), scored by `sample.ipynb` on the same test points as the SST-only main job,
and the ablation table of every method with SST only and with SST + sea level (`metrics.ablation_table`).

    python benchmarks/sea_level.py                   # tracks at 95 % corruption: runs/twin-adt, docs/results/twin-adt/
    python benchmarks/sea_level.py --profiles        # the same with the Argo-like profiles as the observations
    python benchmarks/sea_level.py --first_guess unet  # the diffusion model refining the U-Net twin (the corrective split)

The SST-only side is the scored run already published (docs/results/twin/ddim25x8, docs/results/twin-profiles/test):
the twin's `thetao` and `sst` are bit-identical to the ones it was scored on, and so are the split, masks and seeds, so
the points are the same. The classical baselines in the sea-level table regress on both fields (ARMOR3D-like). A
finished step is not run again (delete its folder to redo it); an interrupted training resumes. Writes `sea_level.md`
in the results folder and prints it.
"""
import argparse
from pathlib import Path
import pandas as pd
from production import ROOT, sample, skill, timing, train
from depthdif.metrics import ablation_table

SETTINGS = {False: dict(run='twin-adt', without='twin/ddim25x8', scored='ddim25x8', params=[], what='95 % track corruption'),
            True: dict(run='twin-profiles-adt', without='twin-profiles/test', scored='test',
                       params=['-p', 'obs_path', 'builtin', '-p', 'loss', 'supervised'], what="the twin's Argo-like profiles as the observations")}
GOALS = dict(all=0.70, deep=0.80)   # diffusion mean over the ARMOR3D-like baseline: all depths, and each depth from 100 m down

def report(without:pd.DataFrame, with_sl:pd.DataFrame, seconds:dict, what:str, epochs:int, threads:int) -> str:
    "The sea-level skill table's headline, the ablation, the goals and the time, as markdown."
    ab = ablation_table(without, with_sl, ('SST', 'SST + ADT'))
    ratio = with_sl.loc['diffusion', 'rmse'] / with_sl.loc['regression_oi', 'rmse']
    deep = [c for c in with_sl.columns if c.endswith(' m') and float(c[:-2]) >= 100]
    per_depth = with_sl.loc['diffusion', deep] / with_sl.loc['regression_oi', deep]
    verdict = lambda ok: 'met' if ok else 'not met'
    return (f"Twin ocean with sea level, {what} ({epochs} epochs, {threads or 'default'} torch thread(s)); hidden-point RMSE, °C, "
            "every method on the same test points with SST only and with SST + ADT (the baselines' regression on both fields: "
            "ARMOR3D-like). Ratio: RMSE with sea level / without (below 1: sea level helps).\n\n" + ab.round(3).to_markdown() +
            f"\n\nDiffusion ensemble mean with sea level: {ratio:.2f}× the ARMOR3D-like regression + OI over all depths (goal ≤ "
            f"{GOALS['all']:.2f}×: {verdict(ratio <= GOALS['all'])}); from 100 m down "
            + ', '.join(f"{d} {v:.2f}×" for d, v in per_depth.items()) + f" (goal ≤ {GOALS['deep']:.2f}× at each: "
            f"{verdict((per_depth <= GOALS['deep']).all())}). " + timing(seconds) + "\n")

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--profiles', action='store_true', help="the Argo-like profiles as the observations instead of tracks")
    ap.add_argument('--first_guess', default='regression_oi', help="TrainConfig.first_guess of both runs: regression_oi (the published results/twin-adt), or unet")
    ap.add_argument('--epochs', type=int, default=4, help="the twin main job's 4 epochs")
    ap.add_argument('--threads', type=int, default=0, help="torch threads (0: torch's default, the README's setting)")
    ap.add_argument('--runs', default='runs', help='where the run folder goes')
    ap.add_argument('--results', default=str(ROOT / 'docs' / 'results'), help='where the scored tables go (docs/results for the docs)')
    args = ap.parse_args()
    own = args.first_guess != 'regression_oi'              # runs and tables of their own, beside the published ones
    if args.profiles and own: ap.error('--first_guess goes with the track runs only (no profile run refining the U-Net twin is published)')
    s = SETTINGS[args.profiles]
    name = s['run'] + (f'-{args.first_guess}-guess' if own else '')
    run, results = Path(args.runs) / name, Path(args.results) / name
    seconds = train(run, args.epochs, args.threads, '-p', 'dataset', 'twin', '-p', 'surface', 'sst,adt', *s['params'], '-p', 'first_guess', args.first_guess)
    with_sl = sample(run, results / s['scored'])
    without = Path(args.results) / (f"twin-{args.first_guess}-guess/ddim25x8" if own else s['without'])
    text = report(skill(without), with_sl, seconds, s['what'] + (f", first_guess={args.first_guess}" if own else ''), args.epochs, args.threads)
    (results / 'sea_level.md').write_text(text)
    print(text)
