//! Hostile pickles: rejected with an error naming the reason, within a
//! memory budget, with no side effect.
//!
//! Memory is measured, not assumed: this test binary's allocator is capped
//! ([`cap::Cap`]), and each case runs with a budget above what is already
//! allocated; going over it makes the allocation fail and the binary abort.
//! Tests of this file run one at a time (a lock) so that budgets hold.

use std::alloc::System;
use std::sync::{Mutex, MutexGuard};

use cap::Cap;
use cscomm_pickle::{Limit, Limits, ReadErrorKind, ReaderConfig, Value};

mod common;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

static SERIAL: Mutex<()> = Mutex::new(());

const MIB: usize = 1 << 20;

fn serial() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `f` allowed to allocate `budget` more bytes than now, and checks
/// that everything it allocated is freed afterwards (no leaked cycles).
fn within<T>(budget: usize, f: impl FnOnce() -> T) -> T {
    let before = ALLOCATOR.allocated();
    ALLOCATOR
        .set_limit(before + budget)
        .expect("limit above allocated");
    let out = f();
    ALLOCATOR.set_limit(usize::MAX).expect("no limit");
    out
}

fn reject_within(budget: usize, pickle: &[u8]) -> ReadErrorKind {
    let before = ALLOCATOR.allocated();
    let kind = within(budget, || cscomm_pickle::read(pickle))
        .expect_err("rejected")
        .kind;
    // The test harness may allocate a little on other threads meanwhile.
    let left = ALLOCATOR.allocated().saturating_sub(before);
    assert!(
        left < 64 * 1024,
        "{left} bytes still allocated after the error"
    );
    kind
}

fn limit_of(kind: &ReadErrorKind) -> Option<Limit> {
    match kind {
        ReadErrorKind::LimitExceeded { limit, .. } => Some(*limit),
        _ => None,
    }
}

fn forbidden(kind: &ReadErrorKind) -> String {
    match kind {
        ReadErrorKind::ForbiddenGlobal { module, name } => format!("{module}.{name}"),
        other => panic!("expected a forbidden global, got {other}"),
    }
}

#[test]
fn declared_lengths_are_checked_before_allocating() {
    let _serial = serial();
    let huge = (1u64 << 62).to_le_bytes();
    for op in [0x8d, 0x8e, 0x96, 0x95] {
        // BINUNICODE8, BINBYTES8, BYTEARRAY8, FRAME
        let mut pickle = vec![0x80, 5, op];
        pickle.extend_from_slice(&huge);
        pickle.extend_from_slice(b"abc.");
        assert_eq!(
            reject_within(MIB, &pickle),
            ReadErrorKind::Truncated,
            "opcode {op:#x}"
        );
    }
    for op in [b'B', b'X', b'T'] {
        let pickle = [0x80, 4, op, 0xff, 0xff, 0xff, 0x7f, b'.'];
        assert_eq!(reject_within(MIB, &pickle), ReadErrorKind::Truncated);
    }
    let negative = [b'T', 0xff, 0xff, 0xff, 0xff, b'.'];
    assert!(matches!(
        reject_within(MIB, &negative),
        ReadErrorKind::Malformed(_)
    ));
    // Integers: LONG4 of 2^31-1 bytes, and a text LONG of 100k digits.
    let long4 = [0x80, 2, 0x8b, 0xff, 0xff, 0xff, 0x7f, 0, b'.'];
    assert_eq!(limit_of(&reject_within(MIB, &long4)), Some(Limit::IntSize));
    let mut text = b"L".to_vec();
    text.extend(std::iter::repeat_n(b'9', 100_000));
    text.extend_from_slice(b"L\n.");
    assert_eq!(
        limit_of(&reject_within(MIB, &text)),
        Some(Limit::NumberText)
    );
    let mut long1 = vec![0x80, 2, 0x8a, 0xff];
    long1.extend(std::iter::repeat_n(0x7f, 255));
    long1.push(b'.');
    let mut limits = Limits::default();
    limits.max_int_bytes = 64;
    let config = ReaderConfig::default().with_limits(limits);
    let err = cscomm_pickle::read_with(&long1, &config).unwrap_err();
    assert_eq!(limit_of(&err.kind), Some(Limit::IntSize));
}

#[test]
fn memo_abuse_is_bounded() {
    let _serial = serial();
    // Keys far out of range allocate nothing; fetching unset keys fails.
    let sparse = b"\x80\x02]r\xff\xff\xff\xffj\xff\xff\xff\xff\x86.";
    assert!(within(MIB, || cscomm_pickle::read(sparse)).is_ok());
    assert_eq!(
        reject_within(MIB, b"\x80\x02]h\x05."),
        ReadErrorKind::MemoMissing(5)
    );
    assert_eq!(
        reject_within(MIB, b"\x80\x02j\x00\x00\x00\x80."),
        ReadErrorKind::MemoMissing(1 << 31)
    );
    assert!(matches!(
        reject_within(MIB, b"]p-1\n."),
        ReadErrorKind::Malformed(_)
    ));
    // A memo bomb: two million MEMOIZE of one object.
    let mut bomb = b"\x80\x04N".to_vec();
    bomb.extend(std::iter::repeat_n(0x94, 2_000_000));
    bomb.push(b'.');
    assert_eq!(limit_of(&reject_within(64 * MIB, &bomb)), Some(Limit::Memo));
    // The same with distinct sparse keys.
    let mut sparse_bomb = b"\x80\x02N".to_vec();
    for key in 0..1_100_000u32 {
        sparse_bomb.push(b'r');
        sparse_bomb.extend_from_slice(&(key.wrapping_mul(2_654_435_761) | 1 << 31).to_le_bytes());
    }
    sparse_bomb.push(b'.');
    assert_eq!(
        limit_of(&reject_within(160 * MIB, &sparse_bomb)),
        Some(Limit::Memo)
    );
}

#[test]
fn a_million_levels_of_nesting_are_rejected_without_recursion() {
    let _serial = serial();
    let n = 1_000_000;
    // Marks then LIST: a list inside a list, a million deep.
    let mut marks = b"\x80\x02".to_vec();
    marks.extend(std::iter::repeat_n(b'(', n));
    marks.extend(std::iter::repeat_n(b'l', n));
    marks.push(b'.');
    assert_eq!(
        limit_of(&reject_within(128 * MIB, &marks)),
        Some(Limit::Depth)
    );
    // Empty lists appended one into the other.
    let mut appends = b"\x80\x02".to_vec();
    appends.extend(std::iter::repeat_n(b']', n));
    appends.extend(std::iter::repeat_n(b'a', n - 1));
    appends.push(b'.');
    assert_eq!(
        limit_of(&reject_within(128 * MIB, &appends)),
        Some(Limit::Depth)
    );
    // A tuple of a tuple of ...: one stack slot all along.
    let mut tuples = b"\x80\x02)".to_vec();
    tuples.extend(std::iter::repeat_n(0x85, n));
    tuples.push(b'.');
    assert_eq!(
        limit_of(&reject_within(128 * MIB, &tuples)),
        Some(Limit::Depth)
    );
    // Only marks: the stack limit.
    let mut only_marks = b"\x80\x02".to_vec();
    only_marks.extend(std::iter::repeat_n(b'(', 2 * n));
    only_marks.push(b'.');
    assert_eq!(
        limit_of(&reject_within(64 * MIB, &only_marks)),
        Some(Limit::Stack)
    );
    // Python's own limit is reachable: 900 levels read fine.
    let mut ok = b"\x80\x02".to_vec();
    ok.extend(std::iter::repeat_n(b'(', 900));
    ok.extend(std::iter::repeat_n(b'l', 900));
    ok.push(b'.');
    assert!(within(8 * MIB, || cscomm_pickle::read(&ok)).is_ok());
}

/// `leaf` (memo 0), then `levels` lists, each holding `fanout` references
/// to the object before it (memo `level - 1`): with `]` as the leaf, 30
/// levels of 10 would be 10^30 lists if each reference were a copy.
fn laughs(levels: u32, fanout: usize, leaf: &[u8]) -> Vec<u8> {
    let mut pickle = b"\x80\x04".to_vec();
    pickle.extend_from_slice(leaf);
    pickle.push(0x94);
    for level in 1..=levels {
        // Drop the previous object from the stack (the memo keeps it).
        pickle.extend_from_slice(b"0]\x94(");
        for _ in 0..fanout {
            pickle.push(b'j');
            pickle.extend_from_slice(&(level - 1).to_le_bytes());
        }
        pickle.push(b'e');
    }
    pickle.push(b'.');
    pickle
}

#[test]
fn billion_laughs_of_containers_stay_shared() {
    let _serial = serial();
    // Each list references the previous one ten times: the tree keeps one
    // copy and nine references per level.
    let pickle = laughs(30, 10, b"]");
    let value = within(4 * MIB, || cscomm_pickle::read(&pickle)).expect("shared lists are fine");
    let index = cscomm_pickle::SharedIndex::new(&value);
    assert_eq!(index.len(), 30, "every level but the last is shared");
    // Written back, the sharing survives: the pickle stays small.
    let written = within(4 * MIB, || cscomm_pickle::write(&value)).expect("writable");
    assert!(written.len() < 2 * pickle.len(), "{} bytes", written.len());
}

#[test]
fn copies_of_one_big_string_hit_the_data_limit_before_copying() {
    let _serial = serial();
    // One 1 MiB string referenced 1000 times: 1000 MiB once copied.
    let mut leaf = vec![b'B'];
    leaf.extend_from_slice(&(MIB as u32).to_le_bytes());
    leaf.extend(std::iter::repeat_n(b'x', MIB));
    let pickle = laughs(1, 1000, &leaf);
    assert_eq!(
        limit_of(&reject_within(16 * MIB, &pickle)),
        Some(Limit::ValueBytes)
    );
    // Inside shared lists, a string is copied once per place it appears
    // in the pickle, not once per path to it.
    let pickle = laughs(30, 10, b"C\x01x");
    assert!(within(4 * MIB, || cscomm_pickle::read(&pickle)).is_ok());
}

#[test]
fn truncation_at_every_byte_is_an_error() {
    let _serial = serial();
    let value = Value::str_dict([
        ("cmd", Value::from("echo \u{e9}")),
        (
            "nodes",
            Value::List(vec![
                Value::Int(1),
                Value::Float(2.5),
                Value::bytes(&b"\xff"[..]),
            ]),
        ),
        ("big", Value::from(u64::MAX)),
    ]);
    for protocol in 0..=5 {
        let protocol = cscomm_pickle::Protocol::from_u8(protocol).unwrap();
        let pickle = cscomm_pickle::write_with(&value, protocol).unwrap();
        assert_eq!(cscomm_pickle::read(&pickle).unwrap(), value);
        for end in 0..pickle.len() {
            let result = within(MIB, || cscomm_pickle::read(&pickle[..end]));
            assert!(
                result.is_err(),
                "protocol {protocol:?}, {end} of {} bytes read",
                pickle.len()
            );
        }
    }
}

#[test]
fn unsupported_and_garbage_opcodes() {
    let _serial = serial();
    let unsupported = [
        &b"\x80\x02K\x01Q."[..],          // BINPERSID
        b"Pid\n.",                        // PERSID
        b"\x80\x02\x82\x01.",             // EXT1
        b"\x80\x02\x83\x01\x00.",         // EXT2
        b"\x80\x02\x84\x01\x00\x00\x00.", // EXT4
        b"\x80\x05\x97.",                 // NEXT_BUFFER
        b"\x80\x05\x98.",                 // READONLY_BUFFER
    ];
    for pickle in unsupported {
        assert!(
            matches!(reject_within(MIB, pickle), ReadErrorKind::Unsupported(_)),
            "{pickle:?}"
        );
    }
    for op in [0x00, b'z', 0x99, 0xff, b'\n', b' '] {
        assert_eq!(
            reject_within(MIB, &[0x80, 4, op, b'.']),
            ReadErrorKind::UnknownOpcode(op)
        );
    }
    assert_eq!(reject_within(MIB, b""), ReadErrorKind::Truncated);
    assert_eq!(reject_within(MIB, b"\x80"), ReadErrorKind::Truncated);
    let mut limits = Limits::default();
    limits.max_input_len = 3;
    let too_big = ReaderConfig::default().with_limits(limits);
    let err = cscomm_pickle::read_with(b"\x80\x02N.", &too_big).unwrap_err();
    assert_eq!(limit_of(&err.kind), Some(Limit::InputSize));
}

/// Pickles that run code when Python loads them: each one creates the file
/// named by `{}` (a path of the test's own temporary directory).
const ARMED: [(&str, &str); 6] = [
    // os.system through GLOBAL + REDUCE (protocol 0).
    ("os.system", "cos\nsystem\n(S'touch {}'\ntR."),
    // posix.system through INST, which calls the global.
    ("posix.system", "(S'touch {}'\niposix\nsystem\n."),
    // builtins.eval through STACK_GLOBAL + REDUCE (protocol 4).
    (
        "builtins.eval",
        "STACK:builtins:eval:open('{}', 'w').close()",
    ),
    // builtins.exec through OBJ.
    (
        "builtins.exec",
        "(cbuiltins\nexec\nVopen('{}', 'w').close()\no.",
    ),
    // subprocess.call hidden inside an allowed container.
    (
        "subprocess.call",
        "(lp0\ncsubprocess\ncall\n((S'touch'\nS'{}'\nltRa.",
    ),
    // An allowed class first, then the payload: still refused.
    (
        "os.system",
        "cClusterShell.NodeSet\nNodeSet\n0cos\nsystem\n(S'touch {}'\ntR.",
    ),
];

fn armed_pickle(template: &str, path: &str) -> Vec<u8> {
    if let Some(rest) = template.strip_prefix("STACK:") {
        let mut parts = rest.splitn(3, ':');
        let (module, name, code) = (
            parts.next().expect("template part"),
            parts.next().expect("template part"),
            parts.next().expect("template part"),
        );
        let code = code.replace("{}", path);
        let mut pickle = b"\x80\x04".to_vec();
        for text in [module, name] {
            pickle.push(0x8c);
            pickle.push(text.len() as u8);
            pickle.extend_from_slice(text.as_bytes());
        }
        pickle.push(0x93);
        pickle.push(b'X');
        pickle.extend_from_slice(&(code.len() as u32).to_le_bytes());
        pickle.extend_from_slice(code.as_bytes());
        pickle.extend_from_slice(b"\x85R.");
        return pickle;
    }
    template.replace("{}", path).into_bytes()
}

#[test]
fn code_running_pickles_are_refused_with_no_side_effect() {
    let _serial = serial();
    let dir = std::env::temp_dir().join(format!("cscomm-pickle-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut script = String::from("import pickle, sys\n");
    for (i, (global, template)) in ARMED.iter().enumerate() {
        let target = dir.join(format!("pwned{i}"));
        let path = target.to_str().unwrap();
        let pickle = armed_pickle(template, path);
        let err = within(MIB, || cscomm_pickle::read(&pickle)).expect_err("refused");
        assert_eq!(forbidden(&err.kind), *global, "case {i}");
        assert!(
            err.to_string()
                .contains(&format!("'{global}' is not allowed"))
        );
        let config = ReaderConfig::without_classes();
        assert!(cscomm_pickle::read_with(&pickle, &config).is_err());
        assert!(
            !target.exists(),
            "case {i}: reading created {}",
            target.display()
        );
        script.push_str(&format!(
            "try:\n    pickle.loads(bytes.fromhex('{}'))\nexcept Exception as e:\n    print('case {i}:', e, file=sys.stderr)\n",
            common::hex(&pickle)
        ));
    }
    // Control: Python itself runs every one of them.
    common::run_python(&script, b"");
    for i in 0..ARMED.len() {
        let target = dir.join(format!("pwned{i}"));
        assert!(
            target.exists(),
            "case {i} is not armed: Python did not create the file"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
