//! Group sources: where the nodes of a group come from (ClusterShell's
//! `UpcallGroupSource` and `FileGroupSource`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::Error;
use crate::template::substitute;

/// ClusterShell's default upcall cache lifetime, in seconds.
pub const DEFAULT_CACHE_TIME: f64 = 3600.0;

/// The shell commands of an upcall source (a `groups.conf` section).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Upcalls {
    /// `map`: the nodes of `$GROUP`.
    pub map: Option<String>,
    /// `mapall`: every `group: nodes` line at once.
    pub mapall: Option<String>,
    /// `all`: every node of the source.
    pub all: Option<String>,
    /// `list`: the group names.
    pub list: Option<String>,
    /// `reverse`: the groups of `$NODE`.
    pub reverse: Option<String>,
}

/// A cached upcall result and when it expires.
type Cached = (String, Instant);

/// A source whose groups are the output of shell commands, run with
/// `/bin/sh -c` in `cfgdir`, results kept for `cache_time` seconds.
#[derive(Debug, Clone)]
pub struct UpcallSource {
    name: String,
    upcalls: Upcalls,
    cfgdir: PathBuf,
    cache_time: f64,
    maps: HashMap<String, Cached>,
    reverses: HashMap<String, Cached>,
    others: HashMap<String, Cached>,
}

impl UpcallSource {
    /// A source named `name` with these upcalls, run in `cfgdir` (also
    /// their `$CFGDIR`); `cache_time` in seconds (default 3600).
    pub fn new(name: &str, upcalls: Upcalls, cfgdir: PathBuf, cache_time: Option<f64>) -> Self {
        UpcallSource {
            name: name.to_owned(),
            upcalls,
            cfgdir,
            cache_time: cache_time.unwrap_or(DEFAULT_CACHE_TIME),
            maps: HashMap::new(),
            reverses: HashMap::new(),
            others: HashMap::new(),
        }
    }

    fn command(&self, upcall: &'static str) -> Option<&str> {
        let u = &self.upcalls;
        match upcall {
            "map" => u.map.as_deref(),
            "mapall" => u.mapall.as_deref(),
            "all" => u.all.as_deref(),
            "list" => u.list.as_deref(),
            _ => u.reverse.as_deref(),
        }
    }

    /// Runs `upcall` with `args` (plus `$CFGDIR` and `$SOURCE`) unless a
    /// fresh result is in the cache (`ClusterShell's _upcall_cache`).
    fn cached(
        &mut self,
        upcall: &'static str,
        key: &str,
        args: &[(&str, &str)],
    ) -> Result<String, Error> {
        let now = Instant::now();
        let cache = match upcall {
            "map" => &self.maps,
            "reverse" => &self.reverses,
            _ => &self.others,
        };
        let lookup = if matches!(upcall, "map" | "reverse") {
            key
        } else {
            upcall
        };
        if let Some((value, expiry)) = cache.get(lookup) {
            if *expiry >= now {
                return Ok(value.clone());
            }
        }
        let Some(template) = self.command(upcall) else {
            return Err(Error::NoUpcall {
                upcall,
                source_name: self.name.clone(),
            });
        };
        let cfgdir = self.cfgdir.display().to_string();
        let mut vars = vec![("CFGDIR", cfgdir.as_str()), ("SOURCE", self.name.as_str())];
        vars.extend_from_slice(args);
        let cmdline = substitute(template, &vars);
        let output = self.run(&cmdline)?;
        let expiry = now
            + Duration::try_from_secs_f64(self.cache_time.max(0.0)).unwrap_or(Duration::MAX / 2);
        let entry = (output.clone(), expiry);
        match upcall {
            "map" => self.maps.insert(lookup.to_owned(), entry),
            "reverse" => self.reverses.insert(lookup.to_owned(), entry),
            other => self.others.insert(other.to_owned(), entry),
        };
        Ok(output)
    }

    /// Runs one upcall command line; its standard output, trimmed.
    fn run(&self, cmdline: &str) -> Result<String, Error> {
        let output = Command::new("/bin/sh")
            .arg("-c")
            .arg(cmdline)
            .current_dir(&self.cfgdir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| Error::io(&e, &self.cfgdir))?;
        if !output.status.success() {
            return Err(Error::QueryFailed {
                cmdline: cmdline.to_owned(),
                source_name: self.name.clone(),
            });
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }

    /// The `mapall` lines as groups and nodes (duplicate groups joined).
    fn mapall(&mut self) -> Result<Vec<(String, String)>, Error> {
        let content = self.cached("mapall", "", &[])?;
        let mut groups: Vec<(String, String)> = Vec::new();
        for line in content.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (group, nodes) = line.split_once(':').unwrap_or((line, ""));
            let group = group.trim();
            if !line.contains(':') || group.is_empty() || group.split_whitespace().count() > 1 {
                self.others.remove("mapall");
                return Err(Error::QueryFailed {
                    cmdline: format!(
                        "mapall: invalid line {} (expected 'group: nodes')",
                        crate::ini::python_repr(line)
                    ),
                    source_name: self.name.clone(),
                });
            }
            let nodes = nodes.trim();
            match groups.iter_mut().find(|(g, _)| g == group) {
                Some((_, known)) if !nodes.is_empty() => {
                    if !known.is_empty() {
                        known.push(',');
                    }
                    known.push_str(nodes);
                }
                Some(_) => {}
                None => groups.push((group.to_owned(), nodes.to_owned())),
            }
        }
        Ok(groups)
    }
}

/// A source read from a YAML file of the `autodir` (one top-level key).
#[derive(Debug, Clone, PartialEq)]
pub struct FileSource {
    name: String,
    groups: Vec<(String, String)>,
}

impl FileSource {
    /// A source named `name` with these groups and their node sets, in
    /// file order; the group `all`, if any, is what `@source:*` gives.
    pub fn new(name: &str, groups: Vec<(String, String)>) -> FileSource {
        FileSource {
            name: name.to_owned(),
            groups,
        }
    }

    fn get(&self, group: &str) -> Option<&str> {
        self.groups
            .iter()
            .find(|(g, _)| g == group)
            .map(|(_, n)| n.as_str())
    }
}

/// One group source.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Source {
    /// Shell commands (a `groups.conf` section).
    Upcall(Box<UpcallSource>),
    /// A YAML mapping of an `autodir` file.
    File(FileSource),
}

impl Source {
    /// The source's name.
    pub fn name(&self) -> &str {
        match self {
            Source::Upcall(s) => &s.name,
            Source::File(s) => &s.name,
        }
    }

    /// Whether the source can tell the groups of a node.
    pub fn has_reverse(&self) -> bool {
        matches!(self, Source::Upcall(s) if s.upcalls.reverse.is_some())
    }

    /// The raw text of `group`'s nodes (empty for an unknown group of a
    /// file or `mapall` source).
    pub fn map(&mut self, group: &str) -> Result<String, Error> {
        match self {
            Source::File(s) => Ok(s.get(group).unwrap_or("").to_owned()),
            Source::Upcall(s) if s.upcalls.map.is_none() && s.upcalls.mapall.is_some() => {
                let groups = s.mapall()?;
                Ok(groups
                    .into_iter()
                    .find(|(g, _)| g == group)
                    .map(|(_, n)| n)
                    .unwrap_or_default())
            }
            Source::Upcall(s) => s.cached("map", group, &[("GROUP", group)]),
        }
    }

    /// The raw text of the group names (whitespace separated).
    pub fn list(&mut self) -> Result<String, Error> {
        match self {
            Source::File(s) => Ok(names(&s.groups)),
            Source::Upcall(s) if s.upcalls.list.is_none() && s.upcalls.mapall.is_some() => {
                Ok(names(&s.mapall()?))
            }
            Source::Upcall(s) => s.cached("list", "", &[]),
        }
    }

    /// The raw text of every node (`NoUpcall` when the source has none).
    pub fn all(&mut self) -> Result<String, Error> {
        match self {
            Source::File(s) => s
                .get("all")
                .map(str::to_owned)
                .ok_or_else(|| Error::NoUpcall {
                    upcall: "all",
                    source_name: s.name.clone(),
                }),
            Source::Upcall(s) => s.cached("all", "", &[]),
        }
    }

    /// The raw text of the groups of `node`.
    pub fn reverse(&mut self, node: &str) -> Result<String, Error> {
        match self {
            Source::File(s) => Err(Error::NoUpcall {
                upcall: "reverse",
                source_name: s.name.clone(),
            }),
            Source::Upcall(s) => s.cached("reverse", node, &[("NODE", node)]),
        }
    }
}

fn names(groups: &[(String, String)]) -> String {
    groups
        .iter()
        .map(|(g, _)| g.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}
