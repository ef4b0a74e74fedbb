//! The gateway's command line: what a stock ClusterShell passes to the
//! interpreter named by `CLUSTERSHELL_GW_PYTHON_EXECUTABLE`.

use std::fmt;

/// The module a stock ClusterShell asks its gateway interpreter to run.
pub const GATEWAY_MODULE: &str = "ClusterShell.Gateway";

/// What the gateway's command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayArgs {
    /// Run the gateway on standard input and output.
    Run,
    /// Print the usage and exit.
    Help,
    /// Print the version and exit.
    Version,
}

/// A command line the gateway does not understand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgsError(String);

impl fmt::Display for ArgsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ArgsError {}

/// The usage text of `cscomm-gateway`.
pub const USAGE: &str = "\
usage: cscomm-gateway [-m ClusterShell.Gateway] [-B] [-u] [-Bu]

A drop-in replacement for ClusterShell's gateway: speaks the tree-mode
channel protocol on standard input and output. ClusterShell starts it as
`<CLUSTERSHELL_GW_PYTHON_EXECUTABLE> -m ClusterShell.Gateway -Bu`; those
interpreter arguments are accepted and ignored. Logs go to
$CLUSTERSHELL_GW_LOG_DIR/<short host name>.gw.log (default directory /tmp)
at level $CLUSTERSHELL_GW_LOG_LEVEL (default INFO).";

/// Parses the arguments after the program name.
///
/// Accepts the Python interpreter arguments a stock ClusterShell passes
/// (`-m ClusterShell.Gateway`, `-B`, `-u`, `-Bu`, `-uB`), in any order.
///
/// ```
/// use cscomm::gateway::{GatewayArgs, parse_args};
/// let args = ["-m", "ClusterShell.Gateway", "-Bu"].map(String::from);
/// assert_eq!(parse_args(args).unwrap(), GatewayArgs::Run);
/// assert!(parse_args(["-c".to_string()]).is_err());
/// ```
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<GatewayArgs, ArgsError> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(GatewayArgs::Help),
            "-V" | "--version" => return Ok(GatewayArgs::Version),
            "-B" | "-u" | "-Bu" | "-uB" => {}
            "-m" => expect_gateway_module(args.next())?,
            other => return Err(ArgsError(format!("unexpected argument {other:?}"))),
        }
    }
    Ok(GatewayArgs::Run)
}

fn expect_gateway_module(module: Option<String>) -> Result<(), ArgsError> {
    match module.as_deref() {
        Some(GATEWAY_MODULE) => Ok(()),
        Some(other) => Err(ArgsError(format!(
            "only -m {GATEWAY_MODULE} can run here, not {other:?}"
        ))),
        None => Err(ArgsError("-m needs a module name".to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<GatewayArgs, ArgsError> {
        parse_args(args.iter().map(|a| a.to_string()))
    }

    #[test]
    fn accepts_what_clustershell_passes_and_nothing() {
        assert_eq!(parse(&[]), Ok(GatewayArgs::Run));
        assert_eq!(parse(&["-m", GATEWAY_MODULE, "-Bu"]), Ok(GatewayArgs::Run));
        assert_eq!(
            parse(&["-B", "-u", "-m", GATEWAY_MODULE]),
            Ok(GatewayArgs::Run)
        );
        assert_eq!(parse(&["--version"]), Ok(GatewayArgs::Version));
        assert_eq!(parse(&["-h"]), Ok(GatewayArgs::Help));
    }

    #[test]
    fn refuses_other_modules_and_flags() {
        assert!(parse(&["-m", "os"]).is_err());
        assert!(parse(&["-m"]).is_err());
        assert!(parse(&["-c", "print(1)"]).is_err());
    }
}
