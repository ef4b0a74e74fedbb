//! Writing lists, tuples, dicts and sets as CPython's C pickler does.

use super::encoder::{Encoder, Ident, Result};
use crate::opcode::*;
use crate::{Global, Value};

/// Items per `APPENDS`/`SETITEMS`/`ADDITEMS` batch.
const BATCH: usize = 1000;

impl<'v> Encoder<'_, 'v> {
    pub(crate) fn save_list(&mut self, items: &'v [Value], me: Ident) -> Result<()> {
        if self.proto >= 1 {
            self.out.byte(EMPTY_LIST);
        } else {
            self.out.write(&[MARK, LIST]);
        }
        self.memoize(me);
        if self.proto == 0 {
            for item in items {
                self.save(item)?;
                self.out.byte(APPEND);
            }
            return Ok(());
        }
        if let [item] = items {
            self.save(item)?;
            self.out.byte(APPEND);
            return Ok(());
        }
        for batch in items.chunks(BATCH) {
            self.out.byte(MARK);
            for item in batch {
                self.save(item)?;
            }
            self.out.byte(APPENDS);
        }
        Ok(())
    }

    pub(crate) fn save_dict(&mut self, pairs: &'v [(Value, Value)], me: Ident) -> Result<()> {
        if self.proto >= 1 {
            self.out.byte(EMPTY_DICT);
        } else {
            self.out.write(&[MARK, DICT]);
        }
        self.memoize(me);
        if self.proto == 0 || pairs.len() == 1 {
            for (key, value) in pairs {
                self.save(key)?;
                self.save(value)?;
                self.out.byte(SETITEM);
            }
            return Ok(());
        }
        for batch in pairs.chunks(BATCH) {
            self.out.byte(MARK);
            for (key, value) in batch {
                self.save(key)?;
                self.save(value)?;
            }
            self.out.byte(SETITEMS);
        }
        Ok(())
    }

    pub(crate) fn save_tuple(&mut self, items: &'v [Value], me: Ident) -> Result<()> {
        if items.is_empty() {
            self.empty_tuple();
            if me.shared.is_some() {
                self.memoize(me);
            }
            return Ok(());
        }
        let short = self.proto >= 2 && items.len() <= 3;
        if !short {
            self.out.byte(MARK);
        }
        for item in items {
            self.save(item)?;
        }
        if let Some(index) = self.memoized_meanwhile(me) {
            // A reference inside the tuple wrote it already: drop this copy.
            if short {
                self.out.write(&vec![POP; items.len()]);
            } else if self.proto >= 1 {
                self.out.byte(POP_MARK);
            } else {
                self.out.write(&vec![POP; items.len() + 1]);
            }
            self.get(index);
            return Ok(());
        }
        self.out.byte(match (short, items.len()) {
            (true, 1) => TUPLE1,
            (true, 2) => TUPLE2,
            (true, _) => TUPLE3,
            (false, _) => TUPLE,
        });
        self.memoize(me);
        Ok(())
    }

    pub(crate) fn save_set(&mut self, items: &'v [Value], me: Ident) -> Result<()> {
        if self.proto < 4 {
            return self.save_set_reduce(Global::new("builtins", "set"), items, me);
        }
        self.out.byte(EMPTY_SET);
        self.memoize(me);
        if items.is_empty() {
            return Ok(());
        }
        // CPython ends when a batch is not full, so a multiple of the batch
        // size ends with an empty batch.
        let mut rest = items;
        loop {
            let (batch, tail) = rest.split_at(rest.len().min(BATCH));
            self.out.byte(MARK);
            for item in batch {
                self.save(item)?;
            }
            self.out.byte(ADDITEMS);
            rest = tail;
            if batch.len() < BATCH {
                return Ok(());
            }
        }
    }

    pub(crate) fn save_frozenset(&mut self, items: &'v [Value], me: Ident) -> Result<()> {
        if self.proto < 4 {
            return self.save_set_reduce(Global::new("builtins", "frozenset"), items, me);
        }
        self.out.byte(MARK);
        for item in items {
            self.save(item)?;
        }
        if let Some(index) = self.memoized_meanwhile(me) {
            self.out.byte(POP_MARK);
            self.get(index);
            return Ok(());
        }
        self.out.byte(FROZENSET);
        self.memoize(me);
        Ok(())
    }

    /// `set(list)` / `frozenset(list)` through `REDUCE`, before protocol 4.
    fn save_set_reduce(&mut self, class: Global, items: &'v [Value], me: Ident) -> Result<()> {
        self.save_global(&class)?;
        if self.proto < 2 {
            self.out.byte(MARK);
        }
        self.save_list(items, Ident::NONE)?;
        self.out.byte(if self.proto >= 2 { TUPLE1 } else { TUPLE });
        self.memoize(Ident::NONE);
        self.out.byte(REDUCE);
        self.finish_construct(me);
        Ok(())
    }

    /// After `REDUCE`/`NEWOBJ`: memoizes the new object, or, if a reference
    /// inside wrote it already, drops this copy for the memoized one.
    /// Returns whether this copy was kept.
    pub(crate) fn finish_construct(&mut self, me: Ident) -> bool {
        if let Some(index) = self.memoized_meanwhile(me) {
            self.out.byte(POP);
            self.get(index);
            return false;
        }
        self.memoize(me);
        true
    }
}
