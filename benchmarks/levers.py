"""What moves the diffusion model's skill on the embedded default: one training run per lever, scored on the test
split's hidden points at 95 % track corruption next to the regression + OI first guess that the model refines.

    python benchmarks/levers.py                              # every lever, one after the other
    python benchmarks/levers.py default min_snr dense_patches  # some of them

Each lever is a set of overrides of `TrainConfig()`, the main job (50 epochs, refining regression + OI); the benchmark
trains the diffusion model alone (no U-Net twin). A run folder per lever goes under --out; a finished lever is read
back (from its folder, or from the levers.json published under --publish, so that the runs can span machines), an
interrupted one resumes. Prints a markdown table (all-depth RMSE in °C of the 8-member DDIM-25 and DDPM-5
ensemble means and of OI) and writes levers.json, levers.md and learning_curve.md (the `tiles_*` runs next to the main job)
there; `--publish DIR` also copies them to DIR (the docs' results page includes docs/results/levers.md and
learning_curve.md). On this project's 2-core CPU machine, two levers at a time with one torch thread each, a 50-epoch
lever trained in 5–16 min, `dense_patches_long` in 43, `large_patches` 31, `keep_best` 26, `long_training` 24; all
nineteen with their scoring took about 2 h 50 min (2026-12-01).
"""
import argparse, json, shutil, time
from pathlib import Path
from depthdif.data import Normalizer
from depthdif.diffusion import make_schedule
from depthdif.metrics import skill_table
from depthdif.sampling import evaluate, score_baseline
from depthdif.train import TrainConfig, fit, load_model, first_guess_of, datasets_for

RUN = dict(unet_baseline=False, first_guess='regression_oi')   # the main job as the levers were measured: the diffusion model alone, refining regression + OI; each lever changes the rest
LEVERS = {  # name: (what it tries, TrainConfig overrides)
    'default':            ('the main job', {}),
    'min_snr':            ('min-SNR-5 loss weighting', dict(min_snr=5.0)),
    'random_corruption':  ('training masks at a random corruption in 85–98 %', dict(train_corruption=(0.85, 0.98))),
    'dense_patches':      ('training patches every 2 px (1,004 locations instead of 75), same optimiser steps',
                           dict(train_patch_stride=2, epochs=4)),
    'dense_patches_long': ('training patches every 2 px, 3× the optimiser steps', dict(train_patch_stride=2, epochs=12)),
    'large_patches':      ('24×24 patches every 4 px (its own test points)', dict(patch_size=24, patch_stride=4, epochs=20)),
    'long_training':      ('100 epochs', dict(epochs=100)),
    'keep_best':          ('the best validation epoch of an 8-member DDIM-10 mean', dict(keep_best=True, val_samples=8)),
    'half_width':         ('half-width network', dict(channels=(16, 32, 64))),
    'weight_decay':       ('weight decay 0.05', dict(weight_decay=0.05)),
    'no_coords':          ('no latitude/longitude FiLM input', dict(use_coords=False)),
    'ambient_0.2':        ("m' hides 20 % of the observations instead of 50 %", dict(ambient_extra_corruption=0.2)),
    'eps':                ('ε-parameterisation instead of v', dict(parameterization='eps')),
    'x0':                 ('x0-parameterisation instead of v', dict(parameterization='x0')),
    'no_first_guess':     ('no first guess: the model fills in from SST and observations alone', dict(first_guess='')),
    # a learning curve over the training geography: half and a quarter of the 12 training tiles (34 and 16 of the 75
    # locations), with the main job's epochs or with its optimiser steps (1,450: 112 and 242 epochs)
    'tiles_half':         ('half the training tiles, 50 epochs', dict(train_tiles=0.5)),
    'tiles_quarter':      ('a quarter of the training tiles, 50 epochs', dict(train_tiles=0.25)),
    'tiles_half_steps':   ('half the training tiles, the same optimiser steps', dict(train_tiles=0.5, epochs=112)),
    'tiles_quarter_steps': ('a quarter of the training tiles, the same optimiser steps', dict(train_tiles=0.25, epochs=242)),
}
# the learning curve's table, smallest training geography first, ending with the main job and its 100-epoch lever
CURVE = ('tiles_quarter', 'tiles_quarter_steps', 'tiles_half', 'tiles_half_steps', 'default', 'long_training')
ENSEMBLES = {'ddim25x8': dict(sampler='ddim', steps=25, n_samples=8), 'ddpm5x8': dict(sampler='ddpm', steps=5, n_samples=8)}

def published_results(folder:str) -> dict:
    "The levers already published in `folder`/levers.json whose overrides are still the lever's: {name: result}."
    path = Path(folder) / 'levers.json'
    if not folder or not path.exists(): return {}
    same = lambda r: r['lever'] in LEVERS and r['overrides'] == json.loads(json.dumps(LEVERS[r['lever']][1]))
    return {r['lever']: r for r in json.loads(path.read_text()) if same(r)}

def run_lever(name:str, out:Path, published:dict={}) -> dict:
    "Train (or resume, or read back from its folder or `published`) lever `name` under `out/name` and score it on the test split."
    done, checkpoint = out / name / 'result.json', out / name / 'checkpoints' / 'last.pt'
    if done.exists(): return json.loads(done.read_text())
    if name in published: return published[name]
    cfg = TrainConfig.from_dict({**RUN, **LEVERS[name][1], 'out_dir': str(out / name), 'resume': checkpoint.exists()})
    t0 = time.time(); fit(cfg); train_s = time.time() - t0
    model, ck = load_model(checkpoint)
    guess, norm = first_guess_of(ck), Normalizer(**ck['norm'])
    test = datasets_for(cfg, norm=norm)[0]['test']
    schedule = make_schedule(cfg.schedule, cfg.timesteps)
    scores = {ens: evaluate(model, test, norm, schedule, cfg.parameterization, guess=guess, progress=True, **kw) for ens, kw in ENSEMBLES.items()}
    if guess is not None: scores['oi'] = score_baseline(guess, test, norm)
    res = dict(lever=name, what=LEVERS[name][0], overrides=LEVERS[name][1], train_s=round(train_s), scores=scores)
    done.write_text(json.dumps(res, indent=1))
    return res

def table(results:list) -> str:
    "The levers side by side: each lever's skill table (`skill_table`) reduced to its all-depth RMSEs and ratio to OI."
    rows = ['| lever | what | DDIM-25 × 8 | DDPM-5 × 8 | its OI first guess | × OI (DDPM-5 × 8) | hidden points | training s |',
            '|---|---|---|---|---|---|---|---|']
    for r in results:
        t = skill_table(r['scores'], reference='oi' if 'oi' in r['scores'] else None)
        oi = (f"{t.loc['oi', 'rmse']:.3f}", f"{t.loc['ddpm5x8', 'vs oi']:.3f}") if 'oi' in t.index else ('–', '–')
        rows.append(f"| {r['lever']} | {r['what']} | {t.loc['ddim25x8', 'rmse']:.3f} | {t.loc['ddpm5x8', 'rmse']:.3f} | {oi[0]} | {oi[1]} | "
                    f"{r['scores']['ddpm5x8']['hidden']['n']:,} | {r['train_s']} |")
    return '\n'.join(rows)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('levers', nargs='*', help=f"some of {', '.join(LEVERS)} (default: all)")
    ap.add_argument('--out', default='runs/levers', help='folder of the lever runs')
    ap.add_argument('--publish', default='', help='also copy levers.json, levers.md and learning_curve.md to this folder (docs/results for the docs)')
    args = ap.parse_args()
    unknown = [l for l in args.levers if l not in LEVERS]
    if unknown: ap.error(f"unknown lever(s) {unknown}; known: {', '.join(LEVERS)}")
    out = Path(args.out); out.mkdir(parents=True, exist_ok=True)
    published = published_results(args.publish)
    by_name = {**published, **{name: run_lever(name, out, published) for name in (args.levers or LEVERS)}}
    results = [by_name[n] for n in LEVERS if n in by_name]   # with those published before, in the levers' order
    tables = {'levers.md': table([r for r in results if not r['lever'].startswith('tiles_')]),
              'learning_curve.md': table([by_name[n] for n in CURVE if n in by_name])}
    (out / 'levers.json').write_text(json.dumps(results, indent=1))
    for f, t in tables.items(): (out / f).write_text(t + '\n')
    if args.publish:
        Path(args.publish).mkdir(parents=True, exist_ok=True)
        for f in ('levers.json', *tables): shutil.copy(out / f, Path(args.publish) / f)
    print('\n\n'.join(tables.values()))
