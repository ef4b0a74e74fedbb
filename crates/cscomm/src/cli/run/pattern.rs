//! A bad `%` keyword of a local command (`-R exec`, `--local`,
//! `--remote=no`) told in clush 1.10.1's words (Python's
//! `string.Template` errors).

/// `error` as clush words it when it is a bad `%` keyword of `command`;
/// else as it is.
pub(super) fn clush_error(error: cscomm::Error, command: &str) -> Box<dyn std::error::Error> {
    match &error {
        cscomm::Error::Transport(cscomm_ssh::Error::Pattern { pattern, offset }) => {
            message(command, pattern, *offset).into()
        }
        _ => error.into(),
    }
}

/// An unknown keyword is named (`'z' is not ...`); a `%` starting none is
/// placed by line and column (`Invalid placeholder in string: line 1,
/// col 6 is not ...`).
fn message(command: &str, pattern: &str, offset: usize) -> String {
    let braced = pattern.starts_with("%{");
    let name = pattern.trim_start_matches("%{").trim_start_matches('%');
    let name = name.strip_suffix('}').unwrap_or(name);
    let complete = !braced || pattern.ends_with('}');
    let what = if complete && is_identifier(name) {
        format!("'{name}'")
    } else {
        let before = command.get(..=offset).unwrap_or(command);
        let lines: Vec<&str> = before.split_inclusive(['\n', '\r']).collect();
        let column = lines.last().map_or(1, |line| line.chars().count());
        format!(
            "Invalid placeholder in string: line {}, col {column}",
            lines.len().max(1)
        )
    };
    format!("{what} is not a valid pattern, use '%%' to escape '%'")
}

fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c == '_' || c.is_ascii_alphabetic())
        && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::message;

    #[test]
    fn messages_are_python_templates() {
        let tail = " is not a valid pattern, use '%%' to escape '%'";
        assert_eq!(message("echo %z", "%z", 5), format!("'z'{tail}"));
        assert_eq!(message("echo %{zz}", "%{zz}", 5), format!("'zz'{tail}"));
        let at = |l, c| format!("Invalid placeholder in string: line {l}, col {c}{tail}");
        assert_eq!(message("echo %", "%", 5), at(1, 6));
        assert_eq!(message("echo %{h", "%{h", 5), at(1, 6));
        assert_eq!(message("a\nbc %9", "%", 5), at(2, 4));
    }
}
