"The benchmark scripts under benchmarks/: their settings are valid before anything long runs."
import dataclasses, importlib.util
import pytest
from conftest import ROOT
from depthdif.train import TrainConfig

spec = importlib.util.spec_from_file_location('levers', ROOT / 'benchmarks/levers.py')
levers = importlib.util.module_from_spec(spec); spec.loader.exec_module(levers)

def test_benchmark_runs_the_main_job():
    "The levers start from TrainConfig()'s defaults, the main job, changing only how it runs (no U-Net twin)."
    assert dataclasses.replace(TrainConfig.from_dict(levers.RUN), unet_baseline=True) == TrainConfig()

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
