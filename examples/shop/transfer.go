package shop

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Errors the shop returns.
var (
	ErrOutOfStock   = errors.New("out of stock")
	ErrNoAccount    = errors.New("no such account")
	ErrInsufficient = errors.New("insufficient funds")
)

// Account is a balance with its own lock.
type Account struct {
	ID      string
	mu      sync.Mutex
	balance int64
}

// Bank holds the accounts.
type Bank struct {
	accounts map[string]*Account
	// between runs after the first lock is taken and before the second;
	// tests use it to make the interleaving that deadlocks certain.
	between func()
}

// NewBank opens accounts with the given balances.
func NewBank(balances map[string]int64) *Bank {
	b := &Bank{accounts: map[string]*Account{}}
	for id, v := range balances {
		b.accounts[id] = &Account{ID: id, balance: v}
	}
	return b
}

// Transfer moves amount from one account to another.
//
// BUG: the locks are taken in argument order, so Transfer(a, b) and
// Transfer(b, a) running together can each hold one lock and wait forever
// for the other.
func (b *Bank) Transfer(from, to string, amount int64) error {
	src, dst := b.accounts[from], b.accounts[to]
	if src == nil || dst == nil {
		return ErrNoAccount
	}
	src.mu.Lock()
	defer src.mu.Unlock()
	b.journal(from, to, amount)
	if b.between != nil {
		b.between()
	}
	dst.mu.Lock()
	defer dst.mu.Unlock()
	if src.balance < amount {
		return ErrInsufficient
	}
	src.balance -= amount
	dst.balance += amount
	return nil
}

// journal writes the transfer's journal entry (a slow write to a ledger
// store, simulated) while the source account is locked — the window in
// which an opposite transfer takes the other lock.
func (b *Bank) journal(from, to string, amount int64) {
	_, _, _ = from, to, amount
	time.Sleep(2 * time.Millisecond)
}

// Balance reads an account's balance.
func (b *Bank) Balance(id string) int64 {
	a := b.accounts[id]
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.balance
}

// TransferRequest is the body of POST /transfer.
type TransferRequest struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Amount int64  `json:"amount"`
}

// TransferHandler handles POST /transfer.
func (s *Shop) TransferHandler(w http.ResponseWriter, r *http.Request) {
	var t TransferRequest
	if err := json.NewDecoder(r.Body).Decode(&t); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.Bank.Transfer(t.From, t.To, t.Amount); err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	fmt.Fprintln(w, `{"ok":true}`)
}
