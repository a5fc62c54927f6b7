package query

import "testing"

func TestReceiverType(t *testing.T) {
	for fn, want := range map[string]string{
		"example.com/shop/cart.(*Service).Load":    "Service",
		"sync.(*Mutex).Lock":                       "Mutex",
		"net/http.HandlerFunc.ServeHTTP":           "HandlerFunc",
		"java.util.HashMap.get":                    "HashMap",
		"com.example.billing.Charger.charge":       "Charger",
		"main.main.func1":                          "",
		"main.main":                                "",
		"load":                                     "",
		"example.com/x.(*List[go.shape.int]).Push": "",
	} {
		if got := receiverType(fn); got != want {
			t.Errorf("receiverType(%q) = %q, want %q", fn, got, want)
		}
	}
}

func TestTypeMatches(t *testing.T) {
	for _, c := range []struct {
		full, want string
		ok         bool
	}{
		{"java.util.Map", "Map", true},
		{"java.util.HashMap", "Map", true},
		{"java.util.concurrent.ConcurrentHashMap<K,V>", "HashMap", true},
		{"Bitmap", "Map", false},
		{"Map", "map", false},
		{"IMap", "Map", false},
		{"Map<String,User>", "Map", true},
		{"*cart.Service", "Service", true},
		{"Outer$Inner", "Inner", true},
		{"std::runtime_error", "runtime_error", true},
		{"java.util.Optional", "java.util.Optional", true},
		{"Optional", "", false},
	} {
		if got := typeMatches(c.full, c.want); got != c.ok {
			t.Errorf("typeMatches(%q, %q) = %v", c.full, c.want, got)
		}
	}
}

func TestFunctionMatches(t *testing.T) {
	fn := "example.com/shop/cart.(*Service).Load"
	for want, ok := range map[string]bool{
		fn: true, "Load": true, "Service.Load": true, "cart.(*Service).Load": true, "(*Service).Load": true,
		"ice.Load": false, "Loa": false, "cart.Load": false,
	} {
		if got := functionMatches(fn, want); got != ok {
			t.Errorf("functionMatches(%q) = %v", want, got)
		}
	}
}
