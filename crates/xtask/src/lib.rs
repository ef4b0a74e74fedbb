//! Build tasks of cscomm: the man pages and shell completions of the
//! `cscomm` and `cscomm-gateway` programs, generated from their clap
//! definitions ([`cscomm::command_line`]).

use std::io;
use std::path::{Path, PathBuf};

use clap::Command;
use clap_complete::Shell;

/// The shells completions are written for.
pub const SHELLS: [Shell; 3] = [Shell::Bash, Shell::Zsh, Shell::Fish];

/// The programs, as their clap definitions.
pub fn programs() -> [Command; 2] {
    [
        cscomm::command_line::cscomm(),
        cscomm::command_line::gateway(),
    ]
}

/// Writes the man pages into `dir/man` (section 1: a page per program and
/// per subcommand, `cscomm-run.1` for `cscomm run`) and the completions
/// into `dir/completions` (`cscomm.bash`, `_cscomm`, `cscomm.fish`...).
/// Returns the files written.
///
/// # Errors
/// A directory or file that cannot be written.
pub fn write_assets(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let man_dir = dir.join("man");
    let completion_dir = dir.join("completions");
    std::fs::create_dir_all(&man_dir)?;
    std::fs::create_dir_all(&completion_dir)?;
    let mut written = Vec::new();
    for program in programs() {
        written.extend(write_man_pages(&program, &man_dir, None)?);
        for shell in SHELLS {
            let mut program = program.clone();
            let name = program.get_name().to_owned();
            written.push(clap_complete::generate_to(
                shell,
                &mut program,
                name,
                &completion_dir,
            )?);
        }
    }
    Ok(written)
}

/// The page name and command line of a subcommand's parent: `cscomm-run`
/// is the page of `cscomm run`.
struct Parent<'a> {
    page: &'a str,
    bin: &'a str,
}

/// Writes `command`'s page as `<parent page>-<name>.1`, then its
/// subcommands'.
fn write_man_pages(
    command: &Command,
    dir: &Path,
    parent: Option<&Parent<'_>>,
) -> io::Result<Vec<PathBuf>> {
    let (page_name, bin_name) = match parent {
        Some(parent) => (
            format!("{}-{}", parent.page, command.get_name()),
            format!("{} {}", parent.bin, command.get_name()),
        ),
        None => (command.get_name().to_owned(), command.get_name().to_owned()),
    };
    let page = command
        .clone()
        .display_name(page_name.clone())
        .bin_name(bin_name.clone())
        .version(env!("CARGO_PKG_VERSION"));
    let path = dir.join(format!("{page_name}.1"));
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .source(format!("cscomm {}", env!("CARGO_PKG_VERSION")))
        .render(&mut roff)?;
    std::fs::write(&path, roff)?;
    let mut written = vec![path];
    let this = Parent {
        page: &page_name,
        bin: &bin_name,
    };
    for sub in command.get_subcommands() {
        // `cscomm gateway` is the `cscomm-gateway` program, which has its
        // own page of that name.
        let is_gateway = parent.is_none() && sub.get_name() == "gateway";
        if sub.is_hide_set() || sub.get_name() == "help" || is_gateway {
            continue;
        }
        written.extend(write_man_pages(sub, dir, Some(&this))?);
    }
    Ok(written)
}
