package client_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/contextapi/contextapi/client"
)

// demo starts contextapi on its built-in demo data, as `contextapi serve` does without a
// database, for the examples to call.
func demo() (baseURL string, stop func()) {
	srv, stop, err := startService(nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	return srv.URL, stop
}

// The newest incidents of one namespace.
func Example() {
	baseURL, stop := demo()
	defer stop()

	c, err := client.New(baseURL)
	if err != nil {
		log.Fatal(err)
	}
	page, err := c.ListIncidents(context.Background(), client.ListOptions{
		Filters: client.Filters{Namespace: []string{"checkout"}},
		Limit:   3,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(page.Total, "incidents in checkout; the newest:")
	for _, inc := range page.Incidents {
		fmt.Println(inc.ID, inc.Name, inc.TargetName, inc.ActionType, *inc.Status)
	}
	// Output:
	// 63 incidents in checkout; the newest:
	// 339 HighCPUUsage checkout-api scale_deployment completed
	// 338 ImagePullBackOff checkout-worker-5b7c9d8f4-qzt8m update_image_pull_secret completed
	// 336 PodCrashLoop cart-service increase_memory_limit failed
}

// A client for a program running in a Kubernetes pod, calling the service over TLS with
// the pod's service-account token, which the kubelet rotates.
func ExampleNew() {
	c, err := client.New("https://context-api.kubernaut-system.svc:8080",
		client.WithTokenFile("/var/run/secrets/kubernetes.io/serviceaccount/token"),
		client.WithHTTPClient(&http.Client{Transport: &http.Transport{
			TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}, // RootCAs: the service's CA
		}}),
		client.WithUserAgent("remediation-planner/2.1 "+client.DefaultUserAgent),
		client.WithRetry(client.RetryPolicy{MaxAttempts: 6, MaxDelay: 30 * time.Second}),
	)
	if err != nil {
		log.Fatal(err)
	}
	_ = c
}

// Every incident, page after page.
func ExampleClient_Incidents() {
	baseURL, stop := demo()
	defer stop()
	c, err := client.New(baseURL)
	if err != nil {
		log.Fatal(err)
	}

	phases := map[string]int{}
	for inc, err := range c.Incidents(context.Background(), client.ListOptions{}) {
		if err != nil {
			log.Fatal(err)
		}
		phases[inc.Phase]++
	}
	for _, phase := range []string{"completed", "failed", "processing", "pending"} {
		fmt.Println(phase, phases[phase])
	}
	// Output:
	// completed 262
	// failed 83
	// processing 4
	// pending 6
}

// The incidents most like incident 281, a failed restart of checkout-api.
func ExampleClient_SimilarIncidents() {
	baseURL, stop := demo()
	defer stop()
	c, err := client.New(baseURL)
	if err != nil {
		log.Fatal(err)
	}

	res, err := c.SimilarIncidents(context.Background(), 281, client.SimilarOptions{Limit: 3, Threshold: new(0.8)})
	if err != nil {
		log.Fatal(err)
	}
	for _, inc := range res.Incidents {
		fmt.Printf("%d %s %s %s %.3f\n", inc.ID, inc.Name, inc.ActionType, *inc.Status, inc.Similarity)
	}
	// Output:
	// 282 HighMemoryUsage restart_pod failed 0.990
	// 285 HighMemoryUsage scale_deployment rolled-back 0.984
	// 288 HighMemoryUsage increase_memory_limit completed 0.981
}

// The incidents nearest to an embedding: here incident 288's own, in production only.
func ExampleClient_SemanticSearch() {
	baseURL, stop := demo()
	defer stop()
	c, err := client.New(baseURL)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	inc, err := c.GetIncident(ctx, 288, client.GetOptions{IncludeEmbedding: true})
	if err != nil {
		log.Fatal(err)
	}

	res, err := c.SemanticSearch(ctx, client.SemanticSearchRequest{
		Embedding: inc.Embedding,
		Limit:     3,
		Filters:   client.Filters{Environment: []string{"production"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, found := range res.Incidents {
		fmt.Printf("%d %s %.3f\n", found.ID, found.TargetName, found.Similarity)
	}
	// Output:
	// 288 checkout-api 1.000
	// 285 checkout-api 0.982
	// 282 checkout-api 0.981
}

// What to try next after a remediation failed.
func ExampleClient_RecoveryContext() {
	baseURL, stop := demo()
	defer stop()
	c, err := client.New(baseURL)
	if err != nil {
		log.Fatal(err)
	}

	rc, err := c.RecoveryContext(context.Background(), "fcd503bc-3367-498c-8af8-26ac6d657b18", client.RecoveryOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rc.Incident.Name, rc.Incident.TargetName, len(rc.PreviousAttempts), "previous attempts")
	for _, a := range rc.SuggestedActions {
		fmt.Printf("try %s: %.0f%% of %d\n", a.ActionType, 100*a.Rate, a.Samples)
	}
	// Output:
	// HighMemoryUsage checkout-api 3 previous attempts
	// try increase_memory_limit: 100% of 9
}

// The overall success rate, and the action types tried most.
func ExampleClient_SuccessRate() {
	baseURL, stop := demo()
	defer stop()
	c, err := client.New(baseURL)
	if err != nil {
		log.Fatal(err)
	}

	sr, err := c.SuccessRate(context.Background(), client.Filters{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d incidents, %d succeeded, %d failed: %.3f\n", sr.Total, sr.Succeeded, sr.Failed, *sr.Rate)
	for _, a := range sr.ByActionType[:2] {
		fmt.Printf("%s %d/%d\n", a.ActionType, a.Succeeded, a.Total)
	}
	// Output:
	// 355 incidents, 262 succeeded, 83 failed: 0.759
	// scale_deployment 47/69
	// restart_pod 33/64
}

// Telling the kinds of refusal apart.
func ExampleProblem() {
	baseURL, stop := demo()
	defer stop()
	c, err := client.New(baseURL)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	_, err = c.GetIncident(ctx, 99999, client.GetOptions{})
	if errors.Is(err, client.ErrNotFound) {
		fmt.Println("no incident 99999")
	}

	_, err = c.ListIncidents(ctx, client.ListOptions{Limit: 1000, Filters: client.Filters{Phase: []string{"done"}}})
	var p *client.Problem
	if errors.As(err, &p) && errors.Is(err, client.ErrInvalid) {
		fmt.Println(p.Status, p.Type)
		for _, fe := range p.Errors {
			fmt.Printf("%s: %s\n", fe.Field, fe.Reason)
		}
	}
	// Output:
	// no incident 99999
	// 400 urn:contextapi:problem:invalid-argument
	// phase: must be one of pending, processing, completed, failed
	// limit: must be between 1 and 100
}

// The history of one Deployment, as HolmesGPT-API asks for it; no history is a 404.
func ExampleClient_HistoricalContext() {
	baseURL, stop := demo()
	defer stop()
	c, err := client.New(baseURL)
	if err != nil {
		log.Fatal(err)
	}

	hc, err := c.HistoricalContext(context.Background(), client.HistoricalQuery{
		Namespace: "checkout", TargetType: "deployment", TargetName: "checkout-api",
		TimeRange: 7 * 24 * time.Hour,
	})
	switch {
	case errors.Is(err, client.ErrNotFound):
		fmt.Println("no incident in the last 7 days")
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Println(hc.EnvironmentPatterns["most_successful_action"])
	}
}
