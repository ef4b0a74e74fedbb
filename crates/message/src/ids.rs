//! Message ids.

/// Allocates the `msgid` of outgoing messages: 0, 1, 2, ... per writer.
///
/// ClusterShell numbers every message object of its process, so the ids a
/// peer sees increase but may skip; ours are contiguous per writer, which
/// a peer cannot tell apart. Acknowledgements (`ACK`) name the id of the
/// message they acknowledge.
///
/// ```
/// let mut ids = cscomm_message::MessageIds::default();
/// assert_eq!(ids.next_id(), 0);
/// assert_eq!(ids.next_id(), 1);
/// assert_eq!(ids.peek(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageIds {
    next: u64,
}

impl MessageIds {
    /// An allocator whose first id is `first`.
    pub fn starting_at(first: u64) -> MessageIds {
        MessageIds { next: first }
    }

    /// A new id (wrapping after `u64::MAX`, which no channel reaches).
    pub fn next_id(&mut self) -> u64 {
        let id = self.next;
        self.next = self.next.wrapping_add(1);
        id
    }

    /// The id the next call to [`MessageIds::next_id`] returns.
    pub fn peek(&self) -> u64 {
        self.next
    }
}
