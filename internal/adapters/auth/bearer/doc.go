// Package bearer authenticates bearer tokens against a file of their SHA-256 digests,
// one "name:sha256hex" line per token, so the file (typically a Kubernetes Secret) never
// holds a usable token. The file is re-read when it changes, and a change that does not
// parse keeps the tokens already loaded.
package bearer
