"""The embedded default's documented column run (#33): the main job on all 19 World Ocean Atlas levels 0–1000 m, run as a
user runs it (papermill nbs/train.ipynb -p depths woa), timed. Prints the per-depth hidden-point RMSE (test split) of the
diffusion model, its U-Net twin and regression + OI, each one's ratio to regression + OI per depth, and the issue's guard:
diffusion / regression + OI <= 1.00 at every depth.

    python benchmarks/column.py                                  # the full run: the main job (50 + 50 epochs) on the 19 levels
    python benchmarks/column.py --short                          # a check that it runs: 64 patches, 1 epoch, 32 eval patches (not published)
    python benchmarks/column.py --publish docs/results/default-column   # also copy column.json / column.md there (the docs' results page)
    python benchmarks/column.py --dataset twin --depths all      # another built-in dataset, other depths (a list: 10,20,50 or a named set)

The run goes into --out (default runs/column_<dataset>): run/ is the run folder, train-out.ipynb the executed notebook.
A finished run (run/test_metrics.json) is read back, not run again: delete the folder to rerun. Only the papermill step
is timed; the 1-minute load average before and after is recorded (above 0.5: "not alone"). Pixel against latent
diffusion at the same levels and epochs: benchmarks/latent.py --depths woa.
"""
import argparse, json, os, platform, shutil, subprocess, sys, time
from pathlib import Path
from main_job_time import run_time

ROOT = Path(__file__).resolve().parents[1]
SHORT = ['-p', 'max_patches', '64', '-p', 'epochs', '1', '-p', 'eval_patches', '32']   # --short: a check that it runs
REFERENCE = 'regression_oi'
METHODS = ('diffusion', 'unet', REFERENCE)   # what the guard reads: the run's model, its U-Net twin, the classical first guess
GUARD = 1.00                                 # the guard: diffusion / regression + OI at every depth

def machine() -> str:
    "CPU model and core count, and the GPU if torch sees one."
    cpu = next((l.split(':', 1)[1].strip() for l in Path('/proc/cpuinfo').read_text().splitlines() if l.startswith('model name')), platform.processor())
    return f"{os.cpu_count()} CPU cores ({cpu}), {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"

def command(out:Path, dataset:str, depths:str, short:bool) -> list:
    "The papermill command of the column run."
    papermill = str(Path(sys.executable).parent / 'papermill') if (Path(sys.executable).parent / 'papermill').exists() else shutil.which('papermill')
    return [papermill, str(ROOT / 'nbs' / 'train.ipynb'), str(out / 'train-out.ipynb'), '-p', 'dataset', dataset, '-p', 'depths', depths,
            '-p', 'out_dir', str(out / 'run'), *(SHORT if short else [])]

def run_column(out:Path, dataset:str, depths:str, short:bool) -> dict:
    "Run the column job (unless finished) and return its timing record."
    timing = out / 'timing.json'
    if (out / 'run' / 'test_metrics.json').exists() and timing.exists(): return json.loads(timing.read_text())
    cmd = command(out, dataset, depths, short)
    load_before, t0 = os.getloadavg()[0], time.perf_counter()
    subprocess.run(cmd, cwd=out, check=True)
    rec = dict(seconds=time.perf_counter() - t0, load_before=load_before, load_after=os.getloadavg()[0], machine=machine(),
               command=' '.join(cmd[1:]).replace(str(ROOT) + '/', ''), short=short)
    timing.write_text(json.dumps(rec, indent=1))
    return rec

def per_depth(run:Path):
    "The run's skill table and its per-depth table (diffusion, unet, regression_oi and their ratios to regression + OI)."
    from depthdif.metrics import depth_table, skill_table
    saved = json.loads((run / 'test_metrics.json').read_text())
    scores = {k: v for k, v in saved.items() if isinstance(v, dict) and 'hidden' in v}
    methods = [m for m in METHODS if m in scores]
    if REFERENCE not in methods or 'diffusion' not in methods: raise SystemExit(f"{run}/test_metrics.json has no {REFERENCE} or diffusion score: {list(scores)}")
    table = skill_table(scores, reference=REFERENCE)
    return table, depth_table(table, reference=REFERENCE, methods=methods)

def report(table, by_depth, rec:dict, config:dict) -> tuple:
    "The markdown text and the JSON record of the column run."
    ratio = by_depth[f'diffusion / {REFERENCE}']
    met, worst = bool((ratio <= GUARD).all()), float(ratio.max())
    head = (f"{config['dataset']} dataset, {len(config['depths'])} depths {config['depths'][0]:g}–{config['depths'][-1]:g} m, test split hidden points, "
            f"{config['corruption']:.0%} {config['mask_kind']} corruption, diffusion: DDIM-{config['eval_steps']} × {config['eval_samples']} ensemble mean, "
            f"{config['epochs']} epochs{' (SHORT check: not a result)' if rec['short'] else ''}; {rec['machine']}, "
            f"{run_time(rec['seconds'], rec['load_before'], rec['load_after'])}.")
    overall = table.loc[[i for i in table.index if i in by_depth.columns], ['rmse', f'vs {REFERENCE}']].round(3)
    verdict = (f"guard diffusion / {REFERENCE} <= {GUARD:.2f} at every depth: {'met' if met else 'NOT met'} "
               f"(worst {worst:.3f} at {float(ratio.idxmax()):g} m)")
    text = (head + '\n\nHidden-point RMSE (°C) per depth, and each method / ' + REFERENCE + ':\n\n' + by_depth.round(3).to_markdown() +
            '\n\nOverall:\n\n' + overall.to_markdown() + '\n\n' + verdict + '\n')
    record = dict(config={k: config[k] for k in ('dataset', 'depths', 'epochs', 'max_patches', 'eval_patches', 'eval_samples', 'eval_steps')},
                  per_depth={m: {f'{d:g}': round(float(v), 4) for d, v in by_depth[m].items()} for m in by_depth.columns},
                  overall={m: round(float(table.loc[m, 'rmse']), 4) for m in by_depth.columns if m in table.index},
                  guard=dict(limit=GUARD, met=met, worst=round(worst, 4), worst_depth=float(ratio.idxmax())), **rec)
    return text, record

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--dataset', default='default', help="a built-in dataset (TrainConfig.dataset)")
    ap.add_argument('--depths', default='woa', help="the depths: a named set (woa, all, default) or a list such as 0,10,20 (TrainConfig.depths)")
    ap.add_argument('--short', action='store_true', help='a check that it runs: 64 training patches, 1 epoch, 32 evaluation patches')
    ap.add_argument('--out', default='', help='folder of the run (default: runs/column_<dataset>, with _short for --short)')
    ap.add_argument('--publish', default='', help='also copy column.json and column.md to this folder (not with --short)')
    args = ap.parse_args()
    from depthdif.train import TrainConfig
    try: TrainConfig.from_params({**{k: getattr(TrainConfig(), k) for k in TrainConfig.__dataclass_fields__}, 'dataset': args.dataset, 'depths': args.depths})
    except ValueError as e: ap.error(str(e))                  # bad depths or dataset: refused here, before the papermill run
    if args.publish and args.short: ap.error('--publish takes the full run, not --short')
    out = Path(args.out or f"runs/column_{args.dataset}{'_short' if args.short else ''}").resolve(); out.mkdir(parents=True, exist_ok=True)
    rec = run_column(out, args.dataset, args.depths, args.short)
    config = json.loads((out / 'run' / 'config.json').read_text())
    text, record = report(*per_depth(out / 'run'), rec, config)
    (out / 'column.md').write_text(text); (out / 'column.json').write_text(json.dumps(record, indent=1))
    if args.publish:
        Path(args.publish).mkdir(parents=True, exist_ok=True)
        for f in ('column.json', 'column.md'): shutil.copy(out / f, Path(args.publish) / f)
    print(text)
