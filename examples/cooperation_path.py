"""How is a U.S. agency connected to a Caribbean actor, and on what evidence?

Prints the shortest chains between two nodes with every hop's relationship, direction and sources.
Defaults to the State Department's INL bureau and Jamaica's government.

Run: .venv/bin/python examples/cooperation_path.py [OUT_DIR] [SOURCE_ID] [TARGET_ID]
"""

from __future__ import annotations

import sys

import _common  # noqa: F401
from _common import out_dir, show

from analysis import cooperation_paths, from_records


def main(argv: list[str]) -> int:
    out = out_dir(argv)
    source = argv[2] if len(argv) > 2 else "agency:us-state-inl"
    target = argv[3] if len(argv) > 3 else "gov:JM"
    graph = from_records()
    if source not in graph or target not in graph:
        print(f"{source} or {target} is not in the data.")
        return 0
    result = cooperation_paths(graph, source, target, max_paths=5)
    print(f"{len(result.paths)} shortest chain(s) of {result.paths[0].length if result.paths else '-'} hop(s) "
          f"between {graph.nodes[source].get('name')} and {graph.nodes[target].get('name')}"
          f"{' (more exist)' if result.truncated else ''}.")
    frame = result.to_frame()
    show("Hops with their evidence", frame[["path", "step", "from_name", "type", "direction", "to_name", "sources"]],
         rows=40)
    frame.to_csv(out / "cooperation_path.csv", index=False)
    print(f"\nWrote {out / 'cooperation_path.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
