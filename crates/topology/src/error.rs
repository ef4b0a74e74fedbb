//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong in this crate.
///
/// Texts reuse ClusterShell's words where ClusterShell has an error for the
/// same case, so users of both see the same reasons.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Node set text that does not parse; `reason` is ClusterShell's message.
    #[error("{reason} (at byte {offset})")]
    NodeSet {
        /// Byte offset in the parsed text where the faulty part starts.
        offset: usize,
        /// ClusterShell's text for the error (`str(NodeSetParseError)`).
        reason: String,
    },

    /// Range set text that does not parse (ClusterShell's message).
    #[error("{reason}")]
    RangeSet {
        /// ClusterShell's text for the error (`str(RangeSetParseError)`).
        reason: String,
    },

    /// A node set's internal form (from a pickle) that ClusterShell could
    /// not use either.
    #[error("invalid node set: {reason}")]
    InvalidView {
        /// What is wrong.
        reason: String,
    },

    /// A topology tree's parts (from a pickle) that do not form a tree.
    #[error("invalid topology tree: {reason}")]
    InvalidTree {
        /// What is wrong.
        reason: String,
    },

    /// A `topology.conf` line that is not valid configuration syntax
    /// (ClusterShell reports `Invalid configuration file`).
    #[error("line {line}: invalid configuration file: {reason}")]
    ConfigSyntax {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },

    /// A `topology.conf` without a `[routes]` (or older `[Main]`) section.
    #[error("invalid configuration file: no [routes] section")]
    NoRoutesSection,

    /// A node set of a route that does not parse.
    #[error("line {line}: {source}")]
    RouteNodeSet {
        /// 1-based line number of the route.
        line: usize,
        /// The node set error.
        source: Box<Error>,
    },

    /// A route whose gateways and destinations overlap.
    #[error("line {line}: Source and destination nodesets overlap")]
    RouteOverlap {
        /// 1-based line number of the route (0 when added in code).
        line: usize,
    },

    /// A route that closes a loop.
    #[error("line {line}: Loop detected! Cannot add route {route}")]
    Loop {
        /// 1-based line number of the route (0 when added in code).
        line: usize,
        /// The route, as ClusterShell prints it (`src -> dst`).
        route: String,
    },

    /// A route that reaches nodes already reached another way.
    #[error("line {line}: Convergent path detected! Cannot add route {route}")]
    ConvergentPath {
        /// 1-based line number of the route (0 when added in code).
        line: usize,
        /// The route, as ClusterShell prints it (`src -> dst`).
        route: String,
    },

    /// A topology without any route.
    #[error("No route found in topology definition!")]
    NoRoute,

    /// A root node that is not in the topology.
    #[error("\"{root}\" is not a valid root node!")]
    InvalidRoot {
        /// The root node name.
        root: String,
    },

    /// A node that no group of the tree holds.
    #[error("TopologyNodeGroup not found for node {node}")]
    GroupNotFound {
        /// The node name.
        node: String,
    },

    /// A file error, with the file's path.
    #[error("{}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong with it.
        source: Box<Error>,
    },

    /// An I/O error.
    #[error(transparent)]
    Io(#[from] std::io::Error),

    /// A router root that no group of the tree holds.
    #[error("Invalid root or gateway node: {root}")]
    InvalidRouterRoot {
        /// The root given to the router.
        root: String,
    },

    /// A target that was marked unreachable.
    #[error("Invalid destination: {target}, host is unreachable")]
    UnreachableTarget {
        /// The target node.
        target: String,
    },

    /// Every gateway towards a target is unreachable.
    #[error("No route available to {target}")]
    NoRouteAvailable {
        /// The target node.
        target: String,
    },
}

impl Error {
    /// The 1-based line of the `topology.conf` at fault, when the error is
    /// about one line of a file or text (through [`Error::File`] too);
    /// `None` for other errors and for routes added in code.
    ///
    /// ```
    /// use cscomm_topology::TopologyGraph;
    ///
    /// let error = TopologyGraph::from_config_str("[routes]\na: b\n\nb: a\n").unwrap_err();
    /// assert_eq!(error.line(), Some(4));
    /// ```
    pub fn line(&self) -> Option<usize> {
        let line = match self {
            Error::ConfigSyntax { line, .. }
            | Error::RouteNodeSet { line, .. }
            | Error::RouteOverlap { line }
            | Error::Loop { line, .. }
            | Error::ConvergentPath { line, .. } => *line,
            Error::File { source, .. } => return source.line(),
            _ => return None,
        };
        (line > 0).then_some(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_looks_through_the_file() {
        let inner = Error::RouteOverlap { line: 3 };
        let error = Error::File {
            path: PathBuf::from("/etc/clustershell/topology.conf"),
            source: Box::new(inner),
        };
        assert_eq!(error.line(), Some(3));
        assert_eq!(
            error.to_string(),
            "/etc/clustershell/topology.conf: line 3: Source and destination nodesets overlap"
        );
        assert_eq!(Error::RouteOverlap { line: 0 }.line(), None);
        assert_eq!(Error::NoRoute.line(), None);
    }
}
