package httpapi

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/contextapi/contextapi/internal/app"
)

// metricsServer serves /metrics alone, for Config.MetricsAddr: a port a NetworkPolicy
// can open to the monitoring namespace without opening the API.
func (s *Server) metricsServer() *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metricsHandler)
	return s.httpServer(mux)
}

// httpServer serves h with the configured timeouts and limits, logging through slog.
func (s *Server) httpServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
}

// databaseUpGauge is contextapi_database_up: 1 while the store answers, as last checked.
func databaseUpGauge(h *app.Health) prometheus.GaugeFunc {
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "contextapi_database_up",
		Help: "1 when the store answered its last health check (every second), else 0.",
	}, func() float64 {
		if h.Last().Up {
			return 1
		}
		return 0
	})
}
