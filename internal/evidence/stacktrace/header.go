package stacktrace

// headerSearch bounds how far above the first frame a header is looked
// for; messages longer than this lose their header.
const headerSearch = 32

// firstFrameLine returns the index of the first line at or after from
// that isFrame accepts, or -1.
func firstFrameLine(ls []string, from int, isFrame func(string) bool) int {
	for i := from; i < len(ls); i++ {
		if isFrame(ls[i]) {
			return i
		}
	}
	return -1
}

// headerAbove returns the index of the nearest line above first that
// isHeader accepts, or -1. The lines between are the rest of a
// multi-line message.
func headerAbove(ls []string, first int, isHeader func(string) bool) int {
	for i := first - 1; i >= 0 && first-i <= headerSearch; i-- {
		if isHeader(ls[i]) {
			return i
		}
	}
	return -1
}
