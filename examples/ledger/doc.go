// Package ledger holds the Java ledger example (Ledger.java): two monitors
// taken in opposite orders by f() and g(), which deadlock under load. Its
// Go test compiles and runs it in a real JVM, dumps the deadlock with
// jstack and checks what TAG makes of it.
package ledger
