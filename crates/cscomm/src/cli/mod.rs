//! Command-line parsing and dispatch to the subcommands.

mod decode;
mod json;
mod run;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

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

/// With `run --copy` or `--rcopy`, the command line parsed again with
/// options allowed among the files (as clush: `--copy FILE --dest DIR`),
/// where a command's words are otherwise all the command's.
pub(crate) fn with_copy_options(cli: Cli) -> Cli {
    let copying = matches!(&cli.command, Command::Run(args) if args.copy || args.rcopy);
    if !copying {
        return cli;
    }
    let command = Cli::command().mut_subcommand("run", |run| {
        run.mut_arg("command", |arg| {
            arg.trailing_var_arg(false).allow_hyphen_values(false)
        })
    });
    let matches = command.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit())
}

/// Runs the parsed command line; the exit code on success.
pub(crate) fn run(cli: Cli) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match cli.command {
        Command::Decode { file, raw } => decode::run(&file, raw),
        Command::Run(args) => run::run(*args),
        Command::Gateway { args } => Ok(cscomm::gateway::main(args)),
    }
}
