"""Ocean quantities with their uncertainty (issue #34): a shipped checkpoint scored by `sample.ipynb` on the test split
(8 members, no step sweep, no 32-member ensemble), its heat content, mixed-layer depth, isotherm depth and steric height
against the truth's own, side by side for the diffusion ensemble, regression + OI's posterior (raw and calibrated,
sampled per level) and the deterministic methods.

    python benchmarks/quantities.py                  # builtin:default
    python benchmarks/quantities.py twin --isotherm 20

Writes docs/results/quantities/<name>.md and .json (the table, the ratios to OI, the command, the seconds, the machine,
the load before and after), and sample.ipynb's own outputs (quantity_table.csv, the figures) in
docs/results/quantities/<name>/. A finished run is not redone (delete its folder to redo it).
"""
import argparse, json, os, tempfile, time
from pathlib import Path
import pandas as pd
from main_job_time import machine, run_time
from production import ROOT, papermill

OUT = ROOT / 'docs' / 'results' / 'quantities'
PROBABILISTIC = ['diffusion', 'regression_oi_calibrated', 'regression_oi']
SHOWN = PROBABILISTIC + ['unet', 'regression_interp', 'sst_regression', 'climatology']

def run_sample(name:str, isotherm:float, n_samples:int=8) -> dict:
    "sample.ipynb on builtin:<name>'s test split into docs/results/quantities/<name>/, unless done; what ran and how long."
    out = OUT / name; record = out / 'run.json'
    if record.exists(): return json.loads(record.read_text())
    params = ['-p', 'checkpoint', f'builtin:{name}', '-p', 'split', 'test', '-p', 'n_samples', str(n_samples), '-p', 'n_samples_large', '0',
              '-y', 'sweep_steps: []', '-p', 'isotherm', str(isotherm), '-p', 'out_dir', str(out.relative_to(ROOT))]
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        seconds = papermill('sample.ipynb', Path(tmp) / 'sample-out.ipynb', *params)
    r = dict(command='papermill nbs/sample.ipynb out.ipynb ' + ' '.join(params), seconds=round(seconds, 1), machine=machine(),
             load_before=load_before, load_after=os.getloadavg()[0], date=time.strftime('%Y-%m-%d'))
    record.write_text(json.dumps(r, indent=1) + '\n')
    return r

def table(name:str) -> pd.DataFrame:
    "The quantity table of the stored run, the methods shown, with diffusion's CRPS and RMSE over OI's (raw posterior)."
    t = pd.read_csv(OUT / name / 'quantity_table.csv', index_col=[0, 1])
    t = t[t.index.get_level_values('method').isin(SHOWN)]
    order = {m: k for k, m in enumerate(SHOWN)}
    t = t.iloc[sorted(range(len(t)), key=lambda k: (t.index[k][0], order[t.index[k][1]]))]
    for col in ('rmse', 'crps'):
        oi = t.xs('regression_oi', level='method')[col]
        t[f'{col} / OI'] = [r[col] / oi[q] for (q, _), r in t.iterrows()]
    return t

def markdown(name:str, run:dict) -> str:
    t = table(name)
    cols = ['rmse', 'bias', 'crps', 'cover_50', 'cover_80', 'cover_90', 'rmse / OI', 'crps / OI', 'truth_none', 'pred_none', 'points']
    return (f"Ocean quantities of `builtin:{name}`, test split, {run['machine']}, {run['date']}, "
            f"{run_time(run['seconds'], run['load_before'], run['load_after'])}: `{run['command']}`. Truth: the dense field where its column is "
            "complete; diffusion: 8 members, calibrated spread; OI: per-level independent draws of its Gaussian (8), raw and calibrated; "
            "deterministic methods: RMSE and bias alone. Ratios are to regression_oi. cover_N: fraction of the truth inside the central N % "
            "interval (from the members' ranks); truth_none / pred_none: fraction of columns without the quantity (an isotherm that does not exist).\n\n"
            + t[cols].round(3).reset_index().to_markdown(index=False) + '\n')

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('name', nargs='?', default='default', choices=['default', 'twin'])
    ap.add_argument('--isotherm', type=float, default=20.)
    a = ap.parse_args()
    r = run_sample(a.name, a.isotherm)
    md = markdown(a.name, r)
    (OUT / f'{a.name}.md').write_text(md)
    (OUT / f'{a.name}.json').write_text(json.dumps(dict(run=r, table=table(a.name).reset_index().to_dict('records')), indent=1) + '\n')
    print(md)
