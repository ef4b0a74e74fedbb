//! Which gateway program clush starts: the Python peer's or any executable.

use std::path::{Path, PathBuf};

use crate::python::{Peer, Python};

/// The environment variable naming the gateway the scenario matrix runs
/// through (see [`GatewayExe::under_test`]).
pub const GATEWAY_ENV: &str = "CSCOMM_TEST_GATEWAY";

/// The gateway program clush starts on each gateway host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayExe {
    /// ClusterShell's own gateway from a peer environment (its `python3`).
    Python(Peer),
    /// Any program started as `<path> -m ClusterShell.Gateway -Bu`
    /// (`cscomm-gateway` later); the path must be absolute.
    Executable(PathBuf),
}

impl GatewayExe {
    /// The reference: ClusterShell 1.10.1's Python gateway.
    pub fn python() -> GatewayExe {
        GatewayExe::Python(Peer::V1_10)
    }

    /// Reads a gateway name: `python` (1.10.1), `python-1.9`, or an
    /// absolute path to an executable; `None` for anything else.
    ///
    /// ```
    /// use cscomm_testkit::clush::GatewayExe;
    /// assert_eq!(GatewayExe::parse("python"), Some(GatewayExe::python()));
    /// assert!(GatewayExe::parse("relative/gw").is_none());
    /// ```
    pub fn parse(name: &str) -> Option<GatewayExe> {
        match name {
            "python" => Some(GatewayExe::python()),
            "python-1.9" => Some(GatewayExe::Python(Peer::V1_9)),
            path if Path::new(path).is_absolute() => {
                Some(GatewayExe::Executable(PathBuf::from(path)))
            }
            _ => None,
        }
    }

    /// The gateway the scenario matrix runs through: the one named by
    /// [`GATEWAY_ENV`] (see [`GatewayExe::parse`]), else the Python gateway.
    ///
    /// # Panics
    /// When the variable is set to something [`GatewayExe::parse`] rejects.
    pub fn under_test() -> GatewayExe {
        match std::env::var(GATEWAY_ENV) {
            Ok(name) if !name.is_empty() => GatewayExe::parse(&name).unwrap_or_else(|| {
                panic!("{GATEWAY_ENV}={name}: want python, python-1.9 or an absolute path")
            }),
            _ => GatewayExe::python(),
        }
    }

    /// The value of `CLUSTERSHELL_GW_PYTHON_EXECUTABLE` for this gateway.
    ///
    /// # Panics
    /// When the peer environment is missing, or the path is not absolute.
    pub fn program(&self) -> PathBuf {
        match self {
            GatewayExe::Python(peer) => Python::peer(*peer).exe().to_path_buf(),
            GatewayExe::Executable(path) => {
                assert!(
                    path.is_absolute(),
                    "the gateway must be named by absolute path: {}",
                    path.display()
                );
                path.clone()
            }
        }
    }
}
