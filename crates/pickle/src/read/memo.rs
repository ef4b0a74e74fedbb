//! The memo: numbered slots that `PUT`/`MEMOIZE` fill and `GET` reads.

use std::collections::HashMap;

use super::arena::{Item, limit};
use crate::ReadErrorKind;
use crate::error::Limit;

/// Memo slots. Writers number them densely from 0, so those live in a
/// vector; any other key (hand-made pickles) goes to a map. Either way the
/// number of entries is bounded, so a key of 2^32 allocates nothing big.
/// The vector stops growing at the first key already in the map, so a key
/// never lives in both.
pub(crate) struct Memo {
    dense: Vec<Option<Item>>,
    sparse: HashMap<u64, Item>,
    len: usize,
    max: usize,
}

impl Memo {
    pub(crate) fn new(max: usize) -> Memo {
        Memo {
            dense: Vec::new(),
            sparse: HashMap::new(),
            len: 0,
            max,
        }
    }

    /// Number of distinct keys set: the key `MEMOIZE` uses next.
    pub(crate) fn len(&self) -> u64 {
        self.len as u64
    }

    pub(crate) fn put(&mut self, key: u64, item: Item) -> Result<(), ReadErrorKind> {
        let slot = match usize::try_from(key) {
            Ok(k) if k < self.dense.len() => &mut self.dense[k],
            Ok(k) if k == self.dense.len() && !self.sparse.contains_key(&key) => {
                self.grow()?;
                self.dense.push(None);
                &mut self.dense[k]
            }
            _ => {
                if !self.sparse.contains_key(&key) {
                    self.grow()?;
                }
                self.sparse.insert(key, item);
                return Ok(());
            }
        };
        *slot = Some(item);
        Ok(())
    }

    fn grow(&mut self) -> Result<(), ReadErrorKind> {
        if self.len >= self.max {
            return Err(limit(Limit::Memo, self.max));
        }
        self.len += 1;
        Ok(())
    }

    pub(crate) fn get(&self, key: u64) -> Result<Item, ReadErrorKind> {
        let found = match usize::try_from(key) {
            Ok(k) if k < self.dense.len() => self.dense[k],
            _ => self.sparse.get(&key).copied(),
        };
        found.ok_or(ReadErrorKind::MemoMissing(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_and_sparse_keys() {
        let mut memo = Memo::new(3);
        memo.put(0, Item::Int(0)).expect("room");
        memo.put(0, Item::Int(10)).expect("overwrite is free");
        memo.put(1 << 40, Item::Int(1)).expect("room");
        assert_eq!(memo.len(), 2);
        assert_eq!(memo.get(0), Ok(Item::Int(10)));
        assert_eq!(memo.get(1 << 40), Ok(Item::Int(1)));
        assert_eq!(memo.get(5), Err(ReadErrorKind::MemoMissing(5)));
        memo.put(1, Item::Int(2)).expect("room");
        assert!(memo.put(2, Item::Int(3)).is_err());
        assert!(memo.put(7, Item::Int(3)).is_err());
    }
}
