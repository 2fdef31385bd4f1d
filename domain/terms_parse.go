package domain

// Parsers for each vocabulary, for code outside the package (which cannot
// name the vocabularies themselves).

func ParseRole(s string) (Role, error)                 { return ParseTerm[roleWords](s) }
func ParseRisk(s string) (Risk, error)                 { return ParseTerm[riskWords](s) }
func ParseConcern(s string) (Concern, error)           { return ParseTerm[concernWords](s) }
func ParseConcerns(s []string) ([]Concern, error)      { return ParseTerms[concernWords](s) }
func ParseSource(s string) (Source, error)             { return ParseTerm[sourceWords](s) }
func ParseReporterType(s string) (ReporterType, error) { return ParseTerm[reporterWords](s) }
func ParseAgency(s string) (Agency, error)             { return ParseTerm[agencyWords](s) }
func ParseAgencies(s []string) ([]Agency, error)       { return ParseTerms[agencyWords](s) }
func ParseService(s string) (Service, error)           { return ParseTerm[serviceWords](s) }
func ParseCategories(s []string) ([]Category, error)   { return ParseTerms[categoryWords](s) }
func ParseDifficultyReasons(s []string) ([]DifficultyReason, error) {
	return ParseTerms[difficultyWords](s)
}
func ParseKeyChildFlags(s []string) ([]KeyChildFlag, error) { return ParseTerms[keyChildFlagWords](s) }
func ParseSex(s string) (Sex, error)                        { return ParseTerm[sexWords](s) }
func ParseGround(s string) (GuardianshipGround, error)      { return ParseTerm[groundWords](s) }
func ParsePlacement(s string) (Placement, error)            { return ParseTerm[placementWords](s) }
func ParseGuardianshipOutcome(s string) (GuardianshipOutcome, error) {
	return ParseTerm[guardianshipEndWords](s)
}
func ParseClosureReason(s string) (ClosureReason, error)   { return ParseTerm[closureReasonWords](s) }
func ParseReferralStatus(s string) (ReferralStatus, error) { return ParseTerm[referralStatusWords](s) }
