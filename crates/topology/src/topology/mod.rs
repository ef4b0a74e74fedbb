//! The propagation tree, `topology.conf` and ClusterShell's search path.

mod conf;
mod graph;
mod path;
mod tree;

pub use graph::TopologyGraph;
pub use path::{config_search_path, find_topology_file, topology_search_path};
pub use tree::{GroupId, TopologyNodeGroup, TopologyTree};
