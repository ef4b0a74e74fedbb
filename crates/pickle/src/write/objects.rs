//! Writing globals and instances of classes as CPython's C pickler does.

use super::encoder::{Encoder, Ident, Result};
use crate::opcode::*;
use crate::{Construct, Global, Instance, WriteError};

impl<'v> Encoder<'_, 'v> {
    /// How a global is spelled in this protocol: Python 2 module names
    /// before protocol 3 (Python 3 readers map them back), Python 3 names
    /// from protocol 3 on (where readers map nothing).
    fn spelled(&self, global: &Global) -> (String, String) {
        let module = match (self.proto < 3, global.module.as_str()) {
            (true, "builtins") => "__builtin__",
            (true, "copyreg") => "copy_reg",
            (false, "__builtin__") => "builtins",
            (false, "copy_reg") => "copyreg",
            (_, module) => module,
        };
        (module.to_owned(), global.name.clone())
    }

    /// Pushes a global: loaded once, then fetched from the memo.
    pub(crate) fn save_global(&mut self, global: &Global) -> Result<u32> {
        let key = self.spelled(global);
        if let Some(&index) = self.globals.get(&key) {
            self.get(index);
            return Ok(index);
        }
        if self.proto >= 4 {
            self.save_name(&key.0)?;
            self.save_name(&key.1)?;
            self.out.byte(STACK_GLOBAL);
        } else {
            if key.0.contains('\n') || key.1.contains('\n') {
                return Err(WriteError::Unsupported {
                    what: "a global name holding a newline",
                    protocol: self.proto,
                });
            }
            self.out
                .write(format!("c{}\n{}\n", key.0, key.1).as_bytes());
        }
        let index = self.memoize(Ident::NONE);
        self.globals.insert(key, index);
        Ok(index)
    }

    /// A class or function object as a value.
    pub(crate) fn save_global_value(&mut self, global: &Global, me: Ident) -> Result<()> {
        let index = self.save_global(global)?;
        if let Some(id) = me.shared {
            self.register_shared(id, index);
        }
        Ok(())
    }

    /// An instance: created from its class and arguments (memoized right
    /// after), then given its state with `BUILD`.
    pub(crate) fn save_instance(&mut self, inst: &'v Instance, me: Ident) -> Result<()> {
        match inst.construct {
            Construct::New if self.proto >= 2 => self.newobj(inst)?,
            Construct::New => self.reconstructor(inst)?,
            Construct::Call => {
                if !inst.kwargs.is_empty() {
                    return Err(self.unsupported("keyword arguments of a class call"));
                }
                self.save_global(&inst.class)?;
                self.save_tuple(&inst.args, Ident::NONE)?;
                self.out.byte(REDUCE);
            }
        }
        if !self.finish_construct(me) {
            // A reference inside the arguments wrote the whole object.
            return Ok(());
        }
        if let Some(state) = &inst.state {
            self.save(state)?;
            self.out.byte(BUILD);
        }
        Ok(())
    }

    /// `cls.__new__(cls, *args, **kwargs)` with `NEWOBJ`/`NEWOBJ_EX`.
    fn newobj(&mut self, inst: &'v Instance) -> Result<()> {
        let with_kwargs = !inst.kwargs.is_empty();
        if with_kwargs && self.proto < 4 {
            return Err(self.unsupported("keyword arguments of __new__ (NEWOBJ_EX)"));
        }
        self.save_global(&inst.class)?;
        self.save_tuple(&inst.args, Ident::NONE)?;
        if with_kwargs {
            self.save_dict(&inst.kwargs, Ident::NONE)?;
            self.out.byte(NEWOBJ_EX);
        } else {
            self.out.byte(NEWOBJ);
        }
        Ok(())
    }

    /// `copyreg._reconstructor(cls, object, None)`: `object.__new__(cls)`
    /// for protocols 0 and 1, which have no `NEWOBJ`.
    fn reconstructor(&mut self, inst: &'v Instance) -> Result<()> {
        if !inst.args.is_empty() || !inst.kwargs.is_empty() {
            return Err(self.unsupported("arguments of __new__ (NEWOBJ)"));
        }
        self.save_global(&Global::new("copyreg", "_reconstructor"))?;
        self.out.byte(MARK);
        self.save_global(&inst.class)?;
        self.save_global(&Global::new("builtins", "object"))?;
        self.out.write(&[NONE, TUPLE]);
        self.memoize(Ident::NONE);
        self.out.byte(REDUCE);
        Ok(())
    }

    fn unsupported(&self, what: &'static str) -> WriteError {
        WriteError::Unsupported {
            what,
            protocol: self.proto,
        }
    }
}
