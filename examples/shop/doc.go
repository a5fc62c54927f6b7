// Package shop is an example service that fails the way production does,
// so every stage of TAG is exercised on real failures. Each endpoint
// carries one bug from TAG's design:
//
//   - POST /pay: a nil discount pointer is dereferenced in the price
//     computation when the discount code is unknown → panic (fix: a nil
//     guard).
//   - POST /v1/checkout: Inventory.Reserve holds one global mutex across
//     all SKUs while doing slow work, so concurrent checkouts of different
//     SKUs queue behind each other and time out (fix: a lock per SKU, and
//     honour the request's deadline).
//   - POST /transfer: two account locks are taken in argument order, so
//     opposite concurrent transfers deadlock (fix: lock in a global order).
//   - GET /top-users: the cached slice is sorted in place on every read →
//     a data race and wrong results under concurrency (fix: sort a copy).
//
// The service is instrumented with OpenTelemetry (see cmd/shop); the bugs
// live in plain Go so tests can prove each one is really there.
package shop
