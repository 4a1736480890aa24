package kubernetes

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/contextapi/contextapi/internal/domain"
)

// maxAnswerBytes bounds what is read of an answer; a review's is well under a kilobyte.
const maxAnswerBytes = 1 << 20

// apiClient posts review objects to the API server as this pod's service account.
type apiClient struct {
	host  string
	http  *http.Client
	creds *credentials
	sent  func(kind string) // counts every request sent
}

// newHTTPClient trusts the certificates in caFile only. It has no timeout of its own:
// each decision's context bounds its requests.
func newHTTPClient(caFile string) (*http.Client, error) {
	pem, err := os.ReadFile(caFile) // #nosec G304 -- the path is the operator's own configuration
	if err != nil {
		return nil, fmt.Errorf("kubernetes: API server CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("kubernetes: API server CA file %s holds no PEM certificate", caFile)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone() // proxy settings from the environment, as client-go
	tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	tr.MaxIdleConnsPerHost = 16 // every review goes to the one host
	return &http.Client{
		Transport: tr,
		// A redirect is no answer to a review; following it would carry the token away.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// post sends in to path and decodes the answer into out. When the API server refuses
// the service-account token (401), the token file is re-read and, if it holds a new
// token, the request sent once more. Every error wraps domain.ErrUnavailable and never
// holds a token: secret is the reviewed one, redacted from what the server says.
func (c *apiClient) post(ctx context.Context, kind, path string, in, out any, secret string) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("kubernetes: %s: %w: %w", kind, domain.ErrUnavailable, err)
	}
	token := c.creds.current()
	status, err := c.send(ctx, kind, path, body, token, out, secret)
	if status == http.StatusUnauthorized {
		if renewed, ok := c.creds.renew(token); ok {
			_, err = c.send(ctx, kind, path, body, renewed, out, secret)
		}
	}
	return err
}

// send makes one request and returns the answer's status code (0 when none came).
func (c *apiClient) send(ctx context.Context, kind, path string, body []byte, token string, out any, secret string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.host+path, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("kubernetes: %s: %w: %w", kind, domain.ErrUnavailable, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("User-Agent", "contextapi")
	c.sent(kind)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, fmt.Errorf("kubernetes: %s: %w: %w", kind, domain.ErrUnavailable, err)
	}
	defer func() { _ = resp.Body.Close() }() // read only: nothing to lose
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return resp.StatusCode, fmt.Errorf("kubernetes: %s: %w: reading the answer: %w", kind, domain.ErrUnavailable, err)
	}
	// The API server answers a create with 201; 200 is as good.
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return resp.StatusCode, fmt.Errorf("kubernetes: %s: %w: the API server answered %d%s",
			kind, domain.ErrUnavailable, resp.StatusCode, statusMessage(answer, secret, token))
	}
	if err := json.Unmarshal(answer, out); err != nil {
		return resp.StatusCode, fmt.Errorf("kubernetes: %s: %w: malformed answer: %w", kind, domain.ErrUnavailable, err)
	}
	return resp.StatusCode, nil
}

// statusMessage quotes the message of a Status the API server sends with an error (a
// 403 names the permission this pod's service account lacks), without any token.
func statusMessage(answer []byte, secrets ...string) string {
	var st metav1.Status
	if json.Unmarshal(answer, &st) != nil || st.Message == "" {
		return ""
	}
	return ": " + redact(st.Message, secrets...)
}

// redact replaces every secret in s, so no text from the API server carries a token.
func redact(s string, secrets ...string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	const maxLen = 512
	if len(s) > maxLen {
		s = strings.ToValidUTF8(s[:maxLen], "") + "…"
	}
	return s
}
