//! Finding where a piece of markup ends in a stream that arrives in chunks,
//! without scanning any byte twice.

use crate::error::Construct;

/// What a `<` starts, judged from the bytes after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MarkupKind {
    /// `<name`.
    StartTag,
    /// `</`.
    EndTag,
    /// `<?xml` followed by white space.
    Declaration,
    /// Another `<?`.
    ProcessingInstruction,
    /// `<!` something.
    Bang(Construct),
}

const BANGS: [(&[u8], Construct); 3] = [
    (b"<!--", Construct::Comment),
    (b"<![CDATA[", Construct::CData),
    (b"<!DOCTYPE", Construct::Doctype),
];

/// Classifies the markup at the start of `b` (which starts with `<`), or
/// `None` when more bytes are needed to tell.
pub(crate) fn classify(b: &[u8]) -> Option<MarkupKind> {
    match b.get(1)? {
        b'/' => Some(MarkupKind::EndTag),
        b'?' => classify_question(b),
        b'!' => classify_bang(b),
        _ => Some(MarkupKind::StartTag),
    }
}

fn classify_question(b: &[u8]) -> Option<MarkupKind> {
    const XML: &[u8] = b"<?xml";
    if b.len() <= XML.len() && XML.starts_with(b) {
        return None;
    }
    if b.starts_with(XML) && crate::chars::is_ws(b[XML.len()]) {
        Some(MarkupKind::Declaration)
    } else {
        Some(MarkupKind::ProcessingInstruction)
    }
}

fn classify_bang(b: &[u8]) -> Option<MarkupKind> {
    for (prefix, construct) in BANGS {
        if b.starts_with(prefix) {
            return Some(MarkupKind::Bang(construct));
        }
        if b.len() < prefix.len() && prefix.starts_with(b) {
            return None;
        }
    }
    Some(MarkupKind::Bang(Construct::MarkupDeclaration))
}

/// Incremental search state for the end of a start tag: the `>` that is not
/// inside a quoted attribute value.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct TagEndScanner {
    /// Index of the next byte to look at.
    pub(crate) pos: usize,
    /// The open quote (`"` or `'`), 0 outside values.
    quote: u8,
}

impl TagEndScanner {
    /// A scanner starting at `pos`.
    pub(crate) fn at(pos: usize) -> Self {
        TagEndScanner { pos, quote: 0 }
    }

    /// Index of the tag's closing `>` in `buf[..limit]`, or `None` after
    /// remembering how far it looked.
    pub(crate) fn find(&mut self, buf: &[u8], limit: usize) -> Option<usize> {
        let mut i = self.pos;
        while i < limit {
            let window = &buf[i..limit];
            if self.quote != 0 {
                let Some(n) = memchr::memchr(self.quote, window) else {
                    break;
                };
                self.quote = 0;
                i += n + 1;
            } else {
                let Some(n) = memchr::memchr3(b'>', b'"', b'\'', window) else {
                    break;
                };
                if window[n] == b'>' {
                    self.pos = i + n;
                    return Some(i + n);
                }
                self.quote = window[n];
                i += n + 1;
            }
        }
        self.pos = limit.max(self.pos);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(classify(b"<"), None);
        assert_eq!(classify(b"<m"), Some(MarkupKind::StartTag));
        assert_eq!(classify(b"</"), Some(MarkupKind::EndTag));
        assert_eq!(classify(b"<?xm"), None);
        assert_eq!(classify(b"<?xml"), None);
        assert_eq!(classify(b"<?xml "), Some(MarkupKind::Declaration));
        assert_eq!(
            classify(b"<?xml-x"),
            Some(MarkupKind::ProcessingInstruction)
        );
        assert_eq!(classify(b"<?pi"), Some(MarkupKind::ProcessingInstruction));
        assert_eq!(classify(b"<!-"), None);
        assert_eq!(
            classify(b"<!--"),
            Some(MarkupKind::Bang(Construct::Comment))
        );
        assert_eq!(classify(b"<![CDA"), None);
        assert_eq!(
            classify(b"<![CDATA["),
            Some(MarkupKind::Bang(Construct::CData))
        );
        assert_eq!(classify(b"<!DOC"), None);
        assert_eq!(
            classify(b"<!DOCTYPE x"),
            Some(MarkupKind::Bang(Construct::Doctype))
        );
        assert_eq!(
            classify(b"<!ELEMENT"),
            Some(MarkupKind::Bang(Construct::MarkupDeclaration))
        );
    }

    #[test]
    fn tag_end_skips_quoted_values_across_chunks() {
        let tag = br#"<a b="x>y" c='">'>rest"#;
        let end = tag.iter().rposition(|&b| b == b'>').unwrap();
        for split in 0..tag.len() {
            let mut scanner = TagEndScanner::at(1);
            let first = scanner.find(tag, split.max(1));
            let found = first.or_else(|| scanner.find(tag, tag.len()));
            assert_eq!(found, Some(end), "split at {split}");
        }
    }
}
