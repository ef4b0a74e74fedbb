//! Splitting option strings into words the way ClusterShell does
//! (Python's `shlex.split` in POSIX mode, then `os.path.expanduser` per word).

use crate::Error;

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between words.
    Blank,
    /// Inside a word, outside quotes.
    Word,
    /// Inside `'...'` or `"..."`.
    Quoted(u8),
    /// After a backslash; the state to return to.
    Escaped(Escape),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Escape {
    Word,
    DoubleQuoted,
}

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Splits `text` into words with POSIX shell quoting rules as Python's
/// `shlex.split` applies them: blanks separate words, `'...'` keeps
/// everything, `"..."` keeps everything but `\"` and `\\`, a backslash
/// outside quotes escapes any character, `''` is an empty word, `#` is an
/// ordinary character.
///
/// ```
/// let words = cscomm_ssh::split_words(r#"-o "ProxyCommand=nc %h %p" -i 'a b'"#).unwrap();
/// assert_eq!(words, ["-o", "ProxyCommand=nc %h %p", "-i", "a b"]);
/// ```
pub fn split_words(text: &str) -> Result<Vec<String>, Error> {
    let mut words = Vec::new();
    let mut word = String::new();
    // A quoted empty string is a word of its own.
    let mut quoted = false;
    let mut state = State::Blank;
    for c in text.chars() {
        state = match state {
            State::Blank | State::Word if is_blank(c) => {
                if state == State::Word || quoted {
                    words.push(std::mem::take(&mut word));
                    quoted = false;
                }
                State::Blank
            }
            State::Blank | State::Word => match c {
                '\\' => State::Escaped(Escape::Word),
                '\'' | '"' => {
                    quoted = true;
                    State::Quoted(c as u8)
                }
                _ => {
                    word.push(c);
                    State::Word
                }
            },
            State::Quoted(q) if c == char::from(q) => State::Word,
            State::Quoted(b'"') if c == '\\' => State::Escaped(Escape::DoubleQuoted),
            State::Quoted(q) => {
                word.push(c);
                State::Quoted(q)
            }
            State::Escaped(Escape::Word) => {
                word.push(c);
                State::Word
            }
            State::Escaped(Escape::DoubleQuoted) => {
                // Inside double quotes only `"` and `\` are escapable.
                if c != '"' && c != '\\' {
                    word.push('\\');
                }
                word.push(c);
                State::Quoted(b'"')
            }
        };
    }
    match state {
        State::Quoted(_) => Err(Error::Split {
            text: text.to_string(),
            reason: "No closing quotation",
        }),
        State::Escaped(_) => Err(Error::Split {
            text: text.to_string(),
            reason: "No escaped character",
        }),
        State::Word => {
            words.push(word);
            Ok(words)
        }
        State::Blank => {
            if quoted {
                words.push(word);
            }
            Ok(words)
        }
    }
}

/// Replaces a leading `~` or `~user` by that home directory, as Python's
/// `os.path.expanduser` does; other words are returned unchanged.
pub fn expand_user(word: &str) -> String {
    let Some(rest) = word.strip_prefix('~') else {
        return word.to_string();
    };
    let (name, tail) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let home = if name.is_empty() {
        std::env::var("HOME").ok().or_else(|| {
            let user = nix::unistd::User::from_uid(nix::unistd::getuid());
            user.ok().flatten().map(|u| u.dir.display().to_string())
        })
    } else {
        let user = nix::unistd::User::from_name(name);
        user.ok().flatten().map(|u| u.dir.display().to_string())
    };
    match home {
        Some(home) => {
            let joined = format!("{}{tail}", home.trim_end_matches('/'));
            if joined.is_empty() {
                "/".to_string()
            } else {
                joined
            }
        }
        None => word.to_string(),
    }
}

/// [`split_words`] then [`expand_user`] on each word: how ClusterShell reads
/// its `ssh_path` and `ssh_options`.
pub fn split_and_expand(text: &str) -> Result<Vec<String>, Error> {
    Ok(split_words(text)?.iter().map(|w| expand_user(w)).collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_python_reason() {
        let err = split_words("-o 'x").unwrap_err();
        assert!(err.to_string().contains("No closing quotation"), "{err}");
        let err = split_words("a\\").unwrap_err();
        assert!(err.to_string().contains("No escaped character"), "{err}");
    }

    #[test]
    fn expands_home_of_current_and_named_users() {
        let me = nix::unistd::User::from_uid(nix::unistd::getuid())
            .unwrap()
            .unwrap();
        let home = std::env::var("HOME").unwrap_or_else(|_| me.dir.display().to_string());
        assert_eq!(
            expand_user("~/k"),
            format!("{}/k", home.trim_end_matches('/'))
        );
        assert_eq!(expand_user("a~/k"), "a~/k");
        assert_eq!(expand_user("~no-such-user-xyz/k"), "~no-such-user-xyz/k");
        let root = nix::unistd::User::from_name("root").unwrap().unwrap();
        let root_home = root.dir.display().to_string();
        assert_eq!(
            expand_user("~root/k"),
            format!("{}/k", root_home.trim_end_matches('/'))
        );
    }
}
