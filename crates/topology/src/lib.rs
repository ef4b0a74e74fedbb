//! Node sets, topology trees and routing with ClusterShell's semantics.
//!
//! This crate is the shared foundation of cscomm's tree mode:
//!
//! - [`NodeSet`] and [`RangeSet`]: ClusterShell's node set syntax, folding
//!   and order, exactly (checked against ClusterShell 1.10.1 by the tests),
//!   with a structured view ([`PatternView`]) of ClusterShell's internal
//!   form for pickling;
//! - [`TopologyTree`]: the propagation tree of node groups, printed like
//!   ClusterShell prints it;
//! - [`TopologyGraph`]: `topology.conf` parsing and checks, and
//!   [`find_topology_file`] for ClusterShell's search path;
//! - [`Router`]: ClusterShell's `PropagationTreeRouter` (which gateway
//!   carries which targets, with load balancing and unreachable gateways).
//!
//! ```
//! use cscomm_topology::{NextHop, Router, TopologyGraph};
//!
//! let graph = TopologyGraph::from_config_str(
//!     "[routes]\nadmin: gw[1-2]\ngw[1-2]: node[1-4]\n",
//! )?;
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



pub use error::Error;
pub use nodeset::{AUTOSTEP_DISABLED, Iter, NodeSet, PatternView, RangeSetNdView, RangeSetView, RangesView};
pub use rangeset::RangeSet;

