package domain

// Execution statuses stored in resource_action_traces.execution_status. The column has
// no CHECK, so other values can occur; they are kept verbatim.
const (
	StatusPending    = "pending"
	StatusExecuting  = "executing"
	StatusCompleted  = "completed"
	StatusFailed     = "failed"
	StatusRolledBack = "rolled-back"
)

// Statuses lists the conventional execution statuses.
var Statuses = []string{StatusPending, StatusExecuting, StatusCompleted, StatusFailed, StatusRolledBack}

// Phase is the lifecycle phase derived from the execution status.
type Phase string

// The phases clients filter on.
const (
	PhasePending    Phase = "pending"
	PhaseProcessing Phase = "processing"
	PhaseCompleted  Phase = "completed"
	PhaseFailed     Phase = "failed"
)

// Phases lists every phase.
var Phases = []Phase{PhasePending, PhaseProcessing, PhaseCompleted, PhaseFailed}

// Valid reports whether p is one of the four phases.
func (p Phase) Valid() bool {
	switch p {
	case PhasePending, PhaseProcessing, PhaseCompleted, PhaseFailed:
		return true
	}
	return false
}

// PhaseOf derives the phase of an execution status: completed → completed; failed and
// rolled-back → failed; executing → processing; anything else → pending.
func PhaseOf(status string) Phase {
	switch status {
	case StatusCompleted:
		return PhaseCompleted
	case StatusFailed, StatusRolledBack:
		return PhaseFailed
	case StatusExecuting:
		return PhaseProcessing
	}
	return PhasePending
}

// StatusesOfPhase lists the statuses whose phase is p. Pending also covers every
// unknown status and NULL, which callers must add themselves (see PhaseOf).
func StatusesOfPhase(p Phase) []string {
	switch p {
	case PhaseCompleted:
		return []string{StatusCompleted}
	case PhaseFailed:
		return []string{StatusFailed, StatusRolledBack}
	case PhaseProcessing:
		return []string{StatusExecuting}
	}
	return []string{StatusPending}
}

// Outcome is how a status counts in success rates.
type Outcome int

// Outcomes: success is completed; failure is failed or rolled-back; pending and executing
// are in progress (counted, left out of rates); any other status counts only in totals.
const (
	OutcomeOther Outcome = iota
	OutcomeSuccess
	OutcomeFailure
	OutcomeInProgress
)

// OutcomeOf classifies an execution status.
func OutcomeOf(status string) Outcome {
	switch status {
	case StatusCompleted:
		return OutcomeSuccess
	case StatusFailed, StatusRolledBack:
		return OutcomeFailure
	case StatusPending, StatusExecuting:
		return OutcomeInProgress
	}
	return OutcomeOther
}

// Environment is the deployment environment of migration 008's CHECK constraint.
type Environment string

// The environments the schema allows.
const (
	EnvironmentProduction  Environment = "production"
	EnvironmentStaging     Environment = "staging"
	EnvironmentDevelopment Environment = "development"
	EnvironmentTest        Environment = "test"
)

// Environments lists every allowed environment.
var Environments = []Environment{EnvironmentProduction, EnvironmentStaging, EnvironmentDevelopment, EnvironmentTest}

// Valid reports whether e is allowed by the schema.
func (e Environment) Valid() bool {
	switch e {
	case EnvironmentProduction, EnvironmentStaging, EnvironmentDevelopment, EnvironmentTest:
		return true
	}
	return false
}
