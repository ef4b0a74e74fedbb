//! The throwaway sshd: reachable on every loopback address, refused and
//! denied hosts behave as such, wrappers work for plain `ssh`/`scp` (and for
//! the real `clush`), the session environment is settable, and dropping it
//! stops the server and removes its files.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::net::TcpStream;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use cscomm_testkit::python::Python;
use cscomm_testkit::sshd::Sshd;

fn ssh(sshd: &Sshd, host: &str, command: &str) -> Output {
    Command::new("ssh")
        .args(sshd.ssh_args())
        .args([host, command])
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn every_address_serves_and_failures_are_real() {
    let started = Instant::now();
    let sshd = Sshd::start();
    let startup = started.elapsed();
    eprintln!("sshd ready in {startup:?} on port {}", sshd.port());
    assert!(startup < Duration::from_secs(5), "startup took {startup:?}");
    for i in 1..=8 {
        let node = format!("node{i}");
        let out = ssh(&sshd, &node, "set -- $SSH_CONNECTION; echo $3 $4");
        let log = sshd.log();
        assert!(
            out.status.success(),
            "{node}: {}\nsshd log:\n{log}",
            text(&out.stderr)
        );
        assert_eq!(text(&out.stdout), format!("127.0.0.{i} {}\n", sshd.port()));
    }
    assert_eq!(
        sshd.address_of("node9").map(|a| a.to_string()).as_deref(),
        Some("127.0.0.1")
    );
    assert_eq!(sshd.nodes().len(), 40);

    let down = ssh(&sshd, sshd.down_hosts()[0], "true");
    assert_eq!(down.status.code(), Some(255));
    assert!(
        text(&down.stderr).contains("Connection refused"),
        "{}",
        text(&down.stderr)
    );

    let denied = ssh(&sshd, sshd.denied_hosts()[0], "true");
    assert_eq!(denied.status.code(), Some(255));
    assert!(
        text(&denied.stderr).contains("Permission denied"),
        "{}",
        text(&denied.stderr)
    );
}

#[test]
fn wrappers_serve_plain_ssh_scp_and_clush() {
    let sshd = Sshd::shared();
    let path = sshd.path_with_wrappers();
    let out = Command::new("ssh")
        .env("PATH", &path)
        .args(["gw2", "echo wrapped"])
        .output()
        .unwrap();
    assert_eq!(text(&out.stdout), "wrapped\n", "{}", text(&out.stderr));

    // scp goes through the server's sftp subsystem.
    let src = sshd.dir().join("scp-source");
    let dst = sshd.dir().join("scp-copy");
    std::fs::write(&src, b"copied \x00\xff").unwrap();
    let target = format!("node3:{}", dst.display());
    let out = Command::new("scp")
        .env("PATH", &path)
        .arg(&src)
        .arg(&target)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(&dst).unwrap(), b"copied \x00\xff");

    // The real clush finds `ssh` on PATH.
    let python = Python::clustershell();
    let out = Command::new(python.bin_dir().join("clush"))
        .env("PATH", &path)
        .args(["-w", "node[1-3]", "-b", "echo ok"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("node[1-3]") && stdout.contains("\nok\n"),
        "{stdout}"
    );
}

#[test]
fn session_environment_is_settable() {
    let sshd = Sshd::builder()
        .path("/cscomm/test:/usr/bin:/bin")
        .set_env("CSCOMM_X", "a b")
        .start();
    let out = ssh(&sshd, "node1", "echo \"$PATH|$CSCOMM_X\"");
    // Sessions have a private, empty home: no start-up file of the user's
    // runs, so the value set is the value seen.
    assert_eq!(text(&out.stdout), "/cscomm/test:/usr/bin:/bin|a b\n");
    let default = ssh(Sshd::shared(), "node1", "echo \"$PATH\"");
    assert!(!text(&default.stdout).contains("/cscomm/test"));
}

#[test]
fn sessions_have_a_private_empty_home() {
    let sshd = Sshd::start();
    let out = ssh(&sshd, "node2", "echo \"$HOME\"; ls -A \"$HOME\" | wc -l");
    let home = sshd.dir().join("home");
    assert_eq!(text(&out.stdout), format!("{}\n0\n", home.display()));
    let chosen = Sshd::builder().set_env("HOME", "/tmp").start();
    assert_eq!(text(&ssh(&chosen, "node1", "echo $HOME").stdout), "/tmp\n");
}

#[test]
fn dropping_stops_the_server_and_removes_its_files() {
    let first = Sshd::builder().nodes("n", 2).start();
    let second = Sshd::start();
    assert_ne!(first.port(), second.port());
    let (port, dir) = (first.port(), first.dir().to_path_buf());
    assert!(dir.join("ssh_config").exists());
    drop(first);
    assert!(!dir.exists());
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "port {port} still accepts"
    );
    let out = ssh(&second, "node1", "echo alive");
    assert_eq!(text(&out.stdout), "alive\n");
}
