"Lazy archives through DataLoader worker processes: each worker reads its own file handles, and the numbers do not depend on the workers."
import json
import numpy as np
import pandas as pd
import pytest
import torch
from torch.utils.data import DataLoader, Dataset
from conftest import run, tool

@pytest.fixture(scope='module')
def lazy_sets(tmp_path_factory):
    from depthdif.data import load_sources, make_datasets, write_sample_sources
    tmp = tmp_path_factory.mktemp('src')
    paths = write_sample_sources(tmp, months=(1, 2, 3), region=dict(lat=slice(-60, 60), lon=slice(-180, 180)))
    ds = load_sources(str(tmp / 'glorys_*.nc'), paths['ostia'])
    return make_datasets(ds, cache=tmp / 'index')[0]

class CacheProbe(Dataset):
    "A sample with, next to it, whether this process reads through a file cache of its own and how many files it holds open there."
    def __init__(self, dataset): self.dataset = dataset
    def __len__(self): return len(self.dataset)
    def __getitem__(self, n):
        from xarray.backends import file_manager
        s = self.dataset[n]
        return dict(s, own_cache=torch.tensor(id(file_manager.FILE_CACHE) != PARENT_CACHE[0]), open_files=torch.tensor(len(file_manager.FILE_CACHE)))

PARENT_CACHE = [None]

def test_workers_open_their_own_files(lazy_sets):
    "The parent has the NetCDF files open before forking; each worker reads them through handles it opened itself, with the same values."
    from xarray.backends import file_manager
    from depthdif.data import worker_init
    train = lazy_sets['train']
    assert train.lazy
    first = [train[n] for n in range(8)]                                       # the parent reads: its file cache holds open handles
    assert len(file_manager.FILE_CACHE) > 0
    PARENT_CACHE[0] = id(file_manager.FILE_CACHE)
    batches = list(DataLoader(CacheProbe(train), batch_size=4, num_workers=2, worker_init_fn=worker_init))
    assert all(b['own_cache'].all() for b in batches), "a worker read through the parent's file cache"
    assert all((b['open_files'] > 0).all() for b in batches)
    for k in first[0]:
        assert torch.equal(torch.stack([s[k] for s in first]), torch.cat([b[k] for b in batches[:2]])), k
    assert id(file_manager.FILE_CACHE) == PARENT_CACHE[0]                        # the parent's cache is untouched

def test_batches_do_not_depend_on_workers(lazy_sets):
    from depthdif.data import worker_init
    train = lazy_sets['train']; train.set_epoch(3)
    load = lambda w: list(DataLoader(train, batch_size=8, num_workers=w, worker_init_fn=worker_init, shuffle=True,
                                     generator=torch.Generator().manual_seed(1)))
    a, b = load(0), load(2)
    assert len(a) == len(b)
    for x, y in zip(a, b):
        for k in x: assert torch.equal(x[k], y[k]), k

def _train_cmd(out, workers):
    return [tool('depthdif-train'), '--epochs', '2', '--max_patches', '64', '--batch_size', '16', '--out_dir', str(out),
            '--channels', '16,32', '--emb_dim', '32', '--val_steps', '2', '--eval_samples', '2', '--eval_steps', '2',
            '--no_score', '--num_workers', str(workers)]

def test_training_numbers_do_not_depend_on_workers(tmp_path):
    "Masks and first guesses made in 2 worker processes (the U-Net twin's regression + OI; the twin's own under the diffusion model's): the same losses and validation scores as in the training process."
    for w in (0, 2): run(_train_cmd(tmp_path / f'w{w}', w), cwd=tmp_path, env={'OMP_NUM_THREADS': '1', **__import__('os').environ})
    for part in ('unet', '.'):
        a, b = (pd.read_csv(tmp_path / f'w{w}' / part / 'metrics.csv') for w in (0, 2))
        pd.testing.assert_frame_equal(a.drop(columns=['seconds', 'train_seconds']), b.drop(columns=['seconds', 'train_seconds']))
    assert (tmp_path / 'w0' / 'index').is_dir() and list((tmp_path / 'w0' / 'index').glob('index_*.npz'))
