//! Command-line parsing and dispatch to the subcommands.

mod decode;
mod json;
mod run;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// ClusterShell tree-mode communication in Rust.
#[derive(Debug, Parser)]
#[command(name = "cscomm", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode a captured channel stream (one direction): one JSON object
    /// per frame, payloads decoded from their pickles.
    Decode {
        /// The captured stream; `-` reads standard input.
        file: PathBuf,
        /// Keep payloads as their base64 text.
        #[arg(long)]
        raw: bool,
    },
    /// Run a command on nodes, through gateways, printing like clush.
    Run(Box<run::RunArgs>),
    /// Run as a tree-mode gateway on standard input and output (what
    /// `cscomm-gateway` does; ClusterShell starts it, not a user).
    Gateway {
        /// Python interpreter arguments ClusterShell passes
        /// (`-m ClusterShell.Gateway -Bu`), accepted and ignored.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        args: Vec<String>,
    },
}

/// This process's command line parsed; for `run`, its arguments read as
/// clush reads its own first (see [`run::optparse`]). `Err`: nothing to
/// run (`--version`, or clush's usage error printed), the exit code.
pub(crate) fn parse() -> Result<Cli, ExitCode> {
    let argv: Vec<OsString> = std::env::args_os().collect();
    if argv.get(1).is_none_or(|word| word != "run") {
        return Ok(Cli::parse_from(argv));
    }
    match run::optparse::parse(&argv[2..]) {
        Ok(run::optparse::Parsed::Args(args)) => {
            Ok(Cli::parse_from(argv[..2].iter().cloned().chain(args)))
        }
        Ok(run::optparse::Parsed::Version) => {
            println!("cscomm {}", env!("CARGO_PKG_VERSION"));
            Err(ExitCode::SUCCESS)
        }
        Err(message) => {
            eprintln!("Usage: cscomm [options] command\n\ncscomm: error: {message}");
            Err(ExitCode::from(2))
        }
    }
}

/// Runs the parsed command line; the exit code on success.
pub(crate) fn run(cli: Cli) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match cli.command {
        Command::Decode { file, raw } => decode::run(&file, raw),
        Command::Run(args) => run::run(*args),
        Command::Gateway { args } => Ok(cscomm::gateway::main(args)),
    }
}
