//! Iteration over the nodes of a node set, in ClusterShell's order.

use super::{Entry, NodeSet, Ranges};
use crate::RangeSet;
use crate::rangeset::{Class, Run};
use std::collections::btree_map;

/// Position in a range set's elements.
#[derive(Debug, Clone)]
struct Cursor<'a> {
    runs: &'a [Run],
    run: usize,
    value: i128,
}

impl<'a> Cursor<'a> {
    fn new(set: &'a RangeSet) -> Cursor<'a> {
        let runs = set.runs();
        Cursor {
            runs,
            run: 0,
            value: runs.first().map_or(0, |r| r.lo),
        }
    }

    fn current(&self) -> Option<(Class, i128)> {
        self.runs.get(self.run).map(|r| (r.class, self.value))
    }

    /// Moves to the next element; `false` past the end.
    fn advance(&mut self) -> bool {
        let Some(run) = self.runs.get(self.run) else {
            return false;
        };
        if self.value < run.hi {
            self.value += 1;
            return true;
        }
        self.run += 1;
        match self.runs.get(self.run) {
            Some(next) => {
                self.value = next.lo;
                true
            }
            None => false,
        }
    }
}

/// Where the iterator is inside one pattern.
#[derive(Debug)]
enum State<'a> {
    /// A plain name, not yielded yet.
    Plain,
    One(Cursor<'a>),
    /// One cursor per dimension of the current vector (last varies fastest).
    Nd {
        vector: usize,
        cursors: Vec<Cursor<'a>>,
    },
    Done,
}

/// Iterator over the node names of a [`NodeSet`], in ClusterShell's order.
#[derive(Debug)]
pub struct Iter<'a> {
    entries: btree_map::Values<'a, String, Entry>,
    entry: Option<&'a Entry>,
    state: State<'a>,
}

impl<'a> Iter<'a> {
    pub(super) fn new(set: &'a NodeSet) -> Iter<'a> {
        let mut iter = Iter {
            entries: set.patterns.values(),
            entry: None,
            state: State::Done,
        };
        iter.next_entry();
        iter
    }

    fn next_entry(&mut self) {
        self.entry = self.entries.next();
        self.state = match self.entry.map(|e| &e.ranges) {
            None => State::Done,
            Some(Ranges::None) => State::Plain,
            Some(Ranges::One(r)) => State::One(Cursor::new(r)),
            Some(Ranges::Nd(nd)) => nd_state(nd.vectors(), 0),
        };
    }

    /// The node at the current position, then moves past it.
    fn take(&mut self) -> Option<Option<String>> {
        let entry = self.entry?;
        let mut name = String::new();
        let produced = match &mut self.state {
            State::Done => return None,
            State::Plain => {
                let _ = entry.pattern.write_with(&mut name, |_, _| Ok(()));
                self.state = State::Done;
                true
            }
            State::One(cursor) => match cursor.current() {
                Some((class, v)) => {
                    let _ = entry
                        .pattern
                        .write_with(&mut name, |_, out| class.write(out, v));
                    if !cursor.advance() {
                        self.state = State::Done;
                    }
                    true
                }
                None => {
                    self.state = State::Done;
                    false
                }
            },
            State::Nd { vector, cursors } => {
                let _ = entry.pattern.write_with(&mut name, |i, out| {
                    match cursors.get(i).and_then(Cursor::current) {
                        Some((class, v)) => class.write(out, v),
                        None => Ok(()),
                    }
                });
                if !odometer_advance(cursors) {
                    let next = *vector + 1;
                    self.state = match &entry.ranges {
                        Ranges::Nd(nd) => nd_state(nd.vectors(), next),
                        _ => State::Done,
                    };
                }
                true
            }
        };
        Some(produced.then_some(name))
    }
}

fn nd_state(vectors: &[Vec<RangeSet>], index: usize) -> State<'_> {
    match vectors.get(index) {
        Some(vector) if vector.iter().all(|r| !r.is_empty()) => State::Nd {
            vector: index,
            cursors: vector.iter().map(Cursor::new).collect(),
        },
        Some(_) => nd_state(vectors, index + 1),
        None => State::Done,
    }
}

/// Advances the last dimension, carrying into earlier ones; `false` when
/// every combination has been seen.
fn odometer_advance(cursors: &mut [Cursor<'_>]) -> bool {
    for i in (0..cursors.len()).rev() {
        if cursors[i].advance() {
            return true;
        }
        cursors[i].run = 0;
        cursors[i].value = cursors[i].runs.first().map_or(0, |r| r.lo);
    }
    false
}

impl Iterator for Iter<'_> {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        loop {
            self.entry?;
            match self.take() {
                Some(Some(name)) => return Some(name),
                Some(None) => {}
                None => self.next_entry(),
            }
        }
    }
}
