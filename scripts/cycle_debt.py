"""Print the imports that close a cycle between the packages of inspect_app, in the form the
"No new cycles" contract's ``ignore_imports`` takes (pyproject.toml).

A new cycle fails ``make lint``: break it (an event, a query module, the import the other way), or,
when it cannot be broken now, paste the printed lines it adds into ``ignore_imports`` as debt.
Usage: .venv/bin/python scripts/cycle_debt.py
"""
import sys
from pathlib import Path

import grimp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
graph = grimp.build_graph("inspect_app", exclude_type_checking_imports=True, cache_dir=None)
for importer, imported in sorted(graph.nominate_cycle_breakers("inspect_app")):
    print(f'    "{importer} -> {imported}",')
