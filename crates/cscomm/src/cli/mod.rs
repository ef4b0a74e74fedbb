//! Command-line parsing and dispatch to the subcommands.

mod decode;

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
    /// Decode a captured channel stream (one direction) and print its messages.
    Decode {
        /// The captured stream; `-` reads standard input.
        file: PathBuf,
    },
}

/// Runs the parsed command line; the exit code on success.
pub(crate) fn run(cli: Cli) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match cli.command {
        Command::Decode { file } => decode::run(&file),
    }
}
