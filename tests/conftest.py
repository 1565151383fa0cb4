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
