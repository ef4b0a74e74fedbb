//! `topology.conf`: ClusterShell's propagation tree file, read into the
//! tree a `CFG` carries.
//!
//! ```text
//! [routes]
//! admin: gw[1-2]
//! gw[1-2]: node[1-100]
//! ```
//!
//! The `[routes]` section (or the older `[Main]`) holds `src: dst` lines
//! (`=` works too): the nodes of `src` reach those of `dst`. The checks and
//! the tree built are ClusterShell's (`TopologyParser`, `TopologyGraph`):
//! no overlap between a route's ends, no loop, no convergent path, a root
//! that is in the file.

use std::path::Path;

use cscomm_message::{NodeSet, PickledTopology, TopologyGroup};

/// A topology file that cannot be used, with the line at fault if any.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
pub struct TopologyError {
    /// The 1-based line of the file at fault.
    pub line: Option<usize>,
    /// What is wrong, in ClusterShell's words where it has some.
    pub message: String,
}

impl TopologyError {
    fn at(line: usize, message: impl Into<String>) -> Self {
        TopologyError {
            line: Some(line),
            message: message.into(),
        }
    }

    fn whole(message: impl Into<String>) -> Self {
        TopologyError {
            line: None,
            message: message.into(),
        }
    }
}

/// A section's entries: (line, key, value).
type Entries = Vec<(usize, String, String)>;

/// One `src: dst` line.
struct Route {
    src: NodeSet,
    dst: NodeSet,
}

/// Reads `path` and builds the tree seen from `root`.
///
/// # Errors
/// A file that cannot be read, or any error of [`parse_topology`]; the
/// message names the file.
pub fn load_topology(path: &Path, root: &str) -> Result<PickledTopology, TopologyError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| TopologyError::whole(format!("{}: {e}", path.display())))?;
    parse_topology(&text, root).map_err(|e| TopologyError {
        message: format!("{}: {}", path.display(), e.message),
        ..e
    })
}

/// The sources of the routes of the file at `path`, in order (the first is
/// usually the admin node).
///
/// # Errors
/// As [`load_topology`] for reading and parsing.
pub fn route_sources(path: &Path) -> Result<Vec<NodeSet>, TopologyError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| TopologyError::whole(format!("{}: {e}", path.display())))?;
    route_lines(&text)?
        .into_iter()
        .map(|(line, src, _)| parse_nodes(&src, line))
        .collect()
}

/// Builds the tree of `text` (a `topology.conf`) seen from `root`.
///
/// ```
/// let tree = cscomm::tree::parse_topology("[routes]\nadmin: gw[1-2]\ngw[1-2]: node[1-4]\n", "admin")?;
/// assert_eq!(tree.to_string(), "admin\n`- gw[1-2]\n   `- node[1-4]\n");
/// let err = cscomm::tree::parse_topology("[routes]\nadmin: gw1\ngw1: admin\n", "admin").unwrap_err();
/// assert_eq!(err.to_string(), "line 3: Loop detected! Cannot add route gw1 -> admin");
/// # Ok::<(), cscomm::tree::TopologyError>(())
/// ```
///
/// # Errors
/// A malformed file, a bad node set, overlapping, looping or convergent
/// routes (the line is given), no route, or a root not in the file.
pub fn parse_topology(text: &str, root: &str) -> Result<PickledTopology, TopologyError> {
    let mut routes: Vec<Route> = Vec::new();
    for (line, src, dst) in route_lines(text)? {
        let src = parse_nodes(&src, line)?;
        let dst = parse_nodes(&dst, line)?;
        if src.is_empty() || dst.is_empty() {
            continue; // ClusterShell ignores routes with an empty end
        }
        let route = Route { src, dst };
        check_route(&routes, &route, line)?;
        routes.push(route);
    }
    build_tree(&routes, root)
}

fn parse_nodes(text: &str, line: usize) -> Result<NodeSet, TopologyError> {
    NodeSet::parse_literal(text)
        .map_err(|e| TopologyError::at(line, format!("invalid node set {text:?}: {e}")))
}

/// The `(line, src, dst)` entries of the routes section, as Python's
/// `configparser` reads them (comments, `:` or `=`, indented continuation
/// lines, duplicate keys refused).
fn route_lines(text: &str) -> Result<Entries, TopologyError> {
    let mut sections: Vec<(String, Entries)> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if raw.starts_with([' ', '\t']) {
            let Some((_, entries)) = sections.last_mut() else {
                return Err(TopologyError::at(
                    line,
                    "continuation line outside a section",
                ));
            };
            let Some(entry) = entries.last_mut() else {
                return Err(TopologyError::at(
                    line,
                    "continuation line without an entry",
                ));
            };
            entry.2.push('\n');
            entry.2.push_str(trimmed);
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            sections.push((name.to_owned(), Vec::new()));
            continue;
        }
        let Some((_, entries)) = sections.last_mut() else {
            return Err(TopologyError::at(
                line,
                "Invalid configuration file: entry before any section",
            ));
        };
        let Some(split) = trimmed.find([':', '=']) else {
            return Err(TopologyError::at(
                line,
                format!("Invalid configuration file: not a `src: dst` line: {trimmed:?}"),
            ));
        };
        let (key, value) = (trimmed[..split].trim(), trimmed[split + 1..].trim());
        if entries.iter().any(|(_, k, _)| k == key) {
            return Err(TopologyError::at(
                line,
                format!("Invalid configuration file: {key:?} appears twice"),
            ));
        }
        entries.push((line, key.to_owned(), value.to_owned()));
    }
    sections
        .into_iter()
        .find(|(name, _)| name == "routes")
        .map(|(_, entries)| entries)
        .or_else(|| main_section(text))
        .ok_or_else(|| TopologyError::whole("Invalid configuration file: no [routes] section"))
}

/// The deprecated `[Main]` section, when there is no `[routes]`.
fn main_section(text: &str) -> Option<Entries> {
    if !text.lines().any(|l| l.trim() == "[Main]") {
        return None;
    }
    let renamed: String = text
        .lines()
        .map(|l| if l.trim() == "[Main]" { "[routes]" } else { l })
        .collect::<Vec<_>>()
        .join("\n");
    route_lines(&renamed).ok()
}

/// ClusterShell's checks when a route is added: overlap, loop, convergence.
fn check_route(routes: &[Route], route: &Route, line: usize) -> Result<(), TopologyError> {
    let text = format!("{} -> {}", route.src, route.dst);
    if !route.src.intersection(&route.dst).is_empty() {
        return Err(TopologyError::at(
            line,
            "Source and destination nodesets overlap",
        ));
    }
    if introduces_loop(routes, route) {
        return Err(TopologyError::at(
            line,
            format!("Loop detected! Cannot add route {text}"),
        ));
    }
    let convergent = routes.iter().any(|known| {
        is_strict_superset(&route.src, &known.dst)
            || is_strict_superset(&known.src, &route.dst)
            || (!route.dst.intersection(&known.dst).is_empty() && route.src != known.src)
    });
    if convergent {
        return Err(TopologyError::at(
            line,
            format!("Convergent path detected! Cannot add route {text}"),
        ));
    }
    Ok(())
}

fn is_strict_superset(a: &NodeSet, b: &NodeSet) -> bool {
    a.is_superset(b) && a != b
}

/// The nodes directly reachable from `src` (routes whose source holds it).
fn connected(routes: &[Route], src: &NodeSet) -> NodeSet {
    let mut next = NodeSet::new();
    for route in routes.iter().filter(|r| src.is_subset(&r.src)) {
        next.update(&route.dst);
    }
    next
}

fn introduces_loop(routes: &[Route], route: &Route) -> bool {
    let mut current = route.dst.clone();
    for _ in 0..=routes.len() {
        let next = connected(routes, &current);
        if next.is_empty() {
            return false;
        }
        if !next.intersection(&route.src).is_empty() {
            return true;
        }
        current = next;
    }
    false
}

/// The node groups (route sources, and leaves), their children, and the
/// tree from the group holding `root`, as ClusterShell builds them.
fn build_tree(routes: &[Route], root: &str) -> Result<PickledTopology, TopologyError> {
    let mut all_src = NodeSet::new();
    for route in routes {
        all_src.update(&route.src);
    }
    // Groups keyed by their text, in first-insertion order.
    let mut groups: Vec<NodeSet> = Vec::new();
    let mut insert = |nodes: NodeSet| {
        if !groups.iter().any(|g| g.to_string() == nodes.to_string()) {
            groups.push(nodes);
        }
    };
    for route in routes {
        insert(route.src.clone());
        let leaf = route.dst.difference(&all_src);
        if !leaf.is_empty() {
            insert(leaf);
        }
    }
    if groups.is_empty() {
        return Err(TopologyError::whole(
            "No route found in topology definition!",
        ));
    }
    let children: Vec<Vec<usize>> = groups
        .iter()
        .map(|group| {
            let reach = connected(routes, group);
            (0..groups.len())
                .filter(|&c| !reach.is_empty() && groups[c].is_subset(&reach))
                .collect()
        })
        .collect();
    let root_group = groups
        .iter()
        .position(|g| g.contains(root))
        .ok_or_else(|| TopologyError::whole(format!("\"{root}\" is not a valid root node!")))?;
    Ok(tree_from(&groups, &children, root_group))
}

/// The tree below `root`, groups listed in ClusterShell's order (a stack:
/// the root, then the last child first).
fn tree_from(groups: &[NodeSet], children: &[Vec<usize>], root: usize) -> PickledTopology {
    let mut order: Vec<usize> = Vec::new();
    let mut parent_of: Vec<Option<usize>> = vec![None; groups.len()];
    let mut stack = vec![root];
    while let Some(group) = stack.pop() {
        if order.contains(&group) {
            continue;
        }
        order.push(group);
        for &child in &children[group] {
            parent_of[child].get_or_insert(group);
            stack.push(child);
        }
    }
    let index_of = |group: usize| order.iter().position(|&g| g == group);
    let groups = order
        .iter()
        .map(|&group| TopologyGroup {
            nodes: groups[group].clone(),
            parent: if group == root {
                None
            } else {
                parent_of[group].and_then(index_of)
            },
            children: children[group]
                .iter()
                .filter_map(|&c| index_of(c))
                .collect(),
        })
        .collect();
    PickledTopology { groups }
}

/// The `topology.conf` ClusterShell would use: of `/etc/clustershell/`,
/// `~/.local/etc/clustershell/`, `$XDG_CONFIG_HOME/clustershell/` (default
/// `~/.config/clustershell/`) and `$CLUSTERSHELL_CFGDIR/`, the last one
/// holding the file (ClusterShell also looks under its Python installation
/// prefix, which has no meaning here).
pub fn find_topology_file() -> Option<std::path::PathBuf> {
    let env = |name: &str| std::env::var_os(name).map(std::path::PathBuf::from);
    topology_candidates(
        env("HOME"),
        env("XDG_CONFIG_HOME"),
        env("CLUSTERSHELL_CFGDIR"),
    )
    .into_iter()
    .rev()
    .find(|path| path.is_file())
}

/// The candidate paths, lowest precedence first.
fn topology_candidates(
    home: Option<std::path::PathBuf>,
    xdg: Option<std::path::PathBuf>,
    cfgdir: Option<std::path::PathBuf>,
) -> Vec<std::path::PathBuf> {
    const NAME: &str = "topology.conf";
    let mut paths = vec![Path::new("/etc/clustershell").join(NAME)];
    if let Some(home) = &home {
        paths.push(home.join(".local/etc/clustershell").join(NAME));
    }
    if let Some(config) = xdg.or_else(|| home.map(|h| h.join(".config"))) {
        paths.push(config.join("clustershell").join(NAME));
    }
    if let Some(dir) = cfgdir {
        paths.push(dir.join(NAME));
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn candidates_follow_clustershell_precedence() {
        let paths = topology_candidates(Some("/home/u".into()), None, Some("/cfg".into()));
        let expected: Vec<PathBuf> = [
            "/etc/clustershell/topology.conf",
            "/home/u/.local/etc/clustershell/topology.conf",
            "/home/u/.config/clustershell/topology.conf",
            "/cfg/topology.conf",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        assert_eq!(paths, expected);
        let xdg = topology_candidates(Some("/home/u".into()), Some("/x".into()), None);
        assert_eq!(
            xdg.last(),
            Some(&PathBuf::from("/x/clustershell/topology.conf"))
        );
    }
}
