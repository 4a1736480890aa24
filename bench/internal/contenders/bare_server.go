package contenders

import "net/http"

// bareHandler is baseline B0: it serves the captured bytes of each request URI, the
// least any server can do to answer the same requests.
func bareHandler(bodies map[string]string) http.Handler {
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
