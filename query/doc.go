// Package query is TAG's slice language: a small pipeline language for
// asking an incident's Execution Path Graph (package epg) what led to a
// failure, what it affected, and what the threads, locks and objects
// around it were doing. `tag query INCIDENT 'DSL' --json` prints a query's
// [Result].
//
//	slice.backward(from=event('Exception:E12345'))
//	    .through(types=['Map', 'Optional'])
//	    .stop_when(frame.matches('AuthCache.load.*'))
//	    .project(['frame', 'locals', 'alloc_site'])
//
// A query is parsed ([Parse]) into a [Query] and evaluated
// ([Env.Eval], or [Run] for both) against an *epg.Graph. Both steps
// report problems as *[Error] values that carry the byte offset, line and
// column in the query and render a caret under it.
//
// # Grammar
//
// In EBNF; white space and # comments (to the end of a line) separate
// tokens.
//
//	query    = op { "." op } .
//	op       = ident { "." ident } "(" [ args ] ")" .
//	args     = arg { "," arg } [ "," ] .
//	arg      = [ ident "=" ] expr .                  (* positional arguments come first *)
//	expr     = and { "||" and } .
//	and      = not { "&&" not } .
//	not      = "!" not | cmp .
//	cmp      = postfix [ relop postfix ] .
//	relop    = "==" | "!=" | "<" | "<=" | ">" | ">=" | "=~" | "!~" | "in" .
//	postfix  = primary { "." ident [ "(" [ args ] ")" ] } .
//	primary  = string | number | duration | "true" | "false"
//	         | "-" ( number | duration )
//	         | "[" [ expr { "," expr } [ "," ] ] "]"
//	         | "(" expr ")"
//	         | ident [ "(" [ args ] ")" ] .
//	ident    = letter { letter | digit } .             (* letter includes "_" *)
//	string   = "'" { char } "'" | `"` { char } `"` .   (* escapes: \\ \' \" \n \t \r; other backslashes stay *)
//	number   = digits [ "." digits ] [ exponent ] .    (* "_" may group digits *)
//	duration = number unit { number unit } .           (* unit: ns us µs ms s m h; 2s, 1.5ms, 1h30m *)
//
// Comparisons do not chain (a < b < c is an error), and ! applies to a
// whole comparison: !name =~ 'x' is !(name =~ 'x').
//
// # Operations
//
// The first operation is a source; the ones after it refine its result.
//
// Sources:
//
//	slice.backward(from=S, edges=[...], depth=N, max=N)
//	    The dynamic backward slice: what leads to the nodes S selects,
//	    walking each edge kind from effect to cause (callee to caller,
//	    event to its emitter, exception to its cause, blocked thread to
//	    the lock it waits for and on to the lock's holders, object to what
//	    references and allocated it, later to earlier). edges= restricts
//	    the kinds followed (default: call, emits, caused_by,
//	    happens_before, io, waits, holds, ref, correlates, on, alloc,
//	    follows_from); depth= bounds the distance from S; max= the
//	    number of nodes (default DefaultMaxNodes; 0: no bound).
//	slice.forward(...)
//	    The same walk in the other direction: what S went on to affect.
//	reachable(from=S, edges=[...], depth=N, max=N)
//	    What S leads to along ref and alloc edges, forward (the objects a
//	    frame allocated and everything they reference).
//	nodes([condition], kind=K or [K, ...], max=N)
//	    The graph's nodes of those kinds that meet the condition, in graph
//	    order, with the edges between them.
//	locks.at([t])
//	    The locks held or waited for at time t, the threads holding or
//	    waiting, and those edges. t is Unix nanoseconds, an RFC 3339
//	    string, or a duration counted from the graph's earliest timestamp;
//	    without t, at any time. See locks.go for how edges are timed.
//	critical_path(...), diff(baseline=...)
//	    Parsed, and evaluated by analyses registered in [Env.Functions];
//	    without one they fail with [ErrUnavailable]. A registered function
//	    may also replace a built-in source (locks.at) or add new ones.
//
// Stages:
//
//	.through(types=[...], kinds=[...], condition)
//	    Restricts which nodes a walk may pass through; the start and stop
//	    nodes always may. types= admits a node that carries no type, or
//	    whose type is one of those listed: an object's type (its
//	    object.type attribute, else its name), an exception's
//	    exception.type, or the receiver type of a method's frame (Service
//	    for cart.(*Service).Load, HashMap for java.util.HashMap.get).
//	    Types match ignoring qualifiers, pointers and type arguments, and
//	    by CamelCase suffix: 'Map' matches java.util.Map, Map<K,V> and
//	    java.util.HashMap, not Bitmap. Spans, threads, logs,
//	    locks and plain functions carry no type and pass. kinds= admits
//	    only nodes of those kinds; a condition must hold. A refused node
//	    is left out and counted in Cut.Filtered. Several through stages
//	    must all hold.
//	.stop_when(condition)
//	    A node that meets the condition ends the walk there: it is part
//	    of the result (with role "stop") but is not expanded. It is exempt
//	    from through(). Start nodes never stop. Several stop_when stages:
//	    any stops.
//	.where(condition)
//	    Keeps the nodes that meet the condition (and the edges between
//	    kept nodes); the rest count in Cut.Where.
//	.limit(n)
//	    Keeps the first n nodes in result order (a walk's order is
//	    breadth-first: nearest first); the rest count in Cut.Limit.
//	.project([...])
//	    Node kinds to keep (the others count in Cut.Project) and fields to
//	    show besides id, kind, name, role and depth: location, service,
//	    summary (the three shown by default), type, time, duration, trace,
//	    thread, attrs, locals (attributes named local.*, with the prefix
//	    dropped), alloc_site (for an object, the location of the frame
//	    that allocated it).
//
// through and stop_when shape the walk, so they come right after the
// walk's source, before where, limit and project.
//
// # Selecting nodes
//
// from= takes a quoted node ID, a selector, a condition, or a list of
// these; it is an error ([ErrNoMatch]) for it to select nothing. A
// selector is a kind's name called with a quoted name, a condition, or
// nothing (every node of the kind). A quoted name that is a node's exact
// ID selects that node alone; otherwise it selects:
//
//	event(x)     events named x, of exception type x (qualified or not:
//	             'NullPointerException' or 'java.lang.NullPointerException')
//	             or of event type x in any case ('Exception', 'panic',
//	             'deadlock'); or, for 'T:K', events of type T that carry the
//	             key K: their ID ends with K, an attribute's value is K, or
//	             their message contains K ('Exception:E12345').
//	frame(x)     frames of function x, written in full or from a name
//	             boundary ('Load', 'Service.Load', 'cart.(*Service).Load'),
//	             or at file:line ('service.go:42').
//	span(x)      spans named x, or with span ID x.
//	thread(x)    threads named x ('goroutine 6'), or with thread ID x ('6').
//	lock(x)      locks named x, at address x, or of monitor class x.
//	object(x)    objects named x or of type x.
//	resource(x)  resources named x, in any case.
//	input(x)     inputs named x.
//	node(id)     the node with that ID.
//
// Selectors are conditions too: where(frame('Load') || span()).
//
// # Conditions
//
// A condition is evaluated for one node at a time. Names refer to the
// node:
//
//   - a field: id, kind, name, service, thread, trace_id, span_id,
//     function, file, line, lang, in_app, start, end (Unix ns), duration,
//     type (as for through), status (status.code), message (exception,
//     log or status message), depth (in a walk's result), policy;
//   - a node kind alone (frame, span, event, thread, lock, object,
//     resource, input) is true for nodes of that kind; kind.x is null for
//     other kinds, and otherwise reads the attribute "kind.x" if the node
//     has it (event.type, span.kind, thread.state, lock.kind), else the
//     field x (span.service, frame.function), else the attribute x;
//   - any other name is an attribute key, dotted as written
//     (http.route, exception.type); attr('key') reads any key, has('key')
//     tests for one.
//
// Methods: kind.matches(re) is true for nodes of that kind whose name,
// function or exception type re matches; x.matches(re), x.contains(s),
// x.starts_with(s) and x.ends_with(s) test x's text. Regular expressions
// are RE2 and unanchored, as are =~ and !~; anchor with ^ and $.
//
// Comparisons compare numbers with numbers (a duration with a number by
// nanoseconds, so duration > 2s and duration > 2000000000 agree; a string
// that reads as a number against a number: attr('http.status_code') >=
// 500), strings with strings, booleans for equality. A comparison with a
// missing value is false whatever the operator, so status != 'ok' keeps
// only nodes that have a status; !(status == 'ok') keeps the rest too.
// x in [a, b] tests membership. && and || combine truth values; false,
// missing, "", 0 and [] are false.
//
// # Results
//
// A [Result] lists nodes and edges by ID, with each node's kind, name,
// role and depth and the projected fields, and counts in [Cut] what
// bounds and filters left out. It marshals to the JSON of
// `tag query --json`.
//
// # Extending
//
// [Env.Functions] maps operation names to [Func]s, which read their
// arguments through a [Context] and return a [Set]; the stages then
// apply to it as to a built-in source's. This is how the analyses
// (critical path, differential diagnosis, lock graphs) plug in without
// this package importing them.
package query
