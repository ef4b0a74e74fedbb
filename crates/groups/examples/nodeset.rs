//! A small `nodeset -f`: folds node set expressions with groups, resolved
//! by `cscomm-groups` (the resolver used without the CLI).
//!
//! ```sh
//! cargo run --release -p cscomm-groups --example nodeset -- [--groupsconf FILE] [-s SOURCE] EXPR...
//! ```

use std::process::ExitCode;

use cscomm_groups::{Error, GroupResolver};
use cscomm_topology::NodeSet;

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(nodes) => {
            println!("{nodes}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}", e.message("nodeset"));
            ExitCode::FAILURE
        }
    }
}

fn run(args: Vec<String>) -> Result<NodeSet, Error> {
    let mut args = args.into_iter();
    let mut conf = None;
    let mut source = None;
    let mut exprs = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--groupsconf" => conf = args.next(),
            "-s" => source = args.next(),
            _ => exprs.push(arg),
        }
    }
    let mut resolver = match conf {
        Some(file) => GroupResolver::from_config_files(vec![file.into()]),
        None => GroupResolver::from_default_config(),
    };
    if let Some(source) = source {
        resolver.set_default_source(&source)?;
    }
    let mut nodes = NodeSet::new();
    for expr in exprs {
        nodes.update(&resolver.parse(&expr)?);
    }
    Ok(nodes)
}
