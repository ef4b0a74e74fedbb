//! Lenient reading of a CTL `target`: a node set, or a Python set repr.

use cscomm_topology::NodeSet;

/// Reads `text` as a node set, or as the repr of a Python container of
/// names: `{'n3', 'n1'}`, `set()`, `set(['n1'])` (Python 2), `['n1']`,
/// `(u'n1',)`.
pub(crate) fn parse_target(text: &str) -> Option<NodeSet> {
    let trimmed = text.trim();
    if trimmed == "set()" {
        return Some(NodeSet::new());
    }
    if trimmed.starts_with(['{', '[', '(']) || trimmed.starts_with("set(") {
        return python_names(trimmed).map(NodeSet::from_names);
    }
    NodeSet::parse_literal(trimmed).ok()
}

/// The string literals of a Python container repr; `None` when something
/// else than literals, separators and brackets appears.
fn python_names(text: &str) -> Option<Vec<String>> {
    let body = text.strip_prefix("set").unwrap_or(text);
    let mut names = Vec::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' | '}' | '[' | ']' | '(' | ')' | ',' | ' ' => {}
            'u' | 'b' if matches!(chars.peek(), Some('\'' | '"')) => {}
            '\'' | '"' => names.push(literal(&mut chars, c)?),
            _ => return None,
        }
    }
    Some(names)
}

/// The rest of a string literal opened by `quote`.
fn literal(chars: &mut impl Iterator<Item = char>, quote: char) -> Option<String> {
    let mut name = String::new();
    loop {
        match chars.next()? {
            c if c == quote => return Some(name),
            '\\' => name.push(chars.next()?),
            c => name.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes(text: &str) -> Option<String> {
        parse_target(text).map(|n| n.to_string())
    }

    #[test]
    fn node_sets_and_python_reprs() {
        assert_eq!(nodes("node[1-3]").as_deref(), Some("node[1-3]"));
        assert_eq!(
            nodes("{'node3', 'node1', 'node2'}").as_deref(),
            Some("node[1-3]")
        );
        assert_eq!(nodes("set(['n1', u'n2'])").as_deref(), Some("n[1-2]"));
        assert_eq!(nodes("[\"it's\"]").as_deref(), Some("it's"));
        assert_eq!(nodes("set()").as_deref(), Some(""));
        assert_eq!(nodes("{'a\\'b'}").as_deref(), Some("a'b"));
        assert_eq!(nodes("{'unterminated}"), None);
        assert_eq!(nodes("{x}"), None);
        assert_eq!(nodes("node[3-1"), None);
    }
}
