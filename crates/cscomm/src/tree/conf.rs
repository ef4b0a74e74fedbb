//! `topology.conf` read into the tree a `CFG` carries: `cscomm-topology`
//! reads and checks the file ([`TopologyGraph`]), builds the tree seen from
//! the root, and the message crate turns it into a [`PickledTopology`].

use std::path::Path;

use cscomm_message::PickledTopology;
use cscomm_topology::{Error, TopologyGraph};

/// Reads the `topology.conf` at `path` and builds the tree seen from
/// `root` (the admin node's short name, usually), as ClusterShell's
/// `TopologyParser(path).tree(root)` does.
///
/// ```
/// let path = std::env::temp_dir().join(format!("cscomm-doc-{}.conf", std::process::id()));
/// std::fs::write(&path, "[routes]\nadmin: gw[1-2]\ngw[1-2]: node[1-4]\n")?;
/// let tree = cscomm::tree::load_topology(&path, "admin")?;
/// assert_eq!(tree.to_string(), "admin\n`- gw[1-2]\n   `- node[1-4]\n");
///
/// let error = cscomm::tree::load_topology(&path, "nobody").unwrap_err();
/// assert_eq!(error.to_string(), format!("{}: \"nobody\" is not a valid root node!", path.display()));
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::File`], naming the file, around what went wrong: the file
/// cannot be read, or [`parse_topology`]'s errors ([`Error::line`] gives
/// the line at fault, when there is one).
pub fn load_topology(path: &Path, root: &str) -> Result<PickledTopology, Error> {
    let graph = TopologyGraph::from_file(path)?;
    let tree = graph.to_tree(root).map_err(|source| Error::File {
        path: path.to_owned(),
        source: Box::new(source),
    })?;
    Ok(PickledTopology::from_tree(&tree))
}

/// Builds the tree of `text` (a `topology.conf`) seen from `root`.
///
/// ```
/// let tree = cscomm::tree::parse_topology("[routes]\nadmin: gw[1-2]\ngw[1-2]: node[1-4]\n", "admin")?;
/// assert_eq!(tree.to_string(), "admin\n`- gw[1-2]\n   `- node[1-4]\n");
/// let err = cscomm::tree::parse_topology("[routes]\nadmin: gw1\ngw1: admin\n", "admin").unwrap_err();
/// assert_eq!(err.to_string(), "line 3: Loop detected! Cannot add route gw1 -> admin");
/// assert_eq!(err.line(), Some(3));
/// # Ok::<(), cscomm::topology::Error>(())
/// ```
///
/// # Errors
/// A malformed file, a bad node set, overlapping, looping or convergent
/// routes (the line is given), no route, or a root not in the file: the
/// checks of [`TopologyGraph`], in ClusterShell's words.
pub fn parse_topology(text: &str, root: &str) -> Result<PickledTopology, Error> {
    let tree = TopologyGraph::from_config_str(text)?.to_tree(root)?;
    Ok(PickledTopology::from_tree(&tree))
}
