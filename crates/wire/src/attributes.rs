//! The attributes of a start tag, in the order they appeared.

use std::fmt;
use std::ops::Range;

use bytes::{Bytes, BytesMut};

/// Attributes stored inline before spilling to the heap: enough for every
/// ClusterShell message (RTR has six).
const INLINE: usize = 6;

/// Flag in `Span::value_end` telling that the value lies in the side buffer.
const DECODED: u32 = 1 << 31;

/// Where one attribute lives: its name always in the tag, its value in the
/// tag or, when the value had to be decoded, in the side buffer. Offsets are
/// below 2 GiB (the maximum frame size is capped there), leaving the top bit
/// of `value_end` for the side-buffer flag.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Span {
    name_start: u32,
    name_end: u32,
    value_start: u32,
    value_end: u32,
}

impl Span {
    /// A span; `value` lies in the side buffer when `decoded`.
    pub(crate) fn new(name: Range<usize>, value: Range<usize>, decoded: bool) -> Self {
        let flag = if decoded { DECODED } else { 0 };
        Span {
            name_start: to_u32(name.start),
            name_end: to_u32(name.end),
            value_start: to_u32(value.start),
            value_end: to_u32(value.end) | flag,
        }
    }

    pub(crate) fn name(&self) -> Range<usize> {
        self.name_start as usize..self.name_end as usize
    }

    fn value(&self) -> Range<usize> {
        self.value_start as usize..(self.value_end & !DECODED) as usize
    }

    fn decoded(&self) -> bool {
        self.value_end & DECODED != 0
    }
}

fn to_u32(n: usize) -> u32 {
    // Tags are at most the maximum frame size, which is capped below 2 GiB:
    // the cast loses nothing.
    debug_assert!(n < DECODED as usize);
    n as u32
}

/// A list of spans that does not allocate for up to [`INLINE`] items.
#[derive(Debug, Clone, Default)]
pub(crate) struct Spans {
    len: u32,
    inline: [Span; INLINE],
    spill: Vec<Span>,
}

impl Spans {
    pub(crate) fn push(&mut self, span: Span) {
        match self.inline.get_mut(self.len as usize) {
            Some(slot) => *slot = span,
            None => self.spill.push(span),
        }
        self.len += 1;
    }

    pub(crate) fn clear(&mut self) {
        self.len = 0;
        self.spill.clear();
    }

    pub(crate) fn len(&self) -> usize {
        self.len as usize
    }

    /// The spans stored inline, then the ones that spilled.
    pub(crate) fn parts(&self) -> (&[Span], &[Span]) {
        (&self.inline[..self.len().min(INLINE)], &self.spill)
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Span> {
        let (inline, spill) = self.parts();
        inline.iter().chain(spill)
    }
}

/// The attributes of a `<channel>` or `<message>` tag, in document order.
///
/// Names and values are slices of the received bytes (no copy) unless a
/// value held a reference or white space that XML normalises; those values
/// live decoded in a side buffer. Values are what an XML parser reports:
/// references replaced, TAB/LF/CR turned into spaces.
///
/// ```
/// use cscomm_wire::Attributes;
///
/// let attrs = Attributes::from_pairs(&[("type", "ACK"), ("msgid", "2"), ("ack", "0")]);
/// assert_eq!(attrs.get("ack"), Some("0"));
/// assert_eq!(attrs.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["type", "msgid", "ack"]);
/// ```
#[derive(Clone, Default)]
pub struct Attributes {
    /// The start tag (or a buffer built by [`Attributes::from_pairs`]).
    tag: Bytes,
    len: u32,
    inline: [Span; INLINE],
    /// Decoded values and spans beyond [`INLINE`]; usually absent, which
    /// keeps the common frame small to move.
    extra: Option<Box<Extra>>,
}

#[derive(Clone, Default)]
struct Extra {
    side: Bytes,
    spill: Vec<Span>,
}

/// The side buffer of attributes without decoded values.
static NO_SIDE: Bytes = Bytes::new();

impl Attributes {
    /// Attributes over `tag` (names and plain values) and `side` (decoded
    /// values).
    pub(crate) fn from_parts(tag: Bytes, side: Bytes, spans: &Spans) -> Self {
        let extra = match side.is_empty() && spans.spill.is_empty() {
            true => None,
            false => Some(Box::new(Extra {
                side,
                spill: spans.spill.clone(),
            })),
        };
        Attributes {
            tag,
            len: spans.len,
            inline: spans.inline,
            extra,
        }
    }

    /// Attributes holding copies of `pairs`, in that order (for writing
    /// frames or building expected values).
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        pairs.iter().copied().collect()
    }

    /// The value of attribute `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.find(name).map(|span| self.value_str(span))
    }

    /// The value of attribute `name` as a shared slice of the input (no copy).
    pub fn get_bytes(&self, name: &str) -> Option<Bytes> {
        self.find(name)
            .map(|span| self.buffer(span).slice(span.value()))
    }

    /// `(name, value)` pairs in document order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.spans()
            .map(|span| (as_str(&self.tag[span.name()]), self.value_str(span)))
    }

    /// Number of attributes.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether there are no attributes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The attributes as owned `(name, value)` pairs.
    pub fn to_vec(&self) -> Vec<(String, String)> {
        self.iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    fn spans(&self) -> impl Iterator<Item = &Span> {
        let spill = self.extra.as_ref().map_or(&[][..], |e| &e.spill[..]);
        self.inline[..self.len().min(INLINE)].iter().chain(spill)
    }

    fn find(&self, name: &str) -> Option<&Span> {
        self.spans()
            .find(|span| &self.tag[span.name()] == name.as_bytes())
    }

    fn buffer(&self, span: &Span) -> &Bytes {
        match &self.extra {
            Some(extra) if span.decoded() => &extra.side,
            _ if span.decoded() => &NO_SIDE,
            _ => &self.tag,
        }
    }

    fn value_str(&self, span: &Span) -> &str {
        as_str(&self.buffer(span)[span.value()])
    }
}

/// Text of bytes the parser validated as UTF-8 (or that came from `&str`).
fn as_str(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

impl<'a> FromIterator<(&'a str, &'a str)> for Attributes {
    fn from_iter<I: IntoIterator<Item = (&'a str, &'a str)>>(pairs: I) -> Self {
        let mut buf = BytesMut::new();
        let mut spans = Spans::default();
        for (name, value) in pairs {
            let name_at = buf.len();
            buf.extend_from_slice(name.as_bytes());
            let value_at = buf.len();
            buf.extend_from_slice(value.as_bytes());
            spans.push(Span::new(name_at..value_at, value_at..buf.len(), false));
        }
        Attributes::from_parts(buf.freeze(), Bytes::new(), &spans)
    }
}

impl PartialEq for Attributes {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Attributes {}

impl fmt::Debug for Attributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_and_order() {
        let pairs = [("a", "1"), ("b", ""), ("c", "x y"), ("d", "4"), ("e", "5")];
        let attrs = Attributes::from_pairs(&pairs);
        assert_eq!(attrs.len(), 5);
        assert!(!attrs.is_empty());
        assert_eq!(attrs.get("b"), Some(""));
        assert_eq!(attrs.get("c"), Some("x y"));
        assert_eq!(attrs.get("z"), None);
        assert_eq!(attrs.get_bytes("d").as_deref(), Some(&b"4"[..]));
        assert_eq!(attrs.iter().collect::<Vec<_>>(), pairs);
    }

    #[test]
    fn more_than_inline_capacity() {
        let names: Vec<String> = (0..20).map(|i| format!("n{i}")).collect();
        let pairs: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), n.as_str())).collect();
        let attrs = Attributes::from_pairs(&pairs);
        assert_eq!(attrs.len(), 20);
        assert_eq!(attrs.get("n19"), Some("n19"));
        assert_eq!(attrs.iter().collect::<Vec<_>>(), pairs);
    }

    #[test]
    fn equality_ignores_storage() {
        let a = Attributes::from_pairs(&[("x", "1"), ("y", "2")]);
        let b: Attributes = [("x", "1"), ("y", "2")].into_iter().collect();
        assert_eq!(a, b);
        assert_ne!(a, Attributes::from_pairs(&[("y", "2"), ("x", "1")]));
        assert_ne!(a, Attributes::from_pairs(&[("x", "1")]));
        assert_eq!(format!("{a:?}"), r#"{"x": "1", "y": "2"}"#);
        assert_eq!(Attributes::default().len(), 0);
    }
}
