//! What goes wrong in a copy: a missing or unreadable source, a
//! destination some nodes cannot write, a full disk on one node, a node
//! dying mid-copy. Each gets a
//! clear error, a non-zero exit, the other nodes finish, and no partial
//! copy looks complete.
#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod copy_support;

use std::process::Command;
use std::time::{Duration, Instant};

use copy_support::{Gateways, cscomm, hosts, show, tempdir};
use cscomm_testkit::clush::Clush;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_missing_source_is_refused_with_clush_words_before_anything_starts() {
    let out = cscomm(
        1,
        Gateways::Cscomm,
        "node[1-2]",
        &["--copy", "/nonexistent/f"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let theirs = Clush::new(&hosts().sshd)
        .nodes("node[1-2]")
        .args(["--copy", "/nonexistent/f"])
        .run();
    assert_eq!(theirs.exit_code, Some(1));
    assert_eq!(stderr(&out), String::from_utf8_lossy(&theirs.stderr));
    assert_eq!(stderr(&out), "ERROR: file \"/nonexistent/f\" not found\n");
}

#[test]
fn an_rcopy_destination_that_is_not_a_directory_is_refused_as_clush_does() {
    let file = tempdir("notadir").join("file");
    std::fs::write(&file, b"x").unwrap();
    let dest = file.display().to_string();
    let args = ["--rcopy", "/etc/hostname", "--dest", &dest];
    let out = cscomm(0, Gateways::Python, "node1", &args);
    let theirs = Clush::new(&hosts().sshd).nodes("node1").args(args).run();
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert_eq!(theirs.exit_code, Some(1));
    assert_eq!(stderr(&out), String::from_utf8_lossy(&theirs.stderr));
}

#[test]
fn an_unreadable_source_file_is_refused_before_anything_starts() {
    let dir = tempdir("unreadable");
    std::fs::create_dir_all(dir.join("tree")).unwrap();
    std::fs::write(dir.join("tree/ok"), b"fine").unwrap();
    std::fs::write(dir.join("tree/secret"), b"root only").unwrap();
    copy_support::set_mode_time(&dir.join("tree/secret"), 0o600, 1_000_000_000);
    // As nobody, who cannot read the secret (root can read anything).
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_cscomm"))
        .args(["run", "-w", "node1", "--copy"])
        .arg(dir.join("tree"))
        .args(["--dest", "/tmp/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let secret = dir.join("tree/secret").display().to_string();
    assert_eq!(
        stderr(&out),
        format!("ERROR: cannot read \"{secret}\": Permission denied (os error 13)\n")
    );
}

/// node3's destination is a file, node7's does not exist: both fail with
/// their own error, the 18 others get the copy.
fn some_nodes_cannot_write(gateways: Gateways) {
    let hosts = hosts();
    let dest = hosts.remote(&format!("unwritable-{gateways:?}"));
    for i in 1..=20 {
        let node = format!("node{i}");
        let here = hosts.on(&node, &dest);
        match i {
            3 => {
                std::fs::create_dir_all(here.parent().unwrap()).unwrap();
                std::fs::write(&here, b"a file, not a directory").unwrap();
            }
            7 => {}
            _ => std::fs::create_dir_all(&here).unwrap(),
        }
    }
    let source = tempdir("src1").join("data");
    std::fs::write(&source, b"payload\n").unwrap();
    let dest_arg = format!("{dest}/");
    let src = source.display().to_string();
    let out = cscomm(
        1,
        gateways,
        "node[1-20]",
        &["--copy", &src, "--dest", &dest_arg],
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = stderr(&out);
    for node in ["node3", "node7"] {
        assert!(
            err.contains(&format!("cscomm: {node}: exited with exit code")),
            "{node}: {}",
            show(&out)
        );
        assert!(err.contains(&format!("{node}: ")), "{}", show(&out));
    }
    assert!(
        err.contains("node3: ") && err.contains("Not a directory"),
        "{err}"
    );
    assert!(
        err.contains("node7: ") && err.contains("No such file or directory"),
        "{err}"
    );
    for i in (1..=20).filter(|i| ![3, 7].contains(i)) {
        let copy = hosts.on(&format!("node{i}"), &format!("{dest}/data"));
        assert_eq!(std::fs::read(&copy).unwrap(), b"payload\n", "node{i}");
        assert!(!err.contains(&format!("node{i}: ")), "node{i}: {err}");
    }
}

#[test]
fn nodes_that_cannot_write_fail_alone_through_cscomm_gateways() {
    some_nodes_cannot_write(Gateways::Cscomm);
}

#[test]
fn nodes_that_cannot_write_fail_alone_through_python_gateways() {
    some_nodes_cannot_write(Gateways::Python);
}

/// A 1 MiB tmpfs mounted at a path until dropped (needs root and
/// `mount`, as the hosts' private directories do).
struct SmallFileSystem(std::path::PathBuf);

impl SmallFileSystem {
    fn mount(path: &std::path::Path) -> SmallFileSystem {
        std::fs::create_dir_all(path).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success(), "cannot mount a tmpfs at {path:?}");
        SmallFileSystem(path.to_path_buf())
    }
}

impl Drop for SmallFileSystem {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// node4's destination is a 1 MiB file system and the file is 3 MiB: node4
/// fails with the disk full (tar's error, exit code 1 as scp's) and keeps nothing of the copy (not even the
/// hidden directory it was unpacked into), the 5 others get the file.
#[test]
fn a_full_disk_fails_its_node_alone_and_leaves_no_partial_file() {
    let hosts = hosts();
    let dest = hosts.remote("full");
    for i in 1..=6 {
        std::fs::create_dir_all(hosts.on(&format!("node{i}"), &dest)).unwrap();
    }
    let small = SmallFileSystem::mount(&hosts.on("node4", &dest));
    let source = tempdir("full").join("three.img");
    let data: Vec<u8> = (0..3u32 << 20).map(|i| (i % 251) as u8).collect();
    std::fs::write(&source, &data).unwrap();
    let src = source.display().to_string();
    let out = cscomm(
        1,
        Gateways::Cscomm,
        "node[1-6]",
        &["--copy", &src, "--dest", &format!("{dest}/")],
    );
    let left: Vec<_> = std::fs::read_dir(&small.0)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    drop(small);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = stderr(&out);
    assert!(
        err.contains("cscomm: node4: exited with exit code"),
        "{err}"
    );
    // GNU tar names the short write the full disk caused.
    assert!(err.contains("node4: tar: three.img: Wrote only"), "{err}");
    assert!(left.is_empty(), "node4 kept {left:?}");
    for i in [1, 2, 3, 5, 6] {
        let node = format!("node{i}");
        let copy = std::fs::read(hosts.on(&node, &format!("{dest}/three.img"))).unwrap();
        assert!(copy == data, "{node}: the copy differs");
        assert!(!err.contains(&format!("{node}: ")), "{node}: {err}");
    }
}

/// The pids of `tar -xf` processes of `host`'s sessions unpacking below a
/// directory named `dest` (not those of another test copying to `host`).
fn receiving_tars(host: &str, dest: &str) -> Vec<u32> {
    let tag = format!("CSCOMM_TEST_HOST={host}\0");
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        // The copy's shell enters the destination before it unpacks.
        let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).unwrap_or_default();
        let is_tar = cmdline.starts_with(b"tar\0-xf\0") && cwd.ends_with(dest);
        if is_tar && environ.windows(tag.len()).any(|w| w == tag.as_bytes()) {
            pids.push(pid);
        }
    }
    pids
}

#[test]
fn a_node_dying_mid_copy_fails_alone_and_leaves_no_partial_file() {
    let hosts = hosts();
    let dest = hosts.remote("dying");
    for i in 1..=20 {
        std::fs::create_dir_all(hosts.on(&format!("node{i}"), &dest)).unwrap();
    }
    let source = tempdir("big").join("big.img");
    let data: Vec<u8> = (0..64u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&source, &data).unwrap();
    let src = source.display().to_string();
    let dest_arg = format!("{dest}/");
    let killer = std::thread::spawn(|| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let pids = receiving_tars("node5", "dying");
            if !pids.is_empty() {
                std::thread::sleep(Duration::from_millis(100));
                for pid in pids {
                    let _ = Command::new("kill")
                        .args(["-KILL", &pid.to_string()])
                        .status();
                }
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        false
    });
    let out = cscomm(
        1,
        Gateways::Cscomm,
        "node[1-20]",
        &["--copy", &src, "--dest", &dest_arg],
    );
    assert!(killer.join().unwrap(), "node5's tar was never seen");
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = stderr(&out);
    assert!(
        err.contains("cscomm: node5: exited with exit code"),
        "{err}"
    );
    let node5 = hosts.on("node5", &dest);
    let left: Vec<_> = std::fs::read_dir(&node5)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "node5 kept {left:?}");
    for i in (1..=20).filter(|i| *i != 5) {
        let copy =
            std::fs::read(hosts.on(&format!("node{i}"), &format!("{dest}/big.img"))).unwrap();
        assert!(copy == data, "node{i}: the copy differs");
    }
}

#[test]
fn an_rcopy_of_a_source_missing_on_some_nodes_fails_for_them_alone() {
    let hosts = hosts();
    let src = hosts.remote("rmissing/file");
    for i in 1..=6 {
        let path = hosts.on(&format!("node{i}"), &src);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        if i != 4 {
            std::fs::write(&path, format!("node{i}")).unwrap();
        }
    }
    let local = tempdir("rmissing");
    let dest = local.display().to_string();
    let out = cscomm(
        1,
        Gateways::Python,
        "node[1-6]",
        &["--rcopy", &src, "--dest", &dest],
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let err = stderr(&out);
    assert!(
        err.contains("node4: tar: file: Cannot stat: No such file or directory"),
        "{err}"
    );
    assert!(
        err.contains("cscomm: node4: exited with exit code 1"),
        "{err}"
    );
    let mut names: Vec<String> = std::fs::read_dir(&local)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "file.node1",
            "file.node2",
            "file.node3",
            "file.node5",
            "file.node6"
        ]
    );
}
