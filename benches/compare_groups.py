#!/usr/bin/env python3
"""Resolving and folding large node groups: ClusterShell's `nodeset -f`
against cscomm-groups (its `nodeset` example), on the same YAML autodir.

Usage: compare_groups.py PEER_BIN_DIR CSCOMM_NODESET [RUNS]

  PEER_BIN_DIR    bin/ of the ClusterShell 1.10.1 venv (target/peer-venv/bin)
  CSCOMM_NODESET  target/release/examples/nodeset (cargo build --release
                  -p cscomm-groups --example nodeset)

Cases (one source per top-level key of one YAML file):
  @all         source `big`, group `all`: a YAML list of 100,000 names
               node1..node100000 in shuffled order (parse 100,000 names,
               fold them);
  @racks:*     source `racks`: 1,000 groups `rackN: node[a-b]` of 100 nodes
               and no `all` (ClusterShell lists the groups, maps each one
               and unions the 1,000 results);
  @big:all!@racks:rack[1-500]  the same 100,000 names minus 500 groups.
Each command runs RUNS times (default 5): the median wall time, and the
user+system CPU time and peak RSS of that run (os.wait4), are printed with
the ratio python/rust.
"""
import os
import random
import sys
import tempfile
import time

N = 100_000
RACKS = 1_000


def write_config(root):
    autodir = os.path.join(root, "groups.d")
    os.makedirs(autodir)
    names = ["node%d" % i for i in range(1, N + 1)]
    random.Random(13).shuffle(names)
    with open(os.path.join(autodir, "big.yaml"), "w") as out:
        out.write("big:\n  all:\n")
        for name in names:
            out.write("    - %s\n" % name)
        out.write("racks:\n")
        per = N // RACKS
        for rack in range(RACKS):
            out.write("  rack%d: node[%d-%d]\n" % (rack + 1, rack * per + 1, (rack + 1) * per))
    conf = os.path.join(root, "groups.conf")
    with open(conf, "w") as out:
        out.write("[Main]\ndefault: big\nautodir: %s\n" % autodir)
    return conf


def run_measured(argv, runs):
    """Runs argv `runs` times with wait4 rusage; (wall, cpu, rss KiB) median."""
    rows = []
    output = None
    for _ in range(runs):
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            devnull = os.open(os.devnull, os.O_WRONLY)
            outfd = os.open(os.path.join(TMP, "out"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(outfd, 1)
            os.dup2(devnull, 2)
            os.execv(argv[0], argv)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        if status != 0:
            sys.exit("%s failed (status %d)" % (argv, status))
        rows.append((wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss))
        with open(os.path.join(TMP, "out")) as f:
            output = f.read()
    rows.sort()
    return rows[len(rows) // 2], output


def main():
    global TMP
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    peer_bin, ours = sys.argv[1], os.path.abspath(sys.argv[2])
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    nodeset = os.path.join(peer_bin, "nodeset")
    with tempfile.TemporaryDirectory() as root:
        TMP = root
        conf = write_config(root)
        print("| case | tool | wall s | CPU s | max RSS MiB |")
        print("|---|---|---|---|---|")
        for expr in ["@all", "@racks:*", "@big:all!@racks:rack[1-500]"]:
            py, py_out = run_measured([nodeset, "--groupsconf", conf, "-f", expr], runs)
            rs, rs_out = run_measured([ours, "--groupsconf", conf, expr], runs)
            if py_out != rs_out:
                sys.exit("outputs differ for %s: %r vs %r" % (expr, py_out[:80], rs_out[:80]))
            for tool, (wall, cpu, rss) in (("nodeset 1.10.1", py), ("cscomm-groups", rs)):
                print("| `%s` | %s | %.3f | %.3f | %.1f |" % (expr, tool, wall, cpu, rss / 1024))
            print("| `%s` | ratio | %.1fx | %.1fx | %.1fx |"
                  % (expr, py[0] / rs[0], py[1] / max(rs[1], 1e-6), py[2] / rs[2]))


TMP = None

if __name__ == "__main__":
    main()
