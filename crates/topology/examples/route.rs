//! Reads a `topology.conf`, prints its tree as seen from a root node, and
//! routes a node set through it: which next hop carries which targets.
//!
//! `route FILE ROOT NODES`, for instance
//! `route examples/topology.conf admin 'node[1-64],leaf[1-8],other'`.

use cscomm_topology::{NextHop, NodeSet, Router, TopologyGraph};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(file), Some(root), Some(nodes)) = (args.next(), args.next(), args.next()) else {
        return Err("usage: route FILE ROOT NODES".into());
    };
    let graph = TopologyGraph::from_config_str(&std::fs::read_to_string(&file)?)?;
    let tree = graph.to_tree(&root)?;
    print!("{tree}");
    let targets: NodeSet = nodes.parse()?;
    let mut router = Router::new(&tree, &root)?;
    for route in router.dispatch(&targets)? {
        match route.next_hop {
            NextHop::Gateway(gateway) => println!("{}: through {gateway}", route.targets),
            NextHop::Direct => println!("{}: direct", route.targets),
        }
    }
    Ok(())
}
