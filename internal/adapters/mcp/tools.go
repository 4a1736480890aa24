package mcp

import (
	"context"
	"log/slog"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/contextapi/contextapi/internal/domain"
)

// The tools' names, as clients call them.
const (
	ToolListIncidents     = "list_incidents"
	ToolGetIncident       = "get_incident"
	ToolFindSimilar       = "find_similar_incidents"
	ToolRecoveryContext   = "get_recovery_context"
	ToolHistoricalContext = "get_historical_context"
	ToolSuccessRates      = "get_success_rates"
)

// Options tunes NewServer.
type Options struct {
	// Name and Version identify the server to clients (default "contextapi", "dev").
	Name, Version string
	// Logger receives one line per tool call that failed for an internal reason; nil
	// discards them.
	Logger *slog.Logger
	// CallTimeout, when positive, bounds every tool call (the service's request_timeout):
	// the SDK does not pass an HTTP request's deadline on to the tool for every
	// protocol version, so the tools keep their own.
	CallTimeout time.Duration
}

// maxSeverityGroups bounds the success-rate queries get_success_rates by severity
// makes, one per severity: a handful exist in practice.
const maxSeverityGroups = 10

// tools holds what the tool handlers share.
type tools struct {
	backend Backend
	opts    Options
}

// NewServer returns the MCP server of the six tools over b. The input and output
// schemas come from the tools' types, with the API's bounds added; the SDK validates
// arguments against them (an invalid call is a tool error) and results too.
func NewServer(b Backend, opts Options) *sdk.Server {
	if opts.Name == "" {
		opts.Name = "contextapi"
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	t := &tools{backend: b, opts: opts}
	s := sdk.NewServer(&sdk.Implementation{Name: opts.Name, Title: "contextapi: history of Kubernetes remediations", Version: opts.Version}, &sdk.ServerOptions{
		Instructions: "Historical context about past Kubernetes remediation incidents (alert, target object, action taken, outcome). " +
			"Use it to learn what was tried before and what worked: list_incidents and get_incident to browse, find_similar_incidents for incidents like one, " +
			"get_recovery_context after a remediation failed, get_historical_context for one object's history, get_success_rates for which actions work.",
	})
	s.AddReceivingMiddleware(titledValidationErrors)
	readOnly := &sdk.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: new(false)}
	sdk.AddTool(s, &sdk.Tool{
		Name: ToolListIncidents, Annotations: readOnly, InputSchema: listSchema(),
		Description: "List past remediation incidents, newest first, narrowed by filters (namespace, alert name, action type, phase, time, ...).",
	}, handler(t, "list incidents", t.backend.ListIncidents, ignoreInput[ListInput](renderList)))
	sdk.AddTool(s, &sdk.Tool{
		Name: ToolGetIncident, Annotations: readOnly, InputSchema: getSchema(),
		Description: "Get one remediation incident by its id.",
	}, handler(t, "get incident", func(ctx context.Context, in GetInput) (Incident, error) { return t.backend.GetIncident(ctx, in.ID) }, ignoreInput[GetInput](renderIncident)))
	sdk.AddTool(s, &sdk.Tool{
		Name: ToolFindSimilar, Annotations: readOnly, InputSchema: similarSchema(),
		Description: "Find past incidents similar to an incident (incident_id) or to a description (text), most similar first, optionally narrowed by filters.",
	}, handler(t, "find similar incidents", t.similar, ignoreInput[SimilarInput](renderSimilar)))
	sdk.AddTool(s, &sdk.Tool{
		Name: ToolRecoveryContext, Annotations: readOnly, InputSchema: recoverySchema(),
		Description: "Explain a failed or stuck remediation: its newest attempt, the alert's previous attempts, similar past incidents, how each action type fared, and which actions are worth trying next.",
	}, handler(t, "recovery context", func(ctx context.Context, in RecoveryInput) (RecoveryContext, error) {
		return t.backend.RecoveryContext(ctx, in.RemediationRequestID)
	}, ignoreInput[RecoveryInput](renderRecovery)))
	sdk.AddTool(s, &sdk.Tool{
		Name: ToolHistoricalContext, Annotations: readOnly, InputSchema: historicalSchema(),
		Description: "History of one Kubernetes object (namespace, kind, name) over a time range: success rate per action type, similar incidents on other objects, and patterns.",
	}, handler(t, "historical context", t.backend.HistoricalContext, renderHistorical))
	sdk.AddTool(s, &sdk.Tool{
		Name: ToolSuccessRates, Annotations: readOnly, InputSchema: ratesSchema(),
		Description: "Success rates of remediations overall and grouped by action type, namespace or severity, narrowed by filters.",
	}, handler(t, "success rates", t.rates, ignoreInput[RatesInput](renderRates)))
	return s
}

// handler adapts a backend call and its rendering to a typed tool handler: structured
// content from the result, the rendering as the text a model reads, and every error a
// tool error with the problem's title and detail.
func handler[In, Out any](t *tools, op string, call func(context.Context, In) (Out, error), render func(In, Out) string) sdk.ToolHandlerFor[In, Out] {
	return func(ctx context.Context, _ *sdk.CallToolRequest, in In) (*sdk.CallToolResult, Out, error) {
		if t.opts.CallTimeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, t.opts.CallTimeout)
			defer cancel()
		}
		out, err := call(ctx, in)
		if err != nil {
			var zero Out
			described := Describe(err)
			if isInternal(described) {
				t.opts.Logger.ErrorContext(ctx, "mcp tool failed", slog.String("tool", op), slog.String("error", err.Error()))
			}
			return nil, zero, described
		}
		return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: render(in, out)}}}, out, nil
	}
}

// errOneQuery refuses a find_similar_incidents call without exactly one query.
var errOneQuery = &domain.FieldError{Field: "incident_id", Reason: "give exactly one of incident_id and text"}

func (t *tools) similar(ctx context.Context, in SimilarInput) (SimilarList, error) {
	switch {
	case (in.IncidentID == nil) == (in.Text == ""):
		return SimilarList{}, errOneQuery
	case in.IncidentID != nil:
		return t.backend.SimilarIncidents(ctx, *in.IncidentID, in)
	}
	return t.backend.SimilarToText(ctx, in.Text, in)
}

// rates answers get_success_rates: the overall outcome, with groups per action type
// from the same answer, or per namespace or severity from their own.
func (t *tools) rates(ctx context.Context, in RatesInput) (SuccessRates, error) {
	out, err := t.backend.SuccessRate(ctx, in.Filters)
	if err != nil || in.By == "" || in.By == ByActionType {
		return out, err
	}
	out.By = in.By
	switch in.By {
	case ByNamespace:
		out.Groups, err = t.backend.NamespaceCounts(ctx, in.Filters)
		for i, g := range out.Groups {
			out.Groups[i].SuccessRate = domain.RateOf(g.Succeeded, g.Failed)
		}
	case BySeverity:
		out.Groups, err = t.severityRates(ctx, in.Filters)
	default:
		// The input schema admits nothing else; a backend called directly might.
		err = &domain.FieldError{Field: "by", Reason: "must be action_type, namespace or severity"}
	}
	if err != nil {
		return SuccessRates{}, err
	}
	sortGroups(out.Groups)
	return out, nil
}

// severityRates asks the outcome of each severity (the largest first, at most
// maxSeverityGroups of them): the severity counts carry no outcomes.
func (t *tools) severityRates(ctx context.Context, f Filters) ([]RateGroup, error) {
	groups, err := t.backend.SeverityCounts(ctx, f)
	if err != nil {
		return nil, err
	}
	sortGroups(groups)
	groups = groups[:min(len(groups), maxSeverityGroups)]
	for i, g := range groups {
		one := f
		one.Severity = []string{*g.Key}
		sr, err := t.backend.SuccessRate(ctx, one)
		if err != nil {
			return nil, err
		}
		groups[i] = RateGroup{Key: g.Key, Total: sr.Total, Succeeded: sr.Succeeded, Failed: sr.Failed, SuccessRate: sr.SuccessRate}
	}
	return groups, nil
}

// ignoreInput adapts a rendering that needs only the result.
func ignoreInput[In, Out any](render func(Out) string) func(In, Out) string {
	return func(_ In, out Out) string { return render(out) }
}
