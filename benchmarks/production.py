"""The production path on the twin ocean: the twin main job (`-p dataset twin -p epochs 4`) with the shipped Argo-like
profiles as its observations, trained two ways and scored two ways, as a user runs it (papermill on nbs/train.ipynb
and nbs/sample.ipynb).

    python benchmarks/production.py                       # both modes, into runs/twin-<mode> and docs/results/twin-<mode>/
    python benchmarks/production.py obs-only --threads 1  # one mode; one torch thread (a machine shared with other work)

Modes (`MODES`): `profiles` learns with the dense truth as target (`loss supervised`; the profiles are its input,
`obs_path builtin`); `obs-only` learns from the profiles alone (`obs_only True`, the ambient loss: no dense field is
read to train it). Each is scored by
`sample.ipynb` (every classical baseline, the U-Net twin, the diffusion ensemble; same points for all) against the
dense truth (an OSSE) and at the withheld profiles (an OSE), and `metrics.rank_agreement` puts the two tables side by
side: on the twin the OSE should rank the methods as the OSSE does. A finished step is not run again (delete its
folder to redo it); an interrupted training resumes. Training time: the wall time of the train notebook (its
`metrics.csv` seconds, summed, when it was resumed). Writes `production.md` under each results folder.
"""
import argparse, json, subprocess, sys, time
from pathlib import Path
import pandas as pd
from depthdif.metrics import rank_agreement

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PUBLISHED = ['-p', 'first_guess', 'regression_oi']   # the first guess of the published production runs (before the main job refined its U-Net twin)
MODES = {'profiles': ['-p', 'obs_path', 'builtin', '-p', 'loss', 'supervised', *PUBLISHED],   # the dense field is the target, the profiles the input
         'obs-only': ['-p', 'obs_path', 'builtin', '-p', 'obs_only', 'True', *PUBLISHED]}           # the ambient loss on the profiles alone
SCORED = {'profiles': ('test', 'test_profiles'), 'obs-only': ('test_dense', 'test')}   # (against the dense truth, at the withheld profiles)
GOALS = {'profiles': 0.80, 'obs-only': 0.90}   # diffusion ensemble mean over regression + OI, all hidden points, against the dense truth

def papermill(nb:str, executed:Path, *params) -> float:
    "Run a notebook of nbs/ with papermill (the executed notebook written to `executed`), relaying its log; seconds it took."
    t0 = time.time()
    subprocess.run([str(BIN / 'papermill'), str(ROOT / 'nbs' / nb), str(executed), '--log-output', *params],
                   cwd=ROOT, check=True)
    return time.time() - t0

def train(run:Path, epochs:int, threads:int, *params) -> dict:
    "Train (or resume, or read back) the main job with the papermill `params` (the dataset among them) into `run`; its training seconds."
    done = run / 'train_seconds.json'
    if done.exists(): return json.loads(done.read_text())
    run.mkdir(parents=True, exist_ok=True)
    resumed = (run / 'checkpoints' / 'last.pt').exists()
    wall = papermill('train.ipynb', run / 'train-out.ipynb', '-p', 'epochs', str(epochs), '-p', 'threads', str(threads),
                     '-p', 'out_dir', str(run), '-p', 'resume', str(resumed), *params)
    metrics = {m: pd.read_csv(run / sub / 'metrics.csv').seconds.sum() for m, sub in (('diffusion', '.'), ('unet', 'unet'))}
    seconds = dict(notebook=None if resumed else wall, epochs=float(sum(metrics.values())), **{k: float(v) for k, v in metrics.items()})
    done.write_text(json.dumps(seconds, indent=1))
    return seconds

def skill(folder:Path) -> pd.DataFrame:
    "The skill table sample.ipynb wrote into `folder`."
    return pd.read_csv(folder / 'skill_table.csv', index_col=0)

def sample(run:Path, out:Path, split:str='test') -> pd.DataFrame:
    "Score the run's model with sample.ipynb on `split` into `out` (no step sweep), unless done already; its skill table."
    if not (out / 'skill_table.csv').exists():
        papermill('sample.ipynb', run / f'sample-{split}-out.ipynb', '-p', 'checkpoint', str(run / 'checkpoints' / 'last.pt'), '-p', 'split', split,
                  '-p', 'out_dir', str(out), '-y', 'sweep_steps: []')
    return skill(out)

def timing(seconds:dict, # `train`'s seconds
           what:str='', # what the notebook's time holds, e.g. '(training, calibration and both test scores)'
           order=('diffusion', 'unet'), # the models in the order they were trained
          ) -> str:
    "The training time as a sentence: the notebook's wall time (unless resumed), then its epochs per model."
    names = dict(diffusion='diffusion', unet='U-Net twin')
    wall = f"train.ipynb took {seconds['notebook'] / 60:.1f} min{' ' + what if what else ''}; " if seconds['notebook'] else ''
    return (f"{wall}its training epochs (with their validation) {seconds['epochs'] / 60:.1f} min: "
            + ', '.join(f"{names[m]} {seconds[m] / 60:.1f}" for m in order) + '.')

def score(mode:str, run:Path, results:Path) -> dict:
    "Score the run with sample.ipynb on both of its scoring sets; {split: skill table}."
    return {split: sample(run, results / split, split) for split in SCORED[mode]}

def report(mode:str, tables:dict, seconds:dict, epochs:int, threads:int) -> str:
    "The mode's side-by-side table, the goal and the time, as markdown."
    dense, profiles = SCORED[mode]
    side, rho = rank_agreement({'dense truth (OSSE)': tables[dense], 'withheld profiles (OSE)': tables[profiles]})
    ratio = tables[dense].loc['diffusion', 'rmse'] / tables[dense].loc['regression_oi', 'rmse']
    side.columns = [f'{scored}: {column}' for scored, column in side.columns]
    return (f"Twin ocean, {mode} ({epochs} epochs, {threads or 'default'} torch thread(s)): every method scored against the dense truth "
            f"({dense}) and at the withheld profiles ({profiles}); hidden-point RMSE over all depths, °C.\n\n"
            + side.round(3).to_markdown() + f"\n\nRank agreement of the two (Spearman's ρ): {rho:.2f}. Diffusion ensemble mean against "
            f"the dense truth: {ratio:.2f}× regression + OI (goal ≤ {GOALS[mode]:.2f}×: {'met' if ratio <= GOALS[mode] else 'not met'}). "
            + timing(seconds, '(training, calibration and both test scores)') + "\n")

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('modes', nargs='*', default=list(MODES), choices=list(MODES))
    ap.add_argument('--epochs', type=int, default=4, help="the twin main job's 4 epochs")
    ap.add_argument('--threads', type=int, default=0, help="torch threads (0: torch's default, the README's setting)")
    ap.add_argument('--runs', default='runs', help='where the run folders go')
    ap.add_argument('--results', default=str(ROOT / 'docs' / 'results'), help='where the scored tables go (docs/results for the docs)')
    args = ap.parse_args()
    for mode in args.modes:
        run, results = Path(args.runs) / f'twin-{mode}', Path(args.results) / f'twin-{mode}'
        seconds = train(run, args.epochs, args.threads, '-p', 'dataset', 'twin', *MODES[mode])
        text = report(mode, score(mode, run, results), seconds, args.epochs, args.threads)
        (results / 'production.md').write_text(text)
        print(text)
