//! Character classes of XML 1.0 (fifth edition) and fast byte scanners.

/// XML white space (`S`): space, tab, line feed, carriage return.
pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// `Char` of XML 1.0: the characters a document may hold.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

/// `NameStartChar` of XML 1.0 (fifth edition).
pub(crate) fn is_name_start_char(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}'
        | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}'
        | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}'
        | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}'
        | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

/// `NameChar` of XML 1.0 (fifth edition).
pub(crate) fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c,
            '-' | '.' | '0'..='9' | '\u{B7}'
            | '\u{300}'..='\u{36F}'
            | '\u{203F}'..='\u{2040}')
}

/// Class bit: the byte is an ASCII `NameStartChar`.
pub(crate) const NAME_START: u8 = 1;
/// Class bit: the byte is an ASCII `NameChar`.
pub(crate) const NAME_CHAR: u8 = 2;

/// Name classes of the ASCII bytes (0 for the others).
pub(crate) static NAME_CLASS: [u8; 256] = name_classes();

const fn name_classes() -> [u8; 256] {
    let mut table = [0; 256];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        let start = b.is_ascii_alphabetic() || b == b':' || b == b'_';
        let more = start || b.is_ascii_digit() || b == b'-' || b == b'.';
        table[i] = (start as u8 * NAME_START) | (more as u8 * NAME_CHAR);
        i += 1;
    }
    table
}

/// Bytes that need a closer look in character data: markup and reference
/// starts, carriage returns (line-end normalisation), `]` (the forbidden
/// `]]>`), non-ASCII (UTF-8 validation) and C0 controls XML forbids.
#[inline(always)]
fn is_text_special(b: u8) -> bool {
    b >= 0x80
        || b == b'&'
        || b == b'<'
        || b == b'\r'
        || b == b']'
        || (b < 0x20 && b != b'\t' && b != b'\n')
}

/// Bytes that need a closer look in an attribute value: as for text, plus
/// tab and line feed (attribute-value normalisation), minus `]`.
pub(crate) const fn is_attr_special(b: u8) -> bool {
    b >= 0x80 || b == b'&' || b == b'<' || b < 0x20
}

/// Width of the blocks [`first_text_special`] tests at once.
const BLOCK: usize = 32;

/// Index of the first byte of `text` that [`is_text_special`] flags.
///
/// Tests whole blocks with a branch-free reduction the compiler turns into
/// SIMD compares, so plain ASCII text (base64 payloads) runs at memory speed.
pub(crate) fn first_text_special(text: &[u8]) -> Option<usize> {
    let mut blocks = text.chunks_exact(BLOCK);
    let mut start = 0;
    for block in &mut blocks {
        let hit = block.iter().fold(false, |acc, &b| acc | is_text_special(b));
        if hit {
            return block
                .iter()
                .position(|&b| is_text_special(b))
                .map(|i| start + i);
        }
        start += BLOCK;
    }
    blocks
        .remainder()
        .iter()
        .position(|&b| is_text_special(b))
        .map(|i| start + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_chars() {
        assert!(is_xml_char('\t') && is_xml_char('\n') && is_xml_char('\r'));
        assert!(!is_xml_char('\0') && !is_xml_char('\u{1}') && !is_xml_char('\u{1F}'));
        assert!(is_xml_char('\u{7F}') && is_xml_char('\u{80}') && is_xml_char('\u{9F}'));
        assert!(!is_xml_char('\u{FFFE}') && !is_xml_char('\u{FFFF}'));
        assert!(is_xml_char('\u{FFFD}') && is_xml_char('\u{10FFFF}'));
    }

    #[test]
    fn name_chars() {
        for c in [':', '_', 'a', 'Z', 'é', '\u{10000}'] {
            assert!(is_name_start_char(c), "{c:?}");
        }
        for c in ['-', '.', '0', '9', '\u{B7}', ' ', '=', '\u{300}'] {
            assert!(!is_name_start_char(c), "{c:?}");
        }
        for c in ['-', '.', '0', '\u{B7}', '\u{300}', '\u{2040}'] {
            assert!(is_name_char(c), "{c:?}");
        }
        for c in [' ', '=', '>', '/', '"', '\u{D7}', '\u{F7}'] {
            assert!(!is_name_char(c), "{c:?}");
        }
    }

    #[test]
    fn ascii_name_classes_agree_with_name_chars() {
        for b in 0..0x80u8 {
            let class = NAME_CLASS[usize::from(b)];
            assert_eq!(class & NAME_START != 0, is_name_start_char(b.into()), "{b}");
            assert_eq!(class & NAME_CHAR != 0, is_name_char(b.into()), "{b}");
        }
        assert!(NAME_CLASS[0x80..].iter().all(|&c| c == 0));
    }

    #[test]
    fn first_special_in_every_position() {
        for len in [0, 1, 31, 32, 33, 64, 100] {
            let plain = vec![b'A'; len];
            assert_eq!(first_text_special(&plain), None);
            for at in 0..len {
                for special in [b'&', b'<', b'\r', b']', 0x80, 0xFF, 0x00, 0x1F] {
                    let mut text = plain.clone();
                    text[at] = special;
                    assert_eq!(first_text_special(&text), Some(at));
                }
            }
        }
        assert_eq!(first_text_special(b"a\tb\nc>d\"e'f"), None);
    }
}
