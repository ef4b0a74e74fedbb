//! The end-of-run blocks of -b/-B (identical outputs under one header) and
//! of --diff (each output as a diff against the first one).

use std::collections::HashMap;

use cscomm::tree::NodeSet;

use super::DisplayOptions;
use super::diff;
use super::style::{Colour, Style};

/// The separator line of gathered headers.
const SEPARATOR: &str = "---------------";

/// The nodes of one return code and the output of those that printed.
pub(super) struct CodeBlocks<'a> {
    /// Every node that exited with this code.
    pub(super) nodes: NodeSet,
    /// `(node, output)` of the nodes that printed something.
    pub(super) outputs: Vec<(&'a str, &'a [u8])>,
}

/// Appends the blocks of every return code (in increasing order) to `out`.
pub(super) fn print_blocks(
    options: &DisplayOptions,
    style: Style,
    codes: &[CodeBlocks<'_>],
    out: &mut Vec<u8>,
) {
    // --diff compares with the first block of the whole run.
    let mut reference: Option<(NodeSet, &[u8])> = None;
    for code in codes {
        let groups = identical_outputs(&code.outputs);
        let mut silent = code.nodes.clone();
        for (set, output) in groups {
            silent.difference_update(&set);
            if !options.diff {
                header(options, style, &set, out);
                out.extend_from_slice(output);
                out.push(b'\n');
                continue;
            }
            match &reference {
                None => reference = Some((set, output)),
                Some((ref_set, ref_output)) => {
                    let new = lines(output);
                    diff_against(options, style, (ref_set, ref_output), (&set, &new), out)
                }
            }
        }
        // Nodes without output differ from the reference by all of it.
        if let (true, false, Some((ref_set, ref_output))) =
            (options.diff, silent.is_empty(), &reference)
        {
            diff_against(options, style, (ref_set, ref_output), (&silent, &[]), out);
        }
    }
}

/// Groups of nodes with identical output, larger groups first, then by
/// the name of each group's first node compared as text (clush's order:
/// `node10` before `node2`).
fn identical_outputs<'a>(outputs: &[(&str, &'a [u8])]) -> Vec<(NodeSet, &'a [u8])> {
    let mut index: HashMap<&[u8], usize> = HashMap::new();
    let mut groups: Vec<(&[u8], Vec<&str>)> = Vec::new();
    for &(node, output) in outputs {
        let slot = *index.entry(output).or_insert_with(|| {
            groups.push((output, Vec::new()));
            groups.len() - 1
        });
        groups[slot].1.push(node);
    }
    let mut groups: Vec<(usize, String, NodeSet, &[u8])> = groups
        .into_iter()
        .map(|(output, members)| {
            let set = NodeSet::from_names(members);
            let first = set.iter().next().unwrap_or_default();
            (set.len(), first, set, output)
        })
        .collect();
    groups.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    groups
        .into_iter()
        .map(|(_, _, set, output)| (set, output))
        .collect()
}

/// The header block of `set` (nothing with -N).
fn header(options: &DisplayOptions, style: Style, set: &NodeSet, out: &mut Vec<u8>) {
    if !options.label {
        return;
    }
    let name = options.labels.header(set);
    let text = format!("{SEPARATOR}\n{name}{}\n{SEPARATOR}", options.count(set));
    style.paint(Colour::Stdout, text.as_bytes(), out);
    out.push(b'\n');
}

/// The lines of a kept output (at least one line: it is kept only when
/// the node printed one).
fn lines(output: &[u8]) -> Vec<&[u8]> {
    output.split(|&b| b == b'\n').collect()
}

/// The diff from the reference block to `set`'s lines (`new`).
fn diff_against(
    options: &DisplayOptions,
    style: Style,
    (ref_set, ref_output): (&NodeSet, &[u8]),
    (set, new): (&NodeSet, &[&[u8]]),
    out: &mut Vec<u8>,
) {
    let ref_label = format!(
        "{}{}",
        options.labels.header(ref_set),
        options.count(ref_set)
    );
    let label = format!("{}{}", options.labels.header(set), options.count(set));
    diff::unified(&ref_label, &lines(ref_output), &label, new, style, out);
}
