"""Oracle for the node set conformance tests: reads a JSON request on stdin,
answers with what ClusterShell's NodeSet computes for it (JSON on stdout).

Request: {"parse": [str, ...], "ops": [[a, b], ...], "probes": [str, ...],
          "chains": [[start, [[operator, operand], ...]], ...]}

A chain applies each operator in turn (`|`, `-`, `&`, `^` or an in-place
method name) and looks at the result (`str()`) after each step, which is
when ClusterShell folds n-dimensional sets (cscomm folds after each step).
"""
import json
import sys

from ClusterShell.NodeSet import NodeSet, RESOLVER_NOGROUP
from ClusterShell.RangeSet import RangeSet, RangeSetND

FULL_LIST_MAX = 2000
EDGE = 500


def parse(text):
    return NodeSet(text, resolver=RESOLVER_NOGROUP)


def node_list(nodeset):
    nodes = list(nodeset)
    if len(nodes) <= FULL_LIST_MAX:
        return nodes
    return nodes[:EDGE] + nodes[-EDGE:]


def rangeset_view(rset):
    return [str(rset), rset.padding]


def pattern_view(nodeset):
    view = []
    for pat, rset in sorted(nodeset._patterns.items()):
        if rset is None:
            view.append([pat, None])
        elif isinstance(rset, RangeSetND):
            vecs = [[rangeset_view(r) for r in vec] for vec in rset.vectors()]
            view.append([pat, {"nd": vecs, "hint": rset._multivar_hint}])
        else:
            view.append([pat, {"one": rangeset_view(rset)}])
    return view


def contains(nodeset, probe):
    """`probe in nodeset`, or None when the probe does not parse."""
    try:
        return probe in nodeset
    except Exception:
        return None


def describe(make):
    try:
        nodeset = make()
        fold = str(nodeset)
        return {"ok": True, "fold": fold, "len": len(nodeset),
                "nodes": node_list(nodeset), "view": pattern_view(nodeset)}
    except Exception as exc:  # the test compares the error text
        return {"ok": False, "error": str(exc), "kind": type(exc).__name__}


BINARY = {"|": lambda a, b: a | b, "-": lambda a, b: a - b,
          "&": lambda a, b: a & b, "^": lambda a, b: a ^ b}


def run_chain(start, steps):
    nodeset = parse(start)
    str(nodeset)
    for operator, operand in steps:
        if operator in BINARY:
            nodeset = BINARY[operator](nodeset, parse(operand))
        else:
            getattr(nodeset, operator)(parse(operand))
        str(nodeset)
    return nodeset


def main():
    req = json.load(sys.stdin)
    probes = req.get("probes", [])
    out = {"parse": [], "ops": []}
    for text in req.get("parse", []):
        res = describe(lambda: parse(text))
        if res["ok"]:
            nodeset = parse(text)
            res["contains"] = [contains(nodeset, probe) for probe in probes]
        out["parse"].append(res)
    for left, right in req.get("ops", []):
        res = {}
        for name, fun in (("union", lambda a, b: a | b),
                          ("difference", lambda a, b: a - b),
                          ("intersection", lambda a, b: a & b),
                          ("symmetric_difference", lambda a, b: a ^ b)):
            res[name] = describe(lambda: fun(parse(left), parse(right)))
        res["superset"] = parse(left).issuperset(parse(right))
        out["ops"].append(res)
    out["chains"] = [describe(lambda: run_chain(start, steps))
                     for start, steps in req.get("chains", [])]
    json.dump(out, sys.stdout)


main()
