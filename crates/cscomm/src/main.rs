//! The `cscomm` command-line tool.

fn main() -> std::process::ExitCode {
    cscomm::command_line::cscomm_main()
}
