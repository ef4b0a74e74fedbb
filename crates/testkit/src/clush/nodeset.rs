//! Expanding the folded node sets `clush` prints (`node[1-3,5],gw1`) back
//! into node names, so that outputs can be compared node by node.

/// The node names of a folded node set, in the order written; `None` when
/// the text is not a node set this small expander understands (the caller
/// then keeps it as one opaque name).
pub(crate) fn expand(text: &str) -> Option<Vec<String>> {
    let mut nodes = Vec::new();
    for part in split_top_level(text)? {
        if part.is_empty() {
            return None;
        }
        expand_pattern(part, &mut nodes)?;
    }
    Some(nodes)
}

/// Splits on the commas that are outside brackets.
fn split_top_level(text: &str) -> Option<Vec<&str>> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (i, c) in text.char_indices() {
        match c {
            '[' if depth == 0 => depth = 1,
            ']' if depth == 1 => depth = 0,
            '[' | ']' => return None,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return None;
    }
    parts.push(&text[start..]);
    Some(parts)
}

/// Expands the first bracket of `pattern`, then the rest recursively.
fn expand_pattern(pattern: &str, out: &mut Vec<String>) -> Option<()> {
    let Some(open) = pattern.find('[') else {
        out.push(pattern.to_string());
        return Some(());
    };
    let close = open + pattern[open..].find(']')?;
    let (prefix, ranges, rest) = (
        &pattern[..open],
        &pattern[open + 1..close],
        &pattern[close + 1..],
    );
    let mut tails = Vec::new();
    expand_pattern(rest, &mut tails)?;
    for index in expand_ranges(ranges)? {
        for tail in &tails {
            out.push(format!("{prefix}{index}{tail}"));
        }
    }
    Some(())
}

/// `1-3,05-06` gives `1 2 3 05 06` (zero padding kept per range).
fn expand_ranges(ranges: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for range in ranges.split(',') {
        let (low, high) = range.split_once('-').unwrap_or((range, range));
        let width = if low.starts_with('0') { low.len() } else { 0 };
        let (low, high): (u64, u64) = (low.parse().ok()?, high.parse().ok()?);
        if high < low || high - low > 1_000_000 {
            return None;
        }
        out.extend((low..=high).map(|i| format!("{i:0width$}")));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        expand(text).unwrap_or_else(|| panic!("{text} did not expand"))
    }

    #[test]
    fn folded_sets_expand_in_order() {
        assert_eq!(names("node[1-3,5]"), ["node1", "node2", "node3", "node5"]);
        assert_eq!(names("gw1"), ["gw1"]);
        assert_eq!(names("down1,node[7-8]"), ["down1", "node7", "node8"]);
        assert_eq!(names("n[08-10]"), ["n08", "n09", "n10"]);
        assert_eq!(names("r[1-2]n[1-2]"), ["r1n1", "r1n2", "r2n1", "r2n2"]);
    }

    #[test]
    fn odd_text_is_not_a_node_set() {
        for text in ["node[1-", "node]1[", "a,,b", "n[3-1]", "n[x]", "n[[1]]"] {
            assert_eq!(expand(text), None, "{text}");
        }
    }
}
