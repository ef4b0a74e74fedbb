//! ClusterShell node name patterns: `"node%s-ib"`, `"r%ssw%s"`, `"50%%"`.
//!
//! A node set maps each pattern to the indexes that fill its `%s` slots.
//! Patterns are stored in ClusterShell's own spelling (literal `%` doubled)
//! because ClusterShell sorts them, and pickles them, in that spelling.

use std::fmt::{self, Write};

/// A pattern split into its literal pieces (unescaped) around the slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    /// `slots + 1` pieces.
    literals: Vec<String>,
}

impl Pattern {
    /// Splits ClusterShell's spelling; `None` unless it holds only literal
    /// text, `%%` and `%s`.
    pub(crate) fn parse(key: &str) -> Option<Pattern> {
        let mut literals = vec![String::new()];
        let mut chars = key.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                literals.last_mut()?.push(c);
                continue;
            }
            match chars.next()? {
                '%' => literals.last_mut()?.push('%'),
                's' => literals.push(String::new()),
                _ => return None,
            }
        }
        Some(Pattern { literals })
    }

    /// Number of `%s` slots.
    pub(crate) fn slots(&self) -> usize {
        self.literals.len() - 1
    }

    /// Writes the pattern with its slots filled by `fill(i, out)`.
    pub(crate) fn write_with<W: Write>(
        &self,
        out: &mut W,
        mut fill: impl FnMut(usize, &mut W) -> fmt::Result,
    ) -> fmt::Result {
        for (i, literal) in self.literals.iter().enumerate() {
            if i > 0 {
                fill(i - 1, out)?;
            }
            out.write_str(literal)?;
        }
        Ok(())
    }
}

#[cfg(test)]
impl Pattern {
    /// The literal pieces.
    fn literals(&self) -> &[String] {
        &self.literals
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_slots_and_escapes() {
        let p = Pattern::parse("r%ssw%s-port%s").expect("valid");
        assert_eq!(p.slots(), 3);
        assert_eq!(p.literals(), ["r", "sw", "-port", ""]);
        let p = Pattern::parse("a%%b%%%s").expect("valid");
        assert_eq!(p.literals(), ["a%b%", ""]);
        assert_eq!(Pattern::parse("a%%s").expect("valid").literals(), ["a%s"]);
        for bad in ["%d", "%", "a%", "%(x)s"] {
            assert!(Pattern::parse(bad).is_none(), "{bad}");
        }
    }
}
