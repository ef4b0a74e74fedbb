//! The writer: appends frames byte for byte as Python's
//! `xml.sax.saxutils.XMLGenerator` writes them for ClusterShell.
//!
//! - Character data: `&`, `<`, `>` become `&amp;`, `&lt;`, `&gt;`; nothing
//!   else is touched (`"`, `'`, `\r`, `\t` stay literal).
//! - Attribute values (`quoteattr`): the same, plus `\n`, `\r`, `\t` as
//!   `&#10;`, `&#13;`, `&#9;`; quoted with `"` unless the value holds `"`
//!   and no `'` (then with `'`); holding both, `"` becomes `&quot;`.
//! - Names are written as given; nothing is validated (as in Python): a
//!   value with a character XML forbids (such as a C0 control) gives a
//!   stream no XML parser accepts, as it would from ClusterShell.

use bytes::{BufMut, BytesMut};

/// The stream header ClusterShell writes first:
/// `<?xml version="1.0" encoding="utf-8"?>` and a newline.
pub const DECLARATION: &[u8] = b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

/// Appends the stream header, [`DECLARATION`].
pub fn write_declaration(out: &mut BytesMut) {
    out.extend_from_slice(DECLARATION);
}

/// Appends `<channel name="value" ...>` (no newline after it, as Python).
///
/// ```
/// let mut out = bytes::BytesMut::new();
/// cscomm_wire::write_channel_start(&mut out, &[("version", "1.10.1")]);
/// assert_eq!(&out[..], b"<channel version=\"1.10.1\">");
/// ```
pub fn write_channel_start(out: &mut BytesMut, attrs: &[(&str, &str)]) {
    write_start(out, "channel", attrs.iter().copied());
}

/// Appends `<message ...>payload</message>` and a newline, as
/// ClusterShell's `Channel.send` writes `Message.xml()`. An empty payload
/// gives `<message ...></message>`.
///
/// ```
/// let mut out = bytes::BytesMut::new();
/// cscomm_wire::write_message(&mut out, &[("type", "ERR"), ("msgid", "3"), ("reason", "a\"b")], b"");
/// assert_eq!(&out[..], b"<message type=\"ERR\" msgid=\"3\" reason='a\"b'></message>\n");
/// ```
pub fn write_message(out: &mut BytesMut, attrs: &[(&str, &str)], payload: &[u8]) {
    write_start(out, "message", attrs.iter().copied());
    write_message_rest(out, payload);
}

/// Appends `</channel>` (no newline after it).
pub fn write_channel_end(out: &mut BytesMut) {
    out.extend_from_slice(b"</channel>");
}

/// Appends `<name attr=value ...>`.
pub(crate) fn write_start<'a>(
    out: &mut BytesMut,
    name: &str,
    attrs: impl Iterator<Item = (&'a str, &'a str)>,
) {
    out.put_u8(b'<');
    out.extend_from_slice(name.as_bytes());
    for (key, value) in attrs {
        out.put_u8(b' ');
        out.extend_from_slice(key.as_bytes());
        out.put_u8(b'=');
        quote_attr(out, value);
    }
    out.put_u8(b'>');
}

/// Appends the escaped payload, `</message>` and a newline.
pub(crate) fn write_message_rest(out: &mut BytesMut, payload: &[u8]) {
    out.reserve(payload.len() + 11);
    escape_text(out, payload);
    out.extend_from_slice(b"</message>\n");
}

/// Appends `text` escaped as character data (`&`, `<`, `>` only).
pub fn escape_text(out: &mut BytesMut, text: &[u8]) {
    let mut rest = text;
    while let Some(i) = memchr::memchr3(b'&', b'<', b'>', rest) {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(text_entity(rest[i]));
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
}

fn text_entity(b: u8) -> &'static [u8] {
    match b {
        b'&' => b"&amp;",
        b'<' => b"&lt;",
        _ => b"&gt;",
    }
}

/// Appends `value` quoted and escaped as Python's `quoteattr` does.
pub fn quote_attr(out: &mut BytesMut, value: &str) {
    let bytes = value.as_bytes();
    let has_double = memchr::memchr(b'"', bytes).is_some();
    let has_single = memchr::memchr(b'\'', bytes).is_some();
    let quote = if has_double && !has_single {
        b'\''
    } else {
        b'"'
    };
    let escape_double = has_double && has_single;
    let special = |b: u8| {
        matches!(b, b'&' | b'<' | b'>' | b'\n' | b'\r' | b'\t') || (escape_double && b == b'"')
    };
    out.put_u8(quote);
    let mut rest = bytes;
    while let Some(i) = rest.iter().position(|&b| special(b)) {
        out.extend_from_slice(&rest[..i]);
        out.extend_from_slice(match rest[i] {
            b'\n' => b"&#10;",
            b'\r' => b"&#13;",
            b'\t' => b"&#9;",
            b'"' => b"&quot;",
            other => text_entity(other),
        });
        rest = &rest[i + 1..];
    }
    out.extend_from_slice(rest);
    out.put_u8(quote);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(value: &str) -> String {
        let mut out = BytesMut::new();
        quote_attr(&mut out, value);
        String::from_utf8(out.to_vec()).unwrap()
    }

    #[test]
    fn quoteattr_rules() {
        assert_eq!(quoted("plain"), r#""plain""#);
        assert_eq!(quoted(r#"only "dq""#), r#"'only "dq"'"#);
        assert_eq!(quoted("only 'sq'"), r#""only 'sq'""#);
        assert_eq!(
            quoted("bad \"x\" <y> & 'z'\n\ttab\r"),
            r#""bad &quot;x&quot; &lt;y&gt; &amp; 'z'&#10;&#9;tab&#13;""#
        );
        assert_eq!(quoted(""), r#""""#);
        assert_eq!(quoted("é"), "\"é\"");
    }

    #[test]
    fn text_escaping_leaves_quotes_and_controls() {
        let mut out = BytesMut::new();
        escape_text(&mut out, b"a&b<c>d\"e'f\r\t");
        assert_eq!(&out[..], b"a&amp;b&lt;c&gt;d\"e'f\r\t");
    }

    #[test]
    fn frames() {
        let mut out = BytesMut::new();
        write_declaration(&mut out);
        write_channel_start(&mut out, &[("version", "1.10.1")]);
        write_message(&mut out, &[("type", "OUT"), ("msgid", "1")], b"QUJD\nREVG");
        write_channel_end(&mut out);
        assert_eq!(
            &out[..],
            &b"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<channel version=\"1.10.1\">\
               <message type=\"OUT\" msgid=\"1\">QUJD\nREVG</message>\n</channel>"[..]
        );
    }
}
