package domain

import (
	"fmt"
	"strings"
)

// vocabulary is one of the domain's closed word lists, with the field
// name it is given in and its words in Chinese (labels_zh.go).
type vocabulary interface {
	field() string
	words() []string
	zh() map[string]string
}

// Term is a word of a vocabulary V. Its zero value is "not given"; any other
// value is one of V's words, since terms are made only by parsing.
type Term[V vocabulary] struct{ s string }

// String is the word.
func (t Term[V]) String() string { return t.s }

// IsZero reports whether no word is set.
func (t Term[V]) IsZero() bool { return t.s == "" }

// MarshalText encodes the word.
func (t Term[V]) MarshalText() ([]byte, error) { return []byte(t.s), nil }

// UnmarshalText accepts only a word of the vocabulary, or "" for the zero
// term ("not given").
func (t *Term[V]) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*t = Term[V]{}
		return nil
	}
	parsed, err := ParseTerm[V](string(b))
	if err != nil {
		return err
	}
	*t = parsed
	return nil
}

// ParseTerm returns the term for word, or an *InvalidError naming the
// vocabulary's field and its words.
func ParseTerm[V vocabulary](word string) (Term[V], error) {
	var v V
	for _, w := range v.words() {
		if w == word {
			return Term[V]{s: w}, nil
		}
	}
	return Term[V]{}, &InvalidError{Field: v.field(), Message: fmt.Sprintf("%q is not one of: %s", word, strings.Join(v.words(), ", "))}
}

// vocab is the term's vocabulary.
func (Term[V]) vocab() vocabulary {
	var v V
	return v
}

// Words lists the words of the vocabulary of term type T, e.g.
// Words[Concern](): the one list the API's validation, its OpenAPI document
// and the inspectors' page read.
func Words[T interface{ vocab() vocabulary }]() []string {
	var t T
	return append([]string(nil), t.vocab().words()...)
}

func term[V vocabulary](word string) Term[V] {
	t, err := ParseTerm[V](word)
	if err != nil {
		panic(err)
	}
	return t
}

// ParseTerms parses a list of words, refusing duplicates.
func ParseTerms[V vocabulary](words []string) ([]Term[V], error) {
	out := make([]Term[V], 0, len(words))
	seen := map[string]bool{}
	for _, w := range words {
		t, err := ParseTerm[V](w)
		if err != nil {
			return nil, err
		}
		if seen[w] {
			var v V
			return nil, &InvalidError{Field: v.field(), Message: fmt.Sprintf("%q is listed twice", w)}
		}
		seen[w] = true
		out = append(out, t)
	}
	return out, nil
}

type (
	roleWords            struct{}
	riskWords            struct{}
	concernWords         struct{}
	sourceWords          struct{}
	reporterWords        struct{}
	agencyWords          struct{}
	serviceWords         struct{}
	categoryWords        struct{}
	difficultyWords      struct{}
	keyChildFlagWords    struct{}
	sexWords             struct{}
	groundWords          struct{}
	placementWords       struct{}
	guardianshipEndWords struct{}
	closureReasonWords   struct{}
	caseStatusWords      struct{}
	referralStatusWords  struct{}
)

func (roleWords) field() string { return "role" }
func (roleWords) words() []string {
	return []string{"child_director", "child_supervisor", "caseworker", "partner", "inspector", "analyst", "admin"}
}
func (riskWords) field() string   { return "risk" }
func (riskWords) words() []string { return []string{"high", "medium", "low"} }
func (concernWords) field() string {
	return "concerns"
}
func (concernWords) words() []string {
	return []string{"living_alone", "missing", "guardian_incapacity", "neglect", "domestic_violence", "abuse",
		"begging", "trafficking", "dropout", "no_hukou", "illness", "disability"}
}
func (sourceWords) field() string { return "source" }
func (sourceWords) words() []string {
	return []string{"hotline_12355", "mandatory_report", "police", "walk_in", "visit", "inspection", "other"}
}
func (reporterWords) field() string { return "reporter.type" }
func (reporterWords) words() []string {
	return []string{"school", "hospital", "child_director", "child_supervisor", "neighbour", "relative", "child_self",
		"police", "anonymous", "other"}
}
func (agencyWords) field() string { return "agency" }
func (agencyWords) words() []string {
	return []string{"police", "education", "justice", "hr_social_security", "womens_federation", "youth_league",
		"disabled_persons_federation", "welfare_institution", "health", "social_organization"}
}
func (serviceWords) field() string { return "service" }
func (serviceWords) words() []string {
	return []string{"legal_aid", "return_to_school", "rehabilitation", "psychological_support", "social_assistance",
		"hukou_registration", "employment_support", "medical_care", "other"}
}
func (categoryWords) field() string { return "categories" }
func (categoryWords) words() []string {
	return []string{"left_behind", "in_difficulty", "scattered_orphan"}
}
func (difficultyWords) field() string { return "difficulty_reasons" }
func (difficultyWords) words() []string {
	return []string{"poverty", "disability", "serious_illness", "guardianship_lacking", "other"}
}
func (keyChildFlagWords) field() string { return "key_child_flags" }
func (keyChildFlagWords) words() []string {
	return []string{"poor_guardianship", "dropout", "no_hukou", "illness", "disability"}
}
func (sexWords) field() string    { return "sex" }
func (sexWords) words() []string  { return []string{"male", "female"} }
func (groundWords) field() string { return "ground" }
func (groundWords) words() []string {
	return []string{"street_or_unidentified", "guardian_missing", "guardian_unable_emergency",
		"guardian_refuses_or_neglects", "used_in_crime", "serious_harm_by_guardian", "other"}
}
func (placementWords) field() string { return "placement" }
func (placementWords) words() []string {
	return []string{"kin", "foster_family", "center", "welfare_institution"}
}
func (guardianshipEndWords) field() string {
	return "outcome"
}
func (guardianshipEndWords) words() []string {
	return []string{"returned_to_family", "long_term_guardianship", "transferred", "other"}
}
func (closureReasonWords) field() string { return "reason" }
func (closureReasonWords) words() []string {
	return []string{"resolved", "returned_to_family", "transferred", "long_term_guardianship", "reached_adulthood",
		"unfounded", "other"}
}
func (caseStatusWords) field() string     { return "status" }
func (caseStatusWords) words() []string   { return []string{"open", "closed"} }
func (referralStatusWords) field() string { return "status" }
func (referralStatusWords) words() []string {
	return []string{"pending", "accepted", "declined", "completed"}
}

// The domain's vocabularies (see ../shared/API.md, Vocabularies).
type (
	Role                = Term[roleWords]
	Risk                = Term[riskWords]
	Concern             = Term[concernWords]
	Source              = Term[sourceWords]
	ReporterType        = Term[reporterWords]
	Agency              = Term[agencyWords]
	Service             = Term[serviceWords]
	Category            = Term[categoryWords]
	DifficultyReason    = Term[difficultyWords]
	KeyChildFlag        = Term[keyChildFlagWords]
	Sex                 = Term[sexWords]
	GuardianshipGround  = Term[groundWords]
	Placement           = Term[placementWords]
	GuardianshipOutcome = Term[guardianshipEndWords]
	ClosureReason       = Term[closureReasonWords]
	CaseStatus          = Term[caseStatusWords]
	ReferralStatus      = Term[referralStatusWords]
)

// Roles.
var (
	RoleChildDirector   = term[roleWords]("child_director")
	RoleChildSupervisor = term[roleWords]("child_supervisor")
	RoleCaseworker      = term[roleWords]("caseworker")
	RolePartner         = term[roleWords]("partner")
	RoleInspector       = term[roleWords]("inspector")
	RoleAnalyst         = term[roleWords]("analyst")
	RoleAdmin           = term[roleWords]("admin")
)

// Risks.
var (
	RiskHigh   = term[riskWords]("high")
	RiskMedium = term[riskWords]("medium")
	RiskLow    = term[riskWords]("low")
)

// Case and referral statuses.
var (
	StatusOpen              = term[caseStatusWords]("open")
	StatusClosed            = term[caseStatusWords]("closed")
	ReferralStatusPending   = term[referralStatusWords]("pending")
	ReferralStatusAccepted  = term[referralStatusWords]("accepted")
	ReferralStatusDeclined  = term[referralStatusWords]("declined")
	ReferralStatusCompleted = term[referralStatusWords]("completed")
)

// MandatoryReport reports whether a concern must be forwarded to the police
// (the first eight of the vocabulary: 未成年人保护法 art. 11, 强制报告意见 art. 4).
func MandatoryReport(c Concern) bool {
	switch c.String() {
	case "living_alone", "missing", "guardian_incapacity", "neglect", "domestic_violence", "abuse", "begging", "trafficking":
		return true
	}
	return false
}

// Placement and outcome words used by the rules.
var (
	OutcomeReturnedToFamily = term[guardianshipEndWords]("returned_to_family")
	ClosureReturnedToFamily = term[closureReasonWords]("returned_to_family")
)
