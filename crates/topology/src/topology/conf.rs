//! The subset of Python's `configparser` that `topology.conf` goes through,
//! with the same rules: `[section]` headers, `key: value` or `key = value`
//! (first delimiter wins), full-line `#` and `;` comments, indented
//! continuation lines, case-sensitive keys, duplicates refused, `[DEFAULT]`
//! entries merged into every section and `%` interpolation in values.

use crate::Error;
use crate::pystr::{is_space, strip};
use std::collections::HashMap;

/// Section ClusterShell reads, and the one it falls back to.
const ROUTES: &str = "routes";
const MAIN: &str = "Main";
const DEFAULT: &str = "DEFAULT";

/// Python's `MAX_INTERPOLATION_DEPTH`.
const MAX_INTERPOLATION_DEPTH: usize = 10;

/// One `key: value` entry: its 1-based line, key and (joined) value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) line: usize,
    pub(crate) key: String,
    pub(crate) value: String,
}

/// An entry being read: continuation lines still to join.
struct Pending {
    line: usize,
    key: String,
    lines: Vec<String>,
}

#[derive(Default)]
struct Section {
    entries: Vec<Pending>,
}

fn syntax(line: usize, reason: impl Into<String>) -> Error {
    Error::ConfigSyntax {
        line,
        reason: reason.into(),
    }
}

/// The header of a section line (`[name]`, Python's permissive `\[(.+)\]`
/// matched at the start of the stripped line).
fn section_header(value: &str) -> Option<&str> {
    let rest = value.strip_prefix('[')?;
    let end = rest.rfind(']')?;
    (end > 0).then(|| &rest[..end])
}

/// Indentation as Python's `NONSPACECRE.search(line).start()` counts it.
fn indent(line: &str) -> usize {
    line.chars().position(|c| !is_space(c)).unwrap_or(0)
}

/// Parser state over the lines of a file.
#[derive(Default)]
struct Reader {
    sections: Vec<(String, Section)>,
    defaults: Section,
    /// Index in `sections` of the current one; `Some(None)` is `[DEFAULT]`.
    current: Option<Option<usize>>,
    seen_sections: Vec<String>,
    /// Whether an option is open for continuation lines.
    open: bool,
    indent_level: usize,
}

impl Reader {
    fn section_mut(&mut self) -> Option<&mut Section> {
        match self.current? {
            None => Some(&mut self.defaults),
            Some(i) => self.sections.get_mut(i).map(|(_, s)| s),
        }
    }

    fn current_name(&self) -> &str {
        match self.current {
            Some(Some(i)) => &self.sections[i].0,
            _ => DEFAULT,
        }
    }

    fn line(&mut self, lineno: usize, line: &str) -> Result<(), Error> {
        let trimmed = strip(line);
        let comment = trimmed.starts_with('#') || trimmed.starts_with(';');
        let value = if comment { "" } else { trimmed };
        if value.is_empty() {
            // An empty line (not a comment) is kept inside a value.
            if !comment && self.open {
                if let Some(last) = self.section_mut().and_then(|s| s.entries.last_mut()) {
                    last.lines.push(String::new());
                }
            }
            return Ok(());
        }
        let level = indent(line);
        if self.open && level > self.indent_level {
            if let Some(last) = self.section_mut().and_then(|s| s.entries.last_mut()) {
                last.lines.push(value.to_owned());
            }
            return Ok(());
        }
        self.indent_level = level;
        if let Some(name) = section_header(value) {
            self.open_section(lineno, name)?;
            return Ok(());
        }
        if self.current.is_none() {
            return Err(syntax(lineno, "no section header before this line"));
        }
        self.option(lineno, value)
    }

    fn open_section(&mut self, lineno: usize, name: &str) -> Result<(), Error> {
        self.open = false;
        if let Some(i) = self.sections.iter().position(|(n, _)| n == name) {
            if self.seen_sections.iter().any(|n| n == name) {
                return Err(syntax(lineno, format!("section [{name}] already exists")));
            }
            self.current = Some(Some(i));
        } else if name == DEFAULT {
            self.current = Some(None);
        } else {
            self.sections.push((name.to_owned(), Section::default()));
            self.current = Some(Some(self.sections.len() - 1));
        }
        if name != DEFAULT {
            self.seen_sections.push(name.to_owned());
        }
        Ok(())
    }

    fn option(&mut self, lineno: usize, value: &str) -> Result<(), Error> {
        let Some(at) = value.find(['=', ':']) else {
            return Err(syntax(lineno, "expected `nodes: nodes`"));
        };
        let key = value[..at].trim_end_matches(is_space);
        if key.is_empty() {
            return Err(syntax(lineno, "missing node set before the delimiter"));
        }
        let section = self.current_name().to_owned();
        let Some(current) = self.section_mut() else {
            return Err(syntax(lineno, "no section header before this line"));
        };
        if current.entries.iter().any(|e| e.key == key) {
            return Err(syntax(
                lineno,
                format!("option {key:?} in section [{section}] already exists"),
            ));
        }
        let lines = vec![strip(&value[at + 1..]).to_owned()];
        current.entries.push(Pending {
            line: lineno,
            key: key.to_owned(),
            lines,
        });
        self.open = true;
        Ok(())
    }
}

/// `%` interpolation of `value` (Python's `BasicInterpolation`): `%%` is a
/// `%`, `%(key)s` the value of `key` in `map`.
fn interpolate(
    value: &str,
    map: &HashMap<&str, &str>,
    line: usize,
    depth: usize,
) -> Result<String, Error> {
    if depth > MAX_INTERPOLATION_DEPTH {
        return Err(syntax(line, "interpolation too deeply nested"));
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix("%%") {
            out.push('%');
            rest = after;
        } else if let Some(inner) = rest.strip_prefix("%(") {
            let Some(end) = inner.find(")s") else {
                return Err(syntax(
                    line,
                    format!("bad interpolation syntax in {value:?}"),
                ));
            };
            let Some(found) = map.get(&inner[..end]) else {
                return Err(syntax(
                    line,
                    format!("no option {:?} to interpolate", &inner[..end]),
                ));
            };
            out.push_str(&interpolate(found, map, line, depth + 1)?);
            rest = &inner[end + 2..];
        } else {
            return Err(syntax(
                line,
                format!("'%' must be followed by '%' or '(' in {value:?}"),
            ));
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Reads `text` as ClusterShell's `TopologyParser` does and returns the
/// entries of `[routes]` (or `[Main]` without it), `[DEFAULT]` ones first.
pub(crate) fn route_entries(text: &str) -> Result<Vec<Entry>, Error> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut reader = Reader::default();
    for (i, line) in text.split('\n').enumerate() {
        reader.line(i + 1, line)?;
    }
    let Reader {
        sections, defaults, ..
    } = reader;
    let section = sections
        .iter()
        .find(|(n, _)| n == ROUTES)
        .or_else(|| sections.iter().find(|(n, _)| n == MAIN))
        .map(|(_, s)| s)
        .ok_or(Error::NoRoutesSection)?;
    // Section entries override defaults of the same key, in place.
    let mut merged: Vec<(usize, &str, String)> = Vec::new();
    for pending in defaults.entries.iter().chain(&section.entries) {
        let joined = pending
            .lines
            .join("\n")
            .trim_end_matches(is_space)
            .to_owned();
        match merged.iter_mut().find(|(_, k, _)| *k == pending.key) {
            Some(slot) => *slot = (pending.line, &pending.key, joined),
            None => merged.push((pending.line, &pending.key, joined)),
        }
    }
    let map: HashMap<&str, &str> = merged.iter().map(|(_, k, v)| (*k, v.as_str())).collect();
    merged
        .iter()
        .map(|(line, key, value)| {
            Ok(Entry {
                line: *line,
                key: (*key).to_owned(),
                value: interpolate(value, &map, *line, 1)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(text: &str) -> Result<Vec<(usize, String, String)>, String> {
        route_entries(text)
            .map(|v| v.into_iter().map(|e| (e.line, e.key, e.value)).collect())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn reads_like_configparser() {
        let text = "# c\n[routes]\na: b\n c\n\n  ; x\n  d\nx = y:z\n[other]\nq: r\n";
        assert_eq!(
            entries(text),
            Ok(vec![
                (3, "a".into(), "b\nc\n\nd".into()),
                (8, "x".into(), "y:z".into())
            ])
        );
        assert_eq!(
            entries("[Main]\na:b\n"),
            Ok(vec![(2, "a".into(), "b".into())])
        );
        let defaults = "[DEFAULT]\nz: 1\na: 0\n[routes]\na: %(z)s%%\n";
        assert_eq!(
            entries(defaults),
            Ok(vec![
                (2, "z".into(), "1".into()),
                (5, "a".into(), "1%".into())
            ])
        );
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(
            entries("a: b\n").unwrap_err(),
            "line 1: invalid configuration file: no section header before this line"
        );
        assert!(entries("[routes]\na\n").unwrap_err().starts_with("line 2:"));
        assert!(
            entries("[routes]\na: b\na: c\n")
                .unwrap_err()
                .starts_with("line 3:")
        );
        assert!(
            entries("[routes]\n[routes]\n")
                .unwrap_err()
                .starts_with("line 2:")
        );
        assert!(
            entries("[routes]\n: b\n")
                .unwrap_err()
                .starts_with("line 2:")
        );
        assert!(
            entries("[routes]\na: 5%\n")
                .unwrap_err()
                .starts_with("line 2:")
        );
        assert_eq!(
            entries("[x]\n").unwrap_err(),
            "invalid configuration file: no [routes] section"
        );
    }
}
