# Canonical text of a Python object graph, for comparing what Python holds
# with what cscomm-pickle decoded (tests/common/mod.rs computes the same
# text from a Rust `Value`). Objects with an identity that are reached more
# than once are written `#n=<object>` the first time and `@n` afterwards.
import copyreg
import struct
import sys

sys.setrecursionlimit(20000)


def is_obj(o):
    return type(o).__module__.startswith('ClusterShell.')


def has_identity(o):
    t = type(o)
    return (t in (list, dict, set, frozenset, bytearray)
            or (t is tuple and len(o) > 0) or is_obj(o))


class Canon:
    def __init__(self):
        self.reduced = {}

    def reduce(self, o):
        """(class, 'new'|'call', args, kwargs, state) as pickle sees it."""
        hit = self.reduced.get(id(o))
        if hit is not None:
            return hit[1]
        rv = o.__reduce_ex__(2)
        func, args = rv[0], rv[1]
        state = rv[2] if len(rv) > 2 else None
        if func is copyreg.__newobj__:
            r = (args[0], 'new', tuple(args[1:]), {}, state)
        elif func is copyreg.__newobj_ex__:
            r = (args[0], 'new', tuple(args[1]), dict(args[2]), state)
        else:
            r = (func, 'call', tuple(args), {}, state)
        self.reduced[id(o)] = (o, r)  # keeps temporaries alive: ids stay unique
        return r

    def children(self, o):
        t = type(o)
        if t in (list, tuple, set, frozenset):
            return list(o)
        if t is dict:
            return [x for kv in o.items() for x in kv]
        if is_obj(o):
            _, _, args, kwargs, state = self.reduce(o)
            out = list(args) + [x for kv in kwargs.items() for x in kv]
            if state is not None:
                out.append(state)
            return out
        return []

    def text(self, root):
        self.counts = {}
        stack = [root]
        while stack:
            o = stack.pop()
            if not has_identity(o):
                continue
            n = self.counts[id(o)] = self.counts.get(id(o), 0) + 1
            if n == 1:
                stack.extend(self.children(o))
        self.names = {}
        out = []
        self.emit(root, out, True)
        return ''.join(out)

    def emit(self, o, out, mark, depth=0):
        if not mark and depth > 4:
            out.append('~')
            return
        if mark and has_identity(o):
            k = id(o)
            if k in self.names:
                out.append('@%d' % self.names[k])
                return
            if self.counts[k] > 1:
                self.names[k] = len(self.names)
                out.append('#%d=' % self.names[k])
        t = type(o)
        sub = lambda x: self.emit(x, out, mark, depth + 1)

        def seq(items, open_, close):
            out.append(open_)
            for i, x in enumerate(items):
                if i:
                    out.append(',')
                sub(x)
            out.append(close)

        if o is None:
            out.append('N')
        elif t is bool:
            out.append('T' if o else 'F')
        elif t is int:
            out.append('i%d;' % o)
        elif t is float:
            out.append('f' + struct.pack('>d', o).hex())
        elif t is str:
            out.append('s' + o.encode('utf-8', 'surrogatepass').hex() + ';')
        elif t is bytes:
            out.append('b' + o.hex() + ';')
        elif t is bytearray:
            out.append('y' + bytes(o).hex() + ';')
        elif t is list:
            seq(o, '[', ']')
        elif t is tuple:
            seq(o, '(', ')')
        elif t is dict:
            out.append('{')
            for i, (k, v) in enumerate(o.items()):
                if i:
                    out.append(',')
                sub(k)
                out.append(':')
                sub(v)
            out.append('}')
        elif t in (set, frozenset):
            seq(sorted(o, key=self.key), 'S{' if t is set else 'Z{', '}')
        elif isinstance(o, type) or callable(o) and not is_obj(o):
            out.append('G%s.%s;' % (o.__module__, o.__qualname__))
        elif is_obj(o):
            cls, how, args, kwargs, state = self.reduce(o)
            out.append('O%s.%s/%s' % (cls.__module__, cls.__qualname__, how))
            seq(args, '(', ')')
            out.append('{')
            for i, (k, v) in enumerate(kwargs.items()):
                if i:
                    out.append(',')
                sub(k)
                out.append(':')
                sub(v)
            out.append('}')
            if state is None:
                out.append('-')
            else:
                sub(state)
        else:
            raise TypeError('no canonical text for %r' % (t,))

    def key(self, o):
        """Sort key of a set item: its text without identities, cut deep."""
        out = []
        self.emit(o, out, False)
        return ''.join(out)


def canon(o):
    return Canon().text(o)
