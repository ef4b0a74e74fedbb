//! `groups.conf` and what it points to (`confdir`, `autodir`, `default`),
//! read as ClusterShell's `GroupResolverConfig` reads them.

use std::path::{Component, Path, PathBuf};

use crate::ini::{Ini, interpolated};
use crate::source::{Source, UpcallSource, Upcalls};
use crate::template::substitute;
use crate::{Error, yaml};

/// The sources a configuration declares, in ClusterShell's order
/// (`confdir` files, `autodir` YAML files, then `groups.conf` itself), and
/// its default source name.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    pub(crate) sources: Vec<Source>,
    pub(crate) default: Option<String>,
}

impl Loaded {
    fn add(&mut self, source: Source) -> Result<(), Error> {
        if self.sources.iter().any(|s| s.name() == source.name()) {
            return Err(Error::Other(format!(
                "GroupSource '{}': name collision",
                source.name()
            )));
        }
        self.sources.push(source);
        Ok(())
    }
}

/// Reads the files of `paths` (lowest priority first; missing ones are
/// skipped) and everything they point to.
pub(crate) fn load(paths: &[PathBuf]) -> Result<Loaded, Error> {
    let mut ini = Ini::new();
    let parsed = ini.read_files(paths)?;
    let mut loaded = Loaded::default();
    let Some(last) = parsed.last() else {
        return Ok(loaded);
    };
    let cfgdir = last.parent().map(Path::to_path_buf).unwrap_or_default();
    let cfgdir_text = cfgdir.display().to_string();
    let confdir_key = if ini.get("Main", "groupsdir").is_some() {
        "groupsdir"
    } else {
        "confdir"
    };
    for dir in dirs(&ini, confdir_key, &cfgdir_text, "confdir")? {
        for file in files_in(&dir, ".conf") {
            let mut part = Ini::new();
            part.read_files(&[&file])?;
            sources_from_ini(&mut loaded, &part, &dir)?;
        }
    }
    for dir in dirs(&ini, "autodir", &cfgdir_text, "autodir")? {
        for file in files_in(&dir, ".yaml") {
            match yaml::load_file(&file) {
                Ok(sources) => {
                    for source in sources {
                        loaded.add(Source::File(source))?;
                    }
                }
                // ClusterShell skips the YAML files it may not read.
                Err(_) if unreadable(&file) => {}
                Err(e) => return Err(e),
            }
        }
    }
    sources_from_ini(&mut loaded, &ini, &cfgdir)?;
    default_source(&mut loaded, &ini)?;
    Ok(loaded)
}

/// `[Main] default`, which must name a source unless empty; else the first
/// source.
fn default_source(loaded: &mut Loaded, ini: &Ini) -> Result<(), Error> {
    if let Some(name) = ini.get("Main", "default").map(interpolated) {
        if loaded.sources.iter().any(|s| s.name() == name) {
            loaded.default = Some(name);
        } else if !name.is_empty() {
            return Err(Error::Config(format!(
                "Default group source not found: \"{name}\""
            )));
        }
    }
    if loaded.default.is_none() {
        loaded.default = loaded.sources.first().map(|s| s.name().to_owned());
    }
    Ok(())
}

/// The existing directories of `[Main] key` (shell words, `$CFGDIR`
/// substituted, normalised, each once).
fn dirs(ini: &Ini, key: &str, cfgdir: &str, what: &str) -> Result<Vec<PathBuf>, Error> {
    let Some(value) = ini.get("Main", key).map(interpolated) else {
        return Ok(Vec::new());
    };
    let mut out: Vec<PathBuf> = Vec::new();
    for word in shell_words(&value)? {
        let dir = normpath(&substitute(&word, &[("CFGDIR", cfgdir)]));
        if out.contains(&dir) {
            continue;
        }
        if !dir.is_dir() {
            if dir.exists() {
                return Err(Error::Config(format!(
                    "Defined {what} {} is not a directory",
                    dir.display()
                )));
            }
            continue;
        }
        out.push(dir);
    }
    Ok(out)
}

/// The files `dir/*suffix` as Python's `sorted(glob(...))` lists them.
fn files_in(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            (!name.starts_with('.') && name.ends_with(suffix)).then(|| {
                let path = dir.join(&name);
                (path.display().to_string(), path)
            })
        })
        .collect();
    files.sort();
    files.into_iter().map(|(_, p)| p).collect()
}

fn unreadable(file: &Path) -> bool {
    matches!(std::fs::File::open(file), Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied)
}

/// One upcall source per name of each section (`[a,b]` names two), except
/// `Main`; `cfgdir` is where their upcalls run.
fn sources_from_ini(loaded: &mut Loaded, ini: &Ini, cfgdir: &Path) -> Result<(), Error> {
    for (section, options) in ini.sections() {
        for name in section.split(',').filter(|n| *n != "Main") {
            if !options.has("map") && !options.has("mapall") {
                return Err(Error::Config(format!(
                    "No option 'map' or 'mapall' in section: '{section}'"
                )));
            }
            let cache_time = match options.get("cache_time") {
                Some(text) => Some(python_float(text)?),
                None => None,
            };
            let upcalls = Upcalls {
                map: options.get("map").map(str::to_owned),
                mapall: options.get("mapall").map(str::to_owned),
                all: options.get("all").map(str::to_owned),
                list: options.get("list").map(str::to_owned),
                reverse: options.get("reverse").map(str::to_owned),
            };
            let source = UpcallSource::new(name, upcalls, cfgdir.to_owned(), cache_time);
            // A collision here is a configuration error for ClusterShell
            // (one with a YAML source added earlier is not).
            loaded
                .add(Source::Upcall(Box::new(source)))
                .map_err(|e| Error::Config(e.to_string()))?;
        }
    }
    Ok(())
}

/// Python's `float(text)` for the usual spellings.
fn python_float(text: &str) -> Result<f64, Error> {
    let trimmed = text.trim().replace('_', "");
    trimmed
        .parse::<f64>()
        .map_err(|_| Error::Config(format!("could not convert string to float: '{text}'")))
}

/// Python's `os.path.normpath` (lexical: `.`, `..` and repeated `/`).
pub(crate) fn normpath(path: &str) -> PathBuf {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(p) => parts.push(p.to_str().unwrap_or("")),
            Component::ParentDir => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if absolute => {}
                _ => parts.push(".."),
            },
            _ => {}
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => PathBuf::from(format!("/{joined}")),
        (false, true) => PathBuf::from("."),
        (false, false) => PathBuf::from(joined),
    }
}

/// Python's `shlex.split` (POSIX mode: quotes, backslashes, `#` comments).
pub(crate) fn shell_words(text: &str) -> Result<Vec<String>, Error> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => words.extend(word.take()),
            '#' if word.is_none() => break,
            '\\' => {
                let next = chars
                    .next()
                    .ok_or_else(|| Error::Other("No escaped character".to_owned()))?;
                word.get_or_insert_with(String::new).push(next);
            }
            '\'' | '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        None => return Err(Error::Other("No closing quotation".to_owned())),
                        Some(q) if q == c => break,
                        Some('\\') if c == '"' => match chars.next() {
                            Some(e @ ('"' | '\\' | '$' | '`')) => w.push(e),
                            Some(e) => {
                                w.push('\\');
                                w.push(e);
                            }
                            None => return Err(Error::Other("No closing quotation".to_owned())),
                        },
                        Some(other) => w.push(other),
                    }
                }
            }
            other => word.get_or_insert_with(String::new).push(other),
        }
    }
    words.extend(word);
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normpath_and_shell_words_as_python() {
        assert_eq!(normpath("/a//b/./c/../d/"), PathBuf::from("/a/b/d"));
        assert_eq!(normpath("a/../../b"), PathBuf::from("../b"));
        assert_eq!(normpath("/../x"), PathBuf::from("/x"));
        let words = shell_words("/etc/a '$CFGDIR/b c' d\\ e # f").unwrap();
        assert_eq!(words, ["/etc/a", "$CFGDIR/b c", "d e"]);
        assert!(shell_words("'open").is_err());
    }
}
