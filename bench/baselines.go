package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// runBaselines serves the baselines, one loopback port each, until ctx ends:
//   - B0: the captured response bytes of the service for each request URI, as is;
//   - B1: net/http + pgxpool running the service's statements, same JSON shapes;
//   - B2: one PostgREST-style statement per list page, JSON built by PostgreSQL;
//   - EX: exact (sequential) vector search.
//
// It prints {"B0": addr, "B1": addr, "B2": addr, "EX": addr} as its first stdout line.
func runBaselines(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("baselines", flag.ContinueOnError)
	dbURL := fs.String("database-url", "", "database the baselines read")
	bodiesPath := fs.String("bodies", "", "JSON object: request URI → response body served by B0")
	efSearch := fs.Int("ef-search", 100, "hnsw.ef_search of B1")
	iterative := fs.String("iterative-scan", "relaxed_order", "hnsw.iterative_scan of B1")
	maxConns := fs.Int("max-conns", 16, "pool size of B1 and B2 (the service's db_max_open_conns)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dbURL == "" || *bodiesPath == "" || *maxConns < 1 || *maxConns > 200 {
		return errors.New("baselines: -database-url and -bodies are required; -max-conns 1..200")
	}
	raw, err := os.ReadFile(*bodiesPath)
	if err != nil {
		return err
	}
	var bodies map[string]string
	if err := json.Unmarshal(raw, &bodies); err != nil {
		return fmt.Errorf("baselines: -bodies: %w", err)
	}
	pool, err := newPool(ctx, *dbURL, "contextapi-bench-b1", int32(*maxConns), 5*time.Second, map[string]string{
		"hnsw.ef_search": strconv.Itoa(*efSearch), "hnsw.iterative_scan": *iterative,
	})
	if err != nil {
		return err
	}
	defer pool.Close()
	// Exact scans over 1M vectors take seconds: a longer timeout, a small pool.
	exPool, err := newPool(ctx, *dbURL, "contextapi-bench-ex", 4, 5*time.Minute, nil)
	if err != nil {
		return err
	}
	defer exPool.Close()

	b1 := &b1Server{pool: pool}
	muxes := map[string]*http.ServeMux{nameB0: http.NewServeMux(), nameB1: http.NewServeMux(), nameB2: http.NewServeMux(), nameEX: http.NewServeMux()}
	muxes[nameB0].Handle("GET /", b0Handler(bodies))
	muxes[nameB1].HandleFunc("GET /api/v1/incidents", b1.list)
	muxes[nameB1].HandleFunc("GET /api/v1/incidents/{id}", b1.get)
	muxes[nameB1].HandleFunc("POST /api/v1/search/semantic", b1.search)
	muxes[nameB1].HandleFunc("GET /api/v1/aggregations/{kind}", b1.aggregate)
	muxes[nameB1].HandleFunc("GET /debug/statements", b1.statements)
	muxes[nameB2].HandleFunc("GET /api/v1/incidents", (&b2Server{pool: pool}).list)
	muxes[nameEX].HandleFunc("POST /api/v1/search/semantic", (&exServer{pool: exPool}).search)

	addrs := baselineAddrs{}
	var servers []*http.Server
	errs := make(chan error, len(muxes))
	for name, mux := range muxes {
		mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		addrs[name] = l.Addr().String()
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 5 * time.Minute}
		servers = append(servers, srv)
		go func() { errs <- srv.Serve(l) }()
	}
	line, _ := json.Marshal(addrs)
	fmt.Println(string(line))
	select {
	case <-ctx.Done():
	case err := <-errs:
		return err
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range servers {
		_ = srv.Shutdown(shut)
	}
	return nil
}

// newPool opens a pgx pool with the service's per-connection settings.
func newPool(ctx context.Context, dbURL, app string, size int32, timeout time.Duration, params map[string]string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, errors.New("baselines: the database URL does not parse")
	}
	cfg.MaxConns = size
	rp := cfg.ConnConfig.RuntimeParams
	rp["application_name"] = app
	rp["statement_timeout"] = strconv.FormatInt(timeout.Milliseconds(), 10)
	for k, v := range params {
		rp[k] = v
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}

// b0Handler serves the captured bytes of each request URI: the least any server can do
// to answer the same requests.
func b0Handler(bodies map[string]string) http.Handler {
	byURI := make(map[string][]byte, len(bodies))
	for k, v := range bodies {
		byURI[k] = []byte(v)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := byURI[r.URL.RequestURI()]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
}

// writeJSONBody encodes v as the service does (encoding/json, whole body first).
func writeJSONBody(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		httpError(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// httpError answers a plain-text error; the bench only checks statuses.
func httpError(w http.ResponseWriter, status int, err error) {
	if status >= 500 {
		fmt.Fprintln(os.Stderr, "baselines:", err)
	}
	http.Error(w, err.Error(), status)
}
