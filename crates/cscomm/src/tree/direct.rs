//! Targets reached without a gateway: one [`cscomm_ssh::Run`] forwarded
//! into the tree run's event queue.

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
    loop {
        let event = tokio::select! {
            event = run.next_event() => event,
            _ = abort.wait_for(|aborted| *aborted) => None,
        };
        let Some(event) = event else { break };
        let Some(tree_event) = convert(event.key, event.kind) else {
            continue;
        };
        if events.send(tree_event).await.is_err() {
            break;
        }
    }
    run.abort();
}

fn convert(node: std::sync::Arc<str>, kind: EventKind) -> Option<TreeEvent> {
    Some(match kind {
        EventKind::Stdout(line) => TreeEvent::Stdout {
            node,
            line: line.bytes,
        },
        EventKind::Stderr(line) => TreeEvent::Stderr {
            node,
            line: line.bytes,
        },
        EventKind::Exited(exit) => TreeEvent::Exit {
            node,
            code: exit.code,
        },
        EventKind::TimedOut => TreeEvent::Timeout { node },
        _ => return None,
    })
}
