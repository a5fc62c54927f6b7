package template

// Tricky inputs for the syntax readers: each trap is a place where a
// reading of the text (a regular expression, a line scan) and a reading
// of the syntax disagree.

// pyTricky holds, in order: imports with aliases, a docstring and
// comments that mention assignments and sorts, an async def, a
// multi-line call, f-strings with a sort and a nested format field, a
// triple-quoted string whose lines sit at column 0, writes of every
// kind, statements after a header's colon and after semicolons, a
// lambda's and a comprehension's bindings, keyword arguments, a chained
// and an annotated assignment, a backslash continuation, with/except/
// walrus/global targets.
const pyTricky = `import os.path as osp, json
from collections import (OrderedDict as OD, deque)


class Board:
    """Docstring with users = cache.get("users") and self.entries.sort()."""

    def __init__(self, entries=None, *args, key: str = "k", **kw):
        self.entries = entries or []
        self.index = {}

    async def top(self, n):
        self.entries.sort(key=lambda e: -e[1])  # self.entries.sort() in a comment
        ranked = self.entries[:n]
        return [name for name, _ in ranked]

    @property
    def rebuild(self):
        data = self.cache.get(
            "rows",
            None)
        note = f"{data!r} and {self.entries.sort()}"
        pad = f"{note:>{len(note)}}"
        text = """
users = cache.get("users")
"""
        self.entries.sort()
        self.entries[0] = data
        del self.entries[1:]
        self.entries.append(note)
        self.entries, other = [], 1
        return self.entries


def top_k(cache, k):
    users = cache.get("users")  # cache.get("x") in a comment
    if users is not None: users = users; extra = cache.get(k)
    items = local.sort()
    xs = list(users); xs.sort(reverse=True)
    return sorted(users, key=lambda u: u["score"])[:k] + [u for u in xs if f(key=u)]


def chained(a):
    x = y = a.get(1)
    z: dict = a.get(2) or {}
    w = a.get(3)[0]
    v = (a).get(4)
    t = await_(a.get(5))
    s = a \
        .get(6)
    for i, (p, q) in enumerate(a):
        with open(p) as fh, open(q) as (g1, g2):
            pass
    try:
        pass
    except (OSError, ValueError) as err:
        n = (m := len(a))
    global G
    return x, y, z, w, v, t, s, fh, g1, g2, err, n, m
`

// javaTricky holds: a package with a comment in its name, monitors
// named in a comment, a string, a text block and a char literal, a
// lambda in a field, nested monitors with a comment in the lock, a
// lambda and an anonymous class inside a monitor, a switch rule's block
// (which does run under the monitor), a generic method, a synchronized
// method (a modifier, no statement), constructors of a class, a nested
// class and an enum, and a second top-level class.
const javaTricky = `package com.example /* sic */ .bank;

import java.util.function.Supplier;

/** A class with synchronized (fake) { in a comment. */
public class Bank {
    private final Object a = new Object(), b = new Object();
    private final Runnable r = () -> { synchronized (a) { } };
    private String s = "synchronized (b) { }";
    private String t = """
        synchronized (a) {
          void text() {
        """;
    char q = '"';

    public Bank() { }
    Bank(int x) { this(); }

    void one() {
        synchronized (a) {
            // synchronized (c) {
            synchronized (this.b /* the journal */) {
                work();
            }
            Runnable later = () -> {
                synchronized (b) { work(); }
            };
            new Thread(new Runnable() {
                @Override public void run() {
                    synchronized (b) { work(); }
                }
            }).start();
        }
    }

    @SuppressWarnings("unchecked")
    public <T> T two(Supplier<T> s, int[] xs) {
        synchronized (b) {
            switch (xs.length) {
                case 0 -> {
                    synchronized (a) { work(); }
                }
                default -> work();
            }
        }
        return s.get();
    }

    synchronized void four() { }

    static class Inner {
        Inner(String name) { }
        void three() { synchronized (Inner.class) { } }
    }

    enum Mode {
        FAST { void go() { } }, SLOW;
        Mode() { }
    }

    private static void work() { }
}

class Helper {
    Helper(long n) { }
}
`

// pyMore holds more shapes: a decorator with a lambda, a one-line def,
// comments at column 0 inside and outside defs, class keywords, string
// prefixes and escapes, numbers with signs in exponents, a dict
// comprehension with a walrus, slice and double-subscript stores, for
// ... else, f-string `=`, conversions and nested specs, parenthesized
// with items, nested defs.
const pyMore = `@decorate(flag=True, key=lambda k: k)
def one(): return helper(x=1)
# a comment at column 0 inside nothing


class A(Base, metaclass=Meta):
    x: int
    y: "List[int]" = []

    def f(self, x: "str" = None, /, *, y=lambda q=1: q) -> Dict[str, int]:
        a, *rest = self.items
        b = rb'\x' + r"\d" + '\'' + "\"" + u"é"
        c = 1e-5 + 0x1e+1 + 1_000j
        d = {k: v for k, v in self.items.items() if (w := v)}
        self.items[a:b] = c
        self.items[0][1] = d
        self.items.x = 1
        for k in self.items:
            pass
        else:
            self.items.reverse()
# a comment at column 0 inside f
        e = f"{a=} {b!s:>10} {'nested'} {c:{d}}"
        with (open(a) as g,
              open(b) as h):
            print(g, h, sep="")
        return [y for y in range(3)]

    def g(self): pass  # one-liner
    def h(self):
        def inner(z):
            return z.get(1)
        val = inner(self).get("k")
        val2 = self.cache.get("k") if self else None
        return val, val2
`

// javaMore holds an annotation type with array defaults, an interface's
// default method, a record's compact constructor, a static
// initializer, array initializers, anonymous classes in fields and in
// a lambda's expression body, labels, old-style switch cases, escaped
// quotes in chars and text blocks, a spaced-out lock.
const javaMore = `@interface Marker { String value() default "x"; int[] ns() default {1, 2}; }

interface Api {
    default void dflt() { synchronized (this) { } }
    void abs();
}

record Point(int x, int y) {
    Point {
        synchronized (Point.class) { }
    }
    int sum() { return x + y; }
}

public class More {
    static final Object L = new Object();
    static { synchronized (L) { init(); } }
    int[] arr = new int[] {1, 2};
    Object o = new Object() { public String toString() { synchronized (L) { return "o"; } } };
    java.util.function.Function<Integer, Object> f = x -> new Object() { };

    void labels(java.util.Map<String, Object> map) {
        outer:
        for (int i = 0; i < 1; i++) {
            switch (i) {
                case 0:
                    synchronized (map.get("synchronized (")) {
                        synchronized (L) { break outer; }
                    }
                    break;
                default:
                    break;
            }
        }
        char c = '\'';
        String tb = """
            \"""still inside\"""
            """;
        synchronized ( More . class ) { }
    }

    static void init() { }
}
`

// pyMatchStmt is a match statement whose subject and a capture share
// names with a parameter. Patterns are read as expressions (captures
// are not writes) by both readers: a documented limit; they must still
// agree, `_` and `Point(x=0)` included.
const pyMatchStmt = `def f(cmd, match):
    match cmd:
        case [x, y] if x > match:
            return x
        case {'k': v, **rest}:
            return v
        case Point(x=0) as p:
            return p
        case _:
            match = 1
    return match
`
