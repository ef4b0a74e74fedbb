//! The gateway's log file, set up as ClusterShell's gateway sets up its own.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing::Level;

/// Where the log goes and at which level, from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LogConfig {
    /// `<dir>/<short host>.gw.log`.
    pub path: PathBuf,
    /// The most verbose level written.
    pub level: Level,
}

impl LogConfig {
    /// Reads `CLUSTERSHELL_GW_LOG_DIR` (default `/tmp`, `~` expanded) and
    /// `CLUSTERSHELL_GW_LOG_LEVEL` (Python level names, default `INFO`).
    pub fn from_env(host: &str) -> Self {
        let dir = std::env::var("CLUSTERSHELL_GW_LOG_DIR").unwrap_or_else(|_| "/tmp".to_owned());
        let level = std::env::var("CLUSTERSHELL_GW_LOG_LEVEL").unwrap_or_default();
        LogConfig {
            path: Path::new(&cscomm_ssh::expand_user(&dir)).join(format!("{host}.gw.log")),
            level: python_level(&level),
        }
    }
}

/// Maps a Python `logging` level name to a `tracing` level; unknown names
/// mean INFO, as in ClusterShell.
pub fn python_level(name: &str) -> Level {
    match name.to_ascii_uppercase().as_str() {
        "DEBUG" | "NOTSET" => Level::DEBUG,
        "WARNING" | "WARN" => Level::WARN,
        "ERROR" | "CRITICAL" | "FATAL" => Level::ERROR,
        _ => Level::INFO,
    }
}

/// Installs the global log subscriber writing to `config.path` (appending).
///
/// Failing to open the file is not fatal: the gateway then runs without a
/// log, and nothing is ever written to standard output or error.
pub fn init(config: &LogConfig) {
    let Ok(file) = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&config.path)
    else {
        return;
    };
    let _ = tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_max_level(config.level)
        .with_target(false)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_level_names_map_to_tracing_levels() {
        assert_eq!(python_level("debug"), Level::DEBUG);
        assert_eq!(python_level("WARNING"), Level::WARN);
        assert_eq!(python_level("CRITICAL"), Level::ERROR);
        assert_eq!(python_level("bogus"), Level::INFO);
        assert_eq!(python_level(""), Level::INFO);
    }
}
