//! ClusterShell's node set syntax, read the way its `ParsingEngine` reads it
//! (same splitting order, same quirks, same error texts).

use super::build::Builder;
use super::{Entry, NodeSet, Pattern, Ranges};
use crate::pystr::{MAX_DIGITS, escaped, lstrip, rstrip, strip};
use crate::rangeset::{Class, RangeError, parse_rangeset};
use crate::rangeset_nd::RangeSetNd;
use crate::{Error, RangeSet};

/// What to do with node groups (`@name`) and wildcards (`*`, `?`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Groups {
    /// Refuse them: resolving them needs a group resolver.
    Reject,
    /// Plain characters of node names (ClusterShell's `RESOLVER_NOGROUP`).
    Literal,
}

/// The set operators, in ClusterShell's syntax.
const OPERATORS: [char; 4] = [',', '!', '&', '^'];

/// Byte offset of `part` in `input` when it is a slice of it, else `at`.
fn offset(input: &str, part: &str, at: usize) -> usize {
    let start = input.as_ptr() as usize;
    let p = part.as_ptr() as usize;
    if p >= start && p + part.len() <= start + input.len() {
        p - start
    } else {
        at
    }
}

/// Parser state: the whole input, to locate errors.
/// A parsed term and the operator and text that follow it, if any.
type TermAndRest<'a> = (Term, Option<(char, &'a str)>);

struct Parser<'a> {
    input: &'a str,
}

/// One operand: a pattern and the range sets filling its slots.
struct Term {
    key: String,
    rsets: Vec<RangeSet>,
}

impl<'a> Parser<'a> {
    /// A `NodeSetParseError`: ClusterShell's text, `%` escaped like it.
    fn error(&self, part: &str, reason: &str, at: usize) -> Error {
        let reason = if part.is_empty() {
            reason.to_owned()
        } else {
            format!("{reason}: \"{}\"", escaped(part))
        };
        Error::NodeSet {
            offset: offset(self.input, part, at),
            reason,
        }
    }

    /// A `NodeSetParseRangeError` wrapping a range set error.
    fn range_error(&self, e: &RangeError, at: &str) -> Error {
        let inner = RangeError {
            part: escaped(&e.part),
            reason: e.reason,
        };
        Error::NodeSet {
            offset: offset(self.input, at, 0),
            reason: format!("bad range: \"{}\"", inner.message()),
        }
    }

    fn missing_operand(&self, op: char, part: &str, at: &str) -> Error {
        let reason = format!("missing nodeset operand with '{op}' operator");
        self.error(part, &reason, offset(self.input, at, 0))
    }

    fn rangeset(&self, text: &str, at: &str) -> Result<RangeSet, Error> {
        parse_rangeset(text).map_err(|e| self.range_error(&e, at))
    }

    /// Reads one operand from `cur`; returns it with the next operator and
    /// the text after it.
    fn term(&self, cur: &'a str) -> Result<TermAndRest<'a>, Error> {
        let op_idx = cur.find(OPERATORS);
        // Only a bracket before the next operator matters: looking further
        // would scan the rest of a long list once per operand.
        let operand = op_idx.map_or(cur, |o| &cur[..o]);
        match operand.find('[') {
            Some(_) => self.bracketed_term(cur),
            None => self.plain_term(cur, op_idx),
        }
    }

    /// An operand without brackets before the next operator.
    fn plain_term(&self, cur: &'a str, op_idx: Option<usize>) -> Result<TermAndRest<'a>, Error> {
        let (node, next) = match op_idx {
            None => (cur, None),
            Some(i) => {
                let op = char::from(cur.as_bytes()[i]);
                let (node, rest) = (&cur[..i], &cur[i + 1..]);
                if node.is_empty() || rest.is_empty() {
                    let part = if node.is_empty() { rest } else { node };
                    return Err(self.missing_operand(op, part, &cur[i..]));
                }
                (node, Some((op, rest)))
            }
        };
        if node.contains(']') {
            return Err(self.error(node, "illegal closing bracket", 0));
        }
        let (key, rsets) = self.single(rstrip(node))?;
        Ok((Term { key, rsets }, next))
    }

    /// An operand with bracketed ranges: `prefix[ranges]suffix[ranges]...`.
    fn bracketed_term(&self, cur: &'a str) -> Result<TermAndRest<'a>, Error> {
        let mut key = String::new();
        let mut rsets = Vec::new();
        let mut sfx = cur;
        let mut op_idx = sfx.find(OPERATORS);
        let mut bracket = sfx.find('[');
        while let Some(b) = bracket.filter(|&b| op_idx.is_none_or(|o| o > b)) {
            let (pfx, after) = (&sfx[..b], &sfx[b + 1..]);
            let Some(close) = after.find(']') else {
                return Err(self.error(cur, "missing bracket", 0));
            };
            let (rng, rest) = (&after[..close], &after[close + 1..]);
            if pfx.contains(']') {
                return Err(self.error(pfx, "illegal closing bracket", 0));
            }
            if let Some(end) = rest.find(']') {
                if rest.find('[').is_none_or(|start| end < start) {
                    return Err(self.error(rest, "illegal closing bracket", 0));
                }
            }
            let (rest, mut rng) = if rest.is_empty() {
                (rest, rng.to_owned())
            } else {
                self.amend_trailing(rest, rng)?
            };
            let mut prefix_key = String::new();
            if !pfx.is_empty() {
                let (pfx, amended) = self.amend_leading(pfx, &rng, after)?;
                rng = amended;
                if !pfx.is_empty() {
                    let (k, r) = self.single(pfx)?;
                    prefix_key = k;
                    rsets.extend(r);
                }
            }
            bracket = rest.find('[');
            op_idx = rest.find(OPERATORS);
            if rest.starts_with('[') {
                return Err(self.error(rest, "illegal reopening bracket", 0));
            }
            key.push_str(&prefix_key);
            key.push_str("%s");
            rsets.push(self.rangeset(&rng, after)?);
            sfx = rest;
        }
        let next = match sfx.find(OPERATORS) {
            None => None,
            Some(i) => {
                let op = char::from(sfx.as_bytes()[i]);
                let rest = &sfx[i + 1..];
                if rest.is_empty() {
                    return Err(self.missing_operand(op, "", &sfx[i..]));
                }
                let next = Some((op, rest));
                sfx = &sfx[..i];
                next
            }
        };
        let tail = rstrip(sfx);
        if !tail.is_empty() {
            let (k, r) = self.single(tail)?;
            key.push_str(&k);
            rsets.extend(r);
        }
        Ok((Term { key, rsets }, next))
    }

    /// Digits just before a bracket belong to its ranges: `n1[1-2]` is
    /// `n[11-12]` (ClusterShell's `_amend_leading_digits`).
    fn amend_leading<'p>(
        &self,
        outer: &'p str,
        inner: &str,
        at: &str,
    ) -> Result<(&'p str, String), Error> {
        let stripped = outer.trim_end_matches(|c: char| c.is_ascii_digit());
        if stripped.len() == outer.len() {
            return Ok((outer, inner.to_owned()));
        }
        let digits = &outer[stripped.len()..];
        let set = self.rangeset(inner, at)?;
        let pieces: Vec<String> = crate::rangeset::token_texts(&set)
            .iter()
            .map(|t| {
                t.split('-')
                    .map(|bound| format!("{digits}{bound}"))
                    .collect::<Vec<_>>()
                    .join("-")
            })
            .collect();
        Ok((stripped, pieces.join(",")))
    }

    /// Digits just after a bracket belong to its ranges: `n[1-2]0` is
    /// `n[10-20/10]` (ClusterShell's `_amend_trailing_digits`).
    fn amend_trailing<'p>(&self, outer: &'p str, inner: &str) -> Result<(&'p str, String), Error> {
        let stripped = outer.trim_start_matches(|c: char| c.is_ascii_digit());
        if stripped.len() == outer.len() {
            return Ok((outer, inner.to_owned()));
        }
        if inner.contains('/') {
            return Err(self.error(outer, "illegal trailing digits after range with steps", 0));
        }
        let digits = &outer[..outer.len() - stripped.len()];
        let pieces: Vec<String> = inner
            .split(',')
            .map(|elem| {
                let shifted = elem
                    .split('-')
                    .map(|bound| format!("{bound}{digits}"))
                    .collect::<Vec<_>>()
                    .join("-");
                if shifted.contains('-') {
                    format!("{shifted}/1{}", "0".repeat(digits.len()))
                } else {
                    shifted
                }
            })
            .collect();
        Ok((stripped, pieces.join(",")))
    }

    /// A single node name: each run of ASCII digits becomes a dimension
    /// (ClusterShell's `_scan_string_single`).
    fn single(&self, text: &str) -> Result<(String, Vec<RangeSet>), Error> {
        if text.is_empty() {
            return Err(self.error(text, "parse error", 0));
        }
        Ok(scan_single(text))
    }
}

/// Splits a node name into its pattern (ClusterShell's spelling) and one
/// single-element range set per digit run. Digit runs longer than
/// [`MAX_DIGITS`] stay literal text.
pub(crate) fn scan_single(text: &str) -> (String, Vec<RangeSet>) {
    let mut key = String::new();
    let mut rsets = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let letters = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        key.push_str(&escaped(&rest[..letters]));
        rest = &rest[letters..];
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let run = &rest[..digits];
        rest = &rest[digits..];
        if run.is_empty() {
            continue;
        }
        match Class::of_digits(run) {
            Some((class, v)) if run.len() <= MAX_DIGITS => {
                key.push_str("%s");
                rsets.push(RangeSet::single(class, v));
            }
            _ => key.push_str(run),
        }
    }
    (key, rsets)
}

/// The node set of one operand (ClusterShell's `NodeSetBase(pat, rgnd)`).
fn term_set(key: String, rsets: Vec<RangeSet>) -> Option<NodeSet> {
    let pattern = Pattern::parse(&key)?;
    let mut rsets = rsets;
    let ranges = match rsets.len() {
        0 => Ranges::None,
        1 => Ranges::One(rsets.pop()?),
        _ => Ranges::Nd(RangeSetNd::from_vector(rsets)),
    };
    let mut set = NodeSet::new();
    set.patterns.insert(key, Entry { pattern, ranges });
    Some(set)
}

/// Parses `input` as ClusterShell's `NodeSet(input)` does.
pub(crate) fn parse(input: &str, groups: Groups) -> Result<NodeSet, Error> {
    parse_impl::<Error>(input, groups, None)
}

/// An operand of a node set expression that only a group resolver can
/// turn into nodes (ClusterShell's `ParsingEngine` hands these to its
/// resolver).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Operand<'a> {
    /// Node groups: names that start with `@` (`@rack[1-2]` is the names
    /// `@rack1` and `@rack2`), `@source:group`, `@*`, `@@source`.
    Groups(&'a NodeSet),
    /// Node names with the wildcards `*` or `?` (masks matched against
    /// every node the resolver knows).
    Wildcards(&'a NodeSet),
}

/// The resolver callback of [`parse_resolving`].
pub(crate) type Resolve<'r, E> = &'r mut dyn FnMut(Operand<'_>) -> Result<NodeSet, E>;

/// Parses `input`, asking `resolve` for the nodes of each group or wildcard
/// operand before applying its operator.
pub(crate) fn parse_resolving<E: From<Error>>(
    input: &str,
    resolve: Resolve<'_, E>,
) -> Result<NodeSet, E> {
    parse_impl(input, Groups::Literal, Some(resolve))
}

fn parse_impl<E: From<Error>>(
    input: &str,
    groups: Groups,
    mut resolve: Option<Resolve<'_, E>>,
) -> Result<NodeSet, E> {
    let parser = Parser { input };
    let mut acc = NodeSet::new();
    let mut unions = Builder::default();
    let mut rest = strip(input);
    let mut op = ',';
    while !rest.is_empty() {
        let cur = lstrip(rest);
        let (term, next) = parser.term(cur)?;
        if groups == Groups::Reject {
            check_groups(&parser, &term.key, cur)?;
        }
        let needs = resolve.is_some() && needs_resolver(&term.key);
        if op == ',' && !needs {
            if !unions.add(term.key, term.rsets) {
                return Err(parser
                    .error(cur, "internal error: invalid pattern", 0)
                    .into());
            }
        } else {
            let wildcards = !term.key.starts_with('@');
            let Some(mut set) = term_set(term.key, term.rsets) else {
                return Err(parser
                    .error(cur, "internal error: invalid pattern", 0)
                    .into());
            };
            if let (true, Some(resolve)) = (needs, resolve.as_mut()) {
                let operand = if wildcards {
                    Operand::Wildcards(&set)
                } else {
                    Operand::Groups(&set)
                };
                set = resolve(operand)?;
            }
            unions.flush_into(&mut acc);
            match op {
                ',' => acc.update_raw(&mut set),
                '!' => acc.difference_update_raw(&set),
                '&' => acc.intersection_update_raw(&mut set),
                _ => acc.symmetric_difference_update_raw(&mut set),
            }
        }
        match next {
            Some((next_op, after)) => {
                op = next_op;
                rest = after;
            }
            None => break,
        }
    }
    unions.flush_into(&mut acc);
    acc.settle();
    Ok(acc)
}

/// Whether a pattern is a group or holds wildcards.
fn needs_resolver(key: &str) -> bool {
    key.starts_with('@') || key.contains(['*', '?'])
}

/// Refuses what ClusterShell would hand to its group resolver.
fn check_groups(parser: &Parser<'_>, key: &str, cur: &str) -> Result<(), Error> {
    if key.starts_with('@') {
        return Err(parser.error(cur, "node groups are not supported (no group resolver)", 0));
    }
    if key.contains(['*', '?']) {
        return Err(parser.error(
            cur,
            "node wildcards are not supported (no group resolver)",
            0,
        ));
    }
    Ok(())
}
