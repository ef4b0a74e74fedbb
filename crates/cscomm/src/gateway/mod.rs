//! The gateway: what runs on a gateway host, facing its parent over
//! standard input and output (a drop-in for `python -m ClusterShell.Gateway`).

mod args;
mod backlog;
mod host;
mod logging;
mod request;
mod serve;
mod stdio;
mod workers;

use std::process::ExitCode;

pub use args::{ArgsError, GATEWAY_MODULE, GatewayArgs, USAGE, parse_args};
pub use host::short_hostname;
pub use logging::{LogConfig, init as init_logging, python_level};
pub use request::{request_local_workers, tree_options};
pub use serve::serve;

/// The whole gateway program: parses `args` (after the program name), sets
/// up the log, and serves the channel on standard input and output.
pub fn main(args: impl IntoIterator<Item = String>) -> ExitCode {
    match parse_args(args) {
        Ok(GatewayArgs::Run) => {}
        Ok(GatewayArgs::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(GatewayArgs::Version) => {
            println!("cscomm-gateway {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("cscomm-gateway: {error}\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    let host = short_hostname();
    init_logging(&LogConfig::from_env(&host));
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        tracing::error!("Gateway failure: standard input is a terminal");
        eprintln!(
            "cscomm-gateway: standard input is a terminal: this program is started by ClusterShell"
        );
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!("Gateway failure: {error}");
            return ExitCode::FAILURE;
        }
    };
    tracing::debug!("starting gateway on {host}");
    let outcome = runtime
        .block_on(async { serve(stdio::parent_input(), stdio::parent_output(), host).await });
    // Children were killed by the runs being dropped; do not wait for
    // blocking reads of standard input to finish.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("Gateway failure: {error}");
            ExitCode::FAILURE
        }
    }
}
