//! Both directions against the real peer (CPython 3.11 with ClusterShell
//! 1.10.1), over the corpus of `py/corpus.py`: None, bools, ints of every
//! size, floats (inf, nan, -0.0), str (non-BMP too), bytes, containers,
//! shared and recursive references, node sets, range sets and a topology.

mod common;

use common::{canon, hex, run_python, unhex};
use cscomm_pickle::{Protocol, Writer};

/// One pickle the peer wrote: corpus name, protocol, bytes, canonical text.
struct PeerPickle {
    name: String,
    exact: bool,
    pickle: Vec<u8>,
    canon: String,
}

/// Python pickles every corpus value with `protocols`.
fn peer_pickles(protocols: &str) -> Vec<PeerPickle> {
    let body = format!(
        "import pickle\n\
         for name, obj, exact in corpus():\n    \
             text = canon(obj)\n    \
             for p in {protocols}:\n        \
                 print(name, p, int(exact), pickle.dumps(obj, p).hex(), text)\n"
    );
    run_python(&body, b"")
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split(' ').collect();
            PeerPickle {
                name: format!("{} (protocol {})", fields[0], fields[1]),
                exact: fields[2] == "1",
                pickle: unhex(fields[3]),
                canon: fields[4].to_owned(),
            }
        })
        .collect()
}

#[test]
fn python_pickles_of_protocols_0_to_5_decode_to_the_same_values() {
    let pickles = peer_pickles("range(6)");
    assert!(pickles.len() > 600, "corpus too small: {}", pickles.len());
    let mut failures = Vec::new();
    for p in &pickles {
        match cscomm_pickle::read(&p.pickle) {
            Ok(value) if canon(&value) == p.canon => {}
            Ok(value) => failures.push(format!(
                "{}: decoded {}\n  expected {}",
                p.name,
                canon(&value),
                p.canon
            )),
            Err(err) => failures.push(format!("{}: {err}", p.name)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// What Python says about each pickle Rust wrote: loaded to an object equal
/// to the original (canonical text, plus working ClusterShell objects), and
/// whether the bytes are exactly what `pickle.dumps` writes.
const CHECK_PY: &str = r#"
import pickle, sys
from ClusterShell.NodeSet import NodeSet
from ClusterShell.RangeSet import RangeSet, RangeSetND
from ClusterShell.Topology import TopologyTree
from ClusterShell.Propagation import PropagationTreeRouter

def works(orig, got):
    if isinstance(orig, NodeSet):
        return (str(got) == str(orig) and list(got) == list(orig) and got == orig
                and NodeSet.fromlist(list(got)) == orig and len(got) == len(orig))
    if isinstance(orig, (RangeSet, RangeSetND)):
        return str(got) == str(orig) and list(got) == list(orig)
    if isinstance(orig, TopologyTree):
        def routes(tree):
            router = PropagationTreeRouter('admin', tree)
            table = [(str(n), str(h)) for n, h in router.table]
            hops = sorted((str(g), str(n)) for g, n in router.dispatch(NodeSet('node[001-032],login1')))
            return table, hops
        return str(got) == str(orig) and routes(got) == routes(orig)
    return True

objs = by_name()
# Computed before anything uses the objects: using some (a RangeSetND's
# str) updates their caches, which are part of their state.
expected = {name: (canon(o), [pickle.dumps(o, p) for p in range(6)]) for name, o in objs.items()}
for line in sys.stdin:
    name, p, data = line.split()
    data = bytes.fromhex(data)
    got = pickle.loads(data)
    same = canon(got) == expected[name][0]
    print(name, p, int(same), int(works(objs[name], got)), int(data == expected[name][1][int(p)]))
"#;

#[test]
fn rust_pickles_of_protocols_0_to_5_load_in_python_as_equal_objects() {
    let originals = peer_pickles("[4]");
    let mut input = String::new();
    let mut exact = std::collections::HashMap::new();
    for p in &originals {
        let value = cscomm_pickle::read(&p.pickle).unwrap_or_else(|e| panic!("{}: {e}", p.name));
        let name = p.name.split(' ').next().expect("name");
        exact.insert(name.to_owned(), p.exact);
        for n in 0..=5 {
            let protocol = Protocol::from_u8(n).expect("protocol");
            let data = Writer::new(protocol)
                .to_vec(&value)
                .unwrap_or_else(|e| panic!("{name} protocol {n}: {e}"));
            input.push_str(&format!("{name} {n} {}\n", hex(&data)));
        }
    }
    let report = run_python(CHECK_PY, input.as_bytes());
    let mut failures = Vec::new();
    let mut exact_count = 0;
    for line in report.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        let (name, p, same, works, identical) = (f[0], f[1], f[2] == "1", f[3] == "1", f[4] == "1");
        if !same || !works {
            failures.push(format!("{name} protocol {p}: equal={same} works={works}"));
        }
        if exact[name] {
            exact_count += 1;
            if !identical {
                failures.push(format!(
                    "{name} protocol {p}: bytes differ from pickle.dumps"
                ));
            }
        }
    }
    assert_eq!(
        report.lines().count(),
        originals.len() * 6,
        "Python checked every pickle"
    );
    assert!(exact_count > 500, "byte-exact comparisons: {exact_count}");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
