//! `cscomm-gateway`: a drop-in replacement for ClusterShell's gateway.

fn main() -> std::process::ExitCode {
    cscomm::gateway::main(std::env::args().skip(1))
}
