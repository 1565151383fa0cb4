"""Build the documentation site (MkDocs Material) from the notebooks in nbs/, the hand-written pages in docs/pages/ and
pages generated from the code (parameter tables, API reference).

    python docs/build.py              # build site/ (strict); module notebooks keep the outputs of an earlier --execute
                                      # run while they are unchanged, else they are shown as committed (no outputs)
    python docs/build.py --execute    # first run the module notebooks (their nbdev tests, a few minutes on 2 cores)
                                      # so that their figures and tables appear; the user notebooks never run here
    python docs/build.py --no-build   # only write docs/_src and docs/_site.yml (then e.g. `mkdocs serve -f docs/_site.yml`)

Nothing is fetched from the network: the theme's fonts are off, the search index is built locally.
"""
import argparse, dataclasses, hashlib, importlib, json, os, re, shutil, subprocess, sys, time
from pathlib import Path
import nbformat

DOCS = Path(__file__).resolve().parent
ROOT, SRC, PAGES, EXECUTED = DOCS.parent, DOCS / '_src', DOCS / 'pages', DOCS / '_executed'
NBS, BIN = ROOT / 'nbs', Path(sys.executable).parent
USER_NOTEBOOKS = ('train', 'sample', 'predict', 'explorer')   # run by users (minutes, or a live widget): rendered with their prose only
SHOW_DOC = re.compile(r'^\s*show_doc\(')
sys.path.insert(0, str(DOCS))
from griffe_docments import docments_table  # noqa: E402  (docs/ is not a package)

# ---------------------------------------------------------------------------------------------------------- notebooks
def _directives(src:str) -> list: return re.findall(r'^\s*#\|\s*(.*)$', src, flags=re.M)

def skip_exec(book) -> bool:
    "Whether a notebook says it is not to be run by tests (a raw front-matter cell with `skip_exec: true`)."
    return any(c.cell_type == 'raw' and re.search(r'^skip_exec:\s*true', c.source, flags=re.M) for c in book.cells)

def for_docs(nb:Path) -> nbformat.NotebookNode:
    "The notebook as a reader sees it: `#| hide` cells tagged to be run but not shown, no front matter or export calls, no nbdev directives."
    book = nbformat.read(nb, as_version=4)
    cells = []
    for c in book.cells:
        if c.cell_type == 'raw': continue                                    # quarto/nbdev front matter
        if c.cell_type == 'code':
            flags = _directives(c.source)
            if any(f.startswith('default_exp') for f in flags) or 'nbdev_export()' in c.source: continue
            tags = set(c.metadata.get('tags', []))
            if any(f.strip() == 'hide' for f in flags): tags.add('remove-cell')   # run (imports, setup), not shown
            if any(f.strip() in ('slow', 'eval: false') for f in flags): tags.add('skip-execution')   # as nbdev_test skips them
            if SHOW_DOC.match(c.source): tags.add('hide-input')             # its output is the documentation
            c.source = re.sub(r'^\s*#\|.*\n?', '', c.source, flags=re.M).strip('\n')
            if tags: c.metadata['tags'] = sorted(tags)
            c.outputs, c.execution_count = [], None
        cells.append(c)
    book.cells = cells
    return book

def source_hash(book) -> str:
    "Hash of a processed notebook's cells and of the package, which its outputs depend on."
    h = hashlib.sha256(json.dumps([(c.cell_type, c.source) for c in book.cells]).encode())
    for py in sorted((ROOT / 'depthdif').glob('*.py')): h.update(py.read_bytes())
    return h.hexdigest()

def execute(book, name:str) -> nbformat.NotebookNode|None:
    "Run a processed notebook in nbs/ (relative paths work), skipping the cells nbdev_test skips; None if a cell fails."
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    t0 = time.time()
    backend = os.environ.pop('MPLBACKEND', None)     # the kernel's inline backend shows every figure (Agg would show none)
    try: NotebookClient(book, timeout=1800, kernel_name='python3', resources=dict(metadata=dict(path=str(NBS)))).execute()
    except CellExecutionError as e:
        print(f'  FAILED {name} after {time.time() - t0:.0f} s: {str(e).strip().splitlines()[-1][:300]}', flush=True)
        return None
    finally:
        if backend is not None: os.environ['MPLBACKEND'] = backend
    print(f'  executed {name} in {time.time() - t0:.0f} s', flush=True)
    return book

def notebooks(run:bool, failed:list) -> dict:
    "Write every notebook of nbs/ into the site source (appending to `failed` those whose execution failed); return {stem: title}."
    EXECUTED.mkdir(exist_ok=True)
    titles = {}
    for nb in sorted(NBS.glob('*.ipynb')):
        raw = nbformat.read(nb, as_version=4)
        book, stem = for_docs(nb), nb.stem
        runnable = stem not in USER_NOTEBOOKS and not skip_exec(raw)
        digest, cached = source_hash(book), EXECUTED / nb.name
        if runnable and run:
            done = execute(nbformat.from_dict(book), nb.name)
            if done is None: failed.append(nb.name)      # shown without outputs; the build goes on and fails at the end
            else:
                book = done
                book.metadata['depthdif_docs'] = dict(source_hash=digest)
                nbformat.write(book, cached)
        elif runnable and cached.exists():
            old = nbformat.read(cached, as_version=4)
            if old.metadata.get('depthdif_docs', {}).get('source_hash') == digest: book = old
            else: print(f'  {nb.name} changed since it was executed: shown without outputs (run with --execute)')
        nbformat.write(book, SRC / nb.name)
        h1 = next((m[1] for c in book.cells if c.cell_type == 'markdown' for m in [re.search(r'^#\s+(.+)$', c.source, flags=re.M)] if m), stem)
        titles[stem] = h1.strip()
    return titles

# ------------------------------------------------------------------------------------------------- generated pages
def readme_commands() -> dict:
    "The README's set-up-and-train and set-up-and-test commands (one line each), so the quick start cannot drift."
    lines = (ROOT / 'README.md').read_text().splitlines()
    pick = lambda pat: next((l for l in lines if re.search(pat, l)), None)
    cmds = dict(TRAIN_COMMAND=pick(r'-m venv \.venv .*papermill nbs/train\.ipynb'), TEST_COMMAND=pick(r'-m venv \.venv .*nbdev_test'))
    missing = [k for k, v in cmds.items() if v is None]
    if missing: raise SystemExit(f'README.md lacks the command(s) {missing} the quick start page shows')
    return cmds

def _esc(v:str) -> str: return v.replace('|', '\\|')

def notebook_parameters(nb:Path) -> str:
    "Markdown table of a notebook's papermill parameters (`name = value  # meaning` in its `parameters` cell)."
    book = nbformat.read(nb, as_version=4)
    cell = next((c for c in book.cells if 'parameters' in c.metadata.get('tags', [])), None)
    if cell is None: return ''
    rows = ['| parameter | default | meaning |', '|---|---|---|']
    for line in cell.source.splitlines():
        m = re.match(r'^(\w+)\s*=\s*(.*?)\s*(?:#\s*(.*))?$', line)
        if m: rows.append(f"| `{m[1]}` | `{_esc(m[2])}` | {_esc(m[3] or '')} |")
        elif line.strip().startswith('#') and len(rows) > 2: rows[-1] = rows[-1][:-2] + ' ' + _esc(line.strip()[1:].strip()) + ' |'
    return '\n'.join(rows)

def fill(page:str, values:dict) -> str:
    "Replace `<!-- NAME -->` markers of a hand-written page with generated text, and `<!-- INCLUDE path -->` with a file under docs/ (a run's table)."
    def sub(m):
        if m[1] == 'INCLUDE':
            if not (DOCS / m[2]).exists(): raise SystemExit(f'<!-- INCLUDE {m[2]} -->: docs/{m[2]} does not exist (run what writes it)')
            return (DOCS / m[2]).read_text()
        if m[1] not in values: raise SystemExit(f'unknown generated block <!-- {m[1]} -->')
        return values[m[1]]
    return re.sub(r'<!-- ([A-Z_]+)(?: ([\w./-]+))? -->', sub, page)

def generated_blocks() -> dict:
    from depthdif.train import TrainConfig
    from depthdif.explorer import MaskingExplorer
    blocks = {**{k: f'```bash\n{v}\n```' for k, v in readme_commands().items()},
              'TRAIN_CONFIG_TABLE': docments_table(TrainConfig), 'EXPLORER_TABLE': docments_table(MaskingExplorer.__init__),
              'N_TRAIN_PARAMETERS': str(len(dataclasses.fields(TrainConfig)))}
    for stem in USER_NOTEBOOKS:
        if (NBS / f'{stem}.ipynb').exists(): blocks[f'{stem.upper()}_NOTEBOOK_PARAMETERS'] = notebook_parameters(NBS / f'{stem}.ipynb')
    return blocks

def api_pages() -> list:
    "One API reference page per exported module, with the names of its `__all__`."
    (SRC / 'api').mkdir()
    out = []
    for py in sorted((ROOT / 'depthdif').glob('*.py')):
        if py.stem.startswith('_'): continue
        public = getattr(importlib.import_module(f'depthdif.{py.stem}'), '__all__', None)   # not what it imports
        options = f'    options:\n      members: {json.dumps(public)}\n' if public is not None else ''
        (SRC / 'api' / f'{py.stem}.md').write_text(f'# depthdif.{py.stem}\n\n::: depthdif.{py.stem}\n{options}')
        out.append({f'depthdif.{py.stem}': f'api/{py.stem}.md'})
    return out

RESULTS_STUB = """# Results

The experiments' results are not written up on this site yet. They come from the project's own runs: `nbs/sample.ipynb`
scores a trained checkpoint and every classical baseline on the same hidden points of the test split and writes the
skill tables (`skill_table.md`, `skill_by_location.csv`, `skill_by_distance.csv`), and `benchmarks/levers.py` retrains
the main job with one change at a time. The current figures are in the [home page](index.ipynb)'s tables (the README).
A `docs/results.md` page or an `nbs/results.ipynb` notebook replaces this page.
"""

# ----------------------------------------------------------------------------------------------------------- nav
def nav(titles:dict, api:list) -> list:
    "The site's navigation: the documentation map, with notebooks that exist; any other notebook under 'More notebooks'."
    used = set()
    def nb(stem, title=None):
        if stem not in titles: return None
        used.add(stem)
        number = re.match(r'(\d+)_', stem)
        return {title or (f'{number[1]} · {titles[stem]}' if number else titles[stem]): f'{stem}.ipynb'}
    def section(title, *items):
        items = [i for i in items if i]
        return {title: items} if items else None
    results = next((p for p in ('results.md', 'results.ipynb') if (SRC / p).exists()), None)
    items = [nb('index', 'Home'), {'Quick start': 'quickstart.md'},
             section('Data', {'Data sources': 'data-sources.md'}, nb('03_twin', 'The twin ocean'),
                     {'The synthetic dataset': 'dataset.md'}, nb('00_sources'), nb('00_profiles'), nb('00_masking'), nb('01_data'), nb('02_download')),
             section('Method', {'The model': 'model.md'}, {'Diffusion': 'diffusion.md'}, nb('04_model'), nb('05_diffusion'),
                     nb('06_latent'), nb('07_baselines'), nb('08_metrics'), nb('08_quantities'), nb('09_sampling')),
             section('Training', {'Training a model': 'training.md'}, nb('train', 'The train notebook'), nb('10_train')),
             {'Production path': 'production.md'},
             section('Inference and diagnostics', {'Inference': 'inference.md'}, {'Sampling diagnostics': 'diagnostics.md'},
                     nb('predict', 'The predict notebook'), nb('14_inference'), nb('15_shipped'), nb('11_diagnostics'),
                     nb('sample', 'The sample notebook')),
             section('Masking explorer', nb('explorer', 'The explorer notebook'), nb('12_explorer')),
             {'Settings': 'settings.md'}, {'Results': results or 'results.md'}, {'Experiments': 'experiments.md'},
             {'Temporal context': 'temporal.md'}, {'Development notes': 'development.md'},
             {'API reference': api}]
    if results == 'results.ipynb': used.add('results')
    rest = [nb(s) for s in list(titles) if s not in used]
    if rest: items.append({'More notebooks': rest})
    return [i for i in items if i]

# ----------------------------------------------------------------------------------------------------------- main
def write_sources(run:bool, failed:list) -> Path:
    "Fill docs/_src and write docs/_site.yml; returns the config path."
    shutil.rmtree(SRC, ignore_errors=True); SRC.mkdir()
    (SRC / 'docs').mkdir()
    for png in DOCS.glob('*.png'): shutil.copy(png, SRC / 'docs')     # committed figures, linked as docs/NAME.png like in README.md
    if (DOCS / 'results').exists():                                   # the runs' figures (their tables are INCLUDEd in pages)
        shutil.copytree(DOCS / 'results', SRC / 'results', ignore=lambda d, names: [n for n in names if n.endswith(('.md', '.csv', '.json'))])
    titles = notebooks(run, failed)
    blocks = generated_blocks()
    for page in sorted(PAGES.glob('*.md')): (SRC / page.name).write_text(fill(page.read_text(), blocks))
    if not (SRC / 'results.md').exists() and 'results' not in titles: (SRC / 'results.md').write_text(RESULTS_STUB)
    if 'results' in titles: (SRC / 'results.md').unlink(missing_ok=True)   # the notebook is the page
    config = DOCS / '_site.yml'   # the base config plus what depends on the files present
    site = dict(INHERIT='mkdocs.yml', docs_dir=str(SRC), site_dir=str(ROOT / 'site'), nav=nav(titles, api_pages()))
    config.write_text(''.join(f'{k}: {json.dumps(v)}\n' for k, v in site.items()))
    return config

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--execute', action='store_true', help='run the module notebooks (their tests) so their outputs appear')
    p.add_argument('--no-build', action='store_true', help='only write docs/_src and docs/_site.yml')
    args = p.parse_args(argv)
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    os.environ.setdefault('NO_MKDOCS_2_WARNING', '1')
    failed = []
    config = write_sources(args.execute, failed)
    if not args.no_build:
        subprocess.run([str(BIN / 'mkdocs'), 'build', '--strict', '-f', str(config)], check=True, cwd=ROOT)
    if failed: raise SystemExit(f'these notebooks failed to execute and are shown without outputs: {failed}')

if __name__ == '__main__': main()
