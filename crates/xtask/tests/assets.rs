//! The man pages and completions are generated, and each names every
//! option of its program.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use clap::Command;
use clap_complete::Shell;

fn generate(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    let written = cscomm_xtask::write_assets(&dir).expect("assets written");
    assert!(written.iter().all(|file| file.is_file()), "{written:?}");
    dir
}

/// Every visible option of `command` (`--help` and `--version` included),
/// as (short, long).
fn options(command: &Command) -> Vec<(Option<char>, Option<String>)> {
    let mut command = command.clone();
    command.build();
    command
        .get_arguments()
        .filter(|arg| !arg.is_hide_set() && !arg.is_positional())
        .map(|arg| (arg.get_short(), arg.get_long().map(str::to_owned)))
        .collect()
}

/// The pages to expect: one per program and per subcommand but `help` and
/// `cscomm gateway` (which is the `cscomm-gateway` program).
fn pages() -> Vec<(String, Command)> {
    let [cscomm, gateway] = cscomm_xtask::programs();
    let mut pages = vec![("cscomm".to_owned(), cscomm.clone())];
    for sub in cscomm.get_subcommands() {
        if !matches!(sub.get_name(), "help" | "gateway") {
            pages.push((format!("cscomm-{}", sub.get_name()), sub.clone()));
        }
    }
    pages.push(("cscomm-gateway".to_owned(), gateway));
    pages
}

#[test]
fn every_page_names_every_option() {
    let dir = generate("man");
    let names: Vec<String> = pages().into_iter().map(|(name, _)| name).collect();
    assert_eq!(
        names,
        ["cscomm", "cscomm-decode", "cscomm-run", "cscomm-gateway"]
    );
    for (name, command) in pages() {
        let roff = std::fs::read_to_string(dir.join("man").join(format!("{name}.1")))
            .unwrap_or_else(|e| panic!("{name}.1: {e}"));
        let title = format!(".TH {name} 1  \"cscomm {}\"", env!("CARGO_PKG_VERSION"));
        assert!(roff.contains(&title), "{name}.1 lacks {title}:\n{roff}");
        let options = options(&command);
        assert!(!options.is_empty(), "{name} has options");
        for (short, long) in options {
            if let Some(short) = short {
                assert!(
                    roff.contains(&format!("\\-{short}")),
                    "{name}.1 lacks -{short}"
                );
            }
            if let Some(long) = long {
                let escaped = format!("\\-\\-{}", long.replace('-', "\\-"));
                assert!(roff.contains(&escaped), "{name}.1 lacks --{long}");
            }
        }
    }
}

#[test]
fn the_run_page_documents_its_options() {
    let dir = generate("run-page");
    let roff = std::fs::read_to_string(dir.join("man/cscomm-run.1")).expect("cscomm-run.1");
    // Help texts, not only option names.
    assert!(roff.contains("Target nodes"), "{roff}");
    assert!(roff.contains("connect_timeout"), "{roff}");
    let gateway = std::fs::read_to_string(dir.join("man/cscomm-gateway.1")).expect("page");
    assert!(gateway.contains("CLUSTERSHELL_GW_LOG_DIR"), "{gateway}");
}

/// How each shell's script names an option.
fn spellings(shell: Shell, short: Option<char>, long: Option<&str>) -> Vec<String> {
    let mut words = Vec::new();
    match shell {
        Shell::Fish => {
            words.extend(short.map(|s| format!("-s {s}")));
            words.extend(long.map(|l| format!("-l {l}")));
        }
        _ => {
            words.extend(short.map(|s| format!("-{s}")));
            words.extend(long.map(|l| format!("--{l}")));
        }
    }
    words
}

#[test]
fn every_completion_names_every_option() {
    let dir = generate("completions");
    for program in cscomm_xtask::programs() {
        let name = program.get_name().to_owned();
        for shell in cscomm_xtask::SHELLS {
            let file = match shell {
                Shell::Bash => format!("{name}.bash"),
                Shell::Zsh => format!("_{name}"),
                _ => format!("{name}.fish"),
            };
            let script = std::fs::read_to_string(dir.join("completions").join(&file))
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            let mut commands = vec![program.clone()];
            commands.extend(program.get_subcommands().cloned());
            for command in &commands {
                for (short, long) in options(command) {
                    for word in spellings(shell, short, long.as_deref()) {
                        assert!(script.contains(&word), "{file} lacks {word}");
                    }
                }
            }
        }
        // The bash script parses.
        let bash = dir.join("completions").join(format!("{name}.bash"));
        let status = Process::new("bash")
            .arg("-n")
            .arg(&bash)
            .status()
            .expect("bash");
        assert!(status.success(), "bash -n {}", bash.display());
    }
}
