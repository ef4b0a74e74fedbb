//! Decoder behaviour on hand-made streams: accepted forms, every error, end
//! of stream, limits. Each case is also decoded byte by byte and line by
//! line, which must give the very same frames and error.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::{Outcome, channel, decode, decode_bytewise, decode_cut, decode_lines, message};
use cscomm_wire::{Construct, Frame, FrameDecoder, WireErrorKind};

const DECL: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

/// Decodes `stream` whole, byte by byte and line by line; all must agree.
fn check(stream: &[u8]) -> Outcome {
    let whole = decode(stream);
    assert_eq!(
        decode_bytewise(stream, cscomm_wire::DEFAULT_MAX_FRAME_SIZE),
        whole,
        "bytewise"
    );
    assert_eq!(decode_lines(stream), whole, "line by line");
    whole
}

fn ok(stream: &str) -> Vec<Frame> {
    let outcome = check(stream.as_bytes());
    assert_eq!(outcome.error, None, "{stream:?}");
    outcome.frames
}

/// The error (kind and offset) `stream` stops with.
fn err(stream: &[u8]) -> (WireErrorKind, u64) {
    let outcome = check(stream);
    let error = outcome
        .error
        .unwrap_or_else(|| panic!("no error for {stream:?}"));
    (error.kind().clone(), error.offset())
}

#[test]
fn a_real_exchange() {
    let stream = format!(
        "{DECL}<channel version=\"1.10.1\"><message type=\"ACK\" msgid=\"2\" ack=\"0\"></message>\n\
         <message type=\"OUT\" msgid=\"8\" srcid=\"140470179345936\" nodes=\"node3\">gASVFAAAAAAAAABDEGhlbGxvIGZyb20gbm9kZTOULg==</message>\n\
         </channel>"
    );
    assert_eq!(
        ok(&stream),
        [
            channel(&[("version", "1.10.1")]),
            message(&[("type", "ACK"), ("msgid", "2"), ("ack", "0")], b""),
            message(
                &[
                    ("type", "OUT"),
                    ("msgid", "8"),
                    ("srcid", "140470179345936"),
                    ("nodes", "node3")
                ],
                b"gASVFAAAAAAAAABDEGhlbGxvIGZyb20gbm9kZTOULg=="
            ),
            Frame::ChannelEnd,
        ]
    );
}

#[test]
fn optional_prolog_parts() {
    let frames = [channel(&[]), Frame::ChannelEnd];
    for stream in [
        "<channel></channel>",
        "<channel/>",
        "\u{FEFF}<channel/>",
        "\u{FEFF}<?xml version='1.0'?><channel/>",
        "<?xml version=\"1.1\"  encoding = 'UTF-8' standalone=\"no\" ?>\n\n <channel\n/>\r\n ",
        "<channel ></channel >",
    ] {
        assert_eq!(ok(stream), frames, "{stream:?}");
    }
    assert_eq!(ok(""), []);
    assert_eq!(ok(DECL), []);
    assert_eq!(ok("  \n"), []);
}

#[test]
fn message_forms() {
    let stream = "<channel><message a=\"1\"/><message a='2' ></message><message\ta\n=\r'3'>x</message \n></channel>";
    assert_eq!(
        ok(stream),
        [
            channel(&[]),
            message(&[("a", "1")], b""),
            message(&[("a", "2")], b""),
            message(&[("a", "3")], b"x"),
            Frame::ChannelEnd,
        ]
    );
}

#[test]
fn references_and_normalisation() {
    let stream = "<channel v=\"a&#10;b&#13;c&#9;d\te\nf\r\ng&lt;&gt;&amp;&apos;&quot;\" w='\"'>\
        <message>a\r\nb\rc&#13;&#x1F600;&lt;&amp;é</message></channel>";
    assert_eq!(
        ok(stream),
        [
            channel(&[("v", "a\nb\rc\td e f g<>&'\""), ("w", "\"")]),
            message(&[], "a\nb\nc\r😀<&é".as_bytes()),
            Frame::ChannelEnd,
        ]
    );
}

#[test]
fn zero_copy_payload_and_values() {
    let stream = b"<channel><message type=\"OUT\" x=\"a&amp;b\">QUJD\nREVG</message>";
    let mut decoder = FrameDecoder::new();
    decoder.feed(stream);
    assert!(matches!(
        decoder.next_frame(),
        Ok(Some(Frame::ChannelStart(_)))
    ));
    let Ok(Some(Frame::Message(msg))) = decoder.next_frame() else {
        panic!("no message")
    };
    let input = stream.as_ptr_range();
    assert!(
        input.contains(&msg.payload().as_ptr())
            || !std::ptr::eq(msg.payload().as_ptr(), input.start)
    );
    // The payload and the plain value are views of one shared buffer: the
    // payload's pointer lies right after the start tag in that buffer.
    let type_value = msg.attributes().get_bytes("type").unwrap();
    let distance = msg.payload().as_ptr() as usize - type_value.as_ptr() as usize;
    assert_eq!(distance, "OUT\" x=\"a&amp;b\">".len());
    assert_eq!(msg.attributes().get("x"), Some("a&b"));
}

#[test]
fn text_between_messages_is_checked_and_ignored() {
    let frames = ok("<channel>junk &amp; more<message/>\n more ]] > text \n</channel>");
    assert_eq!(frames, [channel(&[]), message(&[], b""), Frame::ChannelEnd]);
    assert_eq!(ok("<channel>trailing text at EOF"), [channel(&[])]);
    assert_eq!(
        err(b"<channel>a &foo; b<message/>").0,
        WireErrorKind::UndefinedEntity { name: "foo".into() }
    );
    assert_eq!(
        err(b"<channel>a ]]> b</channel>"),
        (WireErrorKind::CdataEndInText, 11)
    );
    assert_eq!(
        err(b"<channel>a \x01</channel>"),
        (WireErrorKind::InvalidChar { code: 1 }, 11)
    );
    assert_eq!(
        err(b"<channel>a \x01"),
        (WireErrorKind::InvalidChar { code: 1 }, 11)
    );
}

#[test]
fn element_errors() {
    let invalid = |name: &str| WireErrorKind::InvalidStartTag { name: name.into() };
    assert_eq!(err(b"<channel><foo/></channel>"), (invalid("foo"), 9));
    assert_eq!(err(b"<foo/>"), (invalid("foo"), 0));
    assert_eq!(
        err(b"<channel><message>x<b>y</b></message>"),
        (invalid("b"), 19)
    );
    let nested = |name: &str, parent| WireErrorKind::NestedElement {
        name: name.into(),
        parent,
    };
    assert_eq!(
        err(b"<channel><channel>"),
        (nested("channel", "channel"), 9)
    );
    assert_eq!(
        err(b"<channel><message><message/></message>"),
        (nested("message", "message"), 18)
    );
    assert_eq!(
        err(b"<message/>"),
        (WireErrorKind::MessageOutsideChannel, 0)
    );
    let mismatched = |expected, found: &str| WireErrorKind::MismatchedTag {
        expected,
        found: found.into(),
    };
    assert_eq!(
        err(b"<channel></message>"),
        (mismatched(Some("channel"), "message"), 11)
    );
    assert_eq!(
        err(b"<channel><message></channel>"),
        (mismatched(Some("message"), "channel"), 20)
    );
    assert_eq!(err(b"</channel>"), (mismatched(None, "channel"), 2));
    assert_eq!(
        err(b"<channel/></channel>"),
        (WireErrorKind::JunkAfterChannel, 10)
    );
    assert_eq!(
        err(b"<channel></channel> <channel/>"),
        (WireErrorKind::JunkAfterChannel, 20)
    );
    assert_eq!(
        err(b"<channel></channel>\nx"),
        (WireErrorKind::JunkAfterChannel, 20)
    );
    assert_eq!(err(b" x<channel/>"), (WireErrorKind::TextBeforeChannel, 1));
    assert_eq!(
        err(b"\xEF\xBB\xBF\xEF\xBB\xBF<channel/>"),
        (WireErrorKind::TextBeforeChannel, 3)
    );
}

#[test]
fn unsupported_constructs() {
    let unsupported = |c| WireErrorKind::Unsupported(c);
    assert_eq!(
        err(b"<!-- c --><channel/>"),
        (unsupported(Construct::Comment), 0)
    );
    assert_eq!(
        err(b"<channel></channel><!-- c -->"),
        (unsupported(Construct::Comment), 19)
    );
    assert_eq!(
        err(b"<!DOCTYPE channel><channel/>"),
        (unsupported(Construct::Doctype), 0)
    );
    assert_eq!(
        err(b"<channel><![CDATA[x]]></channel>"),
        (unsupported(Construct::CData), 9)
    );
    assert_eq!(
        err(b"<channel><message><![CDATA[x]]></message>"),
        (unsupported(Construct::CData), 18)
    );
    assert_eq!(
        err(b"<channel><!ELEMENT x>"),
        (unsupported(Construct::MarkupDeclaration), 9)
    );
    assert_eq!(
        err(b"<channel><?pi x?></channel>"),
        (unsupported(Construct::ProcessingInstruction), 9)
    );
    assert_eq!(
        err(b"<?xml-stylesheet x?><channel/>"),
        (unsupported(Construct::ProcessingInstruction), 0)
    );
    let decl = b"<?xml version=\"1.0\"?><?xml version=\"1.0\"?>";
    assert_eq!(err(decl), (WireErrorKind::MisplacedDeclaration, 21));
    assert_eq!(
        err(b" <?xml version=\"1.0\"?><channel/>"),
        (WireErrorKind::MisplacedDeclaration, 1)
    );
    assert_eq!(
        err(b"<channel><message><?xml version=\"1.0\"?>"),
        (WireErrorKind::MisplacedDeclaration, 18)
    );
}

#[test]
fn attribute_errors() {
    assert_eq!(
        err(b"<channel a=\"1\" a=\"2\"/>"),
        (WireErrorKind::DuplicateAttribute { name: "a".into() }, 15)
    );
    assert_eq!(
        err(b"<channel a=\"<\"/>"),
        (WireErrorKind::LtInAttributeValue, 12)
    );
    assert_eq!(
        err(b"<channel a=\"&#0;\"/>"),
        (WireErrorKind::InvalidCharRef { number: 0 }, 12)
    );
    assert_eq!(
        err(b"<channel a=\"&bad;\"/>"),
        (WireErrorKind::UndefinedEntity { name: "bad".into() }, 12)
    );
    assert_eq!(
        err(b"<channel a=\"&\"/>"),
        (WireErrorKind::MalformedReference, 12)
    );
    assert_eq!(
        err(b"<channel a=\"\xff\"/>"),
        (WireErrorKind::InvalidUtf8, 12)
    );
    assert_eq!(err(b"<channel 1a=\"1\"/>"), (WireErrorKind::InvalidName, 9));
    assert_eq!(
        err(b"<channel a=1/>"),
        (
            WireErrorKind::Syntax {
                expected: "a quoted value"
            },
            11
        )
    );
    assert_eq!(
        err(b"<channel a=\"1\"b=\"2\"/>"),
        (
            WireErrorKind::Syntax {
                expected: "white space, '>' or '/>'"
            },
            14
        )
    );
    assert_eq!(
        err(b"<?xml version=\"1.0\" encoding=\"latin-1\"?>"),
        (
            WireErrorKind::UnsupportedEncoding {
                encoding: "latin-1".into()
            },
            30
        )
    );
}

#[test]
fn text_errors_in_messages() {
    let bad = |payload: &[u8]| {
        let stream = [&b"<channel><message>"[..], payload, b"</message></channel>"].concat();
        err(&stream)
    };
    assert_eq!(
        bad(b"ab&foo;"),
        (WireErrorKind::UndefinedEntity { name: "foo".into() }, 20)
    );
    assert_eq!(
        bad(b"ab&#xFFFF;"),
        (WireErrorKind::InvalidCharRef { number: 0xFFFF }, 20)
    );
    assert_eq!(bad(b"a\x00"), (WireErrorKind::InvalidChar { code: 0 }, 19));
    assert_eq!(
        bad(b"a\xef\xbf\xbf"),
        (WireErrorKind::InvalidChar { code: 0xFFFF }, 19)
    );
    assert_eq!(bad(b"a\xc3"), (WireErrorKind::InvalidUtf8, 19));
    assert_eq!(bad(b"a]]>"), (WireErrorKind::CdataEndInText, 19));
    // An error in the text comes before one in the markup that follows.
    let stream = b"<channel><message>a\x01<foo>";
    assert_eq!(err(stream), (WireErrorKind::InvalidChar { code: 1 }, 19));
}

#[test]
fn end_of_stream() {
    // No </channel>: a peer abort, not an error.
    assert_eq!(
        ok("<channel><message/>\n"),
        [channel(&[]), message(&[], b"")]
    );
    for (stream, begin) in [
        (&b"<chan"[..], 0),
        (b"\xEF\xBB", 0),
        (b"<?xml version", 0),
        (b"<channel><message a='1'>payload", 9),
        (b"<channel><message a='1'>payload</mess", 9),
        (b"<channel>\n<message a='", 10),
        (b"<channel><message/>\n</chan", 20),
        (b"<channel><!-", 9),
    ] {
        let outcome = check(stream);
        let error = outcome.error.expect("truncated");
        assert_eq!(
            (error.kind(), error.offset()),
            (&WireErrorKind::Truncated, begin),
            "{stream:?}"
        );
    }
}

#[test]
fn errors_are_sticky() {
    let mut decoder = FrameDecoder::new();
    decoder.feed(b"<channel><foo/>");
    assert!(decoder.next_frame().unwrap().is_some());
    let first = decoder.next_frame().unwrap_err();
    decoder.feed(b"<message/>");
    assert_eq!(decoder.next_frame().unwrap_err(), first);
    assert_eq!(decoder.finish().unwrap_err(), first);
    assert_eq!(first.to_string(), "Invalid starting tag foo at byte 9");
    assert_eq!(decoder.buffered(), 6);
}

#[test]
fn frame_size_limit() {
    let stream =
        b"<channel v='1'><message a='1'>0123456789</message><message a='2'>01234567890</message>";
    let max = "<message a='1'>0123456789</message>".len();
    for cuts in [vec![], (1..stream.len()).collect::<Vec<_>>()] {
        let outcome = decode_cut(stream, &cuts, max);
        assert_eq!(outcome.frames.len(), 2);
        let error = outcome.error.unwrap();
        assert_eq!(error.kind(), &WireErrorKind::FrameTooLarge { max });
        assert_eq!(error.offset(), (50 + max) as u64);
    }
    // Text between messages counts as one run; white space does not.
    let spaces = format!("<channel>{}<message/>", " ".repeat(100));
    assert_eq!(decode_cut(spaces.as_bytes(), &[], 12).error, None);
    let text = format!("<channel>{}<message/>", "x".repeat(100));
    let error = decode_cut(text.as_bytes(), &[], 12).error.unwrap();
    assert_eq!(
        (error.kind(), error.offset()),
        (&WireErrorKind::FrameTooLarge { max: 12 }, 21)
    );
}

#[test]
fn the_limit_bounds_buffering() {
    let mut decoder = FrameDecoder::with_max_frame_size(1000);
    decoder.feed(b"<channel><message>");
    assert!(decoder.next_frame().unwrap().is_some());
    let chunk = [b'A'; 100];
    let mut fed = 0;
    let error = loop {
        decoder.feed(&chunk);
        fed += chunk.len();
        match decoder.next_frame() {
            Ok(None) => assert!(decoder.buffered() <= 1000 + chunk.len()),
            Ok(Some(frame)) => panic!("unexpected {frame:?}"),
            Err(error) => break error,
        }
    };
    assert_eq!(error.offset(), 9 + 1000);
    assert!(fed <= 1000);
}

#[test]
fn one_byte_feeds_of_a_large_frame_are_linear() {
    // Quadratic rescanning would take hours here; linear takes well under a second.
    let payload = "QUJD".repeat(1 << 20);
    let stream = format!("<channel><message type=\"OUT\" msgid=\"1\">{payload}</message>");
    let mut decoder = FrameDecoder::new();
    let mut frames = 0;
    for byte in stream.as_bytes().chunks(1) {
        decoder.feed(byte);
        while decoder.next_frame().unwrap().is_some() {
            frames += 1;
        }
    }
    assert_eq!(frames, 2);
    let tag = format!("<channel><message a='{}'", "v".repeat(1 << 21));
    let mut decoder = FrameDecoder::new();
    for byte in tag.as_bytes().chunks(1) {
        decoder.feed(byte);
        let _ = decoder.next_frame().unwrap();
    }
    assert_eq!(decoder.finish().unwrap_err().offset(), 9);
}

#[test]
fn offsets_and_version() {
    let mut decoder = FrameDecoder::new();
    assert_eq!(decoder.channel_version(), None);
    decoder.feed(b"<channel version=\"1.9.3\">\n<message/>\n<mess");
    assert!(decoder.next_frame().unwrap().is_some());
    assert_eq!(decoder.offset(), 25);
    assert_eq!(decoder.channel_version(), Some("1.9.3"));
    assert!(decoder.next_frame().unwrap().is_some());
    assert_eq!(decoder.next_frame(), Ok(None));
    assert_eq!(decoder.offset(), 37);
    assert_eq!(decoder.buffered(), 5);
}
