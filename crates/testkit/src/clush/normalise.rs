//! A view of a `clush` run that two runs can be compared on: what each node
//! printed (in order per node), what clush itself reported (sorted), and
//! the exit code; timing artefacts (progress meter, ports) removed.

use std::collections::BTreeMap;

use super::nodeset;

/// The separator line around `-b` block headers.
const GATHER_SEPARATOR: &str = "---------------";

/// A `clush` run reduced to what must not depend on the gateway in use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalised {
    /// clush's exit code; `None` when it was killed (a timeout).
    pub exit_code: Option<i32>,
    /// Standard output per node (folded `-b` headers expanded), in order.
    pub stdout: BTreeMap<String, Vec<String>>,
    /// Standard output lines that carry no node label (e.g. with `-N`).
    pub stdout_unlabelled: Vec<String>,
    /// Standard error per node (`node: line` on clush's stderr), in order.
    pub stderr: BTreeMap<String, Vec<String>>,
    /// clush's own messages (`clush: ...`) and any other stderr line, sorted.
    pub messages: Vec<String>,
}

impl Normalised {
    /// Builds the view from clush's raw outputs. `gathered` says whether
    /// stdout is in `-b` blocks; `port` (the test sshd's port) is written
    /// `<port>` so that runs against different servers compare equal.
    pub fn from_output(
        exit_code: Option<i32>,
        stdout: &[u8],
        stderr: &[u8],
        gathered: bool,
        port: Option<u16>,
    ) -> Normalised {
        let mut view = Normalised {
            exit_code,
            ..Normalised::default()
        };
        let out_lines = lines(stdout, port, false);
        if gathered {
            view.read_blocks(&out_lines);
        } else {
            for line in out_lines {
                match split_label(&line) {
                    Some((node, text)) => push(&mut view.stdout, node, text),
                    None => view.stdout_unlabelled.push(line),
                }
            }
        }
        for line in lines(stderr, port, true) {
            match split_label(&line) {
                Some((node, text)) if node != "clush" => push(&mut view.stderr, node, text),
                _ => view.messages.push(line),
            }
        }
        view.messages.sort();
        view
    }

    /// Every node that printed anything, on stdout or stderr.
    pub fn nodes(&self) -> Vec<&str> {
        let mut nodes: Vec<&str> = self.stdout.keys().map(String::as_str).collect();
        nodes.extend(self.stderr.keys().map(String::as_str));
        nodes.sort_unstable();
        nodes.dedup();
        nodes
    }

    /// The stdout lines of one node (empty when it printed nothing).
    pub fn stdout_of(&self, node: &str) -> &[String] {
        self.stdout.get(node).map(Vec::as_slice).unwrap_or_default()
    }

    /// The stderr lines of one node (empty when it printed nothing).
    pub fn stderr_of(&self, node: &str) -> &[String] {
        self.stderr.get(node).map(Vec::as_slice).unwrap_or_default()
    }

    /// The nodes clush reported as `exited with exit code N`, with N.
    pub fn exit_codes(&self) -> BTreeMap<String, i32> {
        let mut codes = BTreeMap::new();
        for message in &self.messages {
            let Some(rest) = message.strip_prefix("clush: ") else {
                continue;
            };
            let Some((nodes, code)) = rest.rsplit_once(": exited with exit code ") else {
                continue;
            };
            let Ok(code) = code.parse() else { continue };
            for node in header_nodes(nodes) {
                codes.insert(node, code);
            }
        }
        codes
    }

    /// The nodes clush reported as `command timeout`, sorted.
    pub fn timed_out(&self) -> Vec<String> {
        let mut nodes: Vec<String> = self
            .messages
            .iter()
            .filter_map(|m| m.strip_prefix("clush: ")?.strip_suffix(": command timeout"))
            .flat_map(header_nodes)
            .collect();
        nodes.sort();
        nodes
    }

    /// Parses `-b` blocks: separator, node set header, separator, lines.
    fn read_blocks(&mut self, lines: &[String]) {
        let mut owners: Option<Vec<String>> = None;
        let mut i = 0;
        while i < lines.len() {
            let header = lines[i] == GATHER_SEPARATOR
                && lines.get(i + 2).is_some_and(|l| l == GATHER_SEPARATOR);
            if header {
                owners = Some(header_nodes(&lines[i + 1]));
                i += 3;
                continue;
            }
            match &owners {
                Some(nodes) => {
                    for node in nodes {
                        push(&mut self.stdout, node, &lines[i]);
                    }
                }
                None => self.stdout_unlabelled.push(lines[i].clone()),
            }
            i += 1;
        }
    }
}

/// The nodes a `-b` header names: `node[1-3] (3)` gives node1..node3.
fn header_nodes(header: &str) -> Vec<String> {
    let set = match header.rsplit_once(" (") {
        Some((set, count)) if count.ends_with(')') => set,
        _ => header,
    };
    nodeset::expand(set).unwrap_or_else(|| vec![set.to_string()])
}

/// `node1: text` gives `("node1", "text")`; a label has no blank in it.
fn split_label(line: &str) -> Option<(&str, &str)> {
    let (label, text) = line.split_once(": ")?;
    let plain = !label.is_empty() && !label.contains(char::is_whitespace);
    plain.then_some((label, text))
}

fn push(map: &mut BTreeMap<String, Vec<String>>, node: &str, text: &str) {
    map.entry(node.to_string())
        .or_default()
        .push(text.to_string());
}

/// Splits on newlines. With `progress` (stderr), only what follows the last
/// carriage return of a line is kept: clush's progress meter rewrites its
/// line with `\r`.
fn lines(bytes: &[u8], port: Option<u16>, progress: bool) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let text = match port {
        Some(port) => hide_port(&text, port),
        None => text.into_owned(),
    };
    let text = text.strip_suffix('\n').unwrap_or(&text);
    if text.is_empty() {
        return Vec::new();
    }
    text.split('\n')
        .filter_map(|line| match line.rsplit_once('\r').filter(|_| progress) {
            Some((_, "")) => None,
            Some((_, last)) => Some(last.to_string()),
            None => Some(line.to_string()),
        })
        .collect()
}

/// Writes `port <port>` for `port N` where N is exactly the given port.
fn hide_port(text: &str, port: u16) -> String {
    let needle = format!("port {port}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&needle) {
        let after = &rest[at + needle.len()..];
        out.push_str(&rest[..at]);
        if after.starts_with(|c: char| c.is_ascii_digit()) {
            out.push_str(&needle);
        } else {
            out.push_str("port <port>");
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labelled_lines_group_per_node_in_order() {
        let out = b"node2: b\nnode1: a\nnode2: c\nplain line\n";
        let err = b"node1: oops\nclush: node2: exited with exit code 3\nclush: a\n";
        let view = Normalised::from_output(Some(0), out, err, false, None);
        assert_eq!(view.stdout_of("node2"), ["b", "c"]);
        assert_eq!(view.stdout_of("node1"), ["a"]);
        assert_eq!(view.stdout_unlabelled, ["plain line"]);
        assert_eq!(view.stderr_of("node1"), ["oops"]);
        assert_eq!(
            view.messages,
            ["clush: a", "clush: node2: exited with exit code 3"]
        );
        assert_eq!(view.nodes(), ["node1", "node2"]);
    }

    #[test]
    fn gathered_blocks_expand_to_nodes() {
        let out = "---------------\nnode[1-2] (2)\n---------------\nx\ny\n\
                   ---------------\ngw1\n---------------\nz\n";
        let view = Normalised::from_output(Some(1), out.as_bytes(), b"", true, None);
        assert_eq!(view.stdout_of("node1"), ["x", "y"]);
        assert_eq!(view.stdout_of("node2"), ["x", "y"]);
        assert_eq!(view.stdout_of("gw1"), ["z"]);
        assert_eq!(view.exit_code, Some(1));
    }

    #[test]
    fn progress_meter_and_port_are_removed() {
        let err = b"clush: 2/3 gw 1   \r     \rclush: 3/3\rclush: node1: command timeout\n\
                    down1: ssh: connect to host 127.0.0.101 port 2222: Connection refused\n";
        let view = Normalised::from_output(Some(0), b"", err, true, Some(2222));
        assert_eq!(view.messages, ["clush: node1: command timeout"]);
        assert_eq!(
            hide_port("port 22220, port 2222", 2222),
            "port 22220, port <port>"
        );
        assert_eq!(
            view.stderr_of("down1"),
            ["ssh: connect to host 127.0.0.101 port <port>: Connection refused"]
        );
    }

    #[test]
    fn exit_codes_and_timeouts_are_read_back_per_node() {
        let err = b"clush: node[1-2] (2): exited with exit code 3\n\
                    clush: node4: exited with exit code 255\n\
                    clush: node[5,7]: command timeout\n";
        let view = Normalised::from_output(Some(255), b"", err, true, None);
        let codes: Vec<(String, i32)> = view.exit_codes().into_iter().collect();
        let want = [("node1", 3), ("node2", 3), ("node4", 255)];
        assert_eq!(codes, want.map(|(n, c)| (n.to_string(), c)));
        assert_eq!(view.timed_out(), ["node5", "node7"]);
    }

    #[test]
    fn carriage_returns_in_stdout_are_data() {
        let view = Normalised::from_output(Some(0), b"n1: a\rb\n", b"", false, None);
        assert_eq!(view.stdout_of("n1"), ["a\rb"]);
    }

    #[test]
    fn empty_lines_are_kept_but_not_the_final_newline() {
        let view = Normalised::from_output(None, b"n1: \nn1: a\n", b"", false, None);
        assert_eq!(view.stdout_of("n1"), ["", "a"]);
    }
}
