"""The shipped checkpoints scored as a user scores them: `sample.ipynb -p checkpoint builtin:<name>` on the test split
(every baseline, the U-Net twin, the 8- and 32-member diffusion ensembles, the map; no step sweep), into
docs/results/<name>-shipped/, whose skill table the README's headline rows repeat (tests/test_repo.py checks it).

    python benchmarks/shipped_scores.py            # both shipped checkpoints
    python benchmarks/shipped_scores.py twin       # one
    python benchmarks/shipped_scores.py --readme   # print the README's headline tables from the stored results

A finished one is not run again (delete its folder to redo it). Writes `shipped_scores.json` beside each table: the
command, the seconds, the machine and the load average before and after (a figure with the 1-minute load above 0.5 is
not alone).
"""
import argparse, json, os, tempfile, time
import pandas as pd
from pathlib import Path
from main_job_time import machine
from production import ROOT, papermill
from depthdif.shipped import MAIN_JOBS

def results_dir(name:str) -> Path: return ROOT / 'docs' / 'results' / f'{name}-shipped'

def score_shipped(name:str) -> dict:
    "Run sample.ipynb on the shipped checkpoint `name` into its results folder, unless done; what ran and how long."
    out = results_dir(name); record = out / 'shipped_scores.json'
    if record.exists(): return json.loads(record.read_text())
    params = ['-p', 'checkpoint', f'builtin:{name}', '-p', 'out_dir', str(out.relative_to(ROOT)), '-y', 'sweep_steps: []']
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:   # the tables and figures are the result, not the executed notebook
        seconds = papermill('sample.ipynb', Path(tmp) / 'sample-out.ipynb', *params)
    r = dict(command='papermill nbs/sample.ipynb out.ipynb ' + ' '.join(params), seconds=round(seconds, 1), machine=machine(),
             load_before=load_before, load_after=os.getloadavg()[0], date=time.strftime('%Y-%m-%d'))
    record.write_text(json.dumps(r, indent=1) + '\n')
    return r

README_ROWS = {'diffusion_32': 'diffusion (DepthDif), 32 members', 'unet': 'deterministic U-Net twin', 'diffusion': 'diffusion (DepthDif), 8 members',
               'regression_oi': 'regression + OI residuals', 'sst_regression': 'SST regression', 'climatology': 'climatology'}

def readme_table(name:str) -> str:
    "The README's headline table of the shipped checkpoint `name`: RMSE at 10, 100, 500 m and overall, the ratio to regression + OI, CRPS, spread/skill; the best of each column in bold."
    t = pd.read_csv(results_dir(name) / 'skill_table.csv', index_col=0).loc[list(README_ROWS)]
    t = t.sort_values('rmse')
    cols = ['10 m', '100 m', '500 m', 'rmse', 'crps']
    best = {c: t[c].min() for c in cols}
    cell = lambda r, c: '' if pd.isna(r[c]) else (f"**{r[c]:.3f}**" if round(r[c], 3) == round(best[c], 3) else f"{r[c]:.3f}")
    ratio = lambda k, r: '1' if k == 'regression_oi' else (f"{r['vs best classical']:.2f} ({r['95% low']:.2f}–{r['95% high']:.2f})"
                                                              if k in ('diffusion', 'diffusion_32', 'unet') else f"{r['vs best classical']:.2f}")
    lines = ['| method | 10 m | 100 m | 500 m | all depths | × regression + OI | CRPS | spread/skill |', '|---|---|---|---|---|---|---|---|']
    for k, r in t.iterrows():
        ss = '' if pd.isna(r['spread_skill']) or k == 'diffusion_32' else f"{r['spread_skill']:.2f}"
        lines.append(f"| {README_ROWS[k]} | {' | '.join(cell(r, c) for c in cols[:4])} | {ratio(k, r)} | {cell(r, 'crps')} | {ss} |")
    return '\n'.join(lines)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('names', nargs='*', default=list(MAIN_JOBS), choices=list(MAIN_JOBS))
    ap.add_argument('--readme', action='store_true', help="print the README's tables of the stored results, run nothing")
    args = ap.parse_args()
    for name in args.names: print(name, readme_table(name) if args.readme else score_shipped(name), sep='\n')
