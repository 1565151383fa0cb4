"""How long the README's main-job command takes, run as a user runs it: in a fresh clone of this repository (its
committed state), with this environment's tools, nothing else of ours running. Writes the time, the peak memory and
the machine to docs/results/main_job_time.json and .md, which the README and the results page quote.

    python benchmarks/main_job_time.py                     # the README's command: the default main job
    python benchmarks/main_job_time.py --dataset twin      # the same with the twin's `-p dataset twin -p epochs 4`
    python benchmarks/main_job_time.py --short             # a check that it runs (-p max_patches 64 -p epochs 1): not published
    python benchmarks/main_job_time.py --keep /tmp/ck      # keep the run folder (/tmp/ck/default): `depthdif-build-checkpoints
                                                           # default --work /tmp/ck` then ships the run that was timed

The command is read from README.md (the line with `papermill nbs/train.ipynb`, as .ci/run reads the test command);
only its papermill step is timed (the venv set-up before `&&` is not), with this interpreter's papermill. What the
other processes on the machine used meanwhile is recorded (CPU time from /proc/stat less the job's own, in cores): a
figure taken beside more than 0.1 of a core of other work is marked "not alone". (The 1-minute load before the run, the
test of records made before that, is still recorded: it also counts the last minute's work, the clone's included.)
"""
import argparse, json, os, platform, resource, shlex, shutil, subprocess, sys, tempfile, time
from pathlib import Path
from depthdif.sampling import machine_cpu_seconds

ROOT = Path(__file__).resolve().parents[1]
TWIN = ['-p', 'dataset', 'twin', '-p', 'epochs', '4']   # the README's twin main job
SHORT = ['-p', 'max_patches', '64', '-p', 'epochs', '1', '-p', 'eval_patches', '32']

def readme_command(readme:Path=ROOT / 'README.md') -> list:
    "The papermill step of the README's main-job command, as arguments."
    line = next(l for l in readme.read_text().splitlines() if 'papermill nbs/train.ipynb' in l and '-m venv' in l)
    step = line.split('&&')[-1].strip()
    args = shlex.split(step)
    if not args[0].endswith('papermill'): raise SystemExit(f"README's main-job command does not end with a papermill step: {step!r}")
    return [str(Path(sys.executable).parent / 'papermill')] + args[1:]

def with_params(command:list, params:list) -> list:
    "`command` with papermill's `-p name value` pairs of `params` replacing its own of those names, then added."
    names, out, i = set(params[1::3]), [], 0
    while i < len(command):
        if command[i] == '-p' and command[i + 1] in names: i += 3; continue
        out.append(command[i]); i += 1
    return out + params

def machine() -> str:
    "CPU model and core count, and the GPU if torch sees one."
    cpu = next((l.split(':', 1)[1].strip() for l in Path('/proc/cpuinfo').read_text().splitlines() if l.startswith('model name')), platform.processor())
    return f"{os.cpu_count()} CPU cores ({cpu}), {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"

def _children_cpu() -> float:
    "CPU seconds of this process's finished children (the job)."
    r = resource.getrusage(resource.RUSAGE_CHILDREN); return r.ru_utime + r.ru_stime

def run_in_fresh_clone(command:list, keep:Path|None=None, dataset:str='default') -> dict:
    "Clone the repository's HEAD into a temporary folder and run `command` there; wall seconds, peak RSS, load averages; the run kept in `keep`."
    with tempfile.TemporaryDirectory(prefix='depthdif-main-job-') as tmp:
        clone = Path(tmp) / 'DepthDif'
        subprocess.run(['git', 'clone', '--quiet', str(ROOT), str(clone)], check=True)
        env = dict(os.environ, PYTHONPATH=str(clone))         # the clone's package, not an editable install elsewhere
        load_before, (t0, busy0, own0), kids0 = os.getloadavg()[0], machine_cpu_seconds(), _children_cpu()
        subprocess.run(command, cwd=clone, env=env, check=True)
        (t1, busy1, own1), kids1 = machine_cpu_seconds(), _children_cpu()
        seconds, others = t1 - t0, ((busy1 - busy0) - (own1 - own0) - (kids1 - kids0)) / (t1 - t0)
        if keep: shutil.copytree(clone / 'runs' / dataset, keep / dataset, dirs_exist_ok=False)
        return dict(seconds=seconds, peak_rss_gb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20,
                    load_before=load_before, load_after=os.getloadavg()[0], other_cores=round(max(others, 0.), 3), commit=subprocess.run(
                        ['git', 'rev-parse', '--short', 'HEAD'], cwd=clone, capture_output=True, text=True).stdout.strip())

def run_time(seconds:float, load_before:float, load_after:float) -> str:
    "A benchmark's run time as its report gives it: the time only if the 1-minute load was at most 0.5 before and after (alone)."
    if max(load_before, load_after) > 0.5: return f"time not reported: not alone (1-min load {load_before:.1f} before, {load_after:.1f} after)"
    m, s = divmod(round(seconds), 60)
    return f"run time {m} min {s} s, alone"

def sentence(r:dict) -> str:
    "The measurement as the README quotes it."
    m, s = divmod(round(r['seconds']), 60)
    others = r.get('other_cores')   # what the others used during the run; not recorded before 2026-12-07 evening: then the load before
    if others is None: alone = f"not alone (load {r['load_before']:.1f} before)" if r['load_before'] > 0.5 else 'alone'
    else: alone = f"{'not alone' if others > 0.1 else 'alone'} (other processes {others:.2f} cores meanwhile)"
    return (f"{m} min {s:02d} s, peak RSS {r['peak_rss_gb']:.2f} GB, {alone} on {r['machine']}, commit {r['commit']}, "
            f"{r['date']}: `{r['command']}`")

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--dataset', choices=['default', 'twin'], default='default')
    ap.add_argument('--short', action='store_true', help='a check that it runs (a few patches, one epoch); printed, not published')
    ap.add_argument('--keep', default='', help="folder to copy the run folder into (KEEP/<dataset>), e.g. to ship it as a checkpoint")
    ap.add_argument('--results', default=str(ROOT / 'docs' / 'results'), help='where main_job_time.json/.md go')
    args = ap.parse_args()
    command = readme_command()
    if args.dataset == 'twin': command = with_params(command, TWIN)
    if args.short: command = with_params(command, SHORT)
    r = run_in_fresh_clone(command, Path(args.keep) if args.keep else None, args.dataset)
    shown = ' '.join(['papermill'] + command[1:])
    r.update(command=shown, machine=machine(), date=time.strftime('%Y-%m-%d'), dataset=args.dataset)
    print(sentence(r))
    if args.short: sys.exit(0)
    out = Path(args.results); path = out / 'main_job_time.json'
    times = json.loads(path.read_text()) if path.exists() else {}
    times[args.dataset] = r
    path.write_text(json.dumps(times, indent=1) + '\n')
    (out / 'main_job_time.md').write_text('The README\'s main-job command, timed by `benchmarks/main_job_time.py` in a fresh clone:\n\n'
                                          + '\n'.join(f"- **{k}**: {sentence(v)}" for k, v in sorted(times.items())) + '\n')
