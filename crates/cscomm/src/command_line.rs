//! The command lines of this crate's programs, `cscomm` and
//! `cscomm-gateway`: their entry points, and their [`clap::Command`]
//! definitions for man pages and shell completions (the packages' man
//! pages and completions are generated from these).
//!
//! ```
//! let cscomm = cscomm::command_line::cscomm();
//! assert!(cscomm.get_subcommands().any(|sub| sub.get_name() == "run"));
//! let gateway = cscomm::command_line::gateway();
//! assert_eq!(gateway.get_name(), "cscomm-gateway");
//! ```

use std::process::ExitCode;

use clap::{Arg, ArgAction, Command, CommandFactory};

use crate::gateway::GATEWAY_MODULE;

/// The `cscomm` program's command line, with its subcommands (`run`,
/// `decode`, `gateway`).
pub fn cscomm() -> Command {
    crate::cli::Cli::command()
}

/// The `cscomm` program: parses this process's arguments, runs the
/// subcommand, and prints a failure as `cscomm: <error>` on standard error.
pub fn cscomm_main() -> ExitCode {
    let args = match crate::cli::parse() {
        Ok(args) => args,
        Err(code) => return code,
    };
    match crate::cli::run(args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("cscomm: {error}");
            ExitCode::FAILURE
        }
    }
}

/// What the gateway's man page says about its environment.
const GATEWAY_ENVIRONMENT: &str = "\
Environment:
  CLUSTERSHELL_GW_LOG_DIR     directory of the log file <short host name>.gw.log (default /tmp)
  CLUSTERSHELL_GW_LOG_LEVEL   log level, as Python's logging names it (default INFO)
  CLUSTERSHELL_GW_B64_LINE_LENGTH
                              base64 line length of the payloads it sends

On the admin node, CLUSTERSHELL_GW_PYTHON_EXECUTABLE=/usr/bin/cscomm-gateway
in clush's environment makes a stock ClusterShell start this program on its
gateways, as `cscomm-gateway -m ClusterShell.Gateway -Bu`.";

/// The `cscomm-gateway` program's command line, as a [`clap::Command`].
///
/// The program parses its arguments with [`parse_args`](crate::gateway::parse_args)
/// (what a stock ClusterShell passes its gateway interpreter); this is the
/// same command line described for clap, for the man page and completions.
pub fn gateway() -> Command {
    Command::new("cscomm-gateway")
        .version(env!("CARGO_PKG_VERSION"))
        .about("A drop-in replacement for ClusterShell's gateway")
        .long_about(
            "A drop-in replacement for ClusterShell's gateway (python -m ClusterShell.Gateway): \
             speaks the tree-mode channel protocol on standard input and output, runs the \
             commands its parent asks for on its targets (over ssh), and starts sub-gateways \
             with the same command. It writes nothing but the protocol on its standard output; \
             it logs to a file. ClusterShell starts it, not a user.",
        )
        .arg(
            Arg::new("module")
                .short('m')
                .value_name("MODULE")
                .value_parser([GATEWAY_MODULE])
                .action(ArgAction::Append)
                .help("The module ClusterShell asks its interpreter to run; only ClusterShell.Gateway is accepted"),
        )
        .arg(
            Arg::new("no-bytecode")
                .short('B')
                .action(ArgAction::Count)
                .help("Python's -B, which ClusterShell passes: accepted and ignored"),
        )
        .arg(
            Arg::new("unbuffered")
                .short('u')
                .action(ArgAction::Count)
                .help("Python's -u, which ClusterShell passes: accepted and ignored"),
        )
        .after_long_help(GATEWAY_ENVIRONMENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::{GatewayArgs, parse_args};

    /// What clap makes of `args`: `Some(true)` to run, `Some(false)` for
    /// help or version, `None` for a refusal.
    fn clap_parse(args: &[&str]) -> Option<bool> {
        let argv = std::iter::once("cscomm-gateway").chain(args.iter().copied());
        match gateway().try_get_matches_from(argv) {
            Ok(_) => Some(true),
            Err(error) if !error.use_stderr() => Some(false),
            Err(_) => None,
        }
    }

    fn hand_parse(args: &[&str]) -> Option<bool> {
        match parse_args(args.iter().map(|a| a.to_string())) {
            Ok(GatewayArgs::Run) => Some(true),
            Ok(GatewayArgs::Help | GatewayArgs::Version) => Some(false),
            Err(_) => None,
        }
    }

    /// The clap description accepts and refuses what the gateway does.
    #[test]
    fn gateway_command_agrees_with_the_gateway_parser() {
        let cases: &[&[&str]] = &[
            &[],
            &["-m", "ClusterShell.Gateway", "-Bu"],
            &["-B", "-u", "-m", "ClusterShell.Gateway"],
            &["-uB"],
            &["-B", "-B"],
            &["-h"],
            &["--help"],
            &["-V"],
            &["--version"],
            &["-m", "os"],
            &["-m"],
            &["-c", "print(1)"],
            &["extra"],
        ];
        for args in cases {
            assert_eq!(clap_parse(args), hand_parse(args), "{args:?}");
        }
    }

    #[test]
    fn command_lines_are_well_formed() {
        cscomm().debug_assert();
        gateway().debug_assert();
    }
}
