package client

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
)

// TokenSource gives the bearer token to send. Token is called before every attempt, from
// any number of goroutines at once, and should be cheap.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// static is a token that never changes.
type static string

func staticToken(token string) (static, error) {
	token = strings.TrimSpace(token)
	if err := checkToken(token); err != nil {
		return "", fmt.Errorf("client: WithToken: %w", err)
	}
	return static(token), nil
}

func (s static) Token(context.Context) (string, error) { return string(s), nil }

// checkToken refuses what could not travel as a bearer token: nothing at all, or
// anything that would break the header.
func checkToken(token string) error {
	switch {
	case token == "":
		return errors.New("empty token")
	case strings.ContainsAny(token, " \t\r\n"):
		return errors.New("the token holds white space")
	}
	return nil
}

// fileToken is a token read from a file, read again when the file changes. Each call
// looks at the file (one stat, which follows the ..data symlink the kubelet swaps when it
// rotates a projected token) and reads it only when it is another file, or its time or
// size changed.
type fileToken struct {
	path string

	mu    sync.Mutex
	info  os.FileInfo // of the version token came from
	token string
}

func newFileToken(path string) (*fileToken, error) {
	f := &fileToken{path: path}
	if _, err := f.Token(context.Background()); err != nil {
		return nil, fmt.Errorf("client: WithTokenFile: %w", err)
	}
	return f, nil
}

// Token returns the file's token. A file that cannot be read now, or holds no token
// (caught halfway through a rewrite), leaves the token read before in use, which is
// still valid for a while after a rotation; only without one is that an error.
func (f *fileToken) Token(context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	info, err := os.Stat(f.path)
	if err == nil && f.info != nil && sameVersion(info, f.info) {
		return f.token, nil
	}
	if err == nil {
		var data []byte
		if data, err = os.ReadFile(f.path); err == nil {
			token := strings.TrimSpace(string(data))
			if err = checkToken(token); err == nil {
				f.info, f.token = info, token
				return token, nil
			}
		}
	}
	if f.token != "" {
		return f.token, nil
	}
	return "", fmt.Errorf("token file %s: %w", f.path, err)
}

func sameVersion(x, y os.FileInfo) bool {
	return os.SameFile(x, y) && x.ModTime().Equal(y.ModTime()) && x.Size() == y.Size()
}
