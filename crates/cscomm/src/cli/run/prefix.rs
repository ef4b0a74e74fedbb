//! `clush.conf`'s `command_prefix` for a command.

use cscomm_groups::ClushSettings;

use super::RunArgs;
use super::display::{DisplayOptions, Verbosity};

/// The command: its words joined with spaces after `command_prefix` split
/// into words (as clush does: the prefix's quotes are lost). With -v,
/// clush's message naming the prefix words. The error is clush's message
/// (without its name) for a prefix that does not split.
pub(super) fn command_line(
    args: &RunArgs,
    conf: &ClushSettings,
    display: &DisplayOptions,
) -> Result<String, String> {
    let mode = args.mode.as_deref().unwrap_or("None");
    let mut all = Vec::new();
    if let Some(prefix) = &conf.command_prefix {
        let words = cscomm::ssh::split_words(prefix).map_err(|e| shlex_reason(&e))?;
        if display.verbosity >= Verbosity::Verbose {
            println!("[{mode}] command prefix: {}", python_list(&words));
        }
        all = words;
    }
    all.extend(args.command.iter().cloned());
    Ok(all.join(" "))
}

/// Python's `shlex` reason alone (`No closing quotation`).
fn shlex_reason(error: &cscomm::ssh::Error) -> String {
    let text = error.to_string();
    match text.rsplit_once(": ") {
        Some((_, reason)) => reason.to_owned(),
        None => text,
    }
}

/// Python's `repr` of a list of strings: `['echo', "it's"]`.
fn python_list(words: &[String]) -> String {
    let items: Vec<String> = words.iter().map(|w| python_str(w)).collect();
    format!("[{}]", items.join(", "))
}

/// Python's `repr` of a string (printable text; `\n`, `\t`, `\r` and `\\`
/// escaped).
fn python_str(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_written_as_python_does() {
        let words = ["echo", "a  b", "it's", "say \"x\" it's"].map(String::from);
        assert_eq!(
            python_list(&words),
            r#"['echo', 'a  b', "it's", 'say "x" it\'s']"#
        );
    }
}
