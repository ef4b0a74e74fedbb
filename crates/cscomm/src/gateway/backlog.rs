//! Bytes written by the parent that the targets have not taken yet (the
//! copies' data): the gateway stops reading its parent while they exceed
//! a limit, so that its memory stays bounded whatever the file size.
//!
//! Each `CTL write`'s bytes are handed to the runs wrapped so that the
//! count drops when the last holder lets go of them (a direct process has
//! written them to its node, a sub-gateway acknowledged them). Targets
//! waiting for their turn behind the fanout read the stream from its start
//! from copies of their own, which are not counted (`cscomm-ssh`'s run
//! input): they grow meanwhile, as in ClusterShell's gateway. Should the
//! backlog still not move for [`STALL`], reading resumes rather than wait
//! for ever.

use std::time::Duration;

/// Backlog above which the parent's stream is not read.
pub(super) const LIMIT: usize = 8 << 20;
/// How long the backlog may stay above the limit without shrinking
/// before reading resumes anyway.
pub(super) const STALL: Duration = Duration::from_secs(1);

/// The count of bytes not taken yet.
pub(super) type Backlog = crate::flow::InFlight;
