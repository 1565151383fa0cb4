"Two real `depthdif-train` processes given one run folder: the second is refused before any work or write; the first, killed with SIGKILL, leaves no stale lock and resumes."
import json, os, signal, subprocess, sys, time
from conftest import ROOT

TINY = ['--max_patches', '16', '--batch_size', '8', '--channels', '16,32', '--emb_dim', '32', '--val_steps', '2', '--eval_samples', '2',
        '--eval_steps', '2', '--eval_patches', '32', '--threads', '1', '--no_score']   # the main job's first_guess='unet': its twin first

def train(run, *options, **kw):
    "`depthdif-train` into `run` as a process of its own (this checkout's package)."
    return subprocess.Popen([sys.executable, '-c', 'from depthdif.train import train_cli; train_cli()', '--out_dir', str(run), *TINY, *options],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, 'PYTHONPATH': str(ROOT)}, **kw)

def wait_for(path, process, seconds=300):
    "Wait until `path` exists while `process` runs."
    end = time.time() + seconds
    while not path.exists():
        assert process.poll() is None, process.communicate()[1][-3000:]
        assert time.time() < end, f"{path} never appeared"
        time.sleep(0.2)

def test_second_job_refused_and_killed_job_resumes(tmp_path):
    run = tmp_path / 'run'
    first = train(run, '--epochs', '200')                             # long enough to be running throughout
    try:
        wait_for(run / 'run.lock', first)
        while f'pid {first.pid}' not in (run / 'run.lock').read_text(): time.sleep(0.1)
        t0 = time.time()
        second = train(run, '--epochs', '1', '--seed', '1')               # the same folder, another seed
        out, err = second.communicate(timeout=300)
        assert second.returncode != 0, out + err
        assert err.startswith(f'depthdif-train: error: {run} is in use, training by pid {first.pid}') and 'Traceback' not in err, err[-3000:]
        assert time.time() - t0 < 60                                      # refused at once, not after training a twin
        wait_for(run / 'unet' / 'checkpoints' / 'last.pt', first)         # the first job's twin has a checkpoint: kill it there
        first.send_signal(signal.SIGKILL); first.wait()
    finally:
        if first.poll() is None: first.kill(); first.wait()
    assert json.loads((run / 'unet' / 'config.json').read_text())['seed'] == 0   # nothing of the second job's in the folder
    assert not (run / 'config.json').exists() or json.loads((run / 'config.json').read_text())['seed'] == 0
    again = train(run, '--epochs', '1', '--resume', 'True')               # no stale lock: the killed run resumes (the twin, then the model)
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err[-3000:]
    assert (run / 'checkpoints' / 'last.pt').exists() and f'pid {again.pid}' in (run / 'run.lock').read_text()
    assert json.loads((run / 'config.json').read_text())['seed'] == 0

def test_torchrun_refused_on_every_rank(tmp_path):
    "Under torchrun rank 0 owns the folder for every rank: a folder another job owns ends both ranks with the message, none waits for the other."
    from conftest import tool
    run = tmp_path / 'run'
    holder = subprocess.Popen([sys.executable, '-c', f"from depthdif.train import own_run; import time\nwith own_run({str(run)!r}):\n"
                               "    print('owned', flush=True); time.sleep(300)"], stdout=subprocess.PIPE, text=True, env={**os.environ, 'PYTHONPATH': str(ROOT)})
    try:
        assert holder.stdout.readline().strip() == 'owned'
        r = subprocess.run([tool('torchrun'), '--nproc_per_node', '2', '--no-python', tool('depthdif-train'), '--out_dir', str(run), *TINY, '--epochs', '1'],
                           capture_output=True, text=True, timeout=180, env={**os.environ, 'PYTHONPATH': str(ROOT), 'OMP_NUM_THREADS': '1'})
    finally: holder.kill(); holder.wait()
    assert r.returncode != 0 and r.stderr.count(f'depthdif-train: error: {run} is in use, training by pid {holder.pid}') >= 2, r.stderr[-3000:]
    assert sorted(p.name for p in run.iterdir()) == ['run.lock']
