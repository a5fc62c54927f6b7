// Package governance holds tests that enforce the repository's house rules.
package governance
