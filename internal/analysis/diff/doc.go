// Package diff compares failing traces of an endpoint with the healthy
// traces of the same endpoint and version (a [cohort.Split]) and reports
// what is different about the failures, in three sections:
//
//   - structure: call paths (service and operation from the root down)
//     that most healthy traces have and the failing ones lack, paths the
//     failing ones have and healthy ones rarely do, and paths repeated more
//     often than healthy traces ever repeat them;
//   - timing: the segments whose self time grew beyond the healthy p95,
//     ranked by the time they added, with medians, p95s, ratios and
//     z-scores;
//   - attributes: attribute values ranked by how much more often they
//     occur on failing spans than on healthy spans of the same type (the
//     BubbleUp idea), numeric values bucketed, identifiers, timestamps,
//     high-cardinality keys and outcome keys (status, HTTP status) left
//     out.
//
// One failing trace can be compared, or a failing cohort, where the
// attribute section means most. Every section is bounded (top N, with the
// count of what was left out), ordered deterministically, refers to EPG
// nodes by ID and marshals to JSON.
//
// Everything here is a pure function of the traces; the package does no
// I/O.
package diff
