//! What the gateway says: its stream turned into events, and the ACKs
//! that release queued requests.

use bytes::Bytes;
use cscomm_message::{Event, MessageKind};

use super::{InitiatorChannel, InitiatorEvent, State};
use crate::{CloseCause, reason};

impl InitiatorChannel {
    pub(super) fn process(&mut self, eof: bool) {
        while self.state != State::Closed {
            let next = if eof {
                self.decoder.finish()
            } else {
                self.decoder.next_event()
            };
            match next {
                Ok(Some(event)) => self.handle(event),
                Ok(None) => return,
                Err(error) => self.unreadable(&reason::stream_error(&error)),
            }
        }
    }

    /// A stream we cannot read: shown as the gateway's stderr (as
    /// ClusterShell shows it), and the channel closes naming the peer's
    /// version.
    fn unreadable(&mut self, why: &str) {
        self.events.push_back(InitiatorEvent::GatewayStderr {
            nodes: self.gateway_nodes(),
            data: Bytes::copy_from_slice(why.as_bytes()),
        });
        let version = self.peer_version.as_deref().unwrap_or("unknown");
        let reason = format!(
            "cannot read the channel of gateway {} (ClusterShell version {version}): {why}",
            self.config.gateway
        );
        self.error = Some(reason.clone());
        self.close_with(CloseCause::Error(reason), true);
    }

    fn handle(&mut self, event: Event) {
        let message = match (self.state, event) {
            (_, Event::End) => return self.close_with(CloseCause::End, true),
            (State::Idle, Event::Start { version }) => {
                self.state = State::Opened;
                self.peer_version.clone_from(&version);
                return self.events.push_back(InitiatorEvent::Opened { version });
            }
            (_, Event::Message(message)) => message,
            // A second `<channel>` cannot come out of the wire decoder.
            (_, Event::Start { .. }) => return,
        };
        match message.kind {
            MessageKind::StdErr(output) if output.srcid == 0 => match output.data() {
                Ok(data) => self.events.push_back(InitiatorEvent::GatewayStderr {
                    nodes: output.nodes,
                    data,
                }),
                Err(error) => {
                    self.unreadable(&format!("Message SER has an invalid payload ({error})"))
                }
            },
            MessageKind::Error { reason } => self.gateway_error(reason),
            kind if self.state == State::Setup => self.routed(kind),
            MessageKind::Ack { .. } if self.state == State::Opened => {
                self.state = State::Setup;
                self.setup_seen = true;
                self.events.push_back(InitiatorEvent::Ready);
                self.release_one();
            }
            // ClusterShell ignores anything else before setup.
            _ => {}
        }
    }

    fn gateway_error(&mut self, reason: String) {
        self.error = Some(reason.clone());
        if self.state == State::Setup {
            self.events.push_back(InitiatorEvent::GatewayError {
                reason: reason.clone(),
            });
            self.close_with(CloseCause::Error(reason), true);
        } else {
            // Before setup ClusterShell shows it as the gateway's stderr.
            self.events.push_back(InitiatorEvent::GatewayStderr {
                nodes: self.gateway_nodes(),
                data: Bytes::from(reason.into_bytes()),
            });
        }
    }

    fn routed(&mut self, kind: MessageKind) {
        let event = match kind {
            MessageKind::Ack { ack } => return self.acknowledged(ack),
            MessageKind::StdOut(output) => match output.data() {
                Ok(data) => InitiatorEvent::StdOut {
                    srcid: output.srcid,
                    nodes: output.nodes,
                    data,
                },
                Err(e) => {
                    return self.unreadable(&format!("Message OUT has an invalid payload ({e})"));
                }
            },
            MessageKind::StdErr(output) => match output.data() {
                Ok(data) => InitiatorEvent::StdErr {
                    srcid: output.srcid,
                    nodes: output.nodes,
                    data,
                },
                Err(e) => {
                    return self.unreadable(&format!("Message SER has an invalid payload ({e})"));
                }
            },
            MessageKind::Retcode {
                srcid,
                retcode,
                nodes,
            } => {
                self.done(srcid, &nodes);
                InitiatorEvent::Exit {
                    srcid,
                    nodes,
                    code: retcode,
                }
            }
            MessageKind::Timeout { srcid, nodes } => {
                self.done(srcid, &nodes);
                InitiatorEvent::Timeout { srcid, nodes }
            }
            MessageKind::Routing {
                srcid,
                event,
                gateway,
                targets,
            } => InitiatorEvent::Routing {
                srcid,
                event,
                gateway,
                targets,
            },
            // A gateway does not send CFG or CTL; ClusterShell ignores them.
            _ => return,
        };
        self.events.push_back(event);
    }

    /// An ACK after setup: a `write` done when it matches the oldest one
    /// waiting, and the next queued request goes.
    fn acknowledged(&mut self, ack: u64) {
        if self.writes.front().is_some_and(|w| w.msgid == ack) {
            if let Some(write) = self.writes.pop_front() {
                self.events.push_back(InitiatorEvent::Written {
                    srcid: write.srcid,
                    nodes: write.nodes,
                    len: write.len,
                });
            }
        }
        self.release_one();
    }
}
