//! The message types of the protocol.

use std::fmt;

/// The `type` attribute of a `<message>`: ClusterShell's message classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageType {
    /// `CFG`: the topology sent to a gateway (`ConfigurationMessage`).
    Cfg,
    /// `CTL`: an action request (`ControlMessage`).
    Ctl,
    /// `ACK`: acknowledgement of a received message (`ACKMessage`).
    Ack,
    /// `ERR`: a fatal error (`ErrorMessage`).
    Err,
    /// `OUT`: standard output of nodes (`StdOutMessage`).
    Out,
    /// `SER`: standard error of nodes (`StdErrMessage`).
    Ser,
    /// `RET`: return code of nodes (`RetcodeMessage`).
    Ret,
    /// `TIM`: nodes that timed out (`TimeoutMessage`).
    Tim,
    /// `RTR`: a routing event (`RoutingMessage`).
    Rtr,
}

impl MessageType {
    /// Every type, in ClusterShell's declaration order.
    pub const ALL: [MessageType; 9] = [
        MessageType::Cfg,
        MessageType::Ctl,
        MessageType::Ack,
        MessageType::Err,
        MessageType::Out,
        MessageType::Ser,
        MessageType::Ret,
        MessageType::Tim,
        MessageType::Rtr,
    ];

    /// The three-letter identifier written in the `type` attribute.
    pub fn ident(self) -> &'static str {
        match self {
            MessageType::Cfg => "CFG",
            MessageType::Ctl => "CTL",
            MessageType::Ack => "ACK",
            MessageType::Err => "ERR",
            MessageType::Out => "OUT",
            MessageType::Ser => "SER",
            MessageType::Ret => "RET",
            MessageType::Tim => "TIM",
            MessageType::Rtr => "RTR",
        }
    }

    /// The type named by `ident`, if it is one of the protocol.
    pub fn from_ident(ident: &str) -> Option<MessageType> {
        MessageType::ALL.into_iter().find(|t| t.ident() == ident)
    }

    /// Whether messages of this type may carry a payload (ClusterShell's
    /// `has_payload`); any character data on the others is an error.
    pub fn has_payload(self) -> bool {
        matches!(
            self,
            MessageType::Cfg | MessageType::Ctl | MessageType::Out | MessageType::Ser
        )
    }

    /// The attributes after `type` and `msgid`, in the order ClusterShell
    /// writes (and checks) them.
    pub fn attribute_names(self) -> &'static [&'static str] {
        match self {
            MessageType::Cfg => &["gateway"],
            MessageType::Ctl => &["srcid", "action", "target"],
            MessageType::Ack => &["ack"],
            MessageType::Err => &["reason"],
            MessageType::Out | MessageType::Ser | MessageType::Tim => &["srcid", "nodes"],
            MessageType::Ret => &["srcid", "retcode", "nodes"],
            MessageType::Rtr => &["srcid", "event", "gateway", "targets"],
        }
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.ident())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idents_round_trip() {
        for t in MessageType::ALL {
            assert_eq!(MessageType::from_ident(t.ident()), Some(t));
        }
        assert_eq!(MessageType::from_ident("XYZ"), None);
        assert_eq!(MessageType::from_ident("cfg"), None);
    }
}
