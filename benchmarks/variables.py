"""Temperature learned alone and jointly with salinity (#33): two runs of the same main job, one with `-p variables thetao,so`,
compared depth by depth on their test split (`test_metrics.json` that train.ipynb writes), and salinity's own skill.

    papermill nbs/train.ipynb out.ipynb --log-output -p epochs 50 -p out_dir runs/default-t
    papermill nbs/train.ipynb out.ipynb --log-output -p epochs 50 -p variables thetao,so -p out_dir runs/default-ts
    python benchmarks/variables.py runs/default-t runs/default-ts --publish docs/results/default-ts

Prints (and with --publish writes variables.md / .json): per method and depth the hidden-point RMSE of temperature alone
and with salinity, their ratio (the issue's check: <= 1.02 at every depth), and per depth salinity's RMSE and its
ratio to regression + OI.
"""
import argparse, json
from pathlib import Path
import pandas as pd

METHODS = ('diffusion', 'unet', 'regression_oi')

def scores(run:Path) -> dict: return json.loads((Path(run) / 'test_metrics.json').read_text())

def tables(alone:dict, joint:dict) -> tuple:
    "(temperature per depth: each method alone, with S and their ratio; salinity per depth: each method and its ratio to regression + OI)"
    t, s = {}, {}
    for m in METHODS:
        a, j = alone[m]['hidden']['per_depth'], joint[m]['hidden']['per_depth']
        depths = [d for d in a if not d.startswith('so')]
        t[f'{m} T alone'] = [a[d]['rmse'] for d in depths]
        t[f'{m} T with S'] = [j[d]['rmse'] for d in depths]
        t[f'{m} with S / alone'] = [j[d]['rmse'] / a[d]['rmse'] for d in depths]
        s[f'{m} so'] = [j[f'so {d}']['rmse'] for d in depths]
    for m in METHODS[:2]: s[f'{m} / regression_oi'] = [x / y for x, y in zip(s[f'{m} so'], s['regression_oi so'])]
    index = pd.Index([float(d) for d in depths], name='depth (m)')
    return pd.DataFrame(t, index=index), pd.DataFrame(s, index=index)

def report(alone_run, joint_run) -> tuple:
    t, s = tables(scores(alone_run), scores(joint_run))
    worst = t[[c for c in t if c.endswith('/ alone')]].max()
    text = (f"Test split, hidden points, RMSE (°C for temperature, 1e-3 for salinity): `{alone_run}` (thetao) against `{joint_run}` "
            "(thetao,so), the same main job otherwise.\n\nTemperature alone and learned with salinity:\n\n" + t.round(3).to_markdown() +
            "\n\nWorst ratio with S / alone per method: " + ', '.join(f"{c.split(' with')[0]} {v:.3f}" for c, v in worst.items()) +
            " (the check: <= 1.02 at every depth)\n\nSalinity:\n\n" + s.round(3).to_markdown() + '\n')
    return text, dict(temperature=t.round(4).to_dict(), salinity=s.round(4).to_dict(), worst=worst.round(4).to_dict())

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('alone', help='run folder of the temperature-only job'); ap.add_argument('joint', help='run folder of the thetao,so job')
    ap.add_argument('--publish', default='', help='write variables.md and variables.json into this folder')
    a = ap.parse_args()
    text, record = report(a.alone, a.joint)
    print(text)
    if a.publish:
        out = Path(a.publish); out.mkdir(parents=True, exist_ok=True)
        (out / 'variables.md').write_text(text); (out / 'variables.json').write_text(json.dumps(record, indent=1) + '\n')
