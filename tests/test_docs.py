"""The documentation site builds (MkDocs Material, --strict: broken links fail it) with every page of the documentation
map, parameter tables generated from the code, an API reference from the docstrings and docments comments, no nbdev
scaffolding in the pages and nothing loaded from another site."""
import dataclasses, html, re, sys
import pytest
from conftest import ROOT, run, tool

SITE = ROOT / 'site'
PAGES = ('quickstart', 'data-sources', 'dataset', 'model', 'diffusion', 'training', 'production', 'inference', 'diagnostics', 'settings',
         'results', 'experiments', 'temporal', 'development')

@pytest.fixture(scope='module')
def site():
    run([sys.executable, str(ROOT / 'docs/build.py')])
    return SITE

def page(site, name:str) -> str: return html.unescape((site / name / 'index.html').read_text())

def text(site, name:str) -> str: return re.sub(r'<[^>]+>', '', page(site, name))

def test_documentation_map(site):
    "Every page of the map exists, and every notebook and exported module has its page."
    for name in PAGES: assert (site / name / 'index.html').exists(), name
    for nb in (ROOT / 'nbs').glob('*.ipynb'):
        assert (site / ('' if nb.stem == 'index' else nb.stem) / 'index.html').exists(), nb.name
    for py in (ROOT / 'depthdif').glob('*.py'):
        if not py.stem.startswith('_'): assert f'depthdif.{py.stem}' in text(site, f'api/{py.stem}'), py.stem
    assert 'DepthDif' in page(site, '') and 'load_default' in page(site, '')

def test_notebook_pages_without_scaffolding(site):
    data = page(site, '00_sources')
    assert 'open_reanalysis' in data and '#| export' not in data and 'nbdev_export()' not in data
    assert 'skip_exec' not in page(site, 'train')   # front matter is dropped

def test_quick_start_is_the_readme(site):
    "The quick start shows the README's two commands verbatim."
    readme = (ROOT / 'README.md').read_text().splitlines()
    cmds = [l for l in readme if re.search(r'-m venv \.venv .*(papermill nbs/train\.ipynb|nbdev_test)', l)]
    assert len(cmds) == 2
    quick = text(site, 'quickstart')
    for c in cmds: assert c in quick, c

def test_training_parameters_from_the_code(site):
    "Every TrainConfig field is in the parameter table with its default and the comment of its source line."
    from depthdif.train import TrainConfig
    from fastcore.docments import docments
    rows = {}
    for row in re.findall(r'<tr>(.*?)</tr>', page(site, 'training'), flags=re.S):
        cells = [re.sub(r'<[^>]+>', '', c).strip() for c in re.findall(r'<td[^>]*>(.*?)</td>', row, flags=re.S)]
        if cells: rows[cells[0]] = cells
    comments = docments(TrainConfig)
    for f in dataclasses.fields(TrainConfig):
        assert f.name in rows, f.name
        assert rows[f.name][2] == repr(f.default) and rows[f.name][3] == comments[f.name].replace('`', ''), rows[f.name]  # `code` is rendered

def test_api_reference_has_docments(site):
    "The API pages carry the parameters' docments comments, and each module only its own names."
    masking = text(site, 'api/masking')
    assert 'fraction of ocean pixels left unobserved, in [0, 1)' in masking      # track_mask's `corruption`
    explorer = text(site, 'api/explorer')
    assert 'MaskingExplorer' in explorer and 'redraw' in explorer              # a method added with @patch
    assert 'TrainConfig' not in re.findall(r'<h2[^>]*>(.*?)</h2>', page(site, 'api/explorer'))  # imported, not its own

def test_nothing_loaded_from_elsewhere(site):
    "No web fonts, stylesheets or scripts from another site: the pages work offline."
    for f in site.rglob('*.html'):
        src = f.read_text()
        ext = re.findall(r'<(?:link|script)[^>]+(?:href|src)="(https?://[^"]+)"', src)
        assert not ext, (f, ext)
        assert 'fonts.googleapis' not in src and 'fonts.gstatic' not in src, f

def test_broken_link_fails_the_build(tmp_path):
    "The site's settings turn a broken link into a build error (so the strict build above checks the links)."
    docs = tmp_path / 'src'; docs.mkdir()
    (docs / 'index.md').write_text('# Home\n\nSee [the missing page](missing.md).\n')
    cfg = tmp_path / 'site.yml'
    base = (ROOT / 'docs' / 'mkdocs.yml').read_text()
    validation = base[base.index('validation:'):]
    cfg.write_text(f'site_name: t\ndocs_dir: {docs}\nsite_dir: {tmp_path / "out"}\n{validation}')
    import subprocess
    r = subprocess.run([tool('mkdocs'), 'build', '--strict', '-f', str(cfg)], capture_output=True, text=True)
    assert r.returncode != 0 and 'missing.md' in r.stdout + r.stderr, r.stderr[-2000:]
    (docs / 'missing.md').write_text('# Here\n')
    run([tool('mkdocs'), 'build', '--strict', '-f', str(cfg)])
