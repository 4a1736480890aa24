package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"

	"github.com/labstack/echo/v4"
)

// panicError is a panic caught while serving a request; it becomes the generic 500
// problem, and its value and stack go to the log only.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string { return fmt.Sprintf("panic: %v", e.value) }

// recoverPanics turns a panic in a handler into an error, so the client gets the same 500
// problem document as for any other internal error instead of a dropped connection.
func (s *Server) recoverPanics(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				// net/http's way to abort a response; it must reach the server.
				panic(v)
			}
			err = &panicError{value: v, stack: debug.Stack()}
		}()
		return next(c)
	}
}
