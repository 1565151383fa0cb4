"The benchmark scripts under benchmarks/: their settings are valid before anything long runs."
import dataclasses, importlib.util, os, subprocess, sys
import pytest
from conftest import ROOT
from depthdif.train import TrainConfig

spec = importlib.util.spec_from_file_location('levers', ROOT / 'benchmarks/levers.py')
levers = importlib.util.module_from_spec(spec); spec.loader.exec_module(levers)

def test_benchmark_runs_the_main_job():
    "The levers start from TrainConfig()'s defaults, the main job, changing only how it runs (no U-Net twin, so regression + OI as the first guess)."
    assert dataclasses.replace(TrainConfig.from_dict(levers.RUN), unet_baseline=True, first_guess='unet') == TrainConfig()

@pytest.mark.parametrize('name', list(levers.LEVERS))
def test_lever_is_a_valid_config(name):
    "Each lever builds a valid TrainConfig that differs from the main job exactly where it says."
    what, overrides = levers.LEVERS[name]
    cfg = TrainConfig.from_dict({**levers.RUN, **overrides})
    main = TrainConfig.from_dict(levers.RUN)
    changed = {k for k in vars(cfg) if getattr(cfg, k) != getattr(main, k)}
    assert what and changed == set(overrides), (name, changed)

def test_table_reports_ratio_to_oi():
    scored = lambda rmse: dict(hidden=dict(rmse=rmse, mae=rmse, bias=0., n=1000, per_depth={'10': dict(rmse=rmse)}))
    r = dict(lever='x', what='y', train_s=3, scores=dict(ddim25x8=scored(1.2), ddpm5x8=scored(1.1), oi=scored(1.25)))
    row = levers.table([r]).splitlines()[-1]
    assert '| 1.200 | 1.100 | 1.250 | 0.880 | 1,000 | 3 |' in row
    no_oi = dict(r, scores=dict(ddim25x8=scored(1.2), ddpm5x8=scored(1.1)))
    assert '| 1.200 | 1.100 | – | – | 1,000 | 3 |' in levers.table([no_oi]).splitlines()[-1]

def test_learning_curve_lists_every_tiles_lever():
    "The learning curve's table holds every `tiles_*` lever and the main job; the levers' table gets the rest."
    assert set(levers.CURVE) <= set(levers.LEVERS) and 'default' in levers.CURVE
    assert {n for n in levers.LEVERS if n.startswith('tiles_')} <= set(levers.CURVE)

def test_published_levers_are_read_back(tmp_path):
    "A lever published earlier is read back instead of retrained, unless its overrides have changed since."
    kept = dict(lever='half_width', overrides={'channels': [16, 32, 64]})  # as JSON holds the tuple (16, 32, 64)
    stale = dict(lever='weight_decay', overrides={'weight_decay': 0.1})
    (tmp_path / 'levers.json').write_text(levers.json.dumps([kept, stale]))
    published = levers.published_results(str(tmp_path))
    assert list(published) == ['half_width']
    assert levers.run_lever('half_width', tmp_path / 'runs', published) == kept
    assert levers.published_results('') == {} and levers.published_results(str(tmp_path / 'none')) == {}

spec_latent = importlib.util.spec_from_file_location('latent_benchmark', ROOT / 'benchmarks/latent.py')
latent_bench = importlib.util.module_from_spec(spec_latent); spec_latent.loader.exec_module(latent_bench)

def test_latent_benchmark_targets_every_level():
    "The comparison's targets are the embedded default's 19 World Ocean Atlas levels, 0 to 1000 m."
    depths = latent_bench.target_depths('default')
    assert len(depths) == 19 and depths[0] == 0 and depths[-1] == 1000

@pytest.mark.parametrize('name', list(latent_bench.MODELS))
def test_latent_benchmark_models_are_the_main_job(name, tmp_path):
    "Each model is the main job on every level, differing exactly where the comparison needs it."
    depths = latent_bench.target_depths('default')
    cfg = latent_bench.config(name, 'default', depths, tmp_path)
    main = TrainConfig.from_dict({**latent_bench.RUN, 'depths': depths, 'out_dir': cfg.out_dir})
    changed = {k for k in vars(cfg) if getattr(cfg, k) != getattr(main, k)}
    shared_ae = {'autoencoder'} if cfg.latent and name != latent_bench.AE_FROM else set()   # reuses the first latent model's autoencoder
    assert changed == set(latent_bench.MODELS[name][1]) | shared_ae, (name, changed)
    if shared_ae: assert cfg.autoencoder.startswith(str(tmp_path / latent_bench.AE_FROM))
    assert dataclasses.replace(main, unet_baseline=True, first_guess='unet', depths=TrainConfig().depths, out_dir=TrainConfig().out_dir) == TrainConfig()
    assert latent_bench.config(name, 'default', depths, tmp_path, epochs=20).epochs == 20

def test_latent_benchmark_tables():
    "The summary reports each method's RMSE, its ratio to pixel diffusion and the sampling speed-up; the goal is judged as measured."
    scored = lambda rmse: dict(hidden=dict(rmse=rmse, mae=rmse, bias=0., n=1000, per_depth={'0': dict(rmse=rmse), '10': dict(rmse=rmse)}))
    results = [dict(model='pixel', train_s_per_epoch=10., scores=dict(pixel=scored(1.0), regression_oi=scored(1.2))),
               dict(model='latent', train_s_per_epoch=4., scores=dict(latent=scored(1.05), autoencoder=scored(0.3), regression_oi=scored(1.2)),
                    autoencoder_all_points=dict(rmse=0.3, per_depth={'0': 0.31, '10': 0.29}))]
    text = latent_bench.tables(results, dict(pixel=0.4, latent=0.1), (0., 10.))
    assert '| latent | 1.050 | 1.050 |' in text and '| 4.0 | 0.1000 | 4.0 |' in text and '| autoencoder | 0.300 | 0.300 |' in text
    assert 'autoencoder (all valid points)' in text and '0.31' in text
    assert latent_bench.verdict(results, dict(pixel=0.4, latent=0.1)).endswith('goal (>= 3x, <= +10 %) met')
    assert latent_bench.verdict(results, dict(pixel=0.2, latent=0.1)).endswith('not met')

def test_data_scale_benchmark_runs_and_cleans_up(tmp_path):
    "benchmarks/data_scale.py end to end on a tiny store: it prints its table and removes its temporary folder."
    import sys
    from conftest import run
    r = run([sys.executable, str(ROOT / 'benchmarks/data_scale.py'), '--months', '2', '--res', '2', '--chunks', '1,50,30,30',
             '--workers', '0', '--batches', '1', '--patch', '16', '--dir', str(tmp_path), '--json', str(tmp_path / 'out.json')])
    assert '| workers | patches/s |' in r.stdout and 'removed' in r.stdout
    assert [p.name for p in tmp_path.iterdir()] == ['out.json']                    # the store is gone
    import json
    res = json.loads((tmp_path / 'out.json').read_text())
    assert res['runs'][0]['lazy'] and res['runs'][0]['patches_per_s'] > 0 and res['store']['uncompressed_gib'] > 0

def _benchmark(name):
    "A benchmarks/ script as a module (they import each other from their folder)."
    import sys
    sys.path.insert(0, str(ROOT / 'benchmarks'))
    spec = importlib.util.spec_from_file_location(name, ROOT / f'benchmarks/{name}.py')
    mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    return mod

def _skill(rows:dict):
    "A skill table as sample.ipynb writes it: per-depth RMSE columns, rmse, mae, crps, spread_skill per method."
    import pandas as pd
    return pd.DataFrame({m: dict(zip(['10 m', '100 m', '500 m', 'rmse', 'mae', 'crps', 'spread_skill'], v)) for m, v in rows.items()}).T

SECONDS = dict(notebook=1200., epochs=900., diffusion=500., unet=400.)

def test_sea_level_report_judges_the_goals():
    "The sea-level report sets SST beside SST + ADT and judges the diffusion mean against the ARMOR3D-like baseline."
    sl = _benchmark('sea_level')
    without = _skill(dict(diffusion=[0.2, 0.5, 0.4, 0.45, 0.3, 0.2, 0.9], regression_oi=[0.2, 0.8, 0.6, 0.65, 0.4, 0.3, 1.0]))
    met = _skill(dict(diffusion=[0.2, 0.3, 0.3, 0.30, 0.2, 0.15, 1.0], regression_oi=[0.2, 0.5, 0.5, 0.45, 0.3, 0.2, 1.0]))
    text = sl.report(without, met, SECONDS, 'tracks', 4, 1)
    assert '0.67× the ARMOR3D-like regression + OI over all depths (goal ≤ 0.70×: met)' in text
    assert '100 m 0.60×, 500 m 0.60× (goal ≤ 0.80× at each: met)' in text and 'train.ipynb took 20.0 min' in text
    missed = _skill(dict(diffusion=[0.2, 0.45, 0.3, 0.35, 0.2, 0.15, 1.0], regression_oi=[0.2, 0.5, 0.5, 0.45, 0.3, 0.2, 1.0]))
    assert '(goal ≤ 0.70×: not met)' in sl.report(without, missed, SECONDS, 'tracks', 4, 1)

def test_unet_guess_report_judges_the_goals():
    "The corrective split's report compares the 8- and 32-member means with the U-Net twin, and the CRPS with its MAE."
    ug = _benchmark('unet_guess')
    table = _skill(dict(unet=[0.1, 0.4, 0.3, 0.35, 0.25, None, None], diffusion=[0.1, 0.41, 0.3, 0.36, 0.25, 0.19, 1.0],
                        diffusion_32=[0.1, 0.39, 0.29, 0.34, 0.24, 0.19, 1.2], regression_oi=[0.2, 0.8, 0.6, 0.65, 0.4, 0.3, 1.0]))
    text = ug.report(table, table, 'spectra', 'twin', SECONDS, 4, 1)
    lines = {l.split('|')[1].strip(): l for l in text.splitlines() if l.startswith('| ')}
    assert '0.971×' in lines['32-member mean ≤ 1.00× the U-Net twin, all depths'] and 'not met' not in lines['32-member mean ≤ 1.00× the U-Net twin, all depths']
    assert '1.029×' in lines['8-member mean ≤ 1.05× the U-Net twin'] and lines['8-member mean ≤ 1.05× the U-Net twin'].rstrip(' |').endswith('met')
    assert '(0.76×)' in lines["fair CRPS ≤ 0.80× the U-Net twin's MAE"]
    assert 'not met' in lines['diffusion mean ≤ 0.55× regression + OI']   # 0.55× of 0.65 is 0.358 < 0.36

def test_main_job_time_runs_the_readme_command():
    "The timing benchmark runs the README's papermill step as written, with the twin's or the short form's values replacing its own."
    mj = _benchmark('main_job_time')
    command = mj.readme_command()
    assert command[0].endswith('papermill') and command[1:3] == ['nbs/train.ipynb', 'out.ipynb'] and ['-p', 'epochs', '50'] == command[-3:]
    twin = mj.with_params(command, mj.TWIN)
    assert twin.count('epochs') == 1 and twin[-6:] == ['-p', 'dataset', 'twin', '-p', 'epochs', '4'] and '--log-output' in twin
    r = dict(seconds=291.4, peak_rss_gb=0.96, load_before=0.1, machine='2 CPU cores', commit='abc1234', date='2026-12-07', command='papermill …')
    assert mj.sentence(r).startswith('4 min 51 s, peak RSS 0.96 GB, alone on 2 CPU cores')
    assert 'not alone (load 2.0 before)' in mj.sentence(dict(r, load_before=2.0))
    assert 'not alone (other processes 0.80 cores meanwhile)' in mj.sentence(dict(r, other_cores=0.8))   # quiet before, busy during
    assert ', alone (other processes 0.05 cores meanwhile) on' in mj.sentence(dict(r, other_cores=0.05))
    assert ', alone (other processes 0.03 cores meanwhile) on' in mj.sentence(dict(r, other_cores=0.03, load_before=0.6))   # measured during the run

def test_threads_table_sets_the_settings_side_by_side():
    "The threads benchmark's table: each setting's epoch alone and busy, busy/alone, its time alone over the old setting's, and whether the figures agree."
    th = _benchmark('threads')
    model = lambda s, loss=1.0: dict(train_seconds=[s, s], train_loss=[loss, loss / 2], val_rmse=[0.5, 0.4])
    run = lambda s, loss=1.0: dict(unet=model(s, loss), diffusion=model(2 * s, loss))
    results = dict(twin=dict(old=dict(alone=run(50.), busy=run(1000.)), passive=dict(alone=run(60.), busy=run(100., loss=1.1))))
    rows = {tuple(c.strip() for c in l.split('|')[1:4]): [c.strip() for c in l.split('|')[4:-1]] for l in th.table(results).splitlines()[2:]}
    assert rows['twin', 'unet', 'old'] == ['50.0', '1000.0', '20.00', '1.00', 'yes']
    assert rows['twin', 'unet', 'passive'] == ['60.0', '100.0', '1.67', '1.20', 'alone only']       # a busy run's loss differs
    assert rows['twin', 'diffusion', 'passive'][:2] == ['120.0', '200.0']

def test_threads_repeats_merge_into_the_median_epoch():
    "--repeats: a setting's runs merge into every epoch's time (the table reads the median) and keep their figures only if every run agrees."
    th = _benchmark('threads')
    model = lambda s, loss=1.0: dict(train_seconds=s, train_loss=[loss], val_rmse=[0.5])
    run = lambda s, loss=1.0: dict(unet=model(s, loss), diffusion=model(s, loss), threads=2)
    m = th.merged([run([3., 9.]), run([4.])])
    assert m['unet']['train_seconds'] == [3., 9., 4.] and th.per_epoch(m['unet']) == 4. and m['repeats'] == 2 and m['threads'] == [2]
    assert m['unet']['train_loss'] == [1.0]
    assert th.merged([run([3.]), run([3.], loss=1.1)])['unet']['train_loss'] is None   # runs that disagree are not "the same figures"

def test_package_sets_a_measured_thread_setting():
    "The main job's thread setting (the OpenMP environment importing depthdif before torch sets, TrainConfig's threads) is one of the threads benchmark's settings, not the old one."
    th = _benchmark('threads')
    code = ("import os; before = dict(os.environ); import depthdif; from depthdif.train import TrainConfig; "
            "print(({k: v for k, v in os.environ.items() if before.get(k) != v}, TrainConfig().threads))")
    env = {k: v for k, v in os.environ.items() if 'OMP' not in k}
    sets = eval(subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env, cwd=ROOT, check=True).stdout)
    assert sets in [setting for name, setting in th.SETTINGS.items() if name != 'old'], (sets, th.SETTINGS)

def test_latent_benchmark_takes_the_column_depths(tmp_path):
    "--depths names the comparison's levels as TrainConfig does (a named set, a list), refused by name beyond the dataset; --short is the main job cut short, every model alike."
    from depthdif.sources import WOA_DEPTHS
    assert latent_bench.target_depths('default', depths='woa') == WOA_DEPTHS == latent_bench.target_depths('default')
    assert latent_bench.target_depths('default', depths='0,50,1000') == (0., 50., 1000.)
    with pytest.raises(ValueError, match="of the built-in dataset 'default'"): latent_bench.target_depths('default', depths='10,1500')
    for name in ('pixel', 'latent'):
        cfg = latent_bench.config(name, 'default', WOA_DEPTHS, tmp_path, short=True)
        assert (cfg.max_patches, cfg.epochs, cfg.ae_epochs, cfg.eval_patches, len(cfg.depths)) == (64, 1, 1, 32, 19)

def test_latent_benchmark_per_depth_ratio():
    "The per-depth table sets latent beside pixel diffusion: latent / pixel at every depth."
    scored = lambda rmse: dict(hidden=dict(rmse=rmse, mae=rmse, bias=0., n=1000, per_depth={'0': dict(rmse=rmse), '1000': dict(rmse=2 * rmse)}))
    results = [dict(model='pixel', train_s_per_epoch=10., scores=dict(pixel=scored(1.0))), dict(model='latent', train_s_per_epoch=4., scores=dict(latent=scored(1.1)))]
    text = latent_bench.tables(results, dict(pixel=0.4, latent=0.1), (0., 1000.))
    rows = {l.split('|')[1].strip(): [c.strip() for c in l.split('|')[2:-1]] for l in text.split('per depth:')[1].splitlines() if l.startswith('| ') and ' m ' in l}
    assert rows['1000 m'][-1] == '1.1' and rows['0 m'][-1] == '1.1', rows

def test_variables_benchmark_compares_temperature_alone_and_with_salinity(tmp_path):
    "benchmarks/variables.py: per method and depth, temperature with S over alone (the <= 1.02 check) and salinity over regression + OI."
    import json
    vb = _benchmark('variables')
    per = lambda k, so=None: {**{d: dict(rmse=k * (1 + int(d) / 100)) for d in ('10', '100')}, **({f'so {d}': dict(rmse=so) for d in ('10', '100')} if so else {})}
    run = lambda name, k, so=None: (tmp_path / name).mkdir() or (tmp_path / name / 'test_metrics.json').write_text(json.dumps(
        {m: dict(hidden=dict(per_depth=per(k * f, so and so * f))) for m, f in (('diffusion', 1.), ('unet', 1.), ('regression_oi', 2.))}))
    run('t', 1.0); run('ts', 1.1, so=0.3)
    text, record = vb.report(tmp_path / 't', tmp_path / 'ts')
    assert record['worst'] == {'diffusion with S / alone': 1.1, 'unet with S / alone': 1.1, 'regression_oi with S / alone': 1.1}
    assert record['salinity']['diffusion / regression_oi'] == {10.0: 0.5, 100.0: 0.5} and 'diffusion 1.100' in text

def test_column_benchmark_judges_the_guard_per_depth(tmp_path):
    "benchmarks/column.py reads the run's test_metrics.json: per-depth RMSE of diffusion, U-Net twin and regression + OI, and the guard at every depth."
    import json
    from depthdif.sources import WOA_DEPTHS
    col = _benchmark('column')
    def scored(k, worse_at=None):
        per = {f'{d:g}': dict(rmse=k * (1 + d / 1000) * (1.1 if d == worse_at else 1)) for d in WOA_DEPTHS}
        return dict(hidden=dict(rmse=k, mae=k, bias=0., n=10, per_depth=per))
    config = dict(dataset='default', depths=list(WOA_DEPTHS), corruption=0.95, mask_kind='track', eval_steps=25, eval_samples=8, epochs=50,
                  max_patches=0, eval_patches=1024)
    rec = dict(seconds=3725., load_before=0.1, load_after=0.2, machine='2 CPU cores', command='papermill …', short=False)
    run = tmp_path / 'run'; run.mkdir()
    (run / 'test_metrics.json').write_text(json.dumps(dict(diffusion=scored(0.95), unet=scored(0.97), regression_oi=scored(1.0), spread_scale=[1.0] * 19, epoch=50)))
    text, record = col.report(*col.per_depth(run), rec, config)
    assert '19 depths 0–1000 m' in text and '2 CPU cores, run time 62 min 5 s, alone' in text
    busy = col.report(*col.per_depth(run), dict(rec, load_after=2.0), config)[0]           # a time under load is not reported
    assert 'time not reported: not alone (1-min load 0.1 before, 2.0 after)' in busy and '62 min' not in busy
    assert 'at every depth: met (worst 0.950' in text and record['guard']['met'] and len(record['per_depth']['diffusion']) == 19
    assert 'diffusion / regression_oi' in text.splitlines()[4] and text.splitlines()[6 + 18].startswith('|        1000 |')   # one row per depth, the deepest last
    (run / 'test_metrics.json').write_text(json.dumps(dict(diffusion=scored(0.95, worse_at=500.), unet=scored(0.97), regression_oi=scored(1.0))))
    text, record = col.report(*col.per_depth(run), dict(rec, short=True), config)
    assert 'NOT met (worst 1.045 at 500 m)' in text and not record['guard']['met'] and 'SHORT check' in text
    cmd = col.command(tmp_path, 'default', 'woa', True)
    assert cmd[1].endswith('nbs/train.ipynb') and cmd[cmd.index('depths') + 1] == 'woa' and cmd[-len(col.SHORT):] == col.SHORT
