# py_nomsg raises an exception class with no message from a method called
# by a lambda through functools.reduce (C code, so no frame of its own),
# so the last line is a bare type name.
import functools


class Queue:
    def pop(self):
        raise IndexError


functools.reduce(lambda acc, q: q.pop(), [Queue()], None)
