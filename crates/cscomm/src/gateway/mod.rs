//! The gateway: what runs on a gateway host, facing its parent over
//! standard input and output (a drop-in for `python -m ClusterShell.Gateway`).

mod args;
mod host;
mod logging;

pub use args::{ArgsError, GATEWAY_MODULE, GatewayArgs, USAGE, parse_args};
pub use host::short_hostname;
pub use logging::{LogConfig, init as init_logging, python_level};
