"The benchmark scripts under benchmarks/: their settings are valid before anything long runs."
import importlib.util
import pytest
from conftest import ROOT
from depthdif.train import TrainConfig

spec = importlib.util.spec_from_file_location('levers', ROOT / 'benchmarks/levers.py')
levers = importlib.util.module_from_spec(spec); spec.loader.exec_module(levers)

@pytest.mark.parametrize('name', list(levers.LEVERS))
def test_lever_is_a_valid_config(name):
    "Each lever builds a valid TrainConfig that differs from the main job exactly where it says."
    what, overrides = levers.LEVERS[name]
    cfg = TrainConfig.from_dict({**levers.MAIN_JOB, **overrides})
    main = TrainConfig.from_dict(levers.MAIN_JOB)
    changed = {k for k in vars(cfg) if getattr(cfg, k) != getattr(main, k)}
    assert what and changed == set(overrides), (name, changed)

def test_table_reports_ratio_to_oi():
    r = dict(lever='x', what='y', ddim25x8=dict(rmse=1.2), ddpm5x8=dict(rmse=1.1), oi=dict(rmse=1.25), hidden_points=1000, train_s=3)
    row = levers.table([r]).splitlines()[-1]
    assert '| 1.200 | 1.100 | 1.250 | 0.880 | 1,000 | 3 |' in row
