// Package deploy holds contextapi's Kubernetes manifests: a kustomize base, the dev and
// kubernaut overlays and the Grafana dashboard component. It has no code of its own;
// its tests render every overlay with the kustomize API, decode each object strictly
// into its Kubernetes type, and check the policies docs/deploy.md describes, so that
// `go test ./...` covers the manifests where no cluster can be started.
package deploy
