//! Prints the value tree of a pickle, or where and why it was refused.
//!
//! `inspect FILE` (`-` reads standard input). Nothing in the pickle is
//! executed: classes outside the allow-list are refused by name.
//!
//! ```sh
//! python3 -c 'import pickle, sys; sys.stdout.buffer.write(pickle.dumps({"a": [1, 2.5, b"x"]}))' \
//!     | cargo run -p cscomm-pickle --example inspect -- -
//! ```

use std::io::Read;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: inspect FILE");
        return ExitCode::from(2);
    };
    let input = if path == "-" {
        let mut input = Vec::new();
        std::io::stdin().read_to_end(&mut input).map(|_| input)
    } else {
        std::fs::read(&path)
    };
    let input = match input {
        Ok(input) => input,
        Err(error) => {
            eprintln!("inspect: {path}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let protocol = cscomm_pickle::Protocol::detect(&input);
    match cscomm_pickle::read(&input) {
        Ok(value) => {
            println!("protocol: {protocol:?}");
            println!("{value:?}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("inspect: refused: {error}");
            ExitCode::FAILURE
        }
    }
}
