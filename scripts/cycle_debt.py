"""Print the imports that close a cycle between the packages of inspect_app (nothing, today).

A new cycle fails ``make lint`` (the "No cycles" and layers contracts in pyproject.toml): this names
the imports grimp would cut to break it. Break it as docs/architecture.md's package map says (an
event, a query module, the code moved to the package it belongs to), not with an import inside a
function or an ``ignore_imports`` entry.
Usage: .venv/bin/python scripts/cycle_debt.py
"""
import sys
from pathlib import Path

import grimp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
graph = grimp.build_graph("inspect_app", exclude_type_checking_imports=True, cache_dir=None)
for importer, imported in sorted(graph.nominate_cycle_breakers("inspect_app")):
    print(f'    "{importer} -> {imported}",')
