"""The CorrDiff split on a built-in dataset: the main job with `-p first_guess unet` (the U-Net twin trained first, the
diffusion model learning the residual around its prediction), scored by `sample.ipynb` (8- and 32-member means, the
U-Net twin, every baseline, isotropic spectra) on the same test points as the published main job, and the goals of
issue #25 printed.

    python benchmarks/unet_guess.py twin --threads 1       # runs/twin-unet-guess, docs/results/twin-unet-guess/
    python benchmarks/unet_guess.py default --epochs 50     # the embedded default with the same option

A finished step is not run again (delete its folder to redo it); an interrupted training resumes. Writes
`unet_guess.md` in the results folder and prints it.
"""
import argparse
from pathlib import Path
import pandas as pd
from production import ROOT, sample, skill, timing, train

EPOCHS = dict(twin=4, default=50)   # each dataset's main job
PUBLISHED = dict(twin='twin/ddim25x8', default='default/ddim25x8')   # the main job as published (refining regression + OI)

def report(table:pd.DataFrame, before:pd.DataFrame, spectra:str, dataset:str, seconds:dict, epochs:int, threads:int) -> str:
    "The goals of the corrective split against the U-Net twin, the published run beside it, and the time, as markdown."
    unet, d8, d32 = (table.loc[m] for m in ('unet', 'diffusion', 'diffusion_32'))
    deep = [c for c in table.columns if c.endswith(' m') and float(c[:-2]) >= 100]
    verdict = lambda ok: 'met' if ok else 'not met'
    rows = [('32-member mean ≤ 1.00× the U-Net twin, all depths', f"{d32.rmse / unet.rmse:.3f}×", d32.rmse <= unet.rmse),
            ('... and at each depth from 100 m down', ', '.join(f"{c} {d32[c] / unet[c]:.3f}×" for c in deep), all(d32[c] <= unet[c] for c in deep)),
            ('8-member mean ≤ 1.05× the U-Net twin', f"{d8.rmse / unet.rmse:.3f}×", d8.rmse <= 1.05 * unet.rmse),
            ('fair CRPS ≤ 0.80× the U-Net twin\'s MAE', f"{d8.crps:.3f} against {unet.mae:.3f} ({d8.crps / unet.mae:.2f}×)", d8.crps <= 0.8 * unet.mae),
            ('spread/skill 0.9–1.1 after calibration', f"{d8.spread_skill:.2f}", 0.9 <= d8.spread_skill <= 1.1),
            ('diffusion mean ≤ 0.55× regression + OI', f"{d8.rmse / table.loc['regression_oi', 'rmse']:.2f}× (32 members: "
             f"{d32.rmse / table.loc['regression_oi', 'rmse']:.2f}×)", d8.rmse <= 0.55 * table.loc['regression_oi', 'rmse'])]
    goals = pd.DataFrame(rows, columns=['goal', 'measured', 'verdict']).assign(verdict=lambda g: g.verdict.map(verdict))
    side = pd.DataFrame({'refining regression + OI (published)': before['rmse'], 'refining the U-Net twin': table['rmse']}).loc[
        [m for m in ('unet', 'diffusion', 'diffusion_32', 'regression_oi') if m in table.index]]
    return (f"{dataset}, `first_guess='unet'` ({epochs} epochs, {threads or 'default'} torch thread(s)); hidden-point RMSE, °C, test split, "
            "95 % track corruption.\n\n" + goals.to_markdown(index=False) + "\n\nOverall RMSE beside the published main job (the same "
            "test points; its U-Net twin is the same model, trained again):\n\n" + side.round(3).to_markdown() + "\n\n" + spectra +
            "\n\n" + timing(seconds, order=('unet', 'diffusion')) + "\n")

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('dataset', choices=list(EPOCHS))
    ap.add_argument('--epochs', type=int, default=0, help="0: the dataset's main job (twin 4, default 50)")
    ap.add_argument('--threads', type=int, default=0, help="torch threads (0: torch's default, the README's setting)")
    ap.add_argument('--runs', default='runs', help='where the run folder goes')
    ap.add_argument('--results', default=str(ROOT / 'docs' / 'results'), help='where the scored tables go (docs/results for the docs)')
    args = ap.parse_args()
    epochs = args.epochs or EPOCHS[args.dataset]
    run, results = Path(args.runs) / f'{args.dataset}-unet-guess', Path(args.results) / f'{args.dataset}-unet-guess'
    seconds = train(run, epochs, args.threads, '-p', 'first_guess', 'unet', '-p', 'dataset', args.dataset)
    out = results / 'ddim25x8'
    table = sample(run, out)
    spectra = (out / 'spectra.md').read_text() if (out / 'spectra.md').exists() else 'No spectra (no land-free test patch).'
    text = report(table, skill(Path(args.results) / PUBLISHED[args.dataset]), spectra, args.dataset, seconds, epochs, args.threads)
    (results / 'unet_guess.md').write_text(text)
    print(text)
