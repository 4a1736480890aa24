// Package openai is a client of the OpenAI-compatible embeddings protocol
// (POST /v1/embeddings), which text-embeddings-inference, Ollama, vLLM, LocalAI and
// OpenAI itself serve. It implements ports.Embedder: it splits large inputs into batches
// the server accepts, bounds each attempt by a timeout, retries with exponential backoff
// what retrying may cure (connection errors, timeouts, 429 and 5xx, honouring
// Retry-After), checks every answer's shape and dimension, and reports Prometheus series.
// Caching query embeddings is the cache package's decorator, not this client's.
package openai
