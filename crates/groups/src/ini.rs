//! The INI dialect of Python's `configparser.ConfigParser`, as ClusterShell
//! reads `groups.conf` and `clush.conf`: `[section]` headers, `key = value`
//! or `key: value` (keys lower-cased), indented continuation lines, `#` and
//! `;` comment lines, files read in order with later values winning.

use std::path::{Path, PathBuf};

use crate::Error;

/// One section: its options in file order (keys lower-cased).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    options: Vec<(String, String)>,
}

impl Section {
    /// The raw value of `key` (lower-cased), if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        let key = key.to_ascii_lowercase();
        self.options
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `key` is set.
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` (lower-cased) to `value`, keeping its place if it was set.
    pub fn set(&mut self, key: &str, value: &str) {
        let key = key.to_ascii_lowercase();
        match self.options.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => value.clone_into(v),
            None => self.options.push((key, value.to_owned())),
        }
    }

    /// The options, in the order they were first set.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.options.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// Sections in the order they were first read (`ConfigParser`'s state).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ini {
    sections: Vec<(String, Section)>,
}

impl Ini {
    /// An empty configuration.
    pub fn new() -> Ini {
        Ini::default()
    }

    /// Reads each existing, readable file of `paths` in order (like
    /// `ConfigParser.read`: missing or unreadable files are skipped) and
    /// returns those read. A file that does not parse is an error.
    pub fn read_files<P: AsRef<Path>>(&mut self, paths: &[P]) -> Result<Vec<PathBuf>, Error> {
        let mut parsed = Vec::new();
        for path in paths {
            let path = path.as_ref();
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            self.read_str(&text, &path.display().to_string())?;
            parsed.push(path.to_owned());
        }
        Ok(parsed)
    }

    /// Reads `text`, named `source` in errors, over what is already here.
    pub fn read_str(&mut self, text: &str, source: &str) -> Result<(), Error> {
        Reader::new(source).read(self, text)
    }

    /// The section `name`, if present.
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s)
    }

    /// The section `name`, created empty at the end if missing.
    pub fn section_mut(&mut self, name: &str) -> &mut Section {
        let index = match self.sections.iter().position(|(n, _)| n == name) {
            Some(i) => i,
            None => {
                self.sections.push((name.to_owned(), Section::default()));
                self.sections.len() - 1
            }
        };
        &mut self.sections[index].1
    }

    /// The raw value of `key` in `section`.
    pub fn get(&self, section: &str, key: &str) -> Option<&str> {
        self.section(section)?.get(key)
    }

    /// The section names, in order.
    pub fn section_names(&self) -> impl Iterator<Item = &str> {
        self.sections.iter().map(|(n, _)| n.as_str())
    }

    /// The sections, in order.
    pub fn sections(&self) -> impl Iterator<Item = (&str, &Section)> {
        self.sections.iter().map(|(n, s)| (n.as_str(), s))
    }
}

/// A value as `ConfigParser.get` returns it without `raw=True`: `%%` is `%`
/// (the `%(name)s` references of its interpolation are left as written).
pub(crate) fn interpolated(value: &str) -> String {
    value.replace("%%", "%")
}

/// The reading state of one file.
struct Reader<'a> {
    source: &'a str,
    /// Sections and options seen in this file (ClusterShell's parser is
    /// strict: a repeat within one file is an error).
    seen_sections: Vec<String>,
    seen_options: Vec<(String, String)>,
}

impl<'a> Reader<'a> {
    fn new(source: &'a str) -> Reader<'a> {
        Reader {
            source,
            seen_sections: Vec::new(),
            seen_options: Vec::new(),
        }
    }

    fn read(mut self, ini: &mut Ini, text: &str) -> Result<(), Error> {
        let mut section: Option<String> = None;
        // The option a continuation line extends, and its indentation.
        let mut open: Option<(String, usize)> = None;
        for (index, raw) in text.split_inclusive('\n').enumerate() {
            let lineno = index + 1;
            let line = raw.trim_end_matches(['\n', '\r']);
            let trimmed = line.trim();
            let indent = line.len() - line.trim_start().len();
            if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
                if trimmed.is_empty() {
                    open = None;
                }
                continue;
            }
            if let (Some((key, level)), Some(name)) = (&open, &section) {
                if indent > *level {
                    let sect = ini.section_mut(name);
                    let value = format!("{}\n{trimmed}", sect.get(key).unwrap_or(""));
                    sect.set(key, &value);
                    continue;
                }
            }
            open = None;
            if let Some(name) = header(trimmed) {
                self.header(ini, name, lineno)?;
                section = Some(name.to_owned());
                continue;
            }
            let Some(name) = &section else {
                return Err(Error::Ini(format!(
                    "File contains no section headers.\nfile: '{}', line: {lineno}\n{}",
                    self.source,
                    python_repr(raw)
                )));
            };
            let Some((key, value)) = option(trimmed) else {
                return Err(Error::Ini(format!(
                    "Source contains parsing errors: '{}'\n\t[line {lineno:2}]: {}",
                    self.source,
                    python_repr(raw)
                )));
            };
            self.option(ini, name, &key, value, lineno)?;
            open = Some((key, indent));
        }
        Ok(())
    }

    fn header(&mut self, ini: &mut Ini, name: &str, lineno: usize) -> Result<(), Error> {
        if self.seen_sections.iter().any(|s| s == name) {
            return Err(Error::Ini(format!(
                "While reading from '{}' [line {lineno:2}]: section '{name}' already exists",
                self.source
            )));
        }
        self.seen_sections.push(name.to_owned());
        ini.section_mut(name);
        Ok(())
    }

    fn option(
        &mut self,
        ini: &mut Ini,
        section: &str,
        key: &str,
        value: &str,
        lineno: usize,
    ) -> Result<(), Error> {
        let id = (section.to_owned(), key.to_owned());
        if self.seen_options.contains(&id) {
            return Err(Error::Ini(format!(
                "While reading from '{}' [line {lineno:2}]: option '{key}' in section \
                 '{section}' already exists",
                self.source
            )));
        }
        self.seen_options.push(id);
        ini.section_mut(section).set(key, value);
        Ok(())
    }
}

/// Python's `repr` of a string (how its errors quote a line).
pub(crate) fn python_repr(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::from(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// `[name]` on a line of its own (the name as written between the brackets).
fn header(line: &str) -> Option<&str> {
    let inner = line.strip_prefix('[')?;
    let end = inner.rfind(']')?;
    Some(&inner[..end])
}

/// `key = value` or `key: value`, split at the first `=` or `:`.
fn option(line: &str) -> Option<(String, &str)> {
    let at = line.find(['=', ':'])?;
    let key = line[..at].trim();
    if key.is_empty() {
        return None;
    }
    Some((key.to_ascii_lowercase(), line[at + 1..].trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sections_options_and_continuations() {
        let mut ini = Ini::new();
        let text = "# c\n[Main]\nDefault: a\nconfdir = /x /y\n  /z\n\n[a,b]\nmap: echo $GROUP\n";
        ini.read_str(text, "f").unwrap();
        assert_eq!(ini.get("Main", "default"), Some("a"));
        assert_eq!(ini.get("Main", "confdir"), Some("/x /y\n/z"));
        assert_eq!(ini.get("a,b", "map"), Some("echo $GROUP"));
        assert_eq!(ini.section_names().collect::<Vec<_>>(), ["Main", "a,b"]);
    }

    #[test]
    fn lines_are_quoted_as_python_quotes_them() {
        assert_eq!(python_repr("map: x\n"), "'map: x\\n'");
        assert_eq!(python_repr("it's\t"), "\"it's\\t\"");
        assert_eq!(python_repr("'\"\u{1}"), "'\\'\"\\x01'");
    }

    #[test]
    fn later_files_win_and_errors_name_the_file_and_line() {
        let mut ini = Ini::new();
        ini.read_str("[Main]\nfanout: 4\n", "a").unwrap();
        ini.read_str("[Main]\nfanout: 8\n", "b").unwrap();
        assert_eq!(ini.get("Main", "fanout"), Some("8"));
        let e = ini.read_str("fanout: 2\n", "c").unwrap_err().to_string();
        assert!(
            e.contains("no section headers") && e.contains("line: 1"),
            "{e}"
        );
        let e = ini.read_str("[x]\nno separator\n", "d").unwrap_err();
        assert!(e.to_string().contains("[line  2]"), "{e}");
        let e = ini.read_str("[x]\n[x]\n", "e").unwrap_err();
        assert!(e.to_string().contains("section 'x' already exists"), "{e}");
    }
}
