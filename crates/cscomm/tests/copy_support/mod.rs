//! Support of the copy tests: an sshd whose every host name has files of
//! its own (`Hosts`), trees of gateways, and `cscomm run` / `clush` runs.
#![allow(dead_code)] // each test file uses a part

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use cscomm_testkit::clush::{GatewayExe, SESSION_HOME, admin_short_name};
use cscomm_testkit::python::workspace_root;
use cscomm_testkit::sshd::Sshd;

/// The server of the copy tests and where its hosts' files are.
pub(crate) struct Hosts {
    pub(crate) sshd: Sshd,
    /// `root/<host>` is what host `<host>` sees at `mount`.
    pub(crate) root: PathBuf,
    /// The path every host sees its own files at.
    pub(crate) mount: PathBuf,
    /// Scratch space of this test process on the admin side.
    pub(crate) scratch: PathBuf,
}

impl Hosts {
    /// `path` (below `mount`) as the test process sees it for `host`.
    pub(crate) fn on(&self, host: &str, path: &str) -> PathBuf {
        let rel = Path::new(path)
            .strip_prefix(&self.mount)
            .expect("a path below the mount point");
        self.root.join(host).join(rel)
    }

    /// A path below the mount point, as the hosts see it.
    pub(crate) fn remote(&self, rel: &str) -> String {
        self.mount.join(rel).display().to_string()
    }
}

/// The copy tests' server (one per test process).
pub(crate) fn hosts() -> &'static Hosts {
    static HOSTS: OnceLock<Hosts> = OnceLock::new();
    HOSTS.get_or_init(|| {
        let base = workspace_root()
            .join("target/copy-tests")
            .join(std::process::id().to_string());
        let _ = std::fs::remove_dir_all(&base);
        let root = base.join("hosts");
        let mount = base.join("mnt");
        let scratch = base.join("admin");
        for dir in [&root, &mount, &scratch] {
            std::fs::create_dir_all(dir).unwrap();
        }
        let sshd = Sshd::builder()
            .nodes("node", 100)
            .set_env("HOME", SESSION_HOME)
            .private_dirs(&root, &mount)
            .start();
        Hosts {
            sshd,
            root,
            mount,
            scratch,
        }
    })
}

/// The gateways a tree run goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gateways {
    /// ClusterShell 1.10.1's Python gateway.
    Python,
    /// `cscomm-gateway`.
    Cscomm,
}

impl Gateways {
    pub(crate) fn exe(self) -> GatewayExe {
        match self {
            Gateways::Python => GatewayExe::python(),
            Gateways::Cscomm => {
                GatewayExe::Executable(PathBuf::from(env!("CARGO_BIN_EXE_cscomm-gateway")))
            }
        }
    }
}

/// `topology.conf` text: `admin: gw[1-2]`, `gw[1-2]: NODES` (`levels`
/// 12: two gateways side by side); `admin: gw1`, then `gw1: NODES` (one level) or
/// `gw1: gw2`, `gw2: NODES` (two levels); `None` levels: no topology.
pub(crate) fn topology(levels: usize, nodes: &str) -> String {
    let admin = admin_short_name();
    match levels {
        1 => format!("[routes]\n{admin}: gw1\ngw1: {nodes}\n"),
        12 => format!("[routes]\n{admin}: gw[1-2]\ngw[1-2]: {nodes}\n"),
        2 => format!("[routes]\n{admin}: gw1\ngw1: gw2\ngw2: {nodes}\n"),
        _ => "[routes]\n".to_owned(),
    }
}

/// Runs `cscomm run` with `args` through `levels` levels of `gateways`
/// (0: no topology, every node directly).
pub(crate) fn cscomm(levels: usize, gateways: Gateways, nodes: &str, args: &[&str]) -> Output {
    let dir = tempdir("cfg");
    let file = dir.join("topology.conf");
    if levels > 0 {
        std::fs::write(&file, topology(levels, nodes)).unwrap();
    }
    let mut command = cscomm_command(&dir, gateways, nodes);
    if levels > 0 {
        command.args(["--topology", file.to_str().unwrap()]);
    }
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = command.output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    out
}

/// Runs `cscomm run` with `args` on `nodes` through the routes of
/// `topology` (`topology.conf` text) with `gateways`, `stdin` written to
/// its standard input.
pub(crate) fn cscomm_routed(
    topology: &str,
    gateways: Gateways,
    nodes: &str,
    args: &[&str],
    stdin: Vec<u8>,
) -> Output {
    let dir = tempdir("cfg");
    let file = dir.join("topology.conf");
    std::fs::write(&file, topology).unwrap();
    let mut command = cscomm_command(&dir, gateways, nodes);
    command
        .args(["--topology", file.to_str().unwrap()])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = std::io::Write::write_all(&mut input, &stdin);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    out
}

/// `cscomm run` on `nodes` over the copy tests' sshd, its configuration
/// in `dir`, its gateways started as `gateways`.
fn cscomm_command(dir: &Path, gateways: Gateways, nodes: &str) -> Command {
    let hosts = hosts();
    let mut command = Command::new(env!("CARGO_BIN_EXE_cscomm"));
    command
        .env("CLUSTERSHELL_CFGDIR", dir)
        .env(
            "CLUSTERSHELL_GW_PYTHON_EXECUTABLE",
            gateways.exe().program(),
        )
        .arg("run")
        .args([
            "--root",
            admin_short_name(),
            "-o",
            &hosts.sshd.ssh_options(),
        ])
        .args(["-w", nodes]);
    command
}

/// A fresh directory of this test process on the admin side.
pub(crate) fn tempdir(what: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let dir = hosts().scratch.join(format!("{what}-{n}"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every file below `dir`, by relative path: (bytes, mode, mtime seconds);
/// directories with empty bytes.
pub(crate) fn tree(dir: &Path) -> BTreeMap<String, (Vec<u8>, u32, i64)> {
    use std::os::unix::fs::MetadataExt;
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path).unwrap();
        let rel = path.strip_prefix(dir).unwrap().display().to_string();
        // Directory times change as their entries do: files' times only.
        let (bytes, mtime) = if meta.is_file() {
            (std::fs::read(&path).unwrap(), meta.mtime())
        } else {
            (Vec::new(), 0)
        };
        out.insert(rel, (bytes, meta.mode() & 0o7777, mtime));
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        }
    }
    out
}

/// The files of `tree` without modes and times.
pub(crate) fn contents(tree: &BTreeMap<String, (Vec<u8>, u32, i64)>) -> BTreeMap<String, Vec<u8>> {
    tree.iter().map(|(k, v)| (k.clone(), v.0.clone())).collect()
}

/// A text for failure messages.
pub(crate) fn show(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Sets a file's mode and modification time.
pub(crate) fn set_mode_time(path: &Path, mode: u32, mtime: i64) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    let status = Command::new("touch")
        .arg("-h")
        .arg("-d")
        .arg(format!("@{mtime}"))
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// The test sources: a text file, an empty file, every byte value (many
/// times), and a directory tree with modes and times.
pub(crate) fn sources() -> (PathBuf, Vec<PathBuf>) {
    let dir = tempdir("src");
    let text = dir.join("motd");
    std::fs::write(&text, b"hello from the admin node\n").unwrap();
    let empty = dir.join("empty");
    std::fs::write(&empty, b"").unwrap();
    let binary = dir.join("bytes.bin");
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 256) as u8).collect();
    std::fs::write(&binary, data).unwrap();
    let tree = dir.join("conf.d");
    std::fs::create_dir_all(tree.join("sub/deeper")).unwrap();
    std::fs::write(tree.join("a.conf"), b"a = 1\n").unwrap();
    std::fs::write(tree.join("sub/run.sh"), b"#!/bin/sh\necho run\n").unwrap();
    std::fs::write(tree.join("sub/deeper/secret"), b"s3cret\n").unwrap();
    set_mode_time(&tree.join("a.conf"), 0o640, 1_000_000_000);
    set_mode_time(&tree.join("sub/run.sh"), 0o755, 1_100_000_000);
    set_mode_time(&tree.join("sub/deeper/secret"), 0o600, 1_200_000_000);
    set_mode_time(&text, 0o644, 1_300_000_000);
    (dir, vec![text, empty, binary, tree])
}

/// `len` bytes of every value, in no simple order (xorshift).
pub(crate) fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// The `md5sum` of `data`, computed here.
pub(crate) fn md5(data: &[u8]) -> String {
    let mut child = Command::new("md5sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut input, data).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim_end().to_owned()
}
