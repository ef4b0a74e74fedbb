"""Compares the `nodeset` crate with ClusterShell 1.10.1 on the node set
corpus. Usage (from this directory, after `cargo build --release`):

    python3 compare.py <peer-venv python> <nodeset-eval binary>

Prints one line per difference and a summary; see docs/NODESET.md.
"""
import json
import subprocess
import sys

python, binary = sys.argv[1], sys.argv[2]
corpus = json.load(open("../tests/data/nodeset-corpus.json"))
ops = json.load(open("../tests/data/nodeset-ops.json"))
probes = json.load(open("../tests/data/nodeset-probes.json"))
counts = {}
def differ(kind, text, detail):
    counts[kind] = counts.get(kind, 0) + 1
    print("%-14s %-32r %s" % (kind, text, detail))

# Inputs that kill the crate's process (abort, memory) are run one by one
# under a 2 GB limit first, reported, and left out of the batch.
for text in list(corpus):
    one = json.dumps({"parse": [text], "ops": [], "probes": []})
    res = subprocess.run("ulimit -v 2000000; exec " + binary, shell=True,
                         input=one, capture_output=True, text=True)
    if res.returncode != 0:
        differ("crash", text, "exit status %d" % res.returncode)
        corpus.remove(text)

request = json.dumps({"parse": corpus, "ops": ops, "probes": probes})

def run(cmd):
    return json.loads(subprocess.run(cmd, input=request, capture_output=True,
                                     text=True, check=True).stdout)

py = run([python, "../tests/python/nodeset_oracle.py"])
rs = run([binary])

for text, p, r in zip(corpus, py["parse"], rs["parse"]):
    if p["ok"] != r["ok"]:
        differ("accept" if p["ok"] else "reject", text,
               "python: %s | crate: %s" % (p.get("fold", p.get("error")),
                                           r.get("fold", r.get("error"))))
        continue
    if not p["ok"]:
        continue
    if p["fold"] != r["fold"]:
        differ("fold", text, "python %r crate %r" % (p["fold"], r["fold"]))
    if p["len"] != r["len"]:
        differ("len", text, "python %d crate %d" % (p["len"], r["len"]))
    if p["nodes"] != r["nodes"]:
        if sorted(p["nodes"]) == sorted(r["nodes"]):
            differ("order", text, "same nodes, other order")
        else:
            differ("nodes", text, "python %r.. crate %r.." % (p["nodes"][:4], r["nodes"][:4]))
    if p["contains"] != r["contains"]:
        differ("contains", text, "")
for (a, b), p, r in zip(ops, py["ops"], rs["ops"]):
    for name in ("union", "difference", "intersection", "symmetric_difference"):
        if "error" in r:
            differ("op-error", a + " " + b, r["error"])
            break
        if p[name].get("fold") != r[name].get("fold"):
            differ(name, a + " | " + b, "python %r crate %r" % (p[name].get("fold"), r[name].get("fold")))
print("summary:", json.dumps(counts, sort_keys=True), "over", len(corpus), "inputs and", len(ops), "pairs")
