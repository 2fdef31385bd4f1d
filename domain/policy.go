package domain

import (
	"strconv"
	"strings"
	"time"
)

// DeadlinePolicy is the clocks of DOMAIN.md as data. An admin changes it
// (DeadlinePolicyChanged); each deadline is judged by the policy in force
// when its clock started.
type DeadlinePolicy struct {
	PoliceReport           Duration      `json:"police_report"`
	FirstResponse          RiskDurations `json:"first_response"`
	Assignment             RiskDurations `json:"assignment"`
	Assessment             Duration      `json:"assessment"`
	GuardianshipAssessment Duration      `json:"guardianship_assessment"`
	ReferralAnswer         Duration      `json:"referral_answer"`
	KeyChildVisit          Duration      `json:"key_child_visit"`
	LeftBehindVisit        Duration      `json:"left_behind_visit"`
	// InfoVerification is the yearly day (month and day, China Standard
	// Time) by which every child's file is verified.
	InfoVerification    MonthDay `json:"info_verification"`
	RetrainingMonths    int      `json:"retraining_months"`
	PostClosureFollowUp Duration `json:"post_closure_follow_up"`
	// LateEntry: an entry recorded more than this after it occurred is late.
	LateEntry Duration `json:"late_entry"`
	// ReportAfterVisit: a visit that finds a mandatory-report concern, with
	// no case open for the child, obliges the visitor to report it within
	// this. PoliceAcknowledgment: the police acknowledge a forwarded report
	// within this. Inquiry: an inquiry is opened within this of a major
	// incident's declaration. (These and the two below came with schema
	// version 2 of DeadlinePolicyChanged.)
	ReportAfterVisit     Duration `json:"report_after_visit"`
	PoliceAcknowledgment Duration `json:"police_acknowledgment"`
	Inquiry              Duration `json:"inquiry"`
	// DueSoon: an open obligation due within this is due soon (an inbox
	// flags it). EscalateAfter: a missed obligation goes at once to the
	// township's supervisor, and to the inspectors this long after it fell
	// due.
	DueSoon       Duration `json:"due_soon"`
	EscalateAfter Duration `json:"escalate_after"`
	// MinCell: a group of the case statistics with fewer cases than this
	// is suppressed (count withheld), so that no one case stands out.
	MinCell int `json:"min_cell"`
}

// DefaultPolicy is the policy of DOMAIN.md, in force until an admin changes it.
func DefaultPolicy() DeadlinePolicy {
	return DeadlinePolicy{
		PoliceReport:           Hours(1),
		FirstResponse:          RiskDurations{High: Hours(24), Medium: Hours(72), Low: Days(7)},
		Assignment:             RiskDurations{High: Hours(1), Medium: Hours(24), Low: Hours(24)},
		Assessment:             Days(7),
		GuardianshipAssessment: Days(30),
		ReferralAnswer:         Days(5),
		KeyChildVisit:          Days(30),
		LeftBehindVisit:        Days(90),
		InfoVerification:       MonthDay{Month: time.September, Day: 1},
		RetrainingMonths:       12,
		PostClosureFollowUp:    Days(30),
		LateEntry:              Hours(72),
		ReportAfterVisit:       Hours(1),
		PoliceAcknowledgment:   Hours(1),
		Inquiry:                Days(7),
		DueSoon:                Hours(24),
		EscalateAfter:          Hours(24),
		MinCell:                5,
	}
}

// Validate refuses a policy with a missing or non-positive clock.
func (p DeadlinePolicy) Validate() error {
	// In the order of the policy's fields, so that the first bad one is
	// always the one named.
	for _, c := range []struct {
		name string
		d    Duration
	}{
		{"police_report", p.PoliceReport}, {"first_response.high", p.FirstResponse.High},
		{"first_response.medium", p.FirstResponse.Medium}, {"first_response.low", p.FirstResponse.Low},
		{"assignment.high", p.Assignment.High}, {"assignment.medium", p.Assignment.Medium}, {"assignment.low", p.Assignment.Low},
		{"assessment", p.Assessment}, {"guardianship_assessment", p.GuardianshipAssessment},
		{"referral_answer", p.ReferralAnswer}, {"key_child_visit", p.KeyChildVisit}, {"left_behind_visit", p.LeftBehindVisit},
		{"post_closure_follow_up", p.PostClosureFollowUp}, {"late_entry", p.LateEntry},
		{"report_after_visit", p.ReportAfterVisit}, {"police_acknowledgment", p.PoliceAcknowledgment}, {"inquiry", p.Inquiry},
		{"due_soon", p.DueSoon}, {"escalate_after", p.EscalateAfter},
	} {
		if c.d.D <= 0 {
			return invalid("policy."+c.name, "must be a positive duration such as \"1h\" or \"7d\"")
		}
	}
	if p.MinCell < 1 || p.MinCell > 1000 {
		return invalid("policy.min_cell", "must be between 1 and 1000")
	}
	if p.RetrainingMonths < 1 || p.RetrainingMonths > 120 {
		return invalid("policy.retraining_months", "must be between 1 and 120")
	}
	if p.InfoVerification.Month < time.January || p.InfoVerification.Month > time.December ||
		p.InfoVerification.Day < 1 || p.InfoVerification.Day > 28 {
		return invalid("policy.info_verification", "must be a month 1–12 and a day 1–28")
	}
	return nil
}

// RiskDurations is a clock that depends on the case's risk.
type RiskDurations struct {
	High   Duration `json:"high"`
	Medium Duration `json:"medium"`
	Low    Duration `json:"low"`
}

// For returns the duration for a risk.
func (r RiskDurations) For(risk Risk) time.Duration {
	switch risk {
	case RiskHigh:
		return r.High.D
	case RiskMedium:
		return r.Medium.D
	default:
		return r.Low.D
	}
}

// MonthDay is a day of the year.
type MonthDay struct {
	Month time.Month `json:"month"`
	Day   int        `json:"day"`
}

// Duration is a policy clock. In JSON it is a Go duration ("1h", "90m") or a
// whole number of days ("7d").
type Duration struct{ D time.Duration }

// Hours and Days make durations.
func Hours(n int) Duration { return Duration{D: time.Duration(n) * time.Hour} }
func Days(n int) Duration  { return Duration{D: time.Duration(n) * 24 * time.Hour} }

// String prints whole days as "Nd", else as a Go duration.
func (d Duration) String() string {
	if d.D > 0 && d.D%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(d.D/(24*time.Hour)), 10) + "d"
	}
	return d.D.String()
}

// MarshalText encodes the duration.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText accepts "Nd" or a Go duration.
func (d *Duration) UnmarshalText(b []byte) error {
	s := string(b)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 3650 {
			return invalid("policy", "%q is not a number of days", s)
		}
		*d = Days(n)
		return nil
	}
	parsed, err := time.ParseDuration(s)
	if err != nil {
		return invalid("policy", "%q is not a duration (\"1h\", \"7d\")", s)
	}
	*d = Duration{D: parsed}
	return nil
}
