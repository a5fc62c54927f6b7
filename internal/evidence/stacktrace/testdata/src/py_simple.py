# py_simple divides by zero two calls deep; Python 3.11 prints caret
# lines under the failing expression.
def ratio(a, b):
    return a / b


def report(rows):
    return [ratio(x, y) for x, y in rows]


report([(1, 2), (3, 0)])
