//! The optparse reading against what clush 1.10.1 answers (each message
//! below is clush's, `clush` read as `cscomm`).

use super::*;

fn words(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

fn args_of(args: &[&str]) -> Vec<String> {
    match parse(&words(args)) {
        Ok(Parsed::Args(out)) => out
            .into_iter()
            .map(|w| w.to_string_lossy().into_owned())
            .collect(),
        other => panic!("{args:?}: {other:?}"),
    }
}

fn error_of(args: &[&str]) -> String {
    match parse(&words(args)) {
        Err(message) => message,
        other => panic!("{args:?}: {other:?}"),
    }
}

#[test]
fn options_stop_at_the_command() {
    assert_eq!(
        args_of(&["-w", "n1", "-b", "echo", "-b", "--foo"]),
        ["-w", "n1", "--dshbak", "--", "echo", "-b", "--foo"]
    );
    assert_eq!(args_of(&["-wn1", "--", "-b"]), ["-w", "n1", "--", "-b"]);
    assert_eq!(
        args_of(&["-bSw", "n1", "x"]),
        ["--dshbak", "--maxrc", "-w", "n1", "--", "x"]
    );
    assert_eq!(
        args_of(&["-w", "n1", "-", "x"]),
        ["-w", "n1", "--", "-", "x"]
    );
}

#[test]
fn copies_let_options_follow_files() {
    assert_eq!(
        args_of(&["-w", "n1", "-c", "f", "--dest", "/d", "g"]),
        ["-w", "n1", "--copy", "--dest=/d", "--", "f", "g"]
    );
}

#[test]
fn long_names_may_be_shortened_to_a_unique_prefix() {
    assert_eq!(
        args_of(&["--dsh", "--nost", "x"]),
        ["--dshbak", "--nostdin", "--", "x"]
    );
    assert_eq!(args_of(&["--fan=8", "x"]), ["--fanout=8", "--", "x"]);
    assert_eq!(
        args_of(&["--machine", "f", "x"]),
        ["--hostfile=f", "--", "x"]
    );
    assert_eq!(
        error_of(&["--co", "x"]),
        "ambiguous option: --co (--color, --command_timeout, --conf, --connect_timeout, --copy?)"
    );
    // Ours alone: exact names only.
    assert_eq!(error_of(&["--loc"]), "no such option: --loc");
    assert_eq!(args_of(&["--local", "x"]), ["--local", "--", "x"]);
}

#[test]
fn bad_options_are_clushs_errors() {
    assert_eq!(error_of(&["--foo", "x"]), "no such option: --foo");
    assert_eq!(error_of(&["--foo=1"]), "no such option: --foo");
    assert_eq!(error_of(&["-bZ"]), "no such option: -Z");
    assert_eq!(error_of(&["-w"]), "-w option requires 1 argument");
    assert_eq!(error_of(&["--fan"]), "--fanout option requires 1 argument");
    assert_eq!(
        error_of(&["--dshbak=1"]),
        "--dshbak option does not take a value"
    );
    assert_eq!(error_of(&["-w", "-b"]), "option -w: invalid value: '-b'");
    assert_eq!(error_of(&["-w", ""]), "option -w: invalid value: ''");
    assert_eq!(error_of(&["--user="]), "option --user: invalid value: ''");
    assert_eq!(
        error_of(&["-u", "abc"]),
        "option -u: invalid floating-point value: 'abc'"
    );
    assert_eq!(
        error_of(&["-f", "1.5"]),
        "option -f: invalid integer value: '1.5'"
    );
    assert_eq!(
        error_of(&["--pick", "it's"]),
        "option --pick: invalid integer value: \"it's\""
    );
    assert_eq!(
        error_of(&["--color", "red"]),
        "option --color: invalid choice: 'red' (choose from '', 'never', 'always', 'auto')"
    );
    assert_eq!(
        error_of(&["-E", "x"]),
        "option -E: invalid choice: 'x' (choose from 'auto', 'epoll', 'poll', 'select')"
    );
}

#[test]
fn values_are_read_as_python_reads_them() {
    assert_eq!(args_of(&["-f", "0x10", "x"]), ["--fanout=16", "--", "x"]);
    assert_eq!(args_of(&["-f", "010", "x"]), ["--fanout=8", "--", "x"]);
    assert_eq!(args_of(&["-f0b11", "x"]), ["--fanout=3", "--", "x"]);
    assert_eq!(args_of(&["-f", "-1", "x"]), ["--fanout=-1", "--", "x"]);
    assert_eq!(args_of(&["-f", "1_0", "x"]), ["--fanout=10", "--", "x"]);
    assert!(parse(&words(&["-f", "08"])).is_err());
    assert_eq!(
        args_of(&["-u", "1_0.5", "x"]),
        ["--command_timeout=10.5", "--", "x"]
    );
    assert_eq!(args_of(&["-o", "-x", "x"]), ["--options=-x", "--", "x"]);
    // The last value wins, repeatable options keep all; an empty --color
    // is no --color; -E and --grooming are accepted and ignored.
    assert_eq!(
        args_of(&["-f", "2", "-w", "a", "-f3", "-w", "b", "-b", "-b", "x"]),
        ["-w", "a", "--fanout=3", "-w", "b", "--dshbak", "--", "x"]
    );
    assert_eq!(args_of(&["--color=always", "--color=", "x"]), ["--", "x"]);
    assert_eq!(
        args_of(&["-E", "poll", "--grooming", "1", "x"]),
        ["--", "x"]
    );
}

#[test]
fn help_and_version_come_when_read() {
    assert_eq!(args_of(&["-bh", "--foo"]), ["--help"]);
    assert_eq!(parse(&words(&["--vers"])), Ok(Parsed::Version));
    assert!(parse(&words(&["--foo", "--version"])).is_err());
}
