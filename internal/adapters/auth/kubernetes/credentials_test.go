package kubernetes

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/contextapi/contextapi/internal/domain"
)

func (e *env) bearers() []string {
	e.api.mu.Lock()
	defer e.api.mu.Unlock()
	return append([]string(nil), e.api.bearers...)
}

func TestTheServiceAccountTokenIsReReadEveryMinute(t *testing.T) {
	e := newEnv(t, nil)
	e.api.set(func(f *fakeAPI) { f.saTokens = []string{"sa-1", "sa-2"} })
	ctx := context.Background()
	for _, tok := range []string{"t-0", "t-1", "t-2"} {
		e.api.know(tok, holmes, true)
	}

	_, err := e.a.Authenticate(ctx, "t-0")
	require.NoError(t, err)
	e.writeFile(t, "token", "sa-2\n") // the kubelet rotates the projected token
	e.clock.Advance(tokenRecheck - time.Second)
	_, err = e.a.Authenticate(ctx, "t-1")
	require.NoError(t, err)
	e.clock.Advance(time.Second)
	_, err = e.a.Authenticate(ctx, "t-2")
	require.NoError(t, err)

	assert.Equal(t, []string{"Bearer sa-1", "Bearer sa-1", "Bearer sa-1", "Bearer sa-1", "Bearer sa-2", "Bearer sa-2"},
		e.bearers(), "the file is read again a minute after the last read, not sooner")
}

func TestA401ReReadsTheServiceAccountTokenAtOnce(t *testing.T) {
	e := newEnv(t, nil)
	e.writeFile(t, "token", "sa-2\n")
	e.api.set(func(f *fakeAPI) { f.saTokens = []string{"sa-2"} }) // sa-1 has expired

	p, err := e.a.Authenticate(context.Background(), holmesToken)
	require.NoError(t, err)
	assert.Equal(t, holmes.Username, p.Name)
	assert.Equal(t, []string{"Bearer sa-1", "Bearer sa-2", "Bearer sa-2"}, e.bearers(), "refused, re-read, sent again")
	tr, sar := e.sent()
	assert.Equal(t, [2]int{2, 1}, [2]int{tr, sar})
}

func TestA401WithNoNewTokenIsUnavailable(t *testing.T) {
	e := newEnv(t, nil)
	e.api.set(func(f *fakeAPI) { f.saTokens = []string{"sa-other"} })

	err := requireUnavailableAndNotKept(t, e, holmesToken)
	assert.Contains(t, err.Error(), "answered 401: Unauthorized")
	assert.NotErrorIs(t, err, domain.ErrUnauthenticated, "the API server refused us, not the caller")
	assert.Equal(t, []string{"Bearer sa-1", "Bearer sa-1"}, e.bearers(), "one request each: nothing new to retry with")
}

func TestAnUnreadableTokenFileKeepsTheTokenReadBefore(t *testing.T) {
	e := newEnv(t, nil)
	require.NoError(t, os.Remove(filepath.Join(e.dir, "token")))
	e.clock.Advance(tokenRecheck)

	_, err := e.a.Authenticate(context.Background(), holmesToken)
	require.NoError(t, err)
	assert.Equal(t, []string{"Bearer sa-1", "Bearer sa-1"}, e.bearers())
}
