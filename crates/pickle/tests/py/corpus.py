# The values the tests pickle with CPython: (name, object, exact), where
# `exact` says cscomm-pickle must write the very bytes pickle.dumps writes
# (plain values whose strings are not shared by identity).
from ClusterShell.NodeSet import NodeSet
from ClusterShell.RangeSet import RangeSet, RangeSetND


def topology(text, root):
    import os
    import tempfile
    from ClusterShell.Topology import TopologyParser
    fd, path = tempfile.mkstemp(suffix='.conf')
    with os.fdopen(fd, 'w') as f:
        f.write(text)
    try:
        return TopologyParser(path).tree(root)
    finally:
        os.unlink(path)


TOPOLOGY = """[routes]
admin: gw[1-2]
gw[1-2]: sgw[1-4]
sgw[1-2]: node[001-032]
sgw[3-4]: rack[1-2]-n[1-4],login1
"""


def corpus():
    c = []

    def add(name, obj, exact=True):
        c.append((name, obj, exact))

    add('none', None)
    add('true', True)
    add('false', False)
    for i, n in enumerate([0, 1, -1, 255, 256, 65535, 65536, -129, 2**31 - 1, 2**31,
                           -2**31, -2**31 - 1, 2**63 - 1, 2**63, -2**63, -2**63 - 1,
                           140470179345936, 2**64 + 5, 10**100, -(10**100), 2**2100,
                           -(2**2100) + 7]):
        add('int%d' % i, n)
    for i, f in enumerate([0.0, -0.0, 1.5, 0.1, 1e100, 1e-300, 5e-324, float('inf'),
                           float('-inf'), float('nan'), 1e16, 1e15, 123456.789, 1e-05,
                           -2.5e-07, 1.7976931348623157e308]):
        add('float%d' % i, f)
    strings = ['', 'ascii', 'caf\xe9', '\u20ac uro', '\U0001f600 smile',
               'a\\b\nc\r\x00\x1a\t end', 'quote\'s "dq"', 'x' * 300, 'long' * 17500,
               'mix \xff\u0100\U00010000']
    for i, s in enumerate(strings):
        add('str%d' % i, s)
    blobs = [b'', b'\x00\xff', bytes(range(256)), b'x' * 300, b'y' * 70000,
             b'not utf-8 \xc3\x28', b'\xe9t\xe9']
    for i, b in enumerate(blobs):
        add('bytes%d' % i, b)
    add('bytearray0', bytearray(b''))
    add('bytearray1', bytearray(b'ab\xff'))
    add('list_empty', [])
    add('list_nested', [1, [2, [3, []]], 'in'])
    add('tuple0', ())
    add('tuple1', (1,))
    add('tuple2', (1, 'two'))
    add('tuple3', (1, 2.0, None))
    add('tuple4', (1, 2, 3, 4))
    add('dict_empty', {})
    add('dict_one', {'k': 'v'})
    add('dict_mixed', {'a': 1, 2: 'b', (1, 2): None, None: 3.5, b'k': [1], 1.5: True})
    add('set_empty', set())
    add('set3', {1, 2, 3})
    add('frozenset_empty', frozenset())
    add('frozenset2', frozenset({'xa', 'yb'}))
    add('set_of_tuples', {frozenset({1}), (1, 2), 'z'})
    deep = []
    cur = deep
    for _ in range(200):
        nxt = []
        cur.append(nxt)
        cur = nxt
    add('deep_list', deep)
    # The 'v' key is one string object: CPython fetches it from the memo.
    add('deep_dict', {'k%d' % i: {'v': i} for i in range(30)}, False)
    add('big_list', list(range(3000)))
    add('big_dict', {i: -i for i in range(2500)})
    add('set1000', set(range(1000)))
    add('set2500', set(range(2500)))
    add('many_strings', ['s%d' % i for i in range(30000)])
    add('big_bytes_list', [b'a' * 70000, 'mid', b'b' * 10])
    # Shared and recursive references.
    shared = [1]
    add('shared_list', [shared, shared])
    d = {}
    add('shared_dict', (d, d, [d]))
    t = (1, [2])
    add('shared_tuple', [t, t])
    rec = []
    rec.append(rec)
    add('recursive_list', rec)
    rd = {}
    rd['self'] = rd
    add('recursive_dict', rd)
    inner = []
    rt = (inner, 'x')
    inner.append(rt)
    add('recursive_tuple', rt)
    add('recursive_tuple_in_list', [rt, inner])
    fs = frozenset({'a1'})
    add('shared_frozenset', [fs, fs, {fs}])
    ba = bytearray(b'ba')
    add('shared_bytearray', [ba, ba])
    # ClusterShell objects.
    add('nodeset_1d', NodeSet('node[1-3,5]'), False)
    add('nodeset_plain', NodeSet('foo'), False)
    add('nodeset_padded', NodeSet('node[001-010,099]'), False)
    add('nodeset_nd', NodeSet('rack[1-2]-node[01-04]'), False)
    add('nodeset_mixed', NodeSet('a[1-2],b,c[3-4]d[5-6]'), False)
    add('nodeset_empty', NodeSet(), False)
    add('rangeset', RangeSet('1-5,10,012'), False)
    add('rangesetnd', RangeSetND([['1-2', '03-04'], ['5', '6']]), False)
    tree = topology(TOPOLOGY, 'admin')
    add('topology', tree, False)
    ns = NodeSet('n[1-2]')
    add('shared_nodeset', {'a': ns, 'b': [ns]}, False)
    return c


def by_name():
    return {name: obj for name, obj, _ in corpus()}
