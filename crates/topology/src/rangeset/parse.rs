//! ClusterShell's range set syntax: `"1-3,5,08-12,1-9/2,-3--1"`.

use super::{RangeSet, Run};
use crate::pystr::{IntError, py_int, py_len, strip};

/// Most elements one stepped range (`a-b/step`, step > 1) may add; each is
/// stored on its own, so this bounds memory on hostile input.
pub(crate) const MAX_STEPPED_ELEMENTS: i128 = 1 << 20;

/// Most separate runs (isolated elements, or ranges of another padding) a
/// range set text may produce; bounds memory on hostile stepped ranges.
const MAX_RUNS: usize = 1 << 22;

/// ClusterShell refuses ranges of `1e9` elements or more.
const MAX_RANGE: i128 = 1_000_000_000;

/// A range set parse error: ClusterShell's reason and the faulty part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RangeError {
    pub(crate) part: String,
    pub(crate) reason: &'static str,
}

impl RangeError {
    fn new(part: &str, reason: &'static str) -> RangeError {
        RangeError {
            part: part.to_owned(),
            reason,
        }
    }

    /// ClusterShell's text for this error (`str(RangeSetParseError)`).
    pub(crate) fn message(&self) -> String {
        if self.part.is_empty() {
            self.reason.to_owned()
        } else {
            format!("{} : \"{}\"", self.reason, self.part)
        }
    }
}

fn int_or(part: &str, text: &str) -> Result<i128, RangeError> {
    py_int(text).map_err(|e| match e {
        IntError::TooLarge => RangeError::new(part, "integer too large (more than 38 digits)"),
        IntError::Invalid if part.is_empty() => RangeError::new(part, "empty range"),
        IntError::Invalid => RangeError::new(part, "cannot convert string to integer"),
    })
}

/// Bounds and signs of one `a-b` piece, split as ClusterShell splits it.
struct Bounds<'a> {
    begin: &'a str,
    end: &'a str,
    begin_sign: i128,
    end_sign: i128,
}

fn split_bounds<'a>(part: &str, base: &'a str) -> Result<Bounds<'a>, RangeError> {
    let pieces: Vec<&str> = base.split('-').map(strip).collect();
    match pieces.as_slice() {
        // "-5": a single negative number.
        ["", end] => Ok(Bounds {
            begin: end,
            end,
            begin_sign: -1,
            end_sign: -1,
        }),
        [begin, end] => Ok(Bounds {
            begin,
            end,
            begin_sign: 1,
            end_sign: 1,
        }),
        // "-0-3": ClusterShell ignores what is before the first '-'.
        [_, begin, end] => Ok(Bounds {
            begin,
            end,
            begin_sign: -1,
            end_sign: 1,
        }),
        // "-8--4"
        [_, begin, _, end] => Ok(Bounds {
            begin,
            end,
            begin_sign: -1,
            end_sign: -1,
        }),
        _ => Err(RangeError::new(part, "too many '-' in range")),
    }
}

/// Parses one comma-separated piece into `out` (ClusterShell's `_parse`).
fn parse_piece(out: &mut Vec<Run>, piece: &str) -> Result<(), RangeError> {
    let part = strip(piece);
    let (base, step_text) = part.split_once('/').unwrap_or((part, "1"));
    let step =
        py_int(step_text).map_err(|_| RangeError::new(part, "cannot convert string to integer"))?;
    let bounds = if base.contains('-') {
        split_bounds(part, base)?
    } else {
        if step != 1 {
            return Err(RangeError::new(part, "invalid step usage"));
        }
        Bounds {
            begin: base,
            end: base,
            begin_sign: 1,
            end_sign: 1,
        }
    };
    let Bounds {
        begin,
        end,
        begin_sign,
        end_sign,
    } = bounds;

    let mut pad = 0;
    let mut endpad = 0;
    let start = if int_or(part, begin)? != 0 {
        let stripped = begin.trim_start_matches('0');
        if stripped.len() < begin.len() {
            pad = py_len(begin);
        }
        int_or(part, stripped)?
    } else {
        if py_len(begin) > 1 {
            pad = py_len(begin);
        }
        0
    };
    let end_stripped = if int_or(part, end)? != 0 {
        end.trim_start_matches('0')
    } else {
        end
    };
    if end_stripped.len() < end.len() {
        endpad = py_len(end);
    }
    if (pad > 0 || endpad > 0) && py_len(begin) != py_len(end) {
        return Err(RangeError::new(part, "padding length mismatch"));
    }
    let stop = int_or(part, end_stripped)?;
    if pad > 0 && begin_sign < 0 {
        return Err(RangeError::new(
            part,
            "padding not supported in negative ranges",
        ));
    }
    let (first, last) = (start * begin_sign, stop * end_sign);
    if first > last || step < 1 {
        return Err(RangeError::new(part, "invalid values in range"));
    }
    if last - first >= MAX_RANGE - 1 || (step > 1 && (last - first) / step >= MAX_STEPPED_ELEMENTS)
    {
        return Err(RangeError::new(part, "range too large"));
    }
    // Padding beyond the digit limit cannot print within MAX_DIGITS.
    let pad = u32::try_from(pad)
        .ok()
        .filter(|&p| p as usize <= crate::pystr::MAX_DIGITS);
    let pad =
        pad.ok_or_else(|| RangeError::new(part, "integer too large (more than 38 digits)"))?;
    RangeSet::push_range(out, first, last + 1, step, pad);
    Ok(())
}

/// Parses ClusterShell's range set syntax.
pub(crate) fn parse_rangeset(text: &str) -> Result<RangeSet, RangeError> {
    let mut runs = Vec::new();
    let mut compact_at = MAX_RUNS;
    for piece in text.split(',') {
        parse_piece(&mut runs, piece)?;
        if runs.len() > compact_at {
            runs = RangeSet::from_runs(runs).into_runs();
            if runs.len() > MAX_RUNS {
                return Err(RangeError::new(strip(piece), "range too large"));
            }
            compact_at = runs.len() + MAX_RUNS;
        }
    }
    Ok(RangeSet::from_runs(runs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(text: &str) -> Result<String, String> {
        parse_rangeset(text)
            .map(|r| r.to_string())
            .map_err(|e| e.message())
    }

    #[test]
    fn parses_like_clustershell() {
        assert_eq!(fold("1-3,5"), Ok("1-3,5".into()));
        assert_eq!(fold("1-9/2"), Ok("1,3,5,7,9".into()));
        assert_eq!(fold("08-12,1-3"), Ok("1-3,08-12".into()));
        assert_eq!(fold("-3--1"), Ok("-3--1".into()));
        assert_eq!(fold("-10--1,0-3"), Ok("-10-3".into()));
        assert_eq!(fold("1-2-3"), Ok("-2-3".into()));
        assert_eq!(fold("+0"), Ok("00".into()));
        assert_eq!(fold(" 1 - 3 "), Ok("1-3".into()));
        assert_eq!(
            fold("0_5"),
            Err("cannot convert string to integer : \"0_5\"".into())
        );
        assert_eq!(fold(""), Err("empty range".into()));
        assert_eq!(fold("3-1"), Err("invalid values in range : \"3-1\"".into()));
        assert_eq!(
            fold("01-100"),
            Err("padding length mismatch : \"01-100\"".into())
        );
        assert_eq!(
            fold("-01"),
            Err("padding not supported in negative ranges : \"-01\"".into())
        );
        assert_eq!(fold("1/2"), Err("invalid step usage : \"1/2\"".into()));
        assert_eq!(
            fold("1-1000000000"),
            Err("range too large : \"1-1000000000\"".into())
        );
        assert!(fold("1-999999999").is_ok());
    }
}
