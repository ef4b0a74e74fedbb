//! `cscomm run`'s arguments read as clush 1.10.1 reads them (Python's
//! `optparse` with ClusterShell's option table): options stop at the first
//! word that is not one (until `-c`/`--rcopy`, which let options follow
//! files), long options may be shortened to any unique prefix, a value
//! may follow in the same word (`-wn1`, `--fanout=8`) or the next one even
//! when it starts with `-`, integers take Python's `0x`/`0b`/`0` prefixes,
//! and a bad argument is clush's usage error (`cscomm: error: ...`,
//! status 2). The arguments are then written again in one spelling clap
//! reads (`--long=VALUE`, options before `--` and the command).

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

mod table;
mod values;

use table::{Kind, OPTIONS, Opt};

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Parsed {
    /// Run: the arguments for clap, after `run`.
    Args(Vec<OsString>),
    /// `--version`.
    Version,
}

/// Reads `args` (the words after `run`) as clush does: the words for clap,
/// or clush's usage error message.
pub(crate) fn parse(args: &[OsString]) -> Result<Parsed, String> {
    let mut state = State::default();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let text = word.to_string_lossy();
        if text == "--" {
            state.positional.extend(words.by_ref().cloned());
            break;
        }
        let step = if let Some(long) = text.strip_prefix("--") {
            state.long(long, word, &mut words)?
        } else if text.len() > 1 && text.starts_with('-') {
            state.shorts(word, &mut words)?
        } else {
            state.positional.push(word.clone());
            if !state.interspersed {
                state.positional.extend(words.by_ref().cloned());
                break;
            }
            Step::Go
        };
        match step {
            Step::Go => {}
            Step::Help => return Ok(Parsed::Args(vec!["--help".into()])),
            Step::Version => return Ok(Parsed::Version),
        }
    }
    Ok(Parsed::Args(state.into_args()))
}

/// What to do after an option.
enum Step {
    Go,
    Help,
    Version,
}

/// The options read so far (by index in [`OPTIONS`]), and the positional
/// words.
#[derive(Default)]
struct State {
    /// Each option's values, in order (flags: an empty value).
    values: Vec<(usize, OsString)>,
    positional: Vec<OsString>,
    /// After `-c`/`--rcopy`: options may follow positional words.
    interspersed: bool,
}

impl State {
    /// `--NAME[=VALUE]` (`long` is the text after `--`).
    fn long<'a>(
        &mut self,
        long: &str,
        word: &OsStr,
        rest: &mut impl Iterator<Item = &'a OsString>,
    ) -> Result<Step, String> {
        let (name, inline) = match long.split_once('=') {
            Some((name, _)) => (name, Some(after_equals(word))),
            None => (long, None),
        };
        let (index, full) = table::match_long(name)?;
        let option = &OPTIONS[index];
        let opt = format!("--{full}");
        if !option.kind.takes_value() {
            if inline.is_some() {
                return Err(format!("{opt} option does not take a value"));
            }
            return Ok(self.flag(index));
        }
        let value = match inline {
            Some(value) => value,
            None => rest
                .next()
                .cloned()
                .ok_or_else(|| format!("{opt} option requires 1 argument"))?,
        };
        self.value(index, &opt, value)
    }

    /// `-abc`, `-wVALUE`, `-w VALUE`.
    fn shorts<'a>(
        &mut self,
        word: &OsStr,
        rest: &mut impl Iterator<Item = &'a OsString>,
    ) -> Result<Step, String> {
        let text = word.to_string_lossy().into_owned();
        for (at, letter) in text.char_indices().skip(1) {
            let opt = format!("-{letter}");
            let index = table::match_short(letter).ok_or(format!("no such option: {opt}"))?;
            if !OPTIONS[index].kind.takes_value() {
                if let step @ (Step::Help | Step::Version) = self.flag(index) {
                    return Ok(step);
                }
                continue;
            }
            let attached = at + letter.len_utf8();
            let value = if attached < text.len() {
                bytes_from(word, attached)
            } else {
                rest.next()
                    .cloned()
                    .ok_or_else(|| format!("{opt} option requires 1 argument"))?
            };
            return self.value(index, &opt, value);
        }
        Ok(Step::Go)
    }

    fn flag(&mut self, index: usize) -> Step {
        match OPTIONS[index].kind {
            Kind::Help => return Step::Help,
            Kind::Version => return Step::Version,
            Kind::Copy => self.interspersed = true,
            _ => {}
        }
        self.values.push((index, OsString::new()));
        Step::Go
    }

    fn value(&mut self, index: usize, opt: &str, value: OsString) -> Result<Step, String> {
        let value = values::check(OPTIONS[index].kind, opt, value)?;
        self.values.push((index, value));
        Ok(Step::Go)
    }

    /// The words for clap: each option once (the last value of a single
    /// value option, every value of a repeatable one), `--`, the
    /// positional words.
    fn into_args(self) -> Vec<OsString> {
        let mut args = Vec::new();
        for (position, (index, value)) in self.values.iter().enumerate() {
            let option = &OPTIONS[*index];
            let later = self.values[position + 1..].iter().any(|(i, _)| i == index);
            if later && !option.append {
                continue;
            }
            emit(&mut args, option, value);
        }
        args.push("--".into());
        args.extend(self.positional);
        args
    }
}

/// One option in clap's spelling; an empty `--color`, `--conf`, ... (to
/// clush: not given) is left out.
fn emit(args: &mut Vec<OsString>, option: &Opt, value: &OsStr) {
    match option.kind {
        _ if option.clap.is_empty() => {}
        Kind::Choice(_) if value.is_empty() => {}
        _ if option.unset_when_empty && value.is_empty() => {}
        kind if !kind.takes_value() => args.push(option.clap.into()),
        _ if option.clap.starts_with("--") => {
            let mut word = OsString::from(format!("{}=", option.clap));
            word.push(value);
            args.push(word);
        }
        _ => args.extend([OsString::from(option.clap), value.to_owned()]),
    }
}

/// The bytes of `word` after its first `=`.
fn after_equals(word: &OsStr) -> OsString {
    let bytes = word.as_bytes();
    let at = bytes
        .iter()
        .position(|b| *b == b'=')
        .map_or(bytes.len(), |i| i + 1);
    bytes_from(word, at)
}

/// The bytes of `word` from `at` (only valid UTF-8 comes before it, so
/// the offsets of its lossy text are its bytes').
fn bytes_from(word: &OsStr, at: usize) -> OsString {
    let bytes = word.as_bytes();
    OsStr::from_bytes(bytes.get(at..).unwrap_or_default()).to_owned()
}

#[cfg(test)]
mod tests;
