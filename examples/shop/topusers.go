package shop

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
)

// User is a ranked user.
type User struct {
	Name  string `json:"name"`
	Score int    `json:"score"`
}

// UserCache holds the users as loaded, in load order.
type UserCache struct {
	users []User
}

// NewUserCache caches users.
func NewUserCache(users []User) *UserCache { return &UserCache{users: users} }

// TopUsers returns the k highest-scoring users.
//
// BUG: it sorts the cached slice in place, so concurrent readers race on
// it and may see it half-sorted.
func (c *UserCache) TopUsers(k int) []User {
	sort.Slice(c.users, func(i, j int) bool { return c.users[i].Score > c.users[j].Score })
	return c.users[:min(k, len(c.users))]
}

// TopUsersHandler handles GET /top-users?k=N.
func (s *Shop) TopUsersHandler(w http.ResponseWriter, r *http.Request) {
	k, err := strconv.Atoi(r.URL.Query().Get("k"))
	if err != nil || k <= 0 {
		k = 3
	}
	top := s.Users.TopUsers(k)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(top)
}
