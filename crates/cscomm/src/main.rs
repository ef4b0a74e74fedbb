//! The `cscomm` command-line tool.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let args = cli::with_copy_options(args);
    match cli::run(args) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("cscomm: {error}");
            ExitCode::FAILURE
        }
    }
}
