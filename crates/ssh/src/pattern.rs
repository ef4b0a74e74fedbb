//! ClusterShell's `%` keywords of local commands.

use crate::Error;

/// Whether a command runs once for all nodes (it names `%hosts`), as
/// ClusterShell decides it: a plain substring test.
pub fn runs_once_for_all(command: &str) -> bool {
    command.contains("%hosts") || command.contains("%{hosts}")
}

/// Replaces ClusterShell's keywords in a local command: `%h`, `%host` and
/// `%hosts` by `host`, `%n` and `%rank` by `rank`, each also written with
/// braces (`%{h}`); `%%` is a literal `%`. Any other `%` is an error, as in
/// ClusterShell (whose rules are Python's `string.Template` with `%`).
///
/// ```
/// use cscomm_ssh::substitute;
/// assert_eq!(substitute("echo %h/%{rank} 100%%", "node3", 2).unwrap(), "echo node3/2 100%");
/// assert!(substitute("echo %hostname", "node3", 2).is_err());
/// ```
pub fn substitute(command: &str, host: &str, rank: usize) -> Result<String, Error> {
    let bytes = command.as_bytes();
    let mut out = String::with_capacity(command.len() + host.len());
    let mut copied = 0;
    let mut i = 0;
    while let Some(pos) = memchr::memchr(b'%', &bytes[i..]).map(|p| p + i) {
        out.push_str(&command[copied..pos]);
        let (value, end) = keyword(command, pos, host, rank)?;
        out.push_str(&value);
        copied = end;
        i = end;
    }
    out.push_str(&command[copied..]);
    Ok(out)
}

/// The value of the keyword starting at `start` (a `%`) and where it ends.
fn keyword(command: &str, start: usize, host: &str, rank: usize) -> Result<(String, usize), Error> {
    let bytes = command.as_bytes();
    let invalid = |end: usize| Error::Pattern {
        pattern: command[start..end].to_string(),
        offset: start,
    };
    let (name, end) = match bytes.get(start + 1) {
        Some(b'%') => return Ok(("%".to_string(), start + 2)),
        Some(b'{') => {
            let id_end = identifier_end(bytes, start + 2).ok_or_else(|| invalid(start + 2))?;
            if bytes.get(id_end) != Some(&b'}') {
                return Err(invalid(id_end));
            }
            (&command[start + 2..id_end], id_end + 1)
        }
        _ => {
            let id_end = identifier_end(bytes, start + 1).ok_or_else(|| invalid(start + 1))?;
            (&command[start + 1..id_end], id_end)
        }
    };
    let value = match name {
        "h" | "host" | "hosts" => host.to_string(),
        "n" | "rank" => rank.to_string(),
        _ => return Err(invalid(end)),
    };
    Ok((value, end))
}

/// The end of an ASCII identifier starting at `start`, if one starts there.
fn identifier_end(bytes: &[u8], start: usize) -> Option<usize> {
    let first = *bytes.get(start)?;
    if !(first == b'_' || first.is_ascii_alphabetic()) {
        return None;
    }
    let len = bytes[start..]
        .iter()
        .take_while(|b| **b == b'_' || b.is_ascii_alphanumeric())
        .count();
    Some(start + len)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn errors_carry_the_offset() {
        match substitute("ab %x", "n", 0) {
            Err(Error::Pattern { offset, pattern }) => {
                assert_eq!(offset, 3);
                assert_eq!(pattern, "%x");
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(substitute("trailing %", "n", 0).is_err());
        assert!(substitute("%{h", "n", 0).is_err());
    }

    #[test]
    fn non_ascii_text_is_kept() {
        assert_eq!(substitute("é %h ü", "nœud", 1).unwrap(), "é nœud ü");
    }
}
