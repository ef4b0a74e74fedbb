//! The shell commands a copy runs on the nodes (any POSIX `sh`, GNU `tar`
//! and `base64`, as ClusterShell's tree copy needs), and the names they use.

use std::path::{Component, Path, PathBuf};

/// Quotes `word` for `/bin/sh`: single quotes, a `'` written `'\''`.
pub(super) fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// The name a source is archived under: its last component (`.` and `..`
/// resolved away lexically, as Python's `normpath`), `None` for a root.
pub(super) fn archive_name(source: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for component in source.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop();
            }
            _ => {}
        }
    }
    parts.pop()
}

/// The command that receives a copy: the archive (one member,
/// `member`) is read from standard input and unpacked in a hidden
/// directory next to the destination, then moved in place only when `tar`
/// read a whole archive, so an interrupted copy never looks complete.
/// Any failure exits with code 1, as `scp` (clush's flat-mode copy) does.
///
/// `dest` has `scp`'s meaning: an existing directory receives the source
/// under its own name (`base`), anything else is the new name.
pub(super) fn receive(dest: &str, base: &str, member: &str, preserve: bool) -> String {
    let (parent, name) = split_dest(dest);
    let tar_flags = if preserve {
        "-p"
    } else {
        "-m --no-same-permissions"
    };
    let cp_flags = if preserve { "-pR" } else { "-R" };
    let m = quote(member);
    // A trailing `/` says "a directory": no other name then.
    let enter = if dest.ends_with('/') {
        format!(
            "cd {dest} && n={base}",
            dest = quote(dest),
            base = quote(base)
        )
    } else {
        format!(
            "if [ -d {dest} ]; then cd {dest} && n={base}; else cd {parent} && n={name}; fi",
            dest = quote(dest),
            base = quote(base),
            parent = quote(&parent),
            name = quote(&name),
        )
    };
    format!(
        "{enter} || exit 1; \
         t=\".$n.cscomm-$$\"; trap 'rm -rf \"$t\"' EXIT; trap 'exit 1' HUP INT TERM PIPE; \
         mkdir \"$t\" || exit 1; \
         tar -xf - -C \"$t\" --no-same-owner {tar_flags} || exit 1; \
         if [ -d \"$t\"/{m} ] && [ -d \"$n\" ] && [ ! -L \"$n\" ]; then cp {cp_flags} \"$t\"/{m}/. \"$n\"/; \
         else mv -f -T \"$t\"/{m} \"$n\"; fi || exit 1"
    )
}

/// `dest` as a parent directory and a name (`/a/b` is `/a` and `b`).
fn split_dest(dest: &str) -> (String, String) {
    let trimmed = dest.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(0) => ("/".to_owned(), trimmed[1..].to_owned()),
        Some(at) => (trimmed[..at].to_owned(), trimmed[at + 1..].to_owned()),
        None if trimmed.is_empty() => ("/".to_owned(), ".".to_owned()),
        None => (".".to_owned(), trimmed.to_owned()),
    }
}

/// The command that sends `source` back: a tar of it on standard output,
/// base64 in lines of 65536 characters (as ClusterShell's rcopy); exits
/// with 1 when `tar` fails (not only when the pipe's last command does),
/// as `scp` (clush's flat-mode rcopy) does.
pub(super) fn send(source: &str) -> String {
    let path = PathBuf::from(source);
    let base = archive_name(&path).unwrap_or_else(|| ".".to_owned());
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_string_lossy().into_owned(),
        _ => ".".to_owned(),
    };
    format!(
        "cd {dir} || exit; exec 4>&1; \
         rc=$( {{ {{ tar -cf - {base}; echo $? >&3; }} | base64 -w 65536 >&4; }} 3>&1 ); [ \"$rc\" = 0 ] || exit 1",
        dir = quote(&dir),
        base = quote(&base),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::process::{Command, Stdio};

    /// A fresh scratch directory.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cscomm-copy-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A tar holding one file `member` with `data`.
    fn archive(member: &str, data: &[u8]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, member, data).unwrap();
        builder.into_inner().unwrap()
    }

    /// Runs `command` with `sh`, `input` on its standard input.
    fn sh(command: &str, input: &[u8]) -> std::process::Output {
        let mut child = Command::new("/bin/sh")
            .args(["-c", command])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let _ = stdin.write_all(input);
        drop(stdin);
        child.wait_with_output().unwrap()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_copy_lands_in_an_existing_directory_or_under_the_new_name() {
        let dir = scratch("receive");
        let tar = archive("motd", b"hello\n");
        let into = dir.join("etc");
        std::fs::create_dir(&into).unwrap();
        let out = sh(
            &receive(into.to_str().unwrap(), "motd", "motd", false),
            &tar,
        );
        assert!(out.status.success(), "{out:?}");
        assert_eq!(std::fs::read(into.join("motd")).unwrap(), b"hello\n");
        let renamed = dir.join("etc/motd.new");
        let out = sh(
            &receive(renamed.to_str().unwrap(), "motd", "motd", true),
            &tar,
        );
        assert!(out.status.success(), "{out:?}");
        assert_eq!(std::fs::read(&renamed).unwrap(), b"hello\n");
        assert_eq!(names(&into), ["motd", "motd.new"], "no work directory left");
    }

    #[test]
    fn a_cut_archive_leaves_nothing() {
        let dir = scratch("cut");
        let tar = archive("big", &vec![7; 100_000]);
        let out = sh(
            &receive(&format!("{}/", dir.display()), "big", "big", false),
            &tar[..50_000],
        );
        assert_eq!(out.status.code(), Some(1), "as scp: {out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("tar"),
            "{out:?}"
        );
        assert!(names(&dir).is_empty(), "{:?}", names(&dir));
    }

    #[test]
    fn a_missing_directory_with_a_trailing_slash_is_an_error() {
        let dir = scratch("slash");
        let dest = format!("{}/nothere/", dir.display());
        let out = sh(&receive(&dest, "f", "f", false), &archive("f", b"x"));
        assert_eq!(out.status.code(), Some(1), "as scp: {out:?}");
        assert!(names(&dir).is_empty());
    }

    #[test]
    fn the_sender_fails_with_1_when_tar_fails_and_sends_the_archive_in_base64() {
        let dir = scratch("send");
        std::fs::write(dir.join("it's"), b"data").unwrap();
        let out = sh(&send(dir.join("it's").to_str().unwrap()), b"");
        assert!(out.status.success(), "{out:?}");
        let mut tar = Vec::new();
        cscomm_message::base64::decode(&out.stdout, &mut tar).unwrap();
        let mut archive = tar::Archive::new(&tar[..]);
        let entry = archive.entries().unwrap().next().unwrap().unwrap();
        assert_eq!(entry.path().unwrap().to_str(), Some("it's"));
        let missing = sh(&send(dir.join("missing").to_str().unwrap()), b"");
        assert_eq!(missing.status.code(), Some(1), "{missing:?}");
    }

    #[test]
    fn quotes_for_sh() {
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn archive_names_are_last_components() {
        assert_eq!(archive_name(Path::new("/a/b/")).as_deref(), Some("b"));
        assert_eq!(archive_name(Path::new("a/b/..")).as_deref(), Some("a"));
        assert_eq!(archive_name(Path::new("/")), None);
    }

    #[test]
    fn destinations_split_as_scp_reads_them() {
        assert_eq!(split_dest("/tmp/x"), ("/tmp".into(), "x".into()));
        assert_eq!(split_dest("/x"), ("/".into(), "x".into()));
        assert_eq!(split_dest("x"), (".".into(), "x".into()));
        assert_eq!(split_dest("/tmp/x/"), ("/tmp".into(), "x".into()));
    }
}
