//! Against the real peer: on a catalogue of well-formed and malformed
//! streams, we accept exactly what ClusterShell 1.10.1's reader (expat
//! driving `XMLReader`, fed line by line) accepts, with the same frames,
//! except for the constructs we refuse on purpose (see the crate docs),
//! which expat accepts and we must reject. One interpreter run for all.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod common;

use common::decode;
use cscomm_testkit::python::Python;
use cscomm_wire::{Attributes, Frame};
use serde_json::{Value, json};

const SCRIPT: &str = include_str!("peer/peer.py");

const DECL: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
const OUT: &str = "<message type=\"OUT\" msgid=\"1\" srcid=\"7\" nodes=\"n1\">";
const ACK: &str = "<message type=\"ACK\" msgid=\"2\" ack=\"0\"></message>\n";

/// Bodies put inside `<channel version="1.10.1">...</channel>`.
const INSIDE_ACCEPTED: &[&str] = &[
    "",
    ACK,
    "\r\n \t<message type='ACK' msgid='2' ack='0'/>\r\n",
    "<message\ttype = \"ACK\"\nmsgid\r\n=\r\n'2' ack=\"0\" ></message >",
    "<message type=\"ERR\" msgid=\"3\" reason=\"a&#10;b&#13;c&#9;d\te\nf\r\ng\rh\"></message>",
    "<message type=\"ERR\" msgid=\"3\" reason=\"&lt;&gt;&amp;&apos;&quot; ]]> &#x10FFFF; &#0065;\"/>",
    "<message type=\"ERR\" msgid=\"3\" reason='\u{7F}\u{85}\u{9F}é✓😀\u{FFFD}\u{E000}'/>",
    "<message type=\"ERR\" msgid=\"3\" reason=\"x\" xmlns:a=\"u\" a:b=\"v\" é=\"w\" _.-:9=\"z\"/>",
    "junk &amp; text ]] > &#65;<message type='ACK' msgid='2' ack='0'/>more text",
];

/// Message payloads put inside an OUT message.
const PAYLOAD_ACCEPTED: &[&str] = &[
    "",
    "QUJD\nREVG",
    "a\r\nb\rc&#13;d&#10;e",
    "&lt;&gt;&amp;&apos;&quot;&#x1F600;é ]] > \" '",
    "\t\u{7F}\u{85}\u{FFFD}",
];

const INSIDE_REJECTED: &[&str] = &[
    "<foo/>",
    "<message type=\"ACK\" msgid=\"2\" ack=\"0\"></mess>",
    "<message type=\"ACK\" msgid=\"2\" ack=\"0\" ack=\"1\"/>",
    "<message type=\"ACK\" msgid=\"2\" ack=\"0\"/></message>",
    "<message type=\"ACK\" msgid=\"2\"ack=\"0\"/>",
    "<message type=\"ACK\" msgid=2 ack=\"0\"/>",
    "<message type=\"ACK\" msgid=\"2\" 1ack=\"0\"/>",
    "<message type=\"ERR\" msgid=\"3\" reason=\"<\"/>",
    "<message type=\"ERR\" msgid=\"3\" reason=\"&\"/>",
    "<message type=\"ERR\" msgid=\"3\" reason=\"&foo;\"/>",
    "<message type=\"ERR\" msgid=\"3\" reason=\"&#0;\"/>",
    "<message type=\"ERR\" msgid=\"3\" reason=\"&#xD800;\"/>",
    "<message type=\"ERR\" msgid=\"3\" reason=\"&#X41;\"/>",
    "<message type=\"ERR\" msgid=\"3\" reason=\"&#1114112;\"/>",
    "<message type=\"ERR\" msgid=\"3\" reason=\"\u{1}\"/>",
    "<message type=\"ERR\" msgid=\"3\" reason=\"\u{FFFE}\"/>",
    "<message type=\"ERR\" msgid=\"3\" reason=\"x\"/ >",
    "text &nbsp; between",
    "text ]]> between",
];

const PAYLOAD_REJECTED: &[&str] = &[
    "a&b",
    "a&foo;b",
    "a]]>b",
    "a\u{0}b",
    "a\u{1F}b",
    "a\u{FFFF}b",
    "&#xFFFE;",
    "&#x;",
];

/// Whole streams (not wrapped in a channel).
const STREAMS_ACCEPTED: &[&str] = &[
    "<channel/>",
    "\u{FEFF}<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><channel></channel>\n \n",
    "<?xml version=\"1.1\"?>\n<channel version=\"1\"></channel>",
];

const STREAMS_REJECTED: &[&str] = &[
    " <?xml version=\"1.0\"?><channel/>",
    "<?xml version=\"1.0\" encoding=\"utf-16\"?><channel/>",
    "<?xml version=\"1.0\" standalone=\"maybe\"?><channel/>",
    "<?xml encoding=\"utf-8\"?><channel/>",
    "<channel></channel>x",
    "<channel></channel><channel/>",
    "x<channel/>",
    "<foo/>",
    "<channel></channel></channel>",
];

/// Accepted by expat (and ignored or misread by ClusterShell); refused by us
/// on purpose.
const STREAMS_WE_REFUSE: &[&str] = &[
    "<!-- comment --><channel/>",
    "<channel><!-- comment --></channel>",
    "<channel></channel><!-- comment -->",
    "<channel><?pi x?></channel>",
    "<?xml version=\"1.0\"?><?xml-stylesheet href=\"x\"?><channel/>",
    "<!DOCTYPE channel><channel/>",
    "<channel><message type=\"OUT\" msgid=\"1\" srcid=\"7\" nodes=\"n\"><![CDATA[x]]></message></channel>",
    "<?xml version=\"1.0\" encoding=\"latin-1\"?><channel/>",
    "<?xml version=\"2.0\"?><channel/>",
    "<message type=\"ACK\" msgid=\"2\" ack=\"0\"></message>",
    "<channel><channel></channel></channel>",
    "<channel><message type=\"OUT\" msgid=\"1\" srcid=\"7\" nodes=\"n\"><message type=\"ACK\" msgid=\"2\" ack=\"0\"/></message></channel>",
];

fn in_channel(body: &str) -> String {
    format!("{DECL}<channel version=\"1.10.1\">{body}</channel>")
}

fn in_payload(payload: &str) -> String {
    in_channel(&format!("{OUT}{payload}</message>\n"))
}

fn frame_json(frame: &Frame) -> Value {
    let attrs = |a: &Attributes| a.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>();
    match frame {
        Frame::ChannelStart(a) => json!({"frame": "channel", "attrs": attrs(a)}),
        Frame::Message(m) => json!({
            "frame": "message",
            "attrs": attrs(m.attributes()),
            "payload": String::from_utf8(m.payload().to_vec()).expect("UTF-8"),
        }),
        Frame::ChannelEnd => json!({"frame": "end"}),
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Expect {
    Accept,
    Reject,
    WeRefuse,
}

#[test]
fn we_accept_what_clustershell_accepts() {
    let mut cases: Vec<(String, Expect)> = Vec::new();
    cases.extend(
        INSIDE_ACCEPTED
            .iter()
            .map(|b| (in_channel(b), Expect::Accept)),
    );
    cases.extend(
        PAYLOAD_ACCEPTED
            .iter()
            .map(|p| (in_payload(p), Expect::Accept)),
    );
    cases.extend(
        STREAMS_ACCEPTED
            .iter()
            .map(|s| (s.to_string(), Expect::Accept)),
    );
    cases.extend(
        INSIDE_REJECTED
            .iter()
            .map(|b| (in_channel(b), Expect::Reject)),
    );
    cases.extend(
        PAYLOAD_REJECTED
            .iter()
            .map(|p| (in_payload(p), Expect::Reject)),
    );
    cases.extend(
        STREAMS_REJECTED
            .iter()
            .map(|s| (s.to_string(), Expect::Reject)),
    );
    cases.extend(
        STREAMS_WE_REFUSE
            .iter()
            .map(|s| (s.to_string(), Expect::WeRefuse)),
    );
    let mut invalid_utf8 = in_payload("a").into_bytes();
    let at = invalid_utf8.len() - "</message>\n</channel>".len();
    invalid_utf8.insert(at, 0xFF);

    let mut streams: Vec<(Vec<u8>, Expect)> = cases
        .into_iter()
        .map(|(s, e)| (s.into_bytes(), e))
        .collect();
    streams.push((invalid_utf8, Expect::Reject));
    let input: Vec<Value> = streams
        .iter()
        .map(|(s, _)| json!({"stream": s.iter().map(|&b| char::from(b)).collect::<String>()}))
        .collect();
    let out =
        Python::clustershell().run_ok(SCRIPT, &["read"], &serde_json::to_vec(&input).unwrap());
    let out: Value = serde_json::from_slice(&out).expect("JSON");
    let results = out["results"].as_array().expect("results");
    assert_eq!(results.len(), streams.len());
    for ((stream, expect), result) in streams.iter().zip(results) {
        let shown = String::from_utf8_lossy(stream);
        let python_error = result["error"].as_str();
        let ours = decode(stream);
        match expect {
            Expect::Accept => {
                assert_eq!(python_error, None, "ClusterShell rejects {shown:?}");
                assert_eq!(ours.error, None, "we reject {shown:?}");
                let frames: Vec<Value> = ours.frames.iter().map(frame_json).collect();
                assert_eq!(
                    Value::Array(frames),
                    result["frames"],
                    "frames of {shown:?}"
                );
            }
            Expect::Reject => {
                assert!(python_error.is_some(), "ClusterShell accepts {shown:?}");
                assert!(
                    ours.error.is_some(),
                    "we accept {shown:?}, ClusterShell says {python_error:?}"
                );
            }
            Expect::WeRefuse => {
                assert_eq!(python_error, None, "ClusterShell rejects {shown:?}");
                assert!(ours.error.is_some(), "we accept {shown:?}");
            }
        }
    }
}
