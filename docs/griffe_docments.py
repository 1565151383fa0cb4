"""Griffe extension for the API reference: the docments comments (`x:Tensor, # (B, C, H, W) °C`) of each function's
parameters and return, and of a dataclass's fields, become a table under its docstring, read with fastcore's
`docments` from the live object, as nbdev's `show_doc` reads them."""
import dataclasses, importlib, inspect
import griffe
from fastcore.docments import docments

def live_object(obj:griffe.Object):
    "The Python object behind a griffe object (imports its module)."
    parts = obj.path.split('.')
    for i in range(len(parts), 0, -1):
        try: target = importlib.import_module('.'.join(parts[:i])); break
        except ImportError: continue
    else: raise ImportError(obj.path)
    for p in parts[i:]: target = getattr(target, p)
    return target

def _cell(v) -> str: return str(v).replace('|', '\\|').replace('\n', ' ')

def _code(v) -> str: return f'`{_cell(v)}`' if v not in ('', None) else ''

def docments_table(obj, skip=('self',)) -> str:
    "Markdown table of the documented parameters (name, type, default, meaning) and return of `obj`; '' if none."
    try: docs = docments(obj, full=True)
    except (TypeError, ValueError, OSError): return ''
    rows = []
    for name, d in docs.items():
        if name in skip or not d.get('docment'): continue
        anno = '' if d['anno'] in (inspect.Parameter.empty, type(None)) else getattr(d['anno'], '__name__', d['anno'])  # None: inferred from a None default
        default = '' if d['default'] is inspect.Parameter.empty else repr(d['default'])
        label = '**returns**' if name == 'return' else f'`{name}`'
        rows.append(f"| {label} | {_code(anno)} | {_code(default)} | {_cell(d['docment'])} |")
    if not rows: return ''
    return '\n'.join(['| | type | default | meaning |', '|---|---|---|---|', *rows])

class Docments(griffe.Extension):
    "Append the docments table to functions' and dataclasses' docstrings."
    def _append(self, gobj:griffe.Object, live):
        table = docments_table(live)
        if not table: return
        text = gobj.docstring.value if gobj.docstring else ''
        gobj.docstring = griffe.Docstring(f'{text}\n\n{table}' if text else table, parent=gobj)

    def on_function_instance(self, *, node, func:griffe.Function, agent, **kwargs):
        try: live = getattr(node, 'obj', None) or live_object(func)
        except Exception: return
        if callable(live): self._append(func, live)

    def on_class_instance(self, *, node, cls:griffe.Class, agent, **kwargs):
        try: live = getattr(node, 'obj', None) or live_object(cls)
        except Exception: return
        if dataclasses.is_dataclass(live): self._append(cls, live)
