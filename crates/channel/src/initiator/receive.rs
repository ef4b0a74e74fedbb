//! What the gateway says: its stream turned into events, and the ACKs
//! that release queued requests.

use bytes::Bytes;
use cscomm_message::{Event, Message, MessageKind};

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
        self.fail(why, reason);
    }

    /// A message the gateway had no right to send (output for a node it
    /// was not given, a second return code, an unknown worker): the
    /// channel closes, and nothing of it reaches the user.
    fn refuse(&mut self, why: &str) {
        let reason = format!("protocol error from gateway {}: {why}", self.config.gateway);
        self.fail(why, reason);
    }

    /// Tells the gateway why (`ERR`), then closes the channel.
    fn fail(&mut self, why: &str, reason: String) {
        let err = MessageKind::Error {
            reason: why.to_owned(),
        };
        let msgid = self.ids.next_id();
        // An ERR holds a text attribute only: it always encodes.
        let _ = Message::new(msgid, err).write_to(&self.config.codec, &mut self.output);
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
        match (&message.kind, self.state) {
            (MessageKind::StdErr(output), _) if output.srcid == 0 => match output.data() {
                Ok(data) => self.events.push_back(InitiatorEvent::GatewayStderr {
                    nodes: output.nodes.clone(),
                    data,
                }),
                Err(error) => {
                    self.unreadable(&format!("Message SER has an invalid payload ({error})"))
                }
            },
            (MessageKind::Error { reason }, _) => self.gateway_error(reason.clone()),
            (_, State::Setup) => self.routed(message),
            (MessageKind::Ack { .. }, State::Opened) => {
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

    fn routed(&mut self, message: Message) {
        let ident = message.message_type().ident();
        let checked = match &message.kind {
            MessageKind::Ack { .. } => Ok(()),
            MessageKind::StdOut(output) | MessageKind::StdErr(output) => {
                self.workers
                    .check_output(ident, output.srcid, &output.nodes)
            }
            MessageKind::Retcode { srcid, nodes, .. } => {
                self.workers.finish(ident, *srcid, nodes, false)
            }
            MessageKind::Timeout { srcid, nodes } => {
                self.workers.finish(ident, *srcid, nodes, true)
            }
            MessageKind::Routing { srcid, targets, .. } => {
                self.workers.check_routing(*srcid, targets)
            }
            // A gateway does not send CFG or CTL.
            _ => Err(reason::unexpected(&Event::Message(message.clone()))),
        };
        match checked {
            Ok(()) => self.deliver(message.kind),
            Err(why) => self.refuse(&why),
        }
    }

    /// A routed message the gateway was entitled to send, as an event.
    fn deliver(&mut self, kind: MessageKind) {
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
            } => InitiatorEvent::Exit {
                srcid,
                nodes,
                code: retcode,
            },
            MessageKind::Timeout { srcid, nodes } => InitiatorEvent::Timeout { srcid, nodes },
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
            _ => return,
        };
        self.events.push_back(event);
    }

    /// An ACK after setup: a `write` done when it matches the oldest one
    /// waiting, and the next queued request goes.
    fn acknowledged(&mut self, ack: u64) {
        self.last_ack = Some(ack);
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
