package domain

// Guardian is a child's guardian or entrusted guardian (受委托监护人).
type Guardian struct {
	Name     string `json:"name"`
	Relation string `json:"relation"`
	Phone    string `json:"phone,omitempty"`
}

// ChildRegistered opens a child's file (一人一档案).
type ChildRegistered struct {
	ChildID           string             `json:"child_id"`
	Name              string             `json:"name"`
	IDNumber          string             `json:"id_number,omitempty"`
	BirthDate         Date               `json:"birth_date"`
	Sex               Sex                `json:"sex"`
	Jurisdiction      Jurisdiction       `json:"jurisdiction"`
	Categories        []Category         `json:"categories"`
	DifficultyReasons []DifficultyReason `json:"difficulty_reasons,omitempty"`
	KeyChildFlags     []KeyChildFlag     `json:"key_child_flags"`
	Guardian          Guardian           `json:"guardian"`
	EntrustedGuardian *Guardian          `json:"entrusted_guardian,omitempty"`
	LivingSituation   string             `json:"living_situation"`
	Schooling         string             `json:"schooling"`
	HukouRegistered   bool               `json:"hukou_registered"`
}

// ChildProfileUpdated changes only the fields it carries (nil: unchanged).
type ChildProfileUpdated struct {
	Name              *string             `json:"name,omitempty"`
	IDNumber          *string             `json:"id_number,omitempty"`
	BirthDate         *Date               `json:"birth_date,omitempty"`
	Sex               *Sex                `json:"sex,omitempty"`
	Jurisdiction      *Jurisdiction       `json:"jurisdiction,omitempty"`
	Categories        *[]Category         `json:"categories,omitempty"`
	DifficultyReasons *[]DifficultyReason `json:"difficulty_reasons,omitempty"`
	KeyChildFlags     *[]KeyChildFlag     `json:"key_child_flags,omitempty"`
	Guardian          *Guardian           `json:"guardian,omitempty"`
	EntrustedGuardian *Guardian           `json:"entrusted_guardian,omitempty"`
	LivingSituation   *string             `json:"living_situation,omitempty"`
	Schooling         *string             `json:"schooling,omitempty"`
	HukouRegistered   *bool               `json:"hukou_registered,omitempty"`
}

// VisitRecorded: a director's (or supervisor's, caseworker's) visit.
type VisitRecorded struct {
	Findings string    `json:"findings"`
	Concerns []Concern `json:"concerns"`
}

// GuardianshipEntrustmentConfirmed: the entrusted-guardianship confirmation
// was signed (委托监护确认).
type GuardianshipEntrustmentConfirmed struct {
	EntrustedGuardian Guardian `json:"entrusted_guardian"`
	ParentsNotified   bool     `json:"parents_notified"`
}

// ChildDataErased: the child's key was destroyed (crypto-shredding).
type ChildDataErased struct {
	Reason string `json:"reason"`
}

func (ChildRegistered) EventType() string     { return "child.registered" }
func (ChildProfileUpdated) EventType() string { return "child.profile_updated" }
func (VisitRecorded) EventType() string       { return "child.visit_recorded" }
func (GuardianshipEntrustmentConfirmed) EventType() string {
	return "child.guardianship_entrustment_confirmed"
}
func (ChildDataErased) EventType() string { return "child.data_erased" }
