package evidence

// Widths of normalised trace and span IDs in hex digits.
const (
	TraceIDHex = 32
	SpanIDHex  = 16
)

// NormHex validates a hex ID of 1..width digits and returns it lower-case
// and left-padded with zeros to width, so that 64- and 128-bit trace IDs
// join with OTLP's 32-digit form. zero reports an all-zero ID, which the
// formats treat as absent.
func NormHex(s string, width int) (id string, zero, ok bool) {
	if len(s) == 0 || len(s) > width {
		return "", false, false
	}
	var b [TraceIDHex]byte
	pad := width - len(s)
	for i := 0; i < pad; i++ {
		b[i] = '0'
	}
	zero = true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		case 'A' <= c && c <= 'F':
			c += 'a' - 'A'
		default:
			return "", false, false
		}
		if c != '0' {
			zero = false
		}
		b[pad+i] = c
	}
	return string(b[:width]), zero, true
}
