//! What a line typed at the prompt asks for, read as clush 1.10.1 reads
//! it (the line lowercased for the special commands).

/// A change of the working nodes: `+nodes`, `-nodes` or `@nodes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum NodesChange {
    /// `+nodes`: these nodes are added.
    Add(String),
    /// `-nodes`: these nodes are removed.
    Remove(String),
    /// `@nodes`: the working nodes become these (`@` alone: none).
    Set(String),
}

/// One line of the interactive mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Line<'a> {
    /// `quit` (any case): the session ends.
    Quit,
    /// An empty line: nothing is run.
    Empty,
    /// `=`: gathered output on or off.
    ToggleGather,
    /// `+nodes`, `-nodes`, `@nodes`.
    Nodes(NodesChange),
    /// A line starting with `?`: the working nodes are shown again.
    Show,
    /// `!command`: the command runs here, once (its lines are `LOCAL`'s).
    Local(&'a str),
    /// Anything else: the command runs on the working nodes.
    Remote(&'a str),
}

/// Reads a line as clush does: node changes take the lowercased rest of
/// the line; `!` and commands keep the line as typed.
pub(super) fn parse(line: &str) -> Line<'_> {
    let lower = line.to_lowercase();
    let rest = || lower.get(1..).unwrap_or_default().to_owned();
    if lower.starts_with('+') {
        Line::Nodes(NodesChange::Add(rest()))
    } else if lower.starts_with('-') {
        Line::Nodes(NodesChange::Remove(rest()))
    } else if lower.starts_with('@') {
        Line::Nodes(NodesChange::Set(rest()))
    } else if lower == "=" {
        Line::ToggleGather
    } else if lower.starts_with('?') {
        Line::Show
    } else if let Some(command) = line.strip_prefix('!') {
        Line::Local(command)
    } else if lower == "quit" {
        Line::Quit
    } else if line.is_empty() {
        Line::Empty
    } else {
        Line::Remote(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_as_clush_reads_them() {
        assert_eq!(
            parse("+N[5-6]"),
            Line::Nodes(NodesChange::Add("n[5-6]".into()))
        );
        assert_eq!(parse("-n1"), Line::Nodes(NodesChange::Remove("n1".into())));
        assert_eq!(parse("@"), Line::Nodes(NodesChange::Set(String::new())));
        assert_eq!(parse("="), Line::ToggleGather);
        assert_eq!(parse("= "), Line::Remote("= "));
        assert_eq!(parse("?anything"), Line::Show);
        assert_eq!(parse("!Echo Hi"), Line::Local("Echo Hi"));
        assert_eq!(parse("!"), Line::Local(""));
        assert_eq!(parse("QuIt"), Line::Quit);
        assert_eq!(parse(" quit"), Line::Remote(" quit"));
        assert_eq!(parse(""), Line::Empty);
        assert_eq!(parse("Uname -R"), Line::Remote("Uname -R"));
    }
}
