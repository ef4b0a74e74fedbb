//! Node sets with ClusterShell's semantics.
//!
//! [`NodeSet`] and [`RangeSet`]: ClusterShell's node set syntax (ranges,
//! padding, steps, several dimensions, the `,` `!` `&` `^` operators),
//! folding and order, exactly (checked against ClusterShell 1.10.1 by the
//! tests), with a structured view ([`PatternView`]) of ClusterShell's
//! internal form, which the message crate pickles. Group syntax (`@group`)
//! needs a group resolver and is not supported: `@` is a plain character.
//!
//! ```
//! use cscomm_topology::NodeSet;
//!
//! let nodes: NodeSet = "node[1-4],node7,r[1-2]sw[1-2]".parse()?;
//! assert_eq!(nodes.len(), 9);
//! let rest = nodes.difference(&"node[2-3]".parse()?);
//! assert_eq!(rest.to_string(), "node[1,4,7],r[1-2]sw[1-2]");
//! assert_eq!(rest.iter().next().as_deref(), Some("node1"));
//! # Ok::<(), cscomm_topology::Error>(())
//! ```
//!
//! The propagation tree, `topology.conf` reading and ClusterShell's router
//! live in the `cscomm` facade for now (`cscomm::tree`).

mod error;
mod nodeset;
mod pystr;
mod rangeset;
mod rangeset_nd;

pub use error::Error;
pub use nodeset::{
    AUTOSTEP_DISABLED, Iter, NodeSet, PatternView, RangeSetNdView, RangeSetView, RangesView,
};
pub use rangeset::RangeSet;
