package logs

// kind is the type of a parsed field value, before it becomes an
// epg.Value. JSON numbers and logfmt's unquoted values keep their text, so
// that an ID or a timestamp can be read exactly rather than through a
// float64.
type kind uint8

const (
	kNull kind = iota
	kBool
	kNum  // JSON number; text in s
	kStr  // a string the source quoted
	kBare // an unquoted logfmt value: typed by its look
	kArr  // JSON array; elements elems[lo:hi] of the parser
	kObj  // JSON object inside an array; members mems[lo:hi]
)

// val is one value of a record. Arrays and objects nested in arrays
// refer into the parser's arenas, which live until the next line.
type val struct {
	kind   kind
	b      bool
	s      string
	lo, hi int32
}

// field is one flattened key of a record: nested JSON objects become
// dotted keys ("source.file"), as OpenTelemetry's attribute names are.
type field struct {
	key string
	v   val
}

// member is a key of a JSON object nested in an array, which stays a map.
type member struct {
	key string
	v   val
}
