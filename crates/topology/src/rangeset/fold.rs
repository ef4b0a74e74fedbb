//! ClusterShell's range set folding.
//!
//! ClusterShell folds a range set by walking its sorted elements with a small
//! state machine (`RangeSet._slices_padding` with autostep disabled): a run
//! grows while each element is the previous one plus one and keeps the
//! padding of the run's *first* element; a run with another step is written
//! element by element. The padding rule makes `05,10-100` fold to
//! `05,10-99,100`, so this module replays the same machine, skipping through
//! runs of consecutive values in constant time.

use super::RangeSet;
use super::class::{Class, write_padded};
use std::fmt::{self, Write};

/// One comma-separated piece of a folded range set: `lo` alone, or `lo-hi`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) lo: i128,
    pub(crate) hi: i128,
    /// Zero-padding width used to print both bounds.
    pub(crate) pad: u32,
}

impl Token {
    /// Writes the token as ClusterShell does (`"%0*d-%0*d"`).
    pub(crate) fn write(&self, out: &mut impl Write) -> fmt::Result {
        write_padded(out, self.lo, self.pad)?;
        if self.hi != self.lo {
            out.write_char('-')?;
            write_padded(out, self.hi, self.pad)?;
        }
        Ok(())
    }
}

/// State of the folding machine: the run being built.
struct Folder {
    start: i128,
    last: i128,
    /// `None` while the run holds a single element.
    step: Option<i128>,
    padded: bool,
    pad: u32,
}

impl Folder {
    fn new(class: Class, v: i128) -> Folder {
        Folder {
            start: v,
            last: v,
            step: None,
            padded: class.padded(),
            pad: class.len(),
        }
    }

    fn print_pad(&self) -> u32 {
        if self.padded { self.pad } else { 0 }
    }

    fn restart(&mut self, class: Class, v: i128) {
        self.start = v;
        self.padded = class.padded();
        self.pad = class.len();
    }

    /// Feeds the next element in sorted order.
    fn feed<E>(
        &mut self,
        class: Class,
        v: i128,
        emit: &mut impl FnMut(Token) -> Result<(), E>,
    ) -> Result<(), E> {
        let padding_mismatch = if self.padded {
            class.len() != self.pad
        } else {
            class.padded()
        };
        let step_mismatch = !padding_mismatch && self.step.is_some_and(|s| s != v - self.last);
        if !(padding_mismatch || step_mismatch) {
            self.step = Some(v - self.last);
            self.last = v;
            return Ok(());
        }
        let pad = self.print_pad();
        match self.step {
            // A run with step one (or a single element) is written as a range.
            None | Some(1) => {
                emit(Token {
                    lo: self.start,
                    hi: self.last,
                    pad,
                })?;
                self.restart(class, v);
            }
            Some(step) => {
                // Another step: elements one by one, keeping the last one
                // when only the step broke (it may start a new range).
                let stop = if padding_mismatch {
                    self.last + 1
                } else {
                    self.last - step + 1
                };
                let mut j = self.start;
                while j < stop {
                    emit(Token { lo: j, hi: j, pad })?;
                    j += step;
                }
                if padding_mismatch {
                    self.restart(class, v);
                } else {
                    self.start = self.last;
                }
            }
        }
        self.step = if step_mismatch {
            Some(v - self.last)
        } else {
            None
        };
        self.last = v;
        Ok(())
    }

    fn finish<E>(self, emit: &mut impl FnMut(Token) -> Result<(), E>) -> Result<(), E> {
        let pad = self.print_pad();
        match self.step {
            None | Some(1) => emit(Token {
                lo: self.start,
                hi: self.last,
                pad,
            }),
            Some(step) => {
                let mut j = self.start;
                while j <= self.last {
                    emit(Token { lo: j, hi: j, pad })?;
                    j += step;
                }
                Ok(())
            }
        }
    }
}

/// Calls `emit` with each token of ClusterShell's folded form of `set`.
pub(crate) fn fold<E>(
    set: &RangeSet,
    mut emit: impl FnMut(Token) -> Result<(), E>,
) -> Result<(), E> {
    let mut folder: Option<Folder> = None;
    for run in set.runs() {
        let mut lo = run.lo;
        match folder.as_mut() {
            None => folder = Some(Folder::new(run.class, lo)),
            Some(f) => f.feed(run.class, lo, &mut emit)?,
        }
        if run.hi == lo {
            continue;
        }
        lo += 1;
        if let Some(f) = folder.as_mut() {
            f.feed(run.class, lo, &mut emit)?;
            // After two consecutive values of one class the run has step one
            // and every further value of the class extends it.
            debug_assert_eq!(f.step, Some(1));
            f.last = run.hi;
        }
    }
    match folder {
        Some(f) => f.finish(&mut emit),
        None => Ok(()),
    }
}

/// The folded tokens as strings (ClusterShell's `RangeSet.contiguous()`).
pub(crate) fn token_texts(set: &RangeSet) -> Vec<String> {
    let mut out = Vec::new();
    let _ = fold::<fmt::Error>(set, |t| {
        let mut s = String::new();
        t.write(&mut s)?;
        out.push(s);
        Ok(())
    });
    out
}

#[cfg(test)]
mod tests {
    use crate::RangeSet;

    /// Folds every element of `text` by feeding them one at a time (no run
    /// skipping), to check the fast path against the plain machine.
    fn slow_fold(set: &RangeSet) -> String {
        let mut singles = RangeSet::new();
        let mut pieces = Vec::new();
        for (class, v) in set.elems() {
            singles = singles.union(&RangeSet::single(class, v));
        }
        let mut folder: Option<super::Folder> = None;
        let mut emit = |t: super::Token| -> Result<(), std::fmt::Error> {
            let mut s = String::new();
            t.write(&mut s)?;
            pieces.push(s);
            Ok(())
        };
        for (class, v) in singles.elems() {
            match folder.as_mut() {
                None => folder = Some(super::Folder::new(class, v)),
                Some(f) => f.feed(class, v, &mut emit).expect("string"),
            }
        }
        if let Some(f) = folder {
            f.finish(&mut emit).expect("string");
        }
        pieces.join(",")
    }

    #[test]
    fn fast_path_matches_element_walk() {
        for text in [
            "05,10-100",
            "9,05,10",
            "1,3-5",
            "-10--1,0-3",
            "1-3,08-12",
            "005,10-100,1000",
            "0,00,000,1",
            "05,07,08-12,100",
            "1,2,4,6",
            "1,2,4,5",
            "2-20/4",
            "01-09/2",
            "99-101",
            "098-101,7",
            "0-1,3,5-6,8,10-20/2,21",
        ] {
            let set: RangeSet = text.parse().expect("valid");
            assert_eq!(set.to_string(), slow_fold(&set), "{text}");
        }
    }
}
