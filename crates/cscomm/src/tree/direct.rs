//! Targets reached without a gateway: one [`cscomm_ssh::Run`] forwarded
//! into the tree run's event queue.
//!
//! A local command naming `%hosts` is one process for many nodes; as in
//! ClusterShell, its output and exit code are reported for every node it
//! stands for, in node order, each node getting the same events.

use std::sync::Arc;

use cscomm_ssh::{EventKind, Run};
use tokio::sync::{mpsc, watch};

use super::TreeEvent;

/// Forwards `run`'s events into `events` until the run ends, the receiver
/// goes away, or `abort` turns true (the run's processes are then killed).
pub(super) async fn forward(
    mut run: Run,
    events: mpsc::Sender<TreeEvent>,
    mut abort: watch::Receiver<bool>,
) {
    let names = node_names(&run);
    'run: loop {
        let event = tokio::select! {
            event = run.next_event() => event,
            _ = abort.wait_for(|aborted| *aborted) => None,
        };
        let Some(event) = event else { break };
        let own = [event.key.clone()];
        let nodes = names.get(event.target).map_or(&own[..], Vec::as_slice);
        for node in nodes {
            let Some(tree_event) = convert(node.clone(), &event.kind) else {
                continue;
            };
            if events.send(tree_event).await.is_err() {
                break 'run;
            }
        }
    }
    run.abort();
}

/// The node names each target of `run` stands for: its key for a target
/// of one node, every node of its range for a `%hosts` target.
fn node_names(run: &Run) -> Vec<Vec<Arc<str>>> {
    let nodes = run.nodes();
    run.targets()
        .iter()
        .map(|target| match nodes.get(target.nodes.clone()) {
            Some(names) if names.len() > 1 => names.iter().map(|n| n.as_str().into()).collect(),
            _ => vec![target.key.clone()],
        })
        .collect()
}

fn convert(node: Arc<str>, kind: &EventKind) -> Option<TreeEvent> {
    Some(match kind {
        EventKind::Stdout(line) => TreeEvent::Stdout {
            node,
            line: line.bytes.clone(),
        },
        EventKind::Stderr(line) => TreeEvent::Stderr {
            node,
            line: line.bytes.clone(),
        },
        EventKind::Exited(exit) => TreeEvent::Exit {
            node,
            code: exit.code,
        },
        EventKind::TimedOut => TreeEvent::Timeout { node },
        _ => return None,
    })
}
