"The MkDocs site builds (strict) from the notebooks, with no nbdev scaffolding in the pages."
import sys
from conftest import ROOT, run

def test_docs_build():
    run([sys.executable, str(ROOT / 'docs/build.py')])
    index = (ROOT / 'site/index.html').read_text()
    assert 'DepthDif' in index and 'load_default' in index
    data_page = (ROOT / 'site/01_data/index.html').read_text()
    assert 'open_reanalysis' in data_page and '#| export' not in data_page and 'nbdev_export()' not in data_page
