"""For each topology file given as (path, root) pairs in a JSON list on
stdin, prints what ClusterShell's TopologyParser makes of it: the tree as
text and its groups in order, or the error text."""
import json
import sys
import warnings

from ClusterShell.Topology import TopologyParser, TopologyError

warnings.simplefilter("ignore")
results = []
for path, root in json.load(sys.stdin):
    try:
        tree = TopologyParser(path).tree(root)
        results.append({"tree": str(tree),
                        "groups": [str(g.nodeset) for g in tree.groups]})
    except TopologyError as exc:
        results.append({"error": str(exc)})
print(json.dumps(results))
