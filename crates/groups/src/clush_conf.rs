//! `clush.conf` as clush 1.10 reads it (`ClushConfig`): defaults, the
//! files, `confdir` parts, command-line overrides in `[Main]`, and the
//! `[mode:NAME]` sections that win over `[Main]` for most keys.

use std::path::{Path, PathBuf};

use cscomm_topology::config_search_path;

use crate::Error;
use crate::config::{normpath, shell_words};
use crate::ini::{Ini, interpolated};
use crate::template::substitute;

const MAIN: &str = "Main";

/// `[Main]` values before any file (clush's `MAIN_DEFAULTS`).
const DEFAULTS: [(&str, &str); 11] = [
    ("fanout", "64"),
    ("connect_timeout", "10.000000"),
    ("command_timeout", "0.000000"),
    ("history_size", "100"),
    ("color", ""),
    ("verbosity", "1"),
    ("node_count", "yes"),
    ("maxrc", "no"),
    ("fd_max", "8192"),
    ("command_prefix", ""),
    ("password_prompt", "no"),
];

/// What the command line sets over the files (clush's options that
/// override `clush.conf`); `None`/`false` leaves the file's value.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ClushOverrides {
    /// `-q`: verbosity 0.
    pub quiet: bool,
    /// `-v`: verbosity 2.
    pub verbose: bool,
    /// `-d`: verbosity 3.
    pub debug: bool,
    /// `-f`.
    pub fanout: Option<usize>,
    /// `-l`.
    pub user: Option<String>,
    /// `-o`.
    pub options: Option<String>,
    /// `-t`.
    pub connect_timeout: Option<f64>,
    /// `-u`.
    pub command_timeout: Option<f64>,
    /// `--color`.
    pub color: Option<String>,
    /// `-S`.
    pub maxrc: bool,
    /// `-O KEY=VALUE`, in order.
    pub set: Vec<String>,
}

/// `--color` and the `color` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    /// Unset: clush's default, no colours.
    Unset,
    /// `never`.
    Never,
    /// `always`.
    Always,
    /// `auto`: when the output is a terminal.
    Auto,
}

/// The typed settings of a [`ClushConfig`] in its mode.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ClushSettings {
    /// Connections at once.
    pub fanout: usize,
    /// Seconds to connect (0: no limit).
    pub connect_timeout: f64,
    /// Seconds per command (0: no limit).
    pub command_timeout: f64,
    /// Interactive history lines (100 when the value is not an integer:
    /// clush reads it only in interactive mode, see
    /// [`ClushConfig::history_size`]).
    pub history_size: i64,
    /// When to colour.
    pub color: Color,
    /// 0 quiet, 1 standard, 2 verbose, 3 debug.
    pub verbosity: i64,
    /// Print node counts in headers.
    pub node_count: bool,
    /// Exit with the largest return code.
    pub maxrc: bool,
    /// Soft limit of open files.
    pub fd_max: i64,
    /// Words put in front of every command.
    pub command_prefix: Option<String>,
    /// Ask for a password first.
    pub password_prompt: bool,
    /// `ssh -l`.
    pub ssh_user: Option<String>,
    /// The ssh program (and its arguments).
    pub ssh_path: Option<String>,
    /// Extra ssh options.
    pub ssh_options: Option<String>,
    /// The scp program.
    pub scp_path: Option<String>,
    /// Extra scp options.
    pub scp_options: Option<String>,
    /// The rsh program.
    pub rsh_path: Option<String>,
    /// The rcp program.
    pub rcp_path: Option<String>,
    /// Extra rsh options.
    pub rsh_options: Option<String>,
}

/// `clush.conf` loaded, overrides applied, and the run mode.
///
/// ```
/// use cscomm_groups::{ClushConfig, ClushOverrides};
///
/// let dir = std::env::temp_dir().join(format!("cscomm-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let file = dir.join("clush.conf");
/// std::fs::write(&file, "[Main]\nfanout: 16\n[mode:slow]\nfanout: 2\n")?;
/// let mut overrides = ClushOverrides::default();
/// overrides.connect_timeout = Some(3.0);
/// let mut config = ClushConfig::load(Some(&file), &overrides)?;
/// assert_eq!(config.settings()?.fanout, 16);
/// config.set_mode("slow")?;
/// let settings = config.settings()?;
/// assert_eq!((settings.fanout, settings.connect_timeout), (2, 3.0));
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ClushConfig {
    ini: Ini,
    mode: Option<String>,
    parsed: Vec<PathBuf>,
}

impl ClushConfig {
    /// Reads `file` (`--conf`), else every `clush.conf` where ClusterShell
    /// looks, then the `*.conf` files of `[Main] confdir`, then applies
    /// `overrides`.
    pub fn load(file: Option<&Path>, overrides: &ClushOverrides) -> Result<ClushConfig, Error> {
        let mut ini = Ini::new();
        let main = ini.section_mut(MAIN);
        for (key, value) in DEFAULTS {
            main.set(key, value);
        }
        let files = match file {
            Some(f) => vec![f.to_owned()],
            None => {
                let mut paths = config_search_path("clush.conf", None);
                paths.reverse();
                paths
            }
        };
        let mut parsed = ini.read_files(&files)?;
        if let Some(last) = parsed.last().cloned() {
            parsed.extend(read_confdirs(&mut ini, &last)?);
        }
        let mut config = ClushConfig {
            ini,
            mode: None,
            parsed,
        };
        config.apply(overrides)?;
        Ok(config)
    }

    fn apply(&mut self, o: &ClushOverrides) -> Result<(), Error> {
        let main = self.ini.section_mut(MAIN);
        for (on, level) in [(o.quiet, "0"), (o.verbose, "2"), (o.debug, "3")] {
            if on {
                main.set("verbosity", level);
            }
        }
        if let Some(f) = o.fanout.filter(|f| *f > 0) {
            main.set("fanout", &f.to_string());
        }
        let texts = [
            ("ssh_user", &o.user),
            ("ssh_options", &o.options),
            ("color", &o.color),
        ];
        for (key, value) in texts {
            if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
                main.set(key, v);
            }
        }
        let floats = [
            ("connect_timeout", o.connect_timeout),
            ("command_timeout", o.command_timeout),
        ];
        for (key, value) in floats {
            if let Some(v) = value.filter(|v| *v != 0.0) {
                main.set(key, &python_float_repr(v));
            }
        }
        if o.maxrc {
            main.set("maxrc", "True");
        }
        for pair in &o.set {
            let Some((key, value)) = pair.split_once('=') else {
                return Err(Error::ClushConfig(format!(
                    "(Config Main.{pair}): invalid -O/--option value"
                )));
            };
            main.set(key, value);
        }
        Ok(())
    }

    /// `[Main] verbosity` (0 when it is not an integer, as clush reads it
    /// before anything else): 0 quiet, 1 standard, 2 verbose, 3 debug.
    pub fn verbosity(&self) -> i64 {
        self.int("verbosity", false).unwrap_or(0)
    }

    /// The files read, in order.
    pub fn parsed(&self) -> &[PathBuf] {
        &self.parsed
    }

    /// The run modes (`[mode:NAME]` sections), in file order.
    pub fn modes(&self) -> Vec<&str> {
        self.ini
            .section_names()
            .filter_map(|s| s.strip_prefix("mode:"))
            .collect()
    }

    /// Selects a run mode (`-m`); an error names the available ones.
    pub fn set_mode(&mut self, mode: &str) -> Result<(), Error> {
        if !self.modes().contains(&mode) {
            return Err(Error::ClushConfig(format!(
                "invalid mode \"{mode}\" (available: {})",
                self.modes().join(" ")
            )));
        }
        self.mode = Some(mode.to_owned());
        Ok(())
    }

    /// The raw value of `key`: the mode's, else `[Main]`'s.
    pub fn get(&self, key: &str) -> Option<String> {
        let from_mode = self
            .mode
            .as_ref()
            .and_then(|m| self.ini.get(&format!("mode:{m}"), key));
        from_mode
            .or_else(|| self.ini.get(MAIN, key))
            .map(interpolated)
    }

    /// Every setting, typed (an error names the section and key that does
    /// not convert, as clush does).
    pub fn settings(&self) -> Result<ClushSettings, Error> {
        let text = |key: &str| self.get(key).filter(|v| !v.is_empty());
        Ok(ClushSettings {
            fanout: usize::try_from(self.int("fanout", true)?.max(1)).unwrap_or(usize::MAX),
            connect_timeout: self.float("connect_timeout")?,
            command_timeout: self.float("command_timeout")?,
            history_size: self.history_size().unwrap_or(100),
            color: self.color()?,
            verbosity: self.verbosity(),
            node_count: self.boolean("node_count")?,
            maxrc: self.boolean("maxrc")?,
            fd_max: self.int("fd_max", false)?,
            command_prefix: text("command_prefix"),
            password_prompt: self.boolean("password_prompt")?,
            ssh_user: text("ssh_user"),
            ssh_path: text("ssh_path"),
            ssh_options: text("ssh_options"),
            scp_path: text("scp_path"),
            scp_options: text("scp_options"),
            rsh_path: text("rsh_path"),
            rcp_path: text("rcp_path"),
            rsh_options: text("rsh_options"),
        })
    }

    /// `[Main] history_size`, read strictly (what clush's interactive mode
    /// does: a value that is not an integer is its error).
    pub fn history_size(&self) -> Result<i64, Error> {
        self.int("history_size", false)
    }

    /// The section a value comes from, for error messages.
    fn section_of(&self, key: &str) -> String {
        match &self.mode {
            Some(m) if self.ini.get(&format!("mode:{m}"), key).is_some() => format!("mode:{m}"),
            _ => MAIN.to_owned(),
        }
    }

    fn value(&self, key: &str) -> Result<String, Error> {
        self.get(key).ok_or_else(|| {
            Error::ClushConfig(format!(
                "(Config Main.{key}): No option '{key}' in section: 'Main'"
            ))
        })
    }

    /// A value that does not convert: clush names `[Main]`'s key, but
    /// lets Python's bare error through for a mode's.
    fn bad(&self, key: &str, reason: String) -> Error {
        match self.section_of(key).as_str() {
            MAIN => Error::ClushConfig(format!("(Config Main.{key}): {reason}")),
            _ => Error::Other(reason),
        }
    }

    fn int(&self, key: &str, with_mode: bool) -> Result<i64, Error> {
        let value = if with_mode {
            self.value(key)?
        } else {
            self.ini
                .get(MAIN, key)
                .map(interpolated)
                .unwrap_or_default()
        };
        value.trim().replace('_', "").parse().map_err(|_| {
            self.bad(
                key,
                format!("invalid literal for int() with base 10: '{value}'"),
            )
        })
    }

    fn float(&self, key: &str) -> Result<f64, Error> {
        let value = self.value(key)?;
        value
            .trim()
            .parse()
            .map_err(|_| self.bad(key, format!("could not convert string to float: '{value}'")))
    }

    fn boolean(&self, key: &str) -> Result<bool, Error> {
        let value = self.value(key)?;
        match value.to_ascii_lowercase().as_str() {
            "1" | "yes" | "true" | "on" => Ok(true),
            "0" | "no" | "false" | "off" => Ok(false),
            _ => Err(self.bad(key, format!("Not a boolean: {value}"))),
        }
    }

    /// `[Main] color`: clush decides on colours before it selects the run
    /// mode, so a mode's `color` is never used.
    fn color(&self) -> Result<Color, Error> {
        let value = self.ini.get(MAIN, "color").map(interpolated);
        match value.unwrap_or_default().as_str() {
            "" => Ok(Color::Unset),
            "never" => Ok(Color::Never),
            "always" => Ok(Color::Always),
            "auto" => Ok(Color::Auto),
            _ => Err(Error::ClushConfig(
                "(Config Main.color): choose from ['', 'never', 'always', 'auto']".to_owned(),
            )),
        }
    }
}

/// The `*.conf` files of `[Main] confdir`, read into `ini`.
fn read_confdirs(ini: &mut Ini, last: &Path) -> Result<Vec<PathBuf>, Error> {
    let Some(value) = ini.get(MAIN, "confdir").map(interpolated) else {
        return Ok(Vec::new());
    };
    let cfgdir = last
        .parent()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut parsed = Vec::new();
    for word in shell_words(&value)? {
        let dir = normpath(&substitute(&word, &[("CFGDIR", &cfgdir)]));
        if seen.contains(&dir) {
            continue;
        }
        seen.push(dir.clone());
        if !dir.is_dir() {
            if dir.exists() {
                return Err(Error::ClushConfig(format!(
                    "Defined confdir {} is not a directory",
                    dir.display()
                )));
            }
            continue;
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| {
                        p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| !n.starts_with('.') && n.ends_with(".conf"))
                    })
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        parsed.extend(ini.read_files(&files)?);
    }
    Ok(parsed)
}

/// Python's `str(float)` for the values the command line gives.
fn python_float_repr(value: f64) -> String {
    let text = value.to_string();
    if text.contains(['.', 'e', 'i', 'N']) {
        text
    } else {
        format!("{text}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str, overrides: &ClushOverrides) -> Result<ClushConfig, Error> {
        let dir = std::env::temp_dir().join(format!(
            "cscomm-clush-conf-{}-{}",
            std::process::id(),
            text.len()
        ));
        std::fs::create_dir_all(dir.join("parts")).map_err(|e| Error::Other(e.to_string()))?;
        std::fs::write(dir.join("parts/b.conf"), "[mode:extra]\nssh_user: eve\n")
            .map_err(|e| Error::Other(e.to_string()))?;
        let file = dir.join("clush.conf");
        std::fs::write(&file, text).map_err(|e| Error::Other(e.to_string()))?;
        ClushConfig::load(Some(&file), overrides)
    }

    #[test]
    fn defaults_files_confdir_modes_and_overrides() {
        let text = "[Main]\nconfdir: $CFGDIR/parts\nnode_count: off\nssh_path: /x/ssh\n\
                    [mode:a]\nssh_path: /a/ssh\ncommand_timeout: 5\n";
        let mut conf = config(text, &ClushOverrides::default()).unwrap();
        let s = conf.settings().unwrap();
        assert_eq!(
            (s.fanout, s.connect_timeout, s.command_timeout),
            (64, 10.0, 0.0)
        );
        assert_eq!(
            (s.node_count, s.maxrc, s.color),
            (false, false, Color::Unset)
        );
        assert_eq!(s.ssh_path.as_deref(), Some("/x/ssh"));
        assert_eq!(conf.modes(), ["a", "extra"]);
        assert_eq!(conf.parsed().len(), 2);
        conf.set_mode("a").unwrap();
        let s = conf.settings().unwrap();
        assert_eq!(
            (s.ssh_path.as_deref(), s.command_timeout),
            (Some("/a/ssh"), 5.0)
        );
        let e = conf.set_mode("b").unwrap_err().message("p");
        assert_eq!(e, "ERROR: invalid mode \"b\" (available: a extra)");

        let o = ClushOverrides {
            quiet: true,
            fanout: Some(3),
            maxrc: true,
            set: vec!["Color=always".into(), "ssh_user=x=y".into()],
            ..ClushOverrides::default()
        };
        let s = config(text, &o).unwrap().settings().unwrap();
        assert_eq!(
            (s.verbosity, s.fanout, s.maxrc, s.color),
            (0, 3, true, Color::Always)
        );
        assert_eq!(s.ssh_user.as_deref(), Some("x=y"));
    }

    #[test]
    fn bad_values_are_clush_config_errors() {
        let cases = [
            (
                "[Main]\nfanout: x\n",
                "ERROR: (Config Main.fanout): invalid literal for int() with base 10: 'x'",
            ),
            (
                "[Main]\nmaxrc: maybe\n",
                "ERROR: (Config Main.maxrc): Not a boolean: maybe",
            ),
            (
                "[Main]\ncolor: red\n",
                "ERROR: (Config Main.color): choose from ['', 'never', 'always', 'auto']",
            ),
            (
                "[Main]\nconnect_timeout: soon\n",
                "ERROR: (Config Main.connect_timeout): could not convert string to float: 'soon'",
            ),
        ];
        for (text, want) in cases {
            let e = config(text, &ClushOverrides::default())
                .unwrap()
                .settings()
                .unwrap_err();
            assert_eq!(e.message("p"), want);
        }
        let o = ClushOverrides {
            set: vec!["novalue".into()],
            ..ClushOverrides::default()
        };
        let e = config("[Main]\n", &o).unwrap_err().message("p");
        assert_eq!(e, "ERROR: (Config Main.novalue): invalid -O/--option value");
    }
}
