package bearer

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/ports"
)

var _ ports.Authenticator = (*Authenticator)(nil)

var (
	errNoToken      = fmt.Errorf("bearer: no token: %w", domain.ErrUnauthenticated)
	errUnknownToken = fmt.Errorf("bearer: unknown token: %w", domain.ErrUnauthenticated)
)

// Options configure an Authenticator.
type Options struct {
	// File is the tokens file: one "name:sha256hex" line per token (see Line).
	File string
	// Now is the clock the re-check interval is measured on (default time.Now); tests
	// move it.
	Now func() time.Time
	// Logger hears of reloads and of changes that could not be loaded (default: none).
	Logger *slog.Logger
}

// Authenticator lets in the tokens listed in a file. It is safe for concurrent use.
type Authenticator struct {
	path   string
	now    func() time.Time
	logger *slog.Logger

	tokens    atomic.Pointer[[]entry]
	nextCheck atomic.Int64 // Unix nanoseconds; see maybeReload
	reloading sync.Mutex   // one reload at a time; guards seen
	seen      os.FileInfo  // the version of the file last read, loaded or not; nil if missing

	compare func(x, y []byte) int
}

// New loads opts.File. A file that is missing or malformed is an error naming it (and
// the line at fault); later changes that fail to load are only logged.
func New(opts Options) (*Authenticator, error) {
	if opts.File == "" {
		return nil, errors.New("bearer: no tokens file")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	info, err := os.Stat(opts.File)
	if err != nil {
		return nil, fmt.Errorf("bearer: tokens file: %w", err)
	}
	entries, err := readFile(opts.File)
	if err != nil {
		return nil, err
	}
	a := &Authenticator{
		path:    opts.File,
		now:     opts.Now,
		logger:  opts.Logger,
		seen:    info,
		compare: subtle.ConstantTimeCompare,
	}
	a.tokens.Store(&entries)
	a.nextCheck.Store(opts.Now().Add(recheckInterval).UnixNano())
	return a, nil
}

// Authenticate returns the principal the token is listed under, or an error wrapping
// domain.ErrUnauthenticated when the token is empty or not listed. There is no
// "forbidden" here: every listed token may read.
func (a *Authenticator) Authenticate(_ context.Context, token string) (domain.Principal, error) {
	if token == "" {
		return domain.Principal{}, errNoToken
	}
	a.maybeReload()
	entries := *a.tokens.Load()
	i := match(entries, digest(token), a.compare)
	if i < 0 {
		return domain.Principal{}, errUnknownToken
	}
	return domain.Principal{Name: entries[i].name}, nil
}
