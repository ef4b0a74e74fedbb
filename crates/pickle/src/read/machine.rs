//! The pickle virtual machine: stack, marks, memo, and opcode dispatch.

use super::arena::{Arena, Item, Node, limit};
use super::cursor::Cursor;
use super::memo::Memo;
use super::text;
use crate::error::Limit;
use crate::opcode::*;
use crate::{ReadError, ReadErrorKind, ReaderConfig};

pub(crate) type Result<T> = std::result::Result<T, ReadErrorKind>;

/// The state of one run over one pickle.
pub(crate) struct Machine<'a, 'c> {
    pub(crate) cur: Cursor<'a>,
    pub(crate) config: &'c ReaderConfig,
    pub(crate) arena: Arena,
    stack: Vec<Item>,
    marks: Vec<usize>,
    memo: Memo,
}

/// What a finished run leaves: the objects, the result, and where `STOP` was.
pub(crate) struct Outcome {
    pub(crate) arena: Arena,
    pub(crate) root: Item,
    pub(crate) stop_offset: usize,
}

impl<'a, 'c> Machine<'a, 'c> {
    /// Runs the opcodes of `input` up to `STOP`.
    pub(crate) fn run(
        input: &'a [u8],
        config: &'c ReaderConfig,
    ) -> std::result::Result<Outcome, ReadError> {
        let max = config.limits.max_input_len;
        if input.len() > max {
            return Err(ReadError::new(0, limit(Limit::InputSize, max)));
        }
        let mut vm = Machine {
            cur: Cursor::new(input),
            config,
            arena: Arena::new(&config.limits),
            stack: Vec::new(),
            marks: Vec::new(),
            memo: Memo::new(config.limits.max_memo),
        };
        loop {
            let start = vm.cur.pos();
            match vm.step() {
                Ok(None) => {}
                Ok(Some(root)) => {
                    let trailing = vm.cur.remaining();
                    if trailing > 0 {
                        return Err(ReadError::new(
                            start,
                            ReadErrorKind::TrailingBytes(trailing),
                        ));
                    }
                    return Ok(Outcome {
                        arena: vm.arena,
                        root,
                        stop_offset: start,
                    });
                }
                Err(kind) => return Err(ReadError::new(start, kind)),
            }
        }
    }

    /// Runs one opcode; the result once `STOP` is reached.
    fn step(&mut self) -> Result<Option<Item>> {
        let op = self.cur.byte()?;
        match op {
            STOP => return self.pop().map(Some),
            PROTO => {
                let n = self.cur.byte()?;
                if n > 5 {
                    return Err(ReadErrorKind::UnsupportedProtocol(n));
                }
            }
            FRAME => {
                // Frames only group opcodes for buffered I/O; the input is
                // all in memory, so check the length and read on.
                let len = self.cur.u64_le()?;
                if len > self.cur.remaining() as u64 {
                    return Err(ReadErrorKind::Truncated);
                }
            }
            MARK => {
                self.check_stack_room()?;
                self.marks.push(self.stack.len());
            }
            POP => self.pop_or_mark()?,
            POP_MARK => {
                self.pop_mark()?;
            }
            DUP => {
                let top = self.top()?;
                self.push(top)?;
            }
            PUT => {
                let key =
                    text::parse_memo_key(self.cur.line()?, self.config.limits.max_number_text)?;
                self.memo_put(key)?;
            }
            BINPUT => {
                let key = self.cur.byte()?;
                self.memo_put(key.into())?;
            }
            LONG_BINPUT => {
                let key = self.cur.u32_le()?;
                self.memo_put(key.into())?;
            }
            MEMOIZE => self.memo_put(self.memo.len())?,
            GET => {
                let key =
                    text::parse_memo_key(self.cur.line()?, self.config.limits.max_number_text)?;
                self.push(self.memo.get(key)?)?;
            }
            BINGET => {
                let key = self.cur.byte()?;
                self.push(self.memo.get(key.into())?)?;
            }
            LONG_BINGET => {
                let key = self.cur.u32_le()?;
                self.push(self.memo.get(key.into())?)?;
            }
            PERSID | BINPERSID => return Err(ReadErrorKind::Unsupported("persistent id (PERSID)")),
            EXT1 | EXT2 | EXT4 => {
                return Err(ReadErrorKind::Unsupported(
                    "the extension registry (EXT1/2/4)",
                ));
            }
            NEXT_BUFFER | READONLY_BUFFER => {
                return Err(ReadErrorKind::Unsupported(
                    "out-of-band buffers (NEXT_BUFFER)",
                ));
            }
            _ => {
                if !(self.data_op(op)? || self.container_op(op)? || self.object_op(op)?) {
                    return Err(ReadErrorKind::UnknownOpcode(op));
                }
            }
        }
        Ok(None)
    }

    fn check_stack_room(&self) -> Result<()> {
        let max = self.config.limits.max_stack;
        if self.stack.len() + self.marks.len() >= max {
            return Err(limit(Limit::Stack, max));
        }
        Ok(())
    }

    pub(crate) fn push(&mut self, item: Item) -> Result<()> {
        self.check_stack_room()?;
        self.stack.push(item);
        Ok(())
    }

    /// Stores a new object and pushes it.
    pub(crate) fn push_node(&mut self, node: Node) -> Result<()> {
        self.check_stack_room()?;
        let item = self.arena.alloc(node)?;
        self.stack.push(item);
        Ok(())
    }

    /// Bottom of the values the current opcode may use: nothing below the
    /// last mark.
    fn fence(&self) -> usize {
        self.marks.last().copied().unwrap_or(0)
    }

    pub(crate) fn pop(&mut self) -> Result<Item> {
        if self.stack.len() <= self.fence() {
            return Err(ReadErrorKind::StackUnderflow);
        }
        self.stack.pop().ok_or(ReadErrorKind::StackUnderflow)
    }

    pub(crate) fn top(&self) -> Result<Item> {
        if self.stack.len() <= self.fence() {
            return Err(ReadErrorKind::StackUnderflow);
        }
        self.stack
            .last()
            .copied()
            .ok_or(ReadErrorKind::StackUnderflow)
    }

    /// `POP`: drops the top value, or the last mark when no value is above it.
    fn pop_or_mark(&mut self) -> Result<()> {
        if !self.marks.is_empty() && self.stack.len() == self.fence() {
            self.marks.pop();
            return Ok(());
        }
        self.pop().map(drop)
    }

    /// The values above the last mark, which is removed.
    pub(crate) fn pop_mark(&mut self) -> Result<Vec<Item>> {
        let mark = self.marks.pop().ok_or(ReadErrorKind::MissingMark)?;
        Ok(self.stack.split_off(mark))
    }

    fn memo_put(&mut self, key: u64) -> Result<()> {
        let top = self.top()?;
        self.memo.put(key, top)
    }
}
