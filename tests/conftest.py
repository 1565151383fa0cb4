import os, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
os.environ.setdefault('MPLBACKEND', 'Agg')

def run(cmd, cwd=ROOT, timeout=600, **kw):
    "Run a command, failing the test with its output when it fails."
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, **kw)
    if r.returncode: pytest.fail(f"{cmd} exited {r.returncode}\nstdout:\n{r.stdout[-4000:]}\nstderr:\n{r.stderr[-4000:]}")
    return r

def tool(name): return str(BIN / name) if (BIN / name).exists() else shutil.which(name)

def tiny_predict_run(d):
    "A 1-epoch diffusion checkpoint (it records its 2° training grid) in d/run and the example OSTIA (daily, kelvin) and EN4 files of January and February 2020 in d/sources."
    from depthdif.data import write_sample_sources
    from depthdif.train import TrainConfig, fit
    fit(TrainConfig(epochs=1, max_patches=16, batch_size=8, channels=(16, 32), emb_dim=32, val_steps=2, eval_samples=2, eval_steps=2,
                    eval_patches=32, first_guess='', unet_baseline=False, threads=1, out_dir=str(d / 'run')), progress=False)
    src = write_sample_sources(d / 'sources')
    return dict(checkpoint=str(d / 'run/checkpoints/last.pt'), sst=str(d / 'sources/2020*OSTIA*.nc'), en4=str(src['en4']), dir=d)
