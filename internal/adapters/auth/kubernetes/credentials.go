package kubernetes

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"
)

// tokenRecheck is how old the service-account token read may get. The kubelet rotates
// a projected token well before it expires; client-go re-reads the file as often.
const tokenRecheck = time.Minute

// credentials is this pod's service-account token, kept fresh from its file.
type credentials struct {
	path   string
	now    func() time.Time
	logger *slog.Logger

	mu     sync.Mutex
	token  string
	readAt time.Time
}

// loadCredentials reads the token file, which must hold a token now.
func loadCredentials(path string, now func() time.Time, logger *slog.Logger) (*credentials, error) {
	token, err := readToken(path)
	if err != nil {
		return nil, err
	}
	return &credentials{path: path, now: now, logger: logger, token: token, readAt: now()}, nil
}

// current returns the token, re-reading the file when the last read is a minute old.
func (c *credentials) current() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now().Sub(c.readAt) >= tokenRecheck {
		c.reread()
	}
	return c.token
}

// renew re-reads the file after the API server refused rejected, and returns the token
// to retry with, if there is a different one. A token already renewed by a concurrent
// request is not read again.
func (c *credentials) renew(rejected string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == rejected {
		c.reread()
	}
	return c.token, c.token != rejected
}

// reread replaces the token by the file's; a file that cannot be read keeps the token
// held, which may well still be valid, until the next attempt.
func (c *credentials) reread() {
	c.readAt = c.now()
	token, err := readToken(c.path)
	if err != nil {
		c.logger.Warn("kubernetes: service-account token not re-read; keeping the one read before", "error", err)
		return
	}
	c.token = token
}

func readToken(path string) (string, error) {
	b, err := os.ReadFile(path) // #nosec G304 -- the path is the operator's own configuration
	if err != nil {
		return "", fmt.Errorf("kubernetes: service-account token: %w", err)
	}
	token := strings.TrimSpace(string(b))
	if token == "" {
		return "", fmt.Errorf("kubernetes: service-account token file %s is empty", path)
	}
	return token, nil
}
