//! The reader, one opcode family at a time, on hand-made pickles: the forms
//! of Python 2.7 (which is not installed here: these follow the
//! `pickletools` documentation, each checked once with `pickletools.dis`)
//! and the corner cases CPython 3 writers do not reach.

use cscomm_pickle::{
    BigInt, Construct, Global, Instance, Py2Str, ReadErrorKind, ReaderConfig, SharedId, Value,
};

fn read(pickle: &[u8]) -> Value {
    cscomm_pickle::read(pickle).unwrap_or_else(|e| panic!("{pickle:?}: {e}"))
}

fn error(pickle: &[u8]) -> ReadErrorKind {
    cscomm_pickle::read(pickle).expect_err("rejected").kind
}

fn s(text: &str) -> Value {
    Value::from(text)
}

fn b(data: &[u8]) -> Value {
    Value::bytes(data)
}

#[test]
fn atoms_of_protocol_0() {
    assert_eq!(read(b"N."), Value::None);
    assert_eq!(read(b"I01\n."), Value::Bool(true));
    assert_eq!(read(b"I00\n."), Value::Bool(false));
    assert_eq!(read(b"I-42\n."), Value::Int(-42));
    assert_eq!(read(b"I 7 \n."), Value::Int(7));
    assert_eq!(read(b"L12L\n."), Value::Int(12));
    let big: BigInt = "-123456789012345678901234567890".parse().unwrap();
    assert_eq!(
        read(b"L-123456789012345678901234567890L\n."),
        Value::BigInt(big)
    );
    assert_eq!(read(b"F1.5\n."), Value::Float(1.5));
    assert_eq!(read(b"F-inf\n."), Value::Float(f64::NEG_INFINITY));
    assert!(read(b"Fnan\n.").as_f64().is_some_and(f64::is_nan));
    assert_eq!(read(b"S'it\\'s\\n\\xff'\n."), b(b"it's\n\xff"));
    assert_eq!(read(b"S\"dq\"\n."), b(b"dq"));
    assert_eq!(
        read(b"Vcaf\xe9 \\u20ac \\U0001f600\n."),
        s("caf\u{e9} \u{20ac} \u{1f600}")
    );
}

#[test]
fn binary_atoms() {
    assert_eq!(read(b"\x80\x02\x88."), Value::Bool(true));
    assert_eq!(read(b"\x80\x02\x89."), Value::Bool(false));
    assert_eq!(read(b"K\xff."), Value::Int(255));
    assert_eq!(read(b"M\xff\xff."), Value::Int(65535));
    assert_eq!(read(b"J\xff\xff\xff\xff."), Value::Int(-1));
    assert_eq!(read(b"\x80\x02\x8a\x00."), Value::Int(0));
    assert_eq!(read(b"\x80\x02\x8a\x02\x00\xff."), Value::Int(-256));
    let mut long4 = b"\x80\x02\x8b\x09\x00\x00\x00".to_vec();
    long4.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0x80, 0]);
    long4.push(b'.');
    assert_eq!(read(&long4), Value::from(BigInt::from(1u64 << 63)));
    assert_eq!(read(b"G?\xf8\x00\x00\x00\x00\x00\x00."), Value::Float(1.5));
    assert_eq!(read(b"U\x02hi."), b(b"hi"));
    assert_eq!(read(b"T\x02\x00\x00\x00hi."), b(b"hi"));
    assert_eq!(read(b"X\x02\x00\x00\x00\xc3\xa9."), s("\u{e9}"));
    assert_eq!(read(b"\x8c\x02\xc3\xa9."), s("\u{e9}"));
    assert_eq!(read(b"\x8d\x01\x00\x00\x00\x00\x00\x00\x00a."), s("a"));
    assert_eq!(read(b"C\x01\x00."), b(b"\x00"));
    assert_eq!(read(b"B\x01\x00\x00\x00\xff."), b(b"\xff"));
    assert_eq!(read(b"\x8e\x01\x00\x00\x00\x00\x00\x00\x00z."), b(b"z"));
    assert_eq!(
        read(b"\x80\x05\x96\x02\x00\x00\x00\x00\x00\x00\x00ab."),
        Value::ByteArray(b"ab".to_vec())
    );
}

#[test]
fn python2_strings_follow_the_configured_mode() {
    let pickle = b"U\x03\xc3\xa9\xff.";
    let with = |mode| cscomm_pickle::read_with(pickle, &ReaderConfig::default().with_py2_str(mode));
    assert_eq!(with(Py2Str::Bytes), Ok(b(b"\xc3\xa9\xff")));
    assert_eq!(with(Py2Str::Latin1), Ok(s("\u{c3}\u{a9}\u{ff}")));
    assert!(matches!(with(Py2Str::Utf8), Err(e) if matches!(e.kind, ReadErrorKind::Malformed(_))));
    let utf8 = b"U\x02\xc3\xa9.";
    let config = ReaderConfig::default().with_py2_str(Py2Str::Utf8);
    assert_eq!(cscomm_pickle::read_with(utf8, &config), Ok(s("\u{e9}")));
}

#[test]
fn containers_and_stack_opcodes() {
    // Protocol 0 (Python 2.7): [1, (2,), {'k': u'v'}]
    let p0 = b"(lp0\nI1\na(I2\ntp1\na(dp2\nS'k'\np3\nVv\np4\nsa.";
    let expected = Value::List(vec![
        Value::Int(1),
        Value::Tuple(vec![Value::Int(2)]),
        Value::Dict(vec![(b(b"k"), s("v"))]),
    ]);
    assert_eq!(read(p0), expected);
    // Protocol 2 of the same, with APPENDS / SETITEMS batches.
    let p2 = b"\x80\x02]q\x00(K\x01K\x02\x85q\x01}q\x02U\x01kq\x03X\x01\x00\x00\x00vq\x04se.";
    assert_eq!(read(p2), expected);
    assert_eq!(
        read(b"(I1\nI2\nd."),
        Value::Dict(vec![(Value::Int(1), Value::Int(2))])
    );
    assert_eq!(read(b"\x80\x02)."), Value::Tuple(vec![]));
    assert_eq!(
        read(b"K\x01K\x02K\x03\x87."),
        Value::Tuple(vec![1.into(), 2.into(), 3.into()])
    );
    assert_eq!(
        read(b"\x80\x04\x8f(K\x01K\x02\x90."),
        Value::Set(vec![1.into(), 2.into()])
    );
    assert_eq!(
        read(b"\x80\x04(K\x01\x91."),
        Value::FrozenSet(vec![1.into()])
    );
    // POP, POP_MARK, DUP.
    assert_eq!(read(b"K\x01K\x020."), Value::Int(1));
    assert_eq!(read(b"K\x01(K\x02K\x031."), Value::Int(1));
    assert_eq!(read(b"K\x01(0."), Value::Int(1));
    let dup = read(b"]2\x86.");
    let list = Value::Shared(SharedId(0), Box::new(Value::List(vec![])));
    assert_eq!(dup, Value::Tuple(vec![list, Value::Ref(SharedId(0))]));
}

#[test]
fn memo_opcodes_share_objects() {
    // Protocol 0: l = []; [l, l] with PUT/GET.
    let p0 = b"(lp0\n(lp1\nag1\na.";
    let inner = Value::Shared(SharedId(0), Box::new(Value::List(vec![])));
    assert_eq!(
        read(p0),
        Value::List(vec![inner.clone(), Value::Ref(SharedId(0))])
    );
    // LONG_BINPUT / LONG_BINGET, MEMOIZE / BINGET.
    let p1 = b"](]r\x00\x00\x01\x00j\x00\x00\x01\x00e.";
    assert_eq!(
        read(p1),
        Value::List(vec![inner.clone(), Value::Ref(SharedId(0))])
    );
    let p4 = b"\x80\x04](]\x94h\x00e.";
    assert_eq!(read(p4), Value::List(vec![inner, Value::Ref(SharedId(0))]));
    // Strings are values, not identities: a fetched string is a copy.
    assert_eq!(
        read(b"](Vab\np0\ng0\ne."),
        Value::List(vec![s("ab"), s("ab")])
    );
}

#[test]
fn python2_builtin_spellings_and_codecs() {
    // Python 2.7, protocol 2: set([1, 2]) and frozenset([]).
    let set = b"\x80\x02c__builtin__\nset\nq\x00]q\x01(K\x01K\x02e\x85q\x02Rq\x03.";
    assert_eq!(read(set), Value::Set(vec![1.into(), 2.into()]));
    let frozen = b"\x80\x02c__builtin__\nfrozenset\nq\x00]q\x01\x85q\x02Rq\x03.";
    assert_eq!(read(frozen), Value::FrozenSet(vec![]));
    // Protocol 0: set([1, 2]).
    assert_eq!(
        read(b"c__builtin__\nset\np0\n((lp1\nI1\naI2\natp2\nRp3\n."),
        read(set)
    );
    // Python 3 writing bytes at protocols 0-2, and bytearray before 5.
    assert_eq!(
        read(b"\x80\x02c_codecs\nencode\nX\x02\x00\x00\x00\xc3\xa9X\x06\x00\x00\x00latin1\x86R."),
        b(b"\xe9")
    );
    assert_eq!(read(b"\x80\x02c__builtin__\nbytes\n)R."), b(b""));
    assert_eq!(
        read(b"\x80\x03cbuiltins\nbytearray\nC\x01a\x85R."),
        Value::ByteArray(b"a".to_vec())
    );
}

fn nodeset_state(key: impl Fn(&str) -> Value) -> Value {
    Value::Dict(vec![
        (key("_autostep"), Value::None),
        (
            key("_patterns"),
            Value::Dict(vec![(key("foo"), Value::None)]),
        ),
    ])
}

#[test]
fn python2_instances() {
    let class = Global::new("ClusterShell.NodeSet", "NodeSet");
    let expected = |key: fn(&str) -> Value| {
        Value::from(Instance::new(class.clone()).with_state(nodeset_state(key)))
    };
    // Protocol 2: NEWOBJ with SHORT_BINSTRING attribute names.
    let p2 = b"\x80\x02cClusterShell.NodeSet\nNodeSet\nq\x00)\x81q\x01}q\x02(U\x09_autostepq\x03NU\x09_patternsq\x04}q\x05U\x03fooq\x06Nsub.";
    assert_eq!(read(p2), expected(|k| b(k.as_bytes())));
    let value = read(p2);
    let inst = value.as_instance().unwrap();
    assert!(
        inst.attr("_patterns")
            .and_then(|p| p.get("foo"))
            .is_some_and(Value::is_none)
    );
    // Protocol 0: copy_reg._reconstructor(cls, object, None) then BUILD.
    let p0 = b"ccopy_reg\n_reconstructor\np0\n(cClusterShell.NodeSet\nNodeSet\np1\nc__builtin__\nobject\np2\nNtp3\nRp4\n(dp5\nS'_autostep'\np6\nNsS'_patterns'\np7\n(dp8\nS'foo'\np9\nNssb.";
    assert_eq!(read(p0), expected(|k| b(k.as_bytes())));
    // Old-style INST and OBJ (no arguments: created without __init__).
    let inst = b"(iClusterShell.NodeSet\nNodeSet\np0\n(dp1\nVfoo\np2\nNsb.";
    let state = Value::Dict(vec![(s("foo"), Value::None)]);
    assert_eq!(
        read(inst),
        Instance::new(class.clone())
            .with_state(state.clone())
            .into()
    );
    let obj = b"(cClusterShell.NodeSet\nNodeSet\nq\x00o}q\x01X\x03\x00\x00\x00fooq\x02Nsb.";
    assert_eq!(
        read(obj),
        Instance::new(class.clone()).with_state(state).into()
    );
    // INST with arguments calls the class.
    let call = b"(S'1-3'\niClusterShell.RangeSet\nRangeSet\n.";
    let range = Instance::call(
        Global::new("ClusterShell.RangeSet", "RangeSet"),
        vec![b(b"1-3")],
    );
    assert_eq!(read(call), range.into());
}

#[test]
fn newobj_ex_and_reduce_of_allowed_classes() {
    let p4 = b"\x80\x04\x8c\x14ClusterShell.NodeSet\x8c\x07NodeSet\x93)}\x8c\x01k\x8c\x01vs\x92.";
    let value = read(p4);
    let inst = value.as_instance().unwrap();
    assert_eq!(inst.construct, Construct::New);
    assert_eq!(inst.kwargs, vec![(s("k"), s("v"))]);
    let reduce = b"\x80\x02cClusterShell.RangeSet\nRangeSet\nX\x03\x00\x00\x001-3\x85R}X\x07\x00\x00\x00paddingNsb.";
    let value = read(reduce);
    let inst = value.as_instance().unwrap();
    assert_eq!(
        (inst.construct, inst.args.as_slice()),
        (Construct::Call, &[s("1-3")][..])
    );
    assert!(inst.attr("padding").is_some_and(Value::is_none));
    // A global as a value.
    assert_eq!(
        read(b"cClusterShell.RangeSet\nRangeSetND\n."),
        Value::from(Global::new("ClusterShell.RangeSet", "RangeSetND"))
    );
}

#[test]
fn malformed_uses_of_allowed_globals_are_errors() {
    // NEWOBJ of a helper, REDUCE of object, reconstructor with another base.
    assert!(matches!(
        error(b"\x80\x02c__builtin__\nset\n)\x81."),
        ReadErrorKind::WrongType { .. }
    ));
    assert!(matches!(
        error(b"\x80\x02c__builtin__\nobject\n)R."),
        ReadErrorKind::Unsupported(_)
    ));
    let base =
        b"ccopy_reg\n_reconstructor\n(cClusterShell.NodeSet\nNodeSet\nc__builtin__\nset\nNtR.";
    assert!(matches!(error(base), ReadErrorKind::WrongType { .. }));
    // BUILD on something that is not an instance, twice, or on nothing.
    assert!(matches!(error(b"]}b."), ReadErrorKind::WrongType { .. }));
    let twice = b"\x80\x02cClusterShell.NodeSet\nNodeSet\n)\x81}b}b.";
    assert!(matches!(error(twice), ReadErrorKind::Malformed(_)));
    assert_eq!(error(b"}b."), ReadErrorKind::StackUnderflow);
    // Unknown encodings for bytes, odd dict items, APPEND to a dict.
    let rot = b"\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00aX\x05\x00\x00\x00rot13\x86R.";
    assert!(matches!(error(rot), ReadErrorKind::Malformed(_)));
    assert!(matches!(error(b"(K\x01d."), ReadErrorKind::Malformed(_)));
    assert!(matches!(
        error(b"}K\x01a."),
        ReadErrorKind::WrongType { .. }
    ));
    assert_eq!(error(b"t."), ReadErrorKind::MissingMark);
    assert_eq!(error(b"(."), ReadErrorKind::StackUnderflow);
    assert_eq!(error(b"(K\x01a."), ReadErrorKind::StackUnderflow);
}

#[test]
fn errors_carry_the_offset_of_the_opcode() {
    let err = cscomm_pickle::read(b"\x80\x04K\x01\xff.").unwrap_err();
    assert_eq!(
        (err.offset, err.kind),
        (4, ReadErrorKind::UnknownOpcode(0xff))
    );
    let err = cscomm_pickle::read(b"\x80\x02]K\x01K\x02h\x07.").unwrap_err();
    assert_eq!((err.offset, err.kind), (7, ReadErrorKind::MemoMissing(7)));
    assert_eq!(
        err_text(b"\x80\x06N."),
        "unsupported pickle protocol: 6 (opcode at byte 0)"
    );
    assert_eq!(
        err_text(b"N.N"),
        "1 trailing bytes after STOP (opcode at byte 1)"
    );
}

fn err_text(pickle: &[u8]) -> String {
    cscomm_pickle::read(pickle)
        .expect_err("rejected")
        .to_string()
}
