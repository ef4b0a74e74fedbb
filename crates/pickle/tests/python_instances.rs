//! ClusterShell objects built by hand as [`Instance`] values, written in
//! every protocol, then used by the real ClusterShell 1.10.1: node sets it
//! iterates, folds and updates, range sets, and a topology its router
//! routes with. One Python run checks them all.

mod common;

use cscomm_pickle::{Global, Instance, Protocol, SharedId, Value, Writer};

fn class(module: &str, name: &str) -> Global {
    Global::new(format!("ClusterShell.{module}"), name)
}

/// `RangeSet(pattern)` as its `__reduce__` gives it.
fn rangeset(pattern: &str, padding: Option<i64>) -> Value {
    let state = Value::str_dict([
        ("padding", padding.map_or(Value::None, Value::Int)),
        ("_autostep", Value::Float(1e100)),
        ("_version", Value::Int(4)),
    ]);
    Instance::call(class("RangeSet", "RangeSet"), vec![Value::from(pattern)])
        .with_state(state)
        .into()
}

fn rangeset_nd(vectors: Vec<Vec<Value>>) -> Value {
    let state = Value::str_dict([
        (
            "_veclist",
            Value::List(vectors.into_iter().map(Value::List).collect()),
        ),
        ("_dirty", Value::Bool(true)),
        ("_autostep", Value::Float(1e100)),
        ("_multivar_hint", Value::Bool(false)),
    ]);
    Instance::new(class("RangeSet", "RangeSetND"))
        .with_state(state)
        .into()
}

fn nodeset(patterns: Vec<(&str, Value)>) -> Value {
    let patterns = patterns
        .into_iter()
        .map(|(p, r)| (Value::from(p), r))
        .collect();
    let state = Value::str_dict([
        ("_autostep", Value::None),
        ("_length", Value::Int(0)),
        ("_patterns", Value::Dict(patterns)),
        ("fold_axis", Value::None),
        ("_version", Value::Int(2)),
    ]);
    Instance::new(class("NodeSet", "NodeSet"))
        .with_state(state)
        .into()
}

fn node_1d() -> Value {
    nodeset(vec![("node%s", rangeset("1-3,5", None))])
}

fn node_nd() -> Value {
    let vector = vec![rangeset("1-2", None), rangeset("01-02", Some(2))];
    nodeset(vec![("rack%s-n%s", rangeset_nd(vec![vector]))])
}

/// A topology group: `shared` is its id, `parent` the id of its parent.
fn group(
    shared: u32,
    nodes: Value,
    parent: Option<u32>,
    children: Vec<Value>,
    under: Value,
) -> Value {
    let state = Value::str_dict([
        ("nodeset", nodes),
        (
            "parent",
            parent.map_or(Value::None, |p| Value::Ref(SharedId(p))),
        ),
        ("_children", Value::List(children)),
        ("_children_len", Value::Int(0)),
        ("_children_ns", under),
    ]);
    let group = Instance::new(class("Topology", "TopologyNodeGroup")).with_state(state);
    Value::Shared(SharedId(shared), Box::new(group.into()))
}

/// admin -> gw[1-2] -> (n[1-4], rack[1-2]-n[01-02]), admin -> login1.
fn topology() -> Value {
    let plain = |pattern: &str, ranges: &str| nodeset(vec![(pattern, rangeset(ranges, None))]);
    let leaves = vec![
        group(2, plain("n%s", "1-4"), Some(1), vec![], Value::None),
        group(3, node_nd(), Some(1), vec![], Value::None),
    ];
    let below_gw = nodeset(vec![
        ("n%s", rangeset("1-4", None)),
        (
            "rack%s-n%s",
            rangeset_nd(vec![vec![
                rangeset("1-2", None),
                rangeset("01-02", Some(2)),
            ]]),
        ),
    ]);
    let gateways = group(1, plain("gw%s", "1-2"), Some(0), leaves, below_gw);
    let login = group(
        4,
        nodeset(vec![("login1", Value::None)]),
        Some(0),
        vec![],
        Value::None,
    );
    let below_root = nodeset(vec![
        ("gw%s", rangeset("1-2", None)),
        ("login1", Value::None),
    ]);
    let root = group(
        0,
        nodeset(vec![("admin", Value::None)]),
        None,
        vec![gateways, login],
        below_root,
    );
    // In the order `TopologyTree.load` lists them (depth first, last child
    // first).
    let groups = [0, 4, 1, 3, 2].map(|id| Value::Ref(SharedId(id))).into();
    let state = Value::str_dict([("root", root), ("groups", Value::List(groups))]);
    Instance::new(class("Topology", "TopologyTree"))
        .with_state(state)
        .into()
}

fn cases() -> Vec<(&'static str, Value)> {
    let shared = Value::Shared(SharedId(0), Box::new(node_1d()));
    vec![
        ("ns_1d", node_1d()),
        (
            "ns_padded",
            nodeset(vec![("node%s", rangeset("001-010,099", Some(3)))]),
        ),
        ("ns_nd", node_nd()),
        ("ns_plain", nodeset(vec![("foo", Value::None)])),
        (
            "ns_mixed",
            nodeset(vec![
                ("foo", Value::None),
                ("node%s", rangeset("1-3,5", None)),
            ]),
        ),
        ("ns_empty", nodeset(vec![])),
        ("rs", rangeset("1-3,5", None)),
        ("rs_padded", rangeset("001-010", Some(3))),
        (
            "rsnd",
            rangeset_nd(vec![vec![
                rangeset("1-2", None),
                rangeset("01-02", Some(2)),
            ]]),
        ),
        ("tree", topology()),
        (
            "shared",
            Value::str_dict([
                ("a", shared),
                ("b", Value::List(vec![Value::Ref(SharedId(0))])),
            ]),
        ),
    ]
}

const CHECK_PY: &str = r#"
import pickle, sys
from ClusterShell.NodeSet import NodeSet
from ClusterShell.RangeSet import RangeSet, RangeSetND
from ClusterShell.Propagation import PropagationTreeRouter
from ClusterShell.Topology import TopologyNodeGroup, TopologyTree

def native_tree():
    root = TopologyNodeGroup(NodeSet('admin'))
    gateways = TopologyNodeGroup(NodeSet('gw[1-2]'))
    root.add_child(gateways)
    gateways.add_child(TopologyNodeGroup(NodeSet('n[1-4]')))
    gateways.add_child(TopologyNodeGroup(NodeSet('rack[1-2]-n[01-02]')))
    root.add_child(TopologyNodeGroup(NodeSet('login1')))
    tree = TopologyTree()
    tree.load(root)
    return tree

EXPECTED = {
    'ns_1d': NodeSet('node[1-3,5]'),
    'ns_padded': NodeSet('node[001-010,099]'),
    'ns_nd': NodeSet('rack[1-2]-n[01-02]'),
    'ns_plain': NodeSet('foo'),
    'ns_mixed': NodeSet('foo,node[1-3,5]'),
    'ns_empty': NodeSet(),
    'rs': RangeSet('1-3,5'),
    'rs_padded': RangeSet('001-010'),
    'rsnd': RangeSetND([['1-2', '01-02']]),
    'tree': native_tree(),
}

def routes(tree):
    router = PropagationTreeRouter('admin', tree)
    table = sorted((str(n), str(h)) for n, h in router.table)
    hops = sorted((str(g), str(n)) for g, n in router.dispatch(NodeSet('n[1-4],rack1-n02,login1')))
    return table, hops

def check(name, got):
    exp = EXPECTED.get(name)
    if name == 'shared':
        return got['a'] is got['b'][0] and str(got['a']) == 'node[1-3,5]'
    if isinstance(exp, NodeSet):
        same = (type(got) is NodeSet and str(got) == str(exp) and list(got) == list(exp)
                and len(got) == len(exp) and got == exp
                and str(NodeSet.fromlist(list(got))) == str(exp)
                and str(got | NodeSet('node4,zz9')) == str(exp | NodeSet('node4,zz9')))
        got.update('extra1')
        return same and 'extra1' in got
    if isinstance(exp, (RangeSet, RangeSetND)):
        return (type(got) is type(exp) and str(got) == str(exp) and list(got) == list(exp)
                and len(got) == len(exp) and got == exp)
    names = lambda tree: [str(g.nodeset) for g in tree.groups]
    linked = got.groups[0] is got.root and all(
        c.parent is g and c in got.groups for g in got.groups for c in g.children())
    return (type(got) is TopologyTree and str(got) == str(exp) and names(got) == names(exp)
            and linked and routes(got) == routes(exp))

for line in sys.stdin:
    name, p, data = line.split()
    try:
        ok = check(name, pickle.loads(bytes.fromhex(data)))
    except Exception as e:
        ok = False
        print(name, p, repr(e), file=sys.stderr)

    print(name, p, int(ok))
"#;

#[test]
fn hand_built_clustershell_objects_work_in_python_in_every_protocol() {
    let mut input = String::new();
    for (name, value) in cases() {
        for n in 0..=5 {
            let protocol = Protocol::from_u8(n).unwrap();
            let pickle = Writer::new(protocol).to_vec(&value).unwrap();
            assert_eq!(
                cscomm_pickle::read(&pickle).unwrap(),
                value,
                "{name} protocol {n}"
            );
            input.push_str(&format!("{name} {n} {}\n", common::hex(&pickle)));
        }
    }
    let report = common::run_python(CHECK_PY, input.as_bytes());
    let failures: Vec<&str> = report.lines().filter(|l| !l.ends_with(" 1")).collect();
    assert_eq!(
        report.lines().count(),
        cases().len() * 6,
        "Python checked every pickle"
    );
    assert!(failures.is_empty(), "not working in Python: {failures:?}");
}
