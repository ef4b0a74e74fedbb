//! Property tests: any value written in any protocol reads back equal,
//! shared and recursive references included.
//!
//! Values are generated as plain trees whose leaves may be placeholders
//! ("a reference to the k-th container met so far"); `link` then turns each
//! placeholder into a [`Value::Ref`] and wraps each referenced container in
//! a [`Value::Shared`], numbered as the reader numbers them (depth-first
//! order of first occurrence). References only target lists, dicts and
//! instances, which Python memoizes before filling them: that is where
//! Python itself has shared and recursive objects.

use cscomm_pickle::{BigInt, Global, Instance, Protocol, SharedId, Value, Writer};
use proptest::prelude::*;

const PLACEHOLDER_MODULE: &str = "placeholder";

fn atom() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::None),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::Int),
        (any::<i128>(), any::<bool>()).prop_map(|(n, wide)| {
            let big = if wide {
                // Beyond i128 too: n * 2^64 + n.
                format!("{n}{:020}", n.unsigned_abs() % 10u128.pow(20))
                    .parse::<BigInt>()
                    .expect("decimal")
            } else {
                BigInt::from(n)
            };
            Value::from(big)
        }),
        prop_oneof![
            prop::num::f64::NORMAL,
            prop::num::f64::SUBNORMAL,
            prop::num::f64::ZERO,
            prop::num::f64::INFINITE
        ]
        .prop_map(Value::Float),
        ".{0,12}".prop_map(Value::Str),
        "[\\x00-\\x7f]{0,3}[\\u{80}-\\u{10ffff}]{0,3}".prop_map(Value::Str),
        prop::collection::vec(any::<u8>(), 0..12).prop_map(Value::Bytes),
        prop::collection::vec(any::<u8>(), 0..4).prop_map(Value::ByteArray),
        Just(Value::from(Global::new("ClusterShell.NodeSet", "NodeSet"))),
    ]
}

fn class() -> impl Strategy<Value = Global> {
    prop_oneof![
        Just(Global::new("ClusterShell.NodeSet", "NodeSet")),
        Just(Global::new("ClusterShell.RangeSet", "RangeSet")),
        Just(Global::new("ClusterShell.Topology", "TopologyNodeGroup")),
    ]
}

fn tree() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        4 => atom(),
        1 => (0u8..50).prop_map(|k| Value::from(Global::new(PLACEHOLDER_MODULE, k.to_string()))),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let items = || prop::collection::vec(inner.clone(), 0..6);
        let pairs = || prop::collection::vec((inner.clone(), inner.clone()), 0..5);
        prop_oneof![
            items().prop_map(Value::List),
            items().prop_map(Value::Tuple),
            items().prop_map(Value::Set),
            items().prop_map(Value::FrozenSet),
            pairs().prop_map(Value::Dict),
            (class(), pairs()).prop_map(|(class, state)| {
                Instance::new(class).with_state(Value::Dict(state)).into()
            }),
            (class(), prop::collection::vec(atom(), 0..3), pairs()).prop_map(
                |(class, args, slots)| {
                    let state = Value::Tuple(vec![Value::None, Value::Dict(slots)]);
                    Instance::call(class, args).with_state(state).into()
                }
            ),
        ]
    })
}

/// Containers references may target, in depth-first order.
fn is_target(value: &Value) -> bool {
    matches!(value, Value::List(_) | Value::Dict(_) | Value::Instance(_))
}

fn children_mut(value: &mut Value) -> Vec<&mut Value> {
    match value {
        Value::List(items) | Value::Tuple(items) | Value::Set(items) | Value::FrozenSet(items) => {
            items.iter_mut().collect()
        }
        Value::Dict(pairs) => pairs.iter_mut().flat_map(|(k, v)| [k, v]).collect(),
        Value::Instance(inst) => inst
            .args
            .iter_mut()
            .chain(inst.kwargs.iter_mut().flat_map(|(k, v)| [k, v]))
            .chain(inst.state.iter_mut())
            .collect(),
        _ => Vec::new(),
    }
}

/// First pass: numbers the targets, points each placeholder at one met
/// before it (an ancestor or an earlier subtree), returns who is referenced.
fn resolve(value: &mut Value, targets: &mut usize, referenced: &mut Vec<bool>) {
    if let Value::Global(g) = value {
        if g.module == PLACEHOLDER_MODULE {
            *value = match (*targets, g.name.parse::<usize>()) {
                (0, _) | (_, Err(_)) => Value::None,
                (n, Ok(k)) => {
                    referenced[k % n] = true;
                    Value::Ref(SharedId((k % n) as u32))
                }
            };
        }
        return;
    }
    if is_target(value) {
        *targets += 1;
        referenced.push(false);
    }
    for child in children_mut(value) {
        resolve(child, targets, referenced);
    }
}

/// Second pass: wraps the referenced targets and renumbers references by
/// rank among the referenced ones.
fn wrap(value: &mut Value, counter: &mut usize, rank: &[Option<u32>]) {
    if let Value::Ref(id) = value {
        let r = rank[id.0 as usize].expect("referenced target has a rank");
        *value = Value::Ref(SharedId(r));
        return;
    }
    let me = is_target(value).then(|| {
        *counter += 1;
        *counter - 1
    });
    for child in children_mut(value) {
        wrap(child, counter, rank);
    }
    if let Some(r) = me.and_then(|i| rank[i]) {
        let inner = std::mem::replace(value, Value::None);
        *value = Value::Shared(SharedId(r), Box::new(inner));
    }
}

fn link(mut value: Value) -> Value {
    let mut referenced = Vec::new();
    resolve(&mut value, &mut 0, &mut referenced);
    let mut next = 0;
    let rank: Vec<Option<u32>> = referenced
        .iter()
        .map(|&r| {
            r.then(|| {
                next += 1;
                next - 1
            })
        })
        .collect();
    wrap(&mut value, &mut 0, &rank);
    value
}

fn protocols() -> impl Iterator<Item = Protocol> {
    (0..=5).filter_map(Protocol::from_u8)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn written_values_read_back_equal(value in tree().prop_map(link)) {
        for protocol in protocols() {
            let pickle = Writer::new(protocol).to_vec(&value).expect("writable");
            let header = if protocol >= Protocol::V2 { protocol } else { Protocol::V0 };
            prop_assert_eq!(Protocol::detect(&pickle), Some(header));
            let back = cscomm_pickle::read(&pickle);
            prop_assert_eq!(back.as_ref(), Ok(&value), "protocol {:?}", protocol);
        }
    }

    #[test]
    fn bytes_payloads_round_trip(data in prop::collection::vec(any::<u8>(), 0..600)) {
        for protocol in protocols() {
            let mut fast = Vec::new();
            cscomm_pickle::write_bytes_payload(&data, protocol, &mut fast);
            let general = Writer::new(protocol).to_vec(&Value::Bytes(data.clone())).expect("writable");
            prop_assert_eq!(&fast, &general, "protocol {:?}", protocol);
            let back = cscomm_pickle::read_bytes_payload(&fast).expect("readable");
            prop_assert_eq!(&back[..], &data[..]);
        }
    }
}

#[test]
fn link_builds_shared_and_recursive_references() {
    let placeholder = |k: u8| Value::from(Global::new(PLACEHOLDER_MODULE, k.to_string()));
    let value = link(Value::List(vec![
        Value::Dict(vec![(Value::from("self"), placeholder(1))]),
        placeholder(0),
        Value::List(vec![]),
    ]));
    let dict = Value::Shared(
        SharedId(1),
        Box::new(Value::Dict(vec![(
            Value::from("self"),
            Value::Ref(SharedId(1)),
        )])),
    );
    let expected = Value::Shared(
        SharedId(0),
        Box::new(Value::List(vec![
            dict,
            Value::Ref(SharedId(0)),
            Value::List(vec![]),
        ])),
    );
    assert_eq!(value, expected);
    for protocol in protocols() {
        let pickle = Writer::new(protocol).to_vec(&value).unwrap();
        assert_eq!(cscomm_pickle::read(&pickle).unwrap(), value, "{protocol:?}");
    }
}

#[test]
fn the_deepest_values_fit_a_default_thread_stack() {
    // 1000 levels, the default depth limit of the reader and the writer,
    // in a thread with Rust's default 2 MiB stack.
    let worker = std::thread::Builder::new().stack_size(2 << 20).spawn(|| {
        let mut value = Value::List(vec![]);
        for _ in 1..1000 {
            value = Value::List(vec![value]);
        }
        for protocol in protocols() {
            let pickle = Writer::new(protocol).to_vec(&value).expect("writable");
            assert_eq!(cscomm_pickle::read(&pickle).as_ref(), Ok(&value));
        }
        let deeper = Value::List(vec![value]);
        assert!(cscomm_pickle::write(&deeper).is_err());
    });
    worker.expect("thread").join().expect("no stack overflow");
}
