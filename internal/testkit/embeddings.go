package testkit

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode"
)

// EmbeddingServer speaks the OpenAI embeddings protocol (POST .../embeddings) with a
// deterministic stand-in for a sentence model, BagOfWords: texts sharing words get
// close vectors. Tests script failures (statuses, Retry-After, slowness) ahead of the
// normal answers, and read back what was asked. Serve it with httptest.NewServer.
type EmbeddingServer struct {
	// Dims is the length of the embeddings answered (default 384).
	Dims int
	// MaxBatch, when positive, refuses requests of more inputs with 413, as
	// text-embeddings-inference does past --max-client-batch-size.
	MaxBatch int
	// Delay slows every answer.
	Delay time.Duration
	// Reversed answers data in reverse index order, which clients must reorder.
	Reversed bool

	mu       sync.Mutex
	script   []EmbeddingReply
	requests []EmbeddingRequest
}

// EmbeddingReply is one scripted answer to the next request.
type EmbeddingReply struct {
	Status     int
	RetryAfter string
	Delay      time.Duration
	Body       string
}

// EmbeddingRequest is what one request asked.
type EmbeddingRequest struct {
	Model         string
	Input         []string
	Authorization string
}

// Push queues scripted answers, served before the normal ones.
func (s *EmbeddingServer) Push(r ...EmbeddingReply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, r...)
}

// Requests returns what was asked so far.
func (s *EmbeddingServer) Requests() []EmbeddingRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]EmbeddingRequest(nil), s.requests...)
}

// ServeHTTP answers one embeddings request.
func (s *EmbeddingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Model string   `json:"model"`
		Input []string `json:"input"`
	}
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/embeddings") {
		http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
		return
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, `{"error":"invalid JSON"}`, http.StatusUnprocessableEntity)
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, EmbeddingRequest{Model: body.Model, Input: body.Input, Authorization: r.Header.Get("Authorization")})
	var reply *EmbeddingReply
	if len(s.script) > 0 {
		reply = &s.script[0]
		s.script = s.script[1:]
	}
	s.mu.Unlock()
	delay := s.Delay
	if reply != nil {
		delay += reply.Delay
	}
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if reply != nil && reply.Status != 0 {
		if reply.RetryAfter != "" {
			w.Header().Set("Retry-After", reply.RetryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(reply.Status)
		_, _ = w.Write([]byte(reply.Body))
		return
	}
	if s.MaxBatch > 0 && len(body.Input) > s.MaxBatch {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		_, _ = w.Write([]byte(`{"error":"batch size > max client batch size","error_type":"Validation"}`))
		return
	}
	s.answer(w, body.Model, body.Input)
}

func (s *EmbeddingServer) answer(w http.ResponseWriter, model string, input []string) {
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	dims := s.Dims
	if dims == 0 {
		dims = 384
	}
	data := make([]item, len(input))
	for i, text := range input {
		j := i
		if s.Reversed {
			j = len(input) - 1 - i
		}
		data[j] = item{Object: "embedding", Index: i, Embedding: BagOfWords(text, dims)}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "model": model, "data": data})
}

// BagOfWords embeds text as its hashed lower-case words (letters and digits), each
// adding ±1 to one of dims coordinates, normalised: cosine similarity then grows with
// the words two texts share. Text without words gets a fixed unit vector.
func BagOfWords(text string, dims int) []float32 {
	v := make([]float64, dims)
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for _, w := range words {
		h := fnv.New64a()
		_, _ = h.Write([]byte(w))
		x := h.Sum64()
		sign := 1.0
		if x>>63 == 1 {
			sign = -1
		}
		v[int(x%uint64(max(dims, 1)))] += sign // #nosec G115 -- dims is a small positive length
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	out := make([]float32, dims)
	if norm == 0 {
		out[0] = 1
		return out
	}
	norm = math.Sqrt(norm)
	for i, x := range v {
		out[i] = float32(x / norm)
	}
	return out
}
