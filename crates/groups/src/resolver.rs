//! The group resolver: sources by name, a default one, and node set
//! expressions with groups (ClusterShell's `GroupResolver` and the group
//! half of its `ParsingEngine`).

use std::path::PathBuf;

use cscomm_topology::{NodeSet, Operand, config_search_path};

use crate::Error;
use crate::config::{self, Loaded};
use crate::source::Source;

/// Characters a group name may not hold (ClusterShell's
/// `ILLEGAL_GROUP_CHARS`).
const ILLEGAL_GROUP_CHARS: [char; 6] = ['@', ',', '!', '&', '^', '*'];

/// How deep groups may refer to groups (Python stops at its recursion
/// limit).
const MAX_DEPTH: usize = 64;

/// Node groups from several sources, with a default source.
///
/// A resolver built from configuration files reads them when first used,
/// as ClusterShell does: a broken `groups.conf` is only an error for a
/// command that uses groups.
///
/// ```
/// use cscomm_groups::{FileSource, GroupResolver, Source};
///
/// let mut resolver = GroupResolver::new();
/// resolver.add_source(Source::File(FileSource::new(
///     "site",
///     vec![("web".into(), "w[1-3]".into()), ("db".into(), "db[1-2]".into())],
/// )))?;
/// let nodes = resolver.parse("@web,@site:db!w2")?;
/// assert_eq!(nodes.to_string(), "db[1-2],w[1,3]");
/// assert_eq!(resolver.parse("@*")?.len(), 5);
/// # Ok::<(), cscomm_groups::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct GroupResolver {
    /// Configuration files still to read (lowest priority first).
    pending: Option<Vec<PathBuf>>,
    sources: Vec<Source>,
    default: Option<String>,
}

impl GroupResolver {
    /// A resolver without sources.
    pub fn new() -> GroupResolver {
        GroupResolver::default()
    }

    /// A resolver configured by the `groups.conf` files of `paths`, lowest
    /// priority first (all that exist are read, later values winning; the
    /// directory of the last one is `$CFGDIR`), read when first used.
    pub fn from_config_files(paths: Vec<PathBuf>) -> GroupResolver {
        GroupResolver {
            pending: Some(paths),
            ..GroupResolver::default()
        }
    }

    /// A resolver configured where ClusterShell 1.10 looks for
    /// `groups.conf`: `/etc/clustershell`, `~/.local/etc/clustershell`,
    /// `$XDG_CONFIG_HOME/clustershell` (default `~/.config`) and
    /// `$CLUSTERSHELL_CFGDIR`, in that order of priority.
    pub fn from_default_config() -> GroupResolver {
        let mut paths = config_search_path("groups.conf", None);
        paths.reverse();
        GroupResolver::from_config_files(paths)
    }

    /// Reads the configuration if not read yet.
    fn ready(&mut self) -> Result<(), Error> {
        if let Some(paths) = &self.pending {
            let Loaded { sources, default } = config::load(paths)?;
            self.pending = None;
            let added = std::mem::replace(&mut self.sources, sources);
            self.default = self.default.take().or(default);
            for source in added {
                self.add_source(source)?;
            }
        }
        Ok(())
    }

    /// Adds a source (an error if one has its name); the first source
    /// added to a resolver without a default becomes its default.
    pub fn add_source(&mut self, source: Source) -> Result<(), Error> {
        if self.pending.is_some() {
            self.ready()?;
        }
        if self.sources.iter().any(|s| s.name() == source.name()) {
            return Err(Error::Other(format!(
                "GroupSource '{}': name collision",
                source.name()
            )));
        }
        if self.default.is_none() {
            self.default = Some(source.name().to_owned());
        }
        self.sources.push(source);
        Ok(())
    }

    /// Makes `name` the default source (`-s`/`--groupsource`).
    pub fn set_default_source(&mut self, name: &str) -> Result<(), Error> {
        self.ready()?;
        if !self.sources.iter().any(|s| s.name() == name) {
            return Err(Error::UnknownSource(name.to_owned()));
        }
        self.default = Some(name.to_owned());
        Ok(())
    }

    /// The default source's name, if any.
    pub fn default_source_name(&mut self) -> Result<Option<&str>, Error> {
        self.ready()?;
        Ok(self.default.as_deref())
    }

    /// The source names, the default first.
    pub fn source_names(&mut self) -> Result<Vec<String>, Error> {
        self.ready()?;
        let mut names: Vec<String> = self.sources.iter().map(|s| s.name().to_owned()).collect();
        if let Some(pos) = self
            .default
            .as_ref()
            .and_then(|d| names.iter().position(|n| n == d))
        {
            let default = names.remove(pos);
            names.insert(0, default);
        }
        Ok(names)
    }

    /// The source `name`, or the default one.
    fn source(&mut self, name: Option<&str>) -> Result<&mut Source, Error> {
        self.ready()?;
        let wanted = name.filter(|n| !n.is_empty()).or(self.default.as_deref());
        let wanted = wanted.map(str::to_owned);
        let found = wanted
            .as_deref()
            .and_then(|w| self.sources.iter_mut().find(|s| s.name() == w));
        found.ok_or_else(|| {
            Error::UnknownSource(
                name.filter(|n| !n.is_empty())
                    .unwrap_or("<default>")
                    .to_owned(),
            )
        })
    }

    /// The node set texts of `group` in `source` (default: the default
    /// source); an unknown group of a YAML source has none.
    pub fn group_nodes(&mut self, group: &str, source: Option<&str>) -> Result<Vec<String>, Error> {
        Ok(words(&self.source(source)?.map(group)?))
    }

    /// The group names of `source`, as its `list` gives them.
    pub fn group_names(&mut self, source: Option<&str>) -> Result<Vec<String>, Error> {
        let raw = self.source(source)?.list()?;
        checked_group_names(&raw)
    }

    /// The groups `node` belongs to in `source` (its `reverse` upcall).
    pub fn node_groups(&mut self, node: &str, source: Option<&str>) -> Result<Vec<String>, Error> {
        let raw = self.source(source)?.reverse(node)?;
        checked_group_names(&raw)
    }

    /// Whether `source` can tell the groups of a node.
    pub fn has_node_groups(&mut self, source: Option<&str>) -> bool {
        self.source(source).is_ok_and(|s| s.has_reverse())
    }

    /// Parses a node set expression, resolving `@group`, `@source:group`,
    /// `@*`, `@source:*`, `@@source` and node wildcards, with the `,` `!`
    /// `&` `^` operators (ClusterShell's `NodeSet(text)`). A failing upcall
    /// is a parse error naming the command and `text`.
    pub fn parse(&mut self, text: &str) -> Result<NodeSet, Error> {
        self.parse_in(text, None, true, 0)
            .map_err(|e| wrap(e, text))
    }

    /// Every node of `source` (default: the default source), as
    /// ClusterShell's `NodeSet.fromall` gives them (`-a`).
    pub fn all(&mut self, source: Option<&str>) -> Result<NodeSet, Error> {
        let texts = self.all_nodes(source).map_err(|e| match e {
            Error::UnknownSource(n) => group_source_error("GroupResolverSourceError", &n),
            Error::Config(m) => group_source_error("GroupResolverConfigError", &m),
            Error::IllegalChar(m) => group_source_error("GroupResolverIllegalCharError", &m),
            other => other,
        })?;
        let mut all = NodeSet::new();
        for text in texts {
            all.update(&self.parse(&text)?);
        }
        Ok(all)
    }

    fn parse_in(
        &mut self,
        text: &str,
        namespace: Option<&str>,
        wildcards: bool,
        depth: usize,
    ) -> Result<NodeSet, Error> {
        if depth > MAX_DEPTH {
            return Err(Error::Recursion);
        }
        NodeSet::parse_resolving(text, &mut |operand| match operand {
            Operand::Groups(names) => {
                let mut nodes = NodeSet::new();
                for name in names.iter() {
                    let (text, ns) = self.group_text(&name, namespace)?;
                    if !text.is_empty() {
                        nodes.update(&self.parse_in(&text, ns.as_deref(), wildcards, depth + 1)?);
                    }
                }
                Ok(nodes)
            }
            Operand::Wildcards(masks) if wildcards => self.wildcards(masks, namespace, depth),
            Operand::Wildcards(masks) => Ok(masks.clone()),
            _ => Ok(NodeSet::new()),
        })
    }

    /// One `@name` operand: its nodes' text and the namespace to read it in
    /// (ClusterShell's `parse_group_string`).
    fn group_text(
        &mut self,
        nodegroup: &str,
        namespace: Option<&str>,
    ) -> Result<(String, Option<String>), Error> {
        let grpstr = nodegroup.strip_prefix('@').unwrap_or(nodegroup);
        let (namespace, group) = match grpstr.split_once(':') {
            Some((ns, group)) => (Some(ns.to_owned()), group),
            None => (namespace.map(str::to_owned), grpstr),
        };
        let list = if group == "*" {
            self.all_nodes(namespace.as_deref())?
        } else if group.starts_with('@') {
            self.expanded_group_names(Some(&grpstr[1..]))?
        } else {
            self.group_nodes(group, namespace.as_deref())?
        };
        Ok((list.join(","), namespace))
    }

    /// Group names with their ranges expanded, sorted as a node set.
    fn expanded_group_names(&mut self, source: Option<&str>) -> Result<Vec<String>, Error> {
        let mut set = NodeSet::new();
        for name in self.group_names(source)? {
            set.update(&NodeSet::parse_literal(&name)?);
        }
        Ok(set.iter().collect())
    }

    /// The node set texts of every node (`all`, else every group by `list`
    /// and `map`), ClusterShell's `ParsingEngine.all_nodes`.
    fn all_nodes(&mut self, source: Option<&str>) -> Result<Vec<String>, Error> {
        match self.source(source)?.all() {
            Ok(raw) => Ok(words(&raw)),
            Err(Error::NoUpcall { .. }) => {
                let mut all = Vec::new();
                for group in self.expanded_group_names(source).map_err(no_methods)? {
                    all.extend(self.group_nodes(&group, source).map_err(no_methods)?);
                }
                Ok(all)
            }
            Err(Error::QueryFailed { cmdline, .. }) => Err(Error::External(format!(
                "Failed to get all nodes: {cmdline}"
            ))),
            Err(e) => Err(e),
        }
    }

    /// The nodes matching wildcard masks among every node of `namespace`.
    fn wildcards(
        &mut self,
        masks: &NodeSet,
        namespace: Option<&str>,
        depth: usize,
    ) -> Result<NodeSet, Error> {
        let mut all = NodeSet::new();
        for text in self.all_nodes(namespace)? {
            all.update(&self.parse_in(&text, namespace, false, depth + 1)?);
        }
        let mut names: Vec<String> = all.iter().collect();
        let mut matched = Vec::new();
        for mask in masks.iter() {
            let (hit, rest): (Vec<String>, Vec<String>) =
                names.into_iter().partition(|n| wildcard_match(&mask, n));
            matched.extend(hit);
            names = rest;
        }
        Ok(NodeSet::from_names(matched))
    }
}

/// Python's `str.split()` over each line: the words of an upcall's output.
fn words(raw: &str) -> Vec<String> {
    raw.split_whitespace().map(str::to_owned).collect()
}

/// Group names, refusing the characters ClusterShell refuses.
fn checked_group_names(raw: &str) -> Result<Vec<String>, Error> {
    let mut names = Vec::new();
    for word in raw.split_whitespace() {
        let bad: Vec<String> = ILLEGAL_GROUP_CHARS
            .iter()
            .filter(|c| word.contains(**c))
            .map(char::to_string)
            .collect();
        if !bad.is_empty() {
            return Err(Error::IllegalChar(bad.join(" ")));
        }
        names.push(word.to_owned());
    }
    Ok(names)
}

/// `NoUpcall` while listing all nodes the slow way.
fn no_methods(error: Error) -> Error {
    match error {
        Error::NoUpcall { .. } => Error::External(
            "Not enough working methods (all or map + list) to get all nodes".to_owned(),
        ),
        other => other,
    }
}

fn group_source_error(class: &str, message: &str) -> Error {
    Error::External(format!("Group source error ({class}: {message})"))
}

/// What ClusterShell's `NodeSet(text)` turns into a parse error of `text`.
fn wrap(error: Error, text: &str) -> Error {
    let part = text.replace('%', "%%");
    match error {
        Error::QueryFailed { cmdline, .. } => Error::Parse(format!("{cmdline}: \"{part}\"")),
        Error::Recursion => Error::Parse(format!("maximum recursion depth exceeded: \"{part}\"")),
        other => other,
    }
}

/// `fnmatch` of `*` and `?` (the only wildcards left once brackets are
/// ranges).
pub(crate) fn wildcard_match(mask: &str, name: &str) -> bool {
    let (m, n): (Vec<char>, Vec<char>) = (mask.chars().collect(), name.chars().collect());
    let (mut mi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match m.get(mi) {
            Some('*') => {
                star = Some((mi, ni));
                mi += 1;
            }
            Some(&c) if c == '?' || c == n[ni] => {
                mi += 1;
                ni += 1;
            }
            _ => match star {
                Some((smi, sni)) => {
                    mi = smi + 1;
                    ni = sni + 1;
                    star = Some((smi, sni + 1));
                }
                None => return false,
            },
        }
    }
    m[mi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FileSource;

    fn resolver() -> GroupResolver {
        let mut r = GroupResolver::new();
        let groups = [("web", "w[1-3]"), ("db", "db[1-2]"), ("both", "@web,@db")];
        let groups = groups
            .iter()
            .map(|(g, n)| ((*g).to_owned(), (*n).to_owned()))
            .collect();
        r.add_source(Source::File(FileSource::new("site", groups)))
            .unwrap();
        let looping = vec![("loop".to_owned(), "@bad:loop".to_owned())];
        r.add_source(Source::File(FileSource::new("bad", looping)))
            .unwrap();
        r
    }

    #[test]
    fn expressions_with_groups_and_wildcards() {
        let mut r = resolver();
        assert_eq!(r.parse("@both&w[2-9]").unwrap().to_string(), "w[2-3]");
        assert_eq!(r.parse("@site:*^w1").unwrap().to_string(), "db[1-2],w[2-3]");
        assert_eq!(r.parse("w*!w2").unwrap().to_string(), "w[1,3]");
        assert_eq!(r.parse("@@site").unwrap().to_string(), "both,db,web");
        assert_eq!(r.parse("@nope").unwrap().to_string(), "");
        let e = r.parse("@x:y").unwrap_err().message("p");
        assert_eq!(e, "p: Unknown group source: \"x\"");
        let e = r.parse("@bad:loop").unwrap_err().to_string();
        assert!(
            e.starts_with("Parse error: maximum recursion depth exceeded"),
            "{e}"
        );
    }

    #[test]
    fn wildcards_match_like_fnmatch() {
        assert!(wildcard_match("n*", "node1"));
        assert!(wildcard_match("n?de*1", "node11"));
        assert!(!wildcard_match("n?1", "node1"));
        assert!(wildcard_match("*", ""));
    }
}
