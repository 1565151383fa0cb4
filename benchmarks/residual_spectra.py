"""What the diffusion model adds around the U-Net twin it refines, scale by scale.

    python benchmarks/residual_spectra.py runs/twin-unet-guess --out docs/results/twin-unet-guess/residual_spectra.md

A model trained with `first_guess='unet'` samples a residual around its U-Net twin's prediction. Its members can only
improve on the twin if that residual has the structure of the twin's error (truth − U-Net). On the land-free patches
of the run's test split (the truth known everywhere: the twin ocean), per depth and wavelength band ≥ 4 px, prints the
isotropic power (`diagnostics.isotropic_spectrum`) of the truth, of the U-Net twin, of single members, of the twin's
error and of the sampled residual (member − U-Net), each over the truth's, and the sampled residual's power over the
twin error's (1: the right amplitude at that scale).
"""
import argparse
from pathlib import Path
import numpy as np, torch
from depthdif import diagnostics as dg
from depthdif.diffusion import make_schedule
from depthdif.sampling import reconstruct, to_device, with_first_guess
from depthdif.train import check_device, first_guess_of
from ensemble_mean import open_run

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('run', help='a run folder refining its U-Net twin (first_guess unet)')
    ap.add_argument('--members', type=int, default=2, help='members per patch (their spectra averaged)')
    ap.add_argument('--sampler', default='ddim-25', help='<sampler>-<steps>')
    ap.add_argument('--device', default='auto')
    ap.add_argument('--out', default='', help='also write the table (markdown) here')
    args = ap.parse_args()
    run, dev = Path(args.run), check_device(args.device)
    model, ck, cfg, dsets, norm, unet, unet_ck = open_run(run)
    model, unet = model.to(dev), unet.to(dev)
    guess, unet_guess, schedule = first_guess_of(ck), first_guess_of(unet_ck), make_schedule(cfg.schedule, cfg.timesteps)
    sampler, steps = args.sampler.split('-')
    g, spectra = torch.Generator(dev).manual_seed(cfg.seed + 1), {}
    for batch in torch.utils.data.DataLoader(dsets['test'], batch_size=64):
        batch = to_device(batch, dev)
        twin = reconstruct(unet, with_first_guess(batch, unet_guess), None, objective='regression')[0]
        members = reconstruct(model, with_first_guess(batch, guess), schedule, cfg.parameterization, sampler, int(steps),
                              args.members, generator=g)[2]
        for name, field in (('truth', batch['y']), ('unet', twin), ('member', members), ('unet_error', batch['y'] - twin),
                            ('sampled_residual', members - twin)):
            spectra.setdefault(name, []).append(dg.land_free_spectra(field, batch, norm))
    table = dg.spectra_table({k: np.concatenate(v) for k, v in spectra.items()}, cfg.depths)
    ratios = dg.spectral_ratios(table)
    ratios['sampled / unet_error'] = ratios['sampled_residual'] / ratios['unet_error']
    text = (f"`{run.name}`: {args.sampler}, {args.members} members on each of the {int(table.patches.iloc[0])} land-free test patches; "
            "power over the truth's per depth (m) and wavelength band (px).\n\n" + ratios.round(3).reset_index().to_markdown(index=False) + '\n')
    if args.out: Path(args.out).write_text(text)
    print(text)
