//! Node sets, topology trees and routing with ClusterShell's semantics.
//!
//! This crate is the shared foundation of cscomm's tree mode, checked
//! against ClusterShell 1.10.1 by its tests:
//!
//! - [`NodeSet`] and [`RangeSet`]: ClusterShell's node set syntax (ranges,
//!   padding, steps, several dimensions, the `,` `!` `&` `^` operators),
//!   folding and order, exactly, with a structured view ([`PatternView`])
//!   of ClusterShell's internal form, which the message crate pickles.
//!   Group syntax (`@group`) and wildcards need a group resolver, called
//!   by [`NodeSet::parse_resolving`];
//! - [`TopologyTree`]: the propagation tree of node groups, printed like
//!   ClusterShell prints it;
//! - [`TopologyGraph`]: `topology.conf` reading and ClusterShell's checks,
//!   and [`find_topology_file`] for ClusterShell's search path;
//! - [`Router`]: ClusterShell's `PropagationTreeRouter` (which gateway
//!   carries which targets, with load balancing and unreachable gateways).
//!
//! ```
//! use cscomm_topology::{NextHop, NodeSet, Router, TopologyGraph};
//!
//! let nodes: NodeSet = "node[1-4],node7,r[1-2]sw[1-2]".parse()?;
//! assert_eq!(nodes.len(), 9);
//! let rest = nodes.difference(&"node[2-3]".parse()?);
//! assert_eq!(rest.to_string(), "node[1,4,7],r[1-2]sw[1-2]");
//!
//! let graph = TopologyGraph::from_config_str("[routes]\nadmin: gw[1-2]\ngw[1-2]: node[1-4]\n")?;
//! let tree = graph.to_tree("admin")?;
//! assert_eq!(tree.to_string(), "admin\n`- gw[1-2]\n   `- node[1-4]\n");
//!
//! let mut router = Router::new(&tree, "admin")?;
//! let routes = router.dispatch(&"node[1-4],other".parse()?)?;
//! assert_eq!(routes[0].next_hop, NextHop::Gateway("gw1".into()));
//! assert_eq!(routes[0].targets.to_string(), "node[1,3]");
//! assert_eq!(routes[2].next_hop, NextHop::Direct);
//! # Ok::<(), cscomm_topology::Error>(())
//! ```

mod error;
mod nodeset;
mod pystr;
mod rangeset;
mod rangeset_nd;
mod router;
mod topology;

pub use error::Error;
pub use nodeset::{
    AUTOSTEP_DISABLED, Iter, NodeSet, Operand, PatternView, RangeSetNdView, RangeSetView,
    RangesView,
};
pub use rangeset::RangeSet;
pub use router::{NextHop, Route, Router};
pub use topology::{
    GroupId, TopologyGraph, TopologyNodeGroup, TopologyTree, config_search_path,
    find_topology_file, topology_search_path,
};

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
