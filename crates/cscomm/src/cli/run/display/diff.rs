//! `--diff`: a unified diff of each gathered output against the first, in
//! the format of Python's `difflib.unified_diff` as clush prints it (three
//! lines of context, `--- NODES`/`+++ NODES` headers, no dates).

use similar::{Algorithm, DiffOp, DiffTag, capture_diff_slices, group_diff_ops};

use super::style::{Colour, Style};

/// Lines of context around each change (difflib's default).
const CONTEXT: usize = 3;

/// Appends to `out` the unified diff from `old` (labelled `old_label`) to
/// `new`; nothing when they are the same.
pub(super) fn unified(
    old_label: &str,
    old: &[&[u8]],
    new_label: &str,
    new: &[&[u8]],
    style: Style,
    out: &mut Vec<u8>,
) {
    let ops = capture_diff_slices(Algorithm::Myers, old, new);
    let groups = group_diff_ops(ops, CONTEXT);
    if groups.is_empty() {
        return;
    }
    line(
        style,
        Colour::DiffHeader,
        format!("--- {old_label}").trim_end().as_bytes(),
        out,
    );
    line(
        style,
        Colour::DiffHeader,
        format!("+++ {new_label}").trim_end().as_bytes(),
        out,
    );
    for group in &groups {
        hunk(group, old, new, style, out);
    }
}

/// One hunk: its `@@` line, then its lines.
fn hunk(group: &[DiffOp], old: &[&[u8]], new: &[&[u8]], style: Style, out: &mut Vec<u8>) {
    let (Some(first), Some(last)) = (group.first(), group.last()) else {
        return;
    };
    let header = format!(
        "@@ -{} +{} @@",
        range(first.old_range().start, last.old_range().end),
        range(first.new_range().start, last.new_range().end)
    );
    line(style, Colour::DiffHunk, header.as_bytes(), out);
    for op in group {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        if tag == DiffTag::Equal {
            for text in &old[old_range] {
                marked(style, b' ', text, out);
            }
            continue;
        }
        if matches!(tag, DiffTag::Replace | DiffTag::Delete) {
            for text in &old[old_range] {
                marked(style, b'-', text, out);
            }
        }
        if matches!(tag, DiffTag::Replace | DiffTag::Insert) {
            for text in &new[new_range] {
                marked(style, b'+', text, out);
            }
        }
    }
}

/// difflib's range: `start,length` (1-based), `start` alone for one line,
/// the line before for none.
fn range(start: usize, end: usize) -> String {
    match end - start {
        1 => format!("{}", start + 1),
        0 => format!("{start},0"),
        len => format!("{},{len}", start + 1),
    }
}

/// A diff line `mark` + `text`, coloured as clush colours it (it checks
/// for `---`/`+++` first, then `@@`, then the mark).
fn marked(style: Style, mark: u8, text: &[u8], out: &mut Vec<u8>) {
    let mut whole = Vec::with_capacity(text.len() + 1);
    whole.push(mark);
    whole.extend_from_slice(text);
    let colour = if whole.starts_with(b"---") || whole.starts_with(b"+++") {
        Colour::DiffHeader
    } else if whole.starts_with(b"@@") {
        Colour::DiffHunk
    } else {
        match mark {
            b'+' => Colour::DiffAdd,
            b'-' => Colour::DiffDel,
            _ => {
                out.extend_from_slice(&whole);
                out.push(b'\n');
                return;
            }
        }
    };
    if colour == Colour::DiffHeader {
        let trimmed = whole.trim_ascii_end().len();
        whole.truncate(trimmed);
    }
    line(style, colour, &whole, out);
}

fn line(style: Style, colour: Colour, text: &[u8], out: &mut Vec<u8>) {
    style.paint(colour, text, out);
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(old: &[&str], new: &[&str]) -> String {
        let old: Vec<&[u8]> = old.iter().map(|s| s.as_bytes()).collect();
        let new: Vec<&[u8]> = new.iter().map(|s| s.as_bytes()).collect();
        let mut out = Vec::new();
        unified("n1", &old, "n[2-3] (2)", &new, Style::default(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn same_outputs_give_nothing() {
        assert_eq!(diff(&["a", "b"], &["a", "b"]), "");
    }

    #[test]
    fn a_changed_line_in_difflib_format() {
        // difflib.unified_diff(['a','b','c'], ['a','x','c'], 'n1', 'n[2-3] (2)', lineterm='')
        assert_eq!(
            diff(&["a", "b", "c"], &["a", "x", "c"]),
            "--- n1\n+++ n[2-3] (2)\n@@ -1,3 +1,3 @@\n a\n-b\n+x\n c\n"
        );
    }

    #[test]
    fn ranges_of_one_and_of_none() {
        assert_eq!(
            diff(&["a"], &[]),
            "--- n1\n+++ n[2-3] (2)\n@@ -1 +0,0 @@\n-a\n"
        );
        assert_eq!(
            diff(&[], &["a"]),
            "--- n1\n+++ n[2-3] (2)\n@@ -0,0 +1 @@\n+a\n"
        );
    }
}
