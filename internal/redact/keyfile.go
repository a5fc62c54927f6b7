package redact

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// KeySize is the size of the installation key in bytes.
const KeySize = 32

// KeyFile is the name of the key file inside the key directory.
const KeyFile = "redact.key"

// ErrKeyFile is wrapped by errors about an unusable key file: one that
// other users can read, or of the wrong size. TAG refuses to run on such
// a key rather than fix it silently, because a key others could read
// makes every token reversible by guessing.
var ErrKeyFile = errors.New("redact: unusable key file")

// LoadOrCreateKey returns the installation key stored in dir, creating a
// random one (mode 0600, dir 0700) on first use. Concurrent first uses
// agree on one key: creation is exclusive and the loser reads the
// winner's file.
func LoadOrCreateKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, KeyFile)
	key, err := readKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("redact: key directory: %w", err)
	}
	key = make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := writeKeyExclusive(path, key); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readRacingKey(path)
		}
		return nil, err
	}
	return key, nil
}

// RotateKey replaces the key in dir with a new random one and returns it.
// The old key is kept beside it as redact.key.<unix-seconds>.old (0600)
// so an operator can still correlate old tokens offline; tokens made
// after rotation do not join with tokens made before it.
func RotateKey(dir string) ([]byte, error) {
	path := filepath.Join(dir, KeyFile)
	if _, err := readKey(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	} else if err == nil {
		old := path + "." + strconv.FormatInt(time.Now().Unix(), 10) + ".old"
		if err := os.Rename(path, old); err != nil {
			return nil, fmt.Errorf("redact: rotate key: %w", err)
		}
	}
	return LoadOrCreateKey(dir)
}

// WriteKey stores a supplied key (for example one distributed to several
// TAG instances so their tokens join) in dir, replacing any existing one.
func WriteKey(dir string, key []byte) error {
	if len(key) != KeySize {
		return fmt.Errorf("%w: key is %d bytes, want %d", ErrKeyFile, len(key), KeySize)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp := filepath.Join(dir, KeyFile+".tmp")
	_ = os.Remove(tmp)
	if err := writeKeyExclusive(tmp, key); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, KeyFile))
}

func writeKeyExclusive(path string, key []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readKey(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %v; want 0600 (chmod 600 %s)", ErrKeyFile, path, st.Mode().Perm(), path)
	}
	if st.Size() != KeySize {
		return nil, fmt.Errorf("%w: %s is %d bytes, want %d", ErrKeyFile, path, st.Size(), KeySize)
	}
	key, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("%w: %s changed while read", ErrKeyFile, path)
	}
	return key, nil
}

// readRacingKey reads a key another process has just created and may
// still be writing.
func readRacingKey(path string) ([]byte, error) {
	var err error
	for range 100 {
		var key []byte
		if key, err = readKey(path); err == nil {
			return key, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil, err
}

// KeyID names a key without revealing it: the first 12 hex digits of
// HMAC-SHA256(key, "tag key id"). Two installations whose tokens join
// show the same ID.
func KeyID(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("tag key id"))
	return hex.EncodeToString(m.Sum(nil))[:12]
}

// ReadKeyFile reads a key file written by this package (or `tag key`),
// refusing one that others can read or that has the wrong size. The
// capture SDK uses it to share the installation key with services.
func ReadKeyFile(path string) ([]byte, error) { return readKey(path) }
