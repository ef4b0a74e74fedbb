//! Flow control of what is written to a run (standard input, a copy's
//! archive): each write's bytes are counted until every holder lets go of
//! them (a direct process wrote them to its pipe, a gateway acknowledged
//! them, the history kept for rerouting dropped them), and the writer
//! waits while more than a window is in flight. Targets queued by the
//! fanout keep copies of their own (`cscomm-ssh`'s run input), so they do
//! not hold the window: a `cat` on more nodes than the fanout goes on.

/// Bytes of standard input in flight to started targets, at most
/// (before the next write waits).
pub(super) const STDIN_WINDOW: usize = 4 << 20;

/// What a run's writers have in flight.
pub(super) type Window = crate::flow::InFlight;
