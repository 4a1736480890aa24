package contenders

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

	"github.com/contextapi/contextapi/bench/internal/database"
	"github.com/contextapi/contextapi/bench/internal/statements"
)

// BaselinesCommand is the bench's subcommand that serves the baselines.
const BaselinesCommand = "baselines"

// StartBaselines runs the bench binary's baselines subcommand (ServeBaselines) and
// returns the base URL of each baseline by name, once all answer.
func StartBaselines(ctx context.Context, work, dbURL, goldenDir, bodies string, efSearch int, iterativeScan string) (*Proc, map[string]string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, nil, err
	}
	args := []string{BaselinesCommand, "-database-url", dbURL, "-bodies", bodies, "-golden-dir", goldenDir,
		"-ef-search", fmt.Sprint(efSearch), "-iterative-scan", iterativeScan}
	lines := make(chan string, 1)
	p, err := startProc(ctx, work, "baselines", self, args, lines)
	if err != nil {
		return nil, nil, err
	}
	var addrs map[string]string
	select {
	case line := <-lines:
		if err := json.Unmarshal([]byte(line), &addrs); err != nil || len(addrs) != 4 {
			p.Stop()
			return nil, nil, fmt.Errorf("baselines: unexpected first line %q", line)
		}
	case <-p.exited:
		return nil, nil, fmt.Errorf("baselines exited: %s", tail(p.log))
	case <-time.After(30 * time.Second):
		p.Stop()
		return nil, nil, errors.New("baselines did not start within 30s")
	case <-ctx.Done():
		p.Stop()
		return nil, nil, ctx.Err()
	}
	bases := map[string]string{}
	for name, addr := range addrs {
		bases[name] = "http://" + addr
		if err := waitReady(ctx, p, bases[name]+"/health"); err != nil {
			p.Stop()
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return p, bases, nil
}

// ServeBaselines is the baselines subcommand: it serves them, one loopback port each,
// until ctx ends:
//   - B0: the captured response bytes of the service for each request URI, as is;
//   - B1: net/http + pgxpool running the service's statements, same JSON shapes;
//   - B2: one PostgREST-style statement per list page, JSON built by PostgreSQL;
//   - EX: exact (sequential) vector search.
//
// It prints {"B0": addr, "B1": addr, "B2": addr, "EX": addr} as its first stdout line.
func ServeBaselines(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet(BaselinesCommand, flag.ContinueOnError)
	dbURL := fs.String("database-url", "", "database the baselines read")
	bodiesPath := fs.String("bodies", "", "JSON object: request URI → response body served by B0")
	goldenDir := fs.String("golden-dir", "", "the PostgreSQL adapter's SQL golden files, which B1's statements are read from")
	efSearch := fs.Int("ef-search", 100, "hnsw.ef_search of B1")
	iterative := fs.String("iterative-scan", "relaxed_order", "hnsw.iterative_scan of B1")
	maxConns := fs.Int("max-conns", 16, "pool size of B1 and B2 (the service's db_max_open_conns)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dbURL == "" || *bodiesPath == "" || *goldenDir == "" || *maxConns < 1 || *maxConns > 200 {
		return errors.New("baselines: -database-url, -bodies and -golden-dir are required; -max-conns 1..200")
	}
	raw, err := os.ReadFile(*bodiesPath)
	if err != nil {
		return err
	}
	var bodies map[string]string
	if err := json.Unmarshal(raw, &bodies); err != nil {
		return fmt.Errorf("baselines: -bodies: %w", err)
	}
	sql, err := statements.Load(*goldenDir)
	if err != nil {
		return fmt.Errorf("baselines: B1's statements: %w", err)
	}
	pool, err := database.NewPool(ctx, *dbURL, "contextapi-bench-b1", int32(*maxConns), 5*time.Second, map[string]string{
		"hnsw.ef_search": strconv.Itoa(*efSearch), "hnsw.iterative_scan": *iterative,
	})
	if err != nil {
		return err
	}
	defer pool.Close()
	// Exact scans over 1M vectors take seconds: a longer timeout, a small pool.
	exPool, err := database.NewPool(ctx, *dbURL, "contextapi-bench-ex", 4, 5*time.Minute, nil)
	if err != nil {
		return err
	}
	defer exPool.Close()

	b1 := &handwritten{pool: pool, sql: sql}
	muxes := map[string]*http.ServeMux{B0: http.NewServeMux(), B1: http.NewServeMux(), B2: http.NewServeMux(), EX: http.NewServeMux()}
	muxes[B0].Handle("GET /", bareHandler(bodies))
	muxes[B1].HandleFunc("GET /api/v1/incidents", b1.list)
	muxes[B1].HandleFunc("GET /api/v1/incidents/{id}", b1.get)
	muxes[B1].HandleFunc("POST /api/v1/search/semantic", b1.search)
	muxes[B1].HandleFunc("GET /api/v1/aggregations/{kind}", b1.aggregate)
	muxes[B1].HandleFunc("GET /debug/statements", b1.statements)
	muxes[B2].HandleFunc("GET /api/v1/incidents", (&postgrestStyle{pool: pool, sql: sql}).list)
	muxes[EX].HandleFunc("POST /api/v1/search/semantic", (&exactSearch{pool: exPool, sql: sql}).search)

	addrs := map[string]string{}
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
