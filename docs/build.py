"""Build the MkDocs site from the notebooks: nbs/*.ipynb → docs/_src/*.md (+ figures) → site/.

    python docs/build.py            # convert the notebooks as committed (no outputs) and build
    python docs/build.py --execute  # run each notebook first, so figures and tables appear in the pages
"""
import argparse, re, shutil, subprocess, sys, tempfile
from pathlib import Path
import nbformat

DOCS = Path(__file__).resolve().parent
ROOT, SRC = DOCS.parent, DOCS / '_src'
BIN = Path(sys.executable).parent

def for_docs(nb: Path) -> nbformat.NotebookNode:
    "The notebook as a reader sees it: `#| hide` cells dropped, nbdev directives (`#| export`, ...) removed."
    book = nbformat.read(nb, as_version=4)
    book.cells = [c for c in book.cells if not (c.cell_type == 'code' and re.match(r'\s*#\|\s*hide', c.source))]
    for c in book.cells:
        if c.cell_type == 'code': c.source = re.sub(r'^#\|.*\n?', '', c.source, flags=re.M)
    return book

def convert(nb: Path, execute: bool):
    "One notebook to one markdown page (run in nbs/, so relative paths work when executing)."
    with tempfile.TemporaryDirectory(dir=ROOT / 'nbs') as tmp:
        src = Path(tmp) / nb.name
        nbformat.write(for_docs(nb), src)
        cmd = [str(BIN / 'jupyter'), 'nbconvert', '--to', 'markdown', str(src), '--output-dir', str(SRC), '--output', nb.stem]
        if execute: cmd += ['--execute', '--ExecutePreprocessor.timeout=1800', f'--ExecutePreprocessor.cwd={ROOT / "nbs"}']
        subprocess.run(cmd, check=True, cwd=ROOT / 'nbs')

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--execute', action='store_true', help='execute the notebooks while converting')
    args = p.parse_args(argv)
    shutil.rmtree(SRC, ignore_errors=True); SRC.mkdir()
    (SRC / 'docs').mkdir()
    for extra in DOCS.glob('*.png'): shutil.copy(extra, SRC / 'docs')  # committed figures, linked as docs/NAME.png like in README.md
    for nb in sorted((ROOT / 'nbs').glob('*.ipynb')): convert(nb, args.execute)
    subprocess.run([str(BIN / 'mkdocs'), 'build', '--strict', '-f', str(DOCS / 'mkdocs.yml')], check=True)

if __name__ == '__main__': main()
