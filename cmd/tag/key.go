package main

import (
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tagdebug/tag/internal/redact"
)

// keyInfo is `tag key --json`: which key is in force, never the key.
type keyInfo struct {
	ID     string `json:"id"`
	File   string `json:"file"`
	Action string `json:"action"`
}

func (a *app) keyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "key [id | rotate | import FILE]",
		Short: "Show, rotate or supply the installation key that redaction tokens are keyed with",
		Long: `Redaction replaces sensitive values with <token:…> made by HMAC-SHA256 under the
installation key, kept in redact.key (mode 0600) under the store and created on
first use. Equal values give equal tokens under one key, so evidence still joins;
no value can be recovered from a token.

  tag key id            print the key's ID (a fingerprint; never the key)
  tag key rotate        replace the key with a new random one; the old one is
                        kept beside it as redact.key.<time>.old. Tokens made
                        after rotation do not join with tokens made before.
  tag key import FILE   install a supplied key (32 raw bytes, or 64 hex digits)
                        so several installations make joinable tokens`,
		Args: cobra.RangeArgs(0, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			action := "id"
			if len(args) > 0 {
				action = args[0]
			}
			dir := a.storeDir()
			var key []byte
			var err error
			switch {
			case action == "id" && len(args) <= 1:
				key, err = redact.LoadOrCreateKey(dir)
			case action == "rotate" && len(args) == 1:
				key, err = redact.RotateKey(dir)
			case action == "import" && len(args) == 2:
				if key, err = readSuppliedKey(args[1]); err == nil {
					err = redact.WriteKey(dir, key)
				}
			default:
				return usageError{fmt.Errorf("usage: tag key [id | rotate | import FILE]")}
			}
			if err != nil {
				return err
			}
			info := keyInfo{ID: redact.KeyID(key), File: dir + string(os.PathSeparator) + redact.KeyFile, Action: action}
			if a.jsonOut {
				return a.printJSON(info)
			}
			fmt.Fprintf(a.stdout, "key %s (%s)\n", info.ID, info.File)
			return nil
		},
	}
	return cmd
}

// readSuppliedKey reads a key file of raw bytes or hex text.
func readSuppliedKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError{err}
	}
	if len(b) == redact.KeySize {
		return b, nil
	}
	h, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(h) != redact.KeySize {
		return nil, usageError{fmt.Errorf("%s: want %d raw bytes or %d hex digits", path, redact.KeySize, 2*redact.KeySize)}
	}
	return h, nil
}
