//! `xtask assets [DIR]`: writes the man pages and shell completions into
//! DIR (default `target/assets`), as the packages install them.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some("assets"), dir) = (args.next().as_deref(), args.next()) else {
        eprintln!("usage: xtask assets [DIR]");
        return ExitCode::from(2);
    };
    let dir = dir.map_or_else(|| PathBuf::from("target/assets"), PathBuf::from);
    match cscomm_xtask::write_assets(&dir) {
        Ok(files) => {
            for file in files {
                println!("{}", file.display());
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("xtask: {}: {error}", dir.display());
            ExitCode::FAILURE
        }
    }
}
