package incident

import "testing"

// TestClosureRacesAsItsFunction: a race in a closure (sort.Slice's less)
// and in its enclosing function group as one race.
func TestClosureRacesAsItsFunction(t *testing.T) {
	for in, want := range map[string]string{
		"shop.(*UserCache).TopUsers.func1":   "shop.(*UserCache).TopUsers",
		"shop.(*UserCache).TopUsers.func2.1": "shop.(*UserCache).TopUsers",
		"shop.(*UserCache).TopUsers":         "shop.(*UserCache).TopUsers",
		"main.function1":                     "main.function1",
	} {
		if got := closureRE.ReplaceAllString(in, ""); got != want {
			t.Errorf("%s → %s, want %s", in, got, want)
		}
	}
}
