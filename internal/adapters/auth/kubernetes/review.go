package kubernetes

import (
	"context"
	"fmt"
	"slices"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"

	"github.com/contextapi/contextapi/internal/domain"
)

// The review APIs, and the kind label of the requests counted.
const (
	tokenReviewPath   = "/apis/authentication.k8s.io/v1/tokenreviews"
	accessReviewPath  = "/apis/authorization.k8s.io/v1/subjectaccessreviews"
	kindTokenReview   = "tokenreview"
	kindAccessReview  = "subjectaccessreview"
	authenticationAPI = "authentication.k8s.io/v1"
	authorizationAPI  = "authorization.k8s.io/v1"
)

// reviewer decides about one token with the API server: who it is, then whether they
// may read.
type reviewer struct {
	client    *apiClient
	audiences []string
	access    authorizationv1.ResourceAttributes
}

// decide returns the principal token stands for, or an error wrapping
// domain.ErrUnauthenticated, domain.ErrForbidden or domain.ErrUnavailable.
func (r *reviewer) decide(ctx context.Context, token string) (domain.Principal, error) {
	user, err := r.reviewToken(ctx, token)
	if err != nil {
		return domain.Principal{}, err
	}
	if err := r.reviewAccess(ctx, user, token); err != nil {
		return domain.Principal{}, err
	}
	return domain.Principal{Name: user.Username}, nil
}

// reviewToken asks who token stands for.
func (r *reviewer) reviewToken(ctx context.Context, token string) (authenticationv1.UserInfo, error) {
	in := authenticationv1.TokenReview{Spec: authenticationv1.TokenReviewSpec{Token: token, Audiences: r.audiences}}
	in.APIVersion, in.Kind = authenticationAPI, "TokenReview"
	var out authenticationv1.TokenReview
	if err := r.client.post(ctx, kindTokenReview, tokenReviewPath, &in, &out, token); err != nil {
		return authenticationv1.UserInfo{}, err
	}
	// Any JSON decodes into the struct; only the API server's answer says who anyone is.
	if out.APIVersion != authenticationAPI || out.Kind != "TokenReview" {
		return authenticationv1.UserInfo{}, fmt.Errorf("kubernetes: %s: %w: the answer is a %q %q, not a TokenReview",
			kindTokenReview, domain.ErrUnavailable, out.APIVersion, out.Kind)
	}
	st := out.Status
	if !st.Authenticated {
		return authenticationv1.UserInfo{}, fmt.Errorf("kubernetes: token not authenticated%s: %w",
			because(redact(st.Error, token)), domain.ErrUnauthenticated)
	}
	// The API server says which of the audiences asked for the token is good for; none
	// (or an empty list, meaning the API server's own) is a token meant for someone else.
	if len(r.audiences) > 0 && !slices.ContainsFunc(st.Audiences, func(a string) bool { return slices.Contains(r.audiences, a) }) {
		return authenticationv1.UserInfo{}, fmt.Errorf("kubernetes: token not meant for this service (audiences %q): %w",
			r.audiences, domain.ErrUnauthenticated)
	}
	if st.User.Username == "" {
		return authenticationv1.UserInfo{}, fmt.Errorf("kubernetes: %s: %w: authenticated, but no user named",
			kindTokenReview, domain.ErrUnavailable)
	}
	return st.User, nil
}

// reviewAccess asks whether user may do what Options names.
func (r *reviewer) reviewAccess(ctx context.Context, user authenticationv1.UserInfo, token string) error {
	access := r.access
	in := authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		ResourceAttributes: &access,
		User:               user.Username,
		Groups:             user.Groups,
		UID:                user.UID,
		Extra:              extra(user.Extra),
	}}
	in.APIVersion, in.Kind = authorizationAPI, "SubjectAccessReview"
	var out authorizationv1.SubjectAccessReview
	if err := r.client.post(ctx, kindAccessReview, accessReviewPath, &in, &out, token); err != nil {
		return err
	}
	if out.APIVersion != authorizationAPI || out.Kind != "SubjectAccessReview" {
		return fmt.Errorf("kubernetes: %s: %w: the answer is a %q %q, not a SubjectAccessReview",
			kindAccessReview, domain.ErrUnavailable, out.APIVersion, out.Kind)
	}
	st := out.Status
	if st.Allowed && !st.Denied {
		return nil
	}
	why := st.Reason
	if st.EvaluationError != "" {
		if why != "" {
			why += "; "
		}
		why += st.EvaluationError
	}
	return fmt.Errorf("kubernetes: %s may not %s %s %s/%s%s: %w", user.Username, access.Verb,
		resourceName(access), access.Namespace, access.Name, because(redact(why, token)), domain.ErrForbidden)
}

// extra carries the authenticator's extra attributes over to the authorizer (they are
// the same []string under two type names).
func extra(in map[string]authenticationv1.ExtraValue) map[string]authorizationv1.ExtraValue {
	if in == nil {
		return nil
	}
	out := make(map[string]authorizationv1.ExtraValue, len(in))
	for k, v := range in {
		out[k] = authorizationv1.ExtraValue(v)
	}
	return out
}

// resourceName is "resource" in the core group, "resource.group" elsewhere, as kubectl
// writes them.
func resourceName(a authorizationv1.ResourceAttributes) string {
	if a.Group == "" {
		return a.Resource
	}
	return a.Resource + "." + a.Group
}

func because(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}
