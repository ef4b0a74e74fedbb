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
        "{enter} || exit; \
         t=\".$n.cscomm-$$\"; trap 'rm -rf \"$t\"' EXIT; trap 'exit 1' HUP INT TERM PIPE; \
         mkdir \"$t\" || exit; \
         tar -xf - -C \"$t\" --no-same-owner {tar_flags} || exit; \
         if [ -d \"$t\"/{m} ] && [ -d \"$n\" ] && [ ! -L \"$n\" ]; then cp {cp_flags} \"$t\"/{m}/. \"$n\"/; \
         else mv -f -T \"$t\"/{m} \"$n\"; fi"
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
/// base64 in lines of 65536 characters (as ClusterShell's rcopy), the exit
/// code `tar`'s (not the pipe's last command's).
pub(super) fn send(source: &str) -> String {
    let path = PathBuf::from(source);
    let base = archive_name(&path).unwrap_or_else(|| ".".to_owned());
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_string_lossy().into_owned(),
        _ => ".".to_owned(),
    };
    format!(
        "cd {dir} || exit; exec 4>&1; \
         rc=$( {{ {{ tar -cf - {base}; echo $? >&3; }} | base64 -w 65536 >&4; }} 3>&1 ); exit \"$rc\"",
        dir = quote(&dir),
        base = quote(&base),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
