//! A blocking convenience on top of [`TreeRun`]: run, wait, get every
//! node's result.

use std::collections::BTreeMap;

use bytes::Bytes;
use cscomm_message::NodeSet;

use super::{TreeEvent, TreeOptions, TreeRun};

/// What one node did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NodeResult {
    /// Standard output lines (or both outputs, merged), without `\n`.
    pub stdout: Vec<Bytes>,
    /// Standard error lines, when kept separate.
    pub stderr: Vec<Bytes>,
    /// The exit code; `None` when the command timed out.
    pub exit_code: Option<i32>,
    /// Whether the command timed out.
    pub timed_out: bool,
}

/// Everything a finished run reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TreeResult {
    /// Per node, in node name order.
    pub nodes: BTreeMap<String, NodeResult>,
    /// Routing events (`reroute gw1 node[1-4]`).
    pub routing: Vec<String>,
    /// Lines the gateways wrote on their own standard error, per gateway.
    pub gateway_stderr: Vec<(String, Bytes)>,
    /// Gateways that failed after set-up, and why.
    pub gateway_failures: Vec<(String, String)>,
}

impl TreeResult {
    /// The largest exit code (what `clush -S` exits with); `None` when no
    /// node reported one.
    pub fn max_exit_code(&self) -> Option<i32> {
        self.nodes.values().filter_map(|n| n.exit_code).max()
    }

    fn record(&mut self, event: TreeEvent) {
        match event {
            TreeEvent::Stdout { node, line } => self.node(&node).stdout.push(line),
            TreeEvent::Stderr { node, line } => self.node(&node).stderr.push(line),
            TreeEvent::Exit { node, code } => self.node(&node).exit_code = Some(code),
            TreeEvent::Timeout { node } => self.node(&node).timed_out = true,
            TreeEvent::Routing {
                event,
                gateway,
                targets,
            } => {
                self.routing.push(format!("{event} {gateway} {targets}"));
            }
            TreeEvent::GatewayStderr { gateway, line } => self.gateway_stderr.push((gateway, line)),
            TreeEvent::GatewayFailed { gateway, reason } => {
                self.gateway_failures.push((gateway, reason));
            }
        }
    }

    fn node(&mut self, name: &str) -> &mut NodeResult {
        self.nodes.entry(name.to_owned()).or_default()
    }
}

/// Runs `command` on `targets`, feeding `stdin` (then closing it), and
/// waits for every node. Starts its own single-threaded tokio runtime:
/// call it from synchronous code, not from within a runtime.
///
/// ```
/// use cscomm::tree::{TreeOptions, run_blocking};
///
/// // remote: false runs the command here once per node, `%h` being the node.
/// let mut options = TreeOptions::default();
/// options.remote = false;
/// let result = run_blocking("echo hello from %h; exit 3", &"n[1-3]".parse()?, options, b"")?;
/// assert_eq!(result.nodes["n2"].stdout, ["hello from n2"]);
/// assert_eq!(result.max_exit_code(), Some(3));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// As [`TreeRun::start`], and when the runtime cannot be built.
pub fn run_blocking(
    command: &str,
    targets: &NodeSet,
    options: TreeOptions,
    stdin: &[u8],
) -> Result<TreeResult, crate::Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(crate::Error::Runtime)?;
    runtime.block_on(async {
        let mut run = TreeRun::start(command, targets, options)?;
        if !stdin.is_empty() {
            run.write(Bytes::copy_from_slice(stdin));
        }
        run.close_stdin();
        let mut result = TreeResult::default();
        while let Some(event) = run.next_event().await {
            result.record(event);
        }
        Ok(result)
    })
}
