package problem_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/contextapi/contextapi/internal/domain"
	"github.com/contextapi/contextapi/internal/problem"
)

func TestDescribe(t *testing.T) {
	ve := &domain.ValidationError{}
	ve.Add("limit", "must be between 1 and 100")
	ve.Add("since", "must be an RFC 3339 time")
	tests := []struct {
		name       string
		err        error
		want       problem.Kind
		wantDetail string
	}{
		{"validation names every field", fmt.Errorf("app: %w", ve), problem.InvalidArgument, "limit: must be between 1 and 100; since: must be an RFC 3339 time"},
		{"one field", &domain.FieldError{Field: "id", Reason: "must be a positive integer"}, problem.InvalidArgument, "id: must be a positive integer"},
		{"not found", fmt.Errorf("x: %w", domain.ErrNotFound), problem.NotFound, problem.NotFound.Detail},
		{"overloaded before unavailable", domain.ErrOverloaded, problem.Overloaded, problem.Overloaded.Detail},
		{"unavailable", fmt.Errorf("pg: %w: dial tcp", domain.ErrUnavailable), problem.Unavailable, problem.Unavailable.Detail},
		{"deadline", context.DeadlineExceeded, problem.Unavailable, problem.Unavailable.Detail},
		{"client left", context.Canceled, problem.ClientClosed, problem.ClientClosed.Detail},
		{"anything else stays generic", errors.New("pq: syntax error at SELECT"), problem.Internal, problem.Internal.Detail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, detail := problem.Describe(tt.err)
			assert.Equal(t, tt.want, k)
			assert.Equal(t, tt.wantDetail, detail)
		})
	}
}
