//! The tree a `clush` run uses, written as ClusterShell's `topology.conf`.

use std::fmt::Write as _;
use std::sync::OnceLock;

/// Stands for the admin node (where `clush` runs) in a [`Topology`]: it is
/// replaced by the short host name ClusterShell computes for this machine.
pub const ADMIN: &str = "@admin";

/// The `[routes]` of a `topology.conf`, in the order they were added.
///
/// ```
/// use cscomm_testkit::clush::{Topology, ADMIN};
/// let tree = Topology::new().route(ADMIN, "gw1").route("gw1", "node[1-8]");
/// assert_eq!(tree.render("admin"), "[routes]\nadmin: gw1\ngw1: node[1-8]\n");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Topology {
    routes: Vec<(String, String)>,
}

impl Topology {
    /// A topology without any route.
    pub fn new() -> Topology {
        Topology::default()
    }

    /// The usual one-gateway tree: admin, then `gateways`, then `nodes`.
    pub fn one_level(gateways: &str, nodes: &str) -> Topology {
        Topology::new()
            .route(ADMIN, gateways)
            .route(gateways, nodes)
    }

    /// Adds the route `parents: children` (node sets; [`ADMIN`] allowed).
    pub fn route(mut self, parents: &str, children: &str) -> Topology {
        self.routes
            .push((parents.to_string(), children.to_string()));
        self
    }

    /// Whether no route was added (a run without tree mode).
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// The `topology.conf` text, [`ADMIN`] replaced by `admin`.
    pub fn render(&self, admin: &str) -> String {
        let mut out = String::from("[routes]\n");
        for (parents, children) in &self.routes {
            let parents = parents.replace(ADMIN, admin);
            let children = children.replace(ADMIN, admin);
            let _ = writeln!(out, "{parents}: {children}");
        }
        out
    }
}

/// This machine's short host name, computed as ClusterShell does
/// (`socket.gethostname()` up to the first dot), once per process.
///
/// # Panics
/// When the Python peer is missing or cannot tell the host name.
pub fn admin_short_name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let python = crate::python::Python::clustershell();
        let out = python.run_ok(
            "import socket; print(socket.gethostname().split('.')[0])",
            &[],
            b"",
        );
        let name = String::from_utf8_lossy(&out).trim().to_string();
        assert!(!name.is_empty(), "the Python peer reports no host name");
        name
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_marker_is_replaced_everywhere() {
        let tree = Topology::new()
            .route(ADMIN, "gw[1-2]")
            .route("gw[1-2]", "gw3")
            .route("gw3", "node[1-4]");
        assert_eq!(
            tree.render("vm"),
            "[routes]\nvm: gw[1-2]\ngw[1-2]: gw3\ngw3: node[1-4]\n"
        );
        assert!(!tree.is_empty());
        assert!(Topology::new().is_empty());
    }
}
