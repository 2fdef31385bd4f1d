package api

import (
	"context"
	"net/http"

	"github.com/google/uuid"

	"github.com/careledger/careledger/commands"
	"github.com/careledger/careledger/domain"
)

// newChildBody is a new child's file: the body of POST /v1/children and the
// child of POST /v1/cases (API.md "Child"). id, when sent, is the child's
// id chosen by the client; version, when sent, must be 0 (a new file).
type newChildBody struct {
	ID                string                    `json:"id,omitempty"`
	Version           *int64                    `json:"version,omitempty"`
	Name              string                    `json:"name"`
	IDNumber          string                    `json:"id_number,omitempty"`
	BirthDate         domain.Date               `json:"birth_date"`
	Sex               domain.Sex                `json:"sex"`
	Jurisdiction      domain.Jurisdiction       `json:"jurisdiction"`
	Categories        []domain.Category         `json:"categories"`
	DifficultyReasons []domain.DifficultyReason `json:"difficulty_reasons,omitempty"`
	KeyChildFlags     []domain.KeyChildFlag     `json:"key_child_flags"`
	Guardian          *domain.Guardian          `json:"guardian"`
	EntrustedGuardian *domain.Guardian          `json:"entrusted_guardian,omitempty"`
	LivingSituation   string                    `json:"living_situation"`
	Schooling         string                    `json:"schooling"`
	HukouRegistered   *bool                     `json:"hukou_registered"`
}

// registration checks that every required field was sent (naming it after
// prefix) and gives the child's registration.
func (b newChildBody) registration(prefix string) (domain.ChildRegistered, error) {
	err := required(
		hasText(prefix+"name", b.Name),
		has(prefix+"birth_date", !b.BirthDate.IsZero()),
		has(prefix+"sex", !b.Sex.IsZero()),
		has(prefix+"jurisdiction", !b.Jurisdiction.IsZero()),
		has(prefix+"categories", len(b.Categories) > 0),
		has(prefix+"key_child_flags", b.KeyChildFlags != nil),
		has(prefix+"guardian", b.Guardian != nil),
		hasText(prefix+"living_situation", b.LivingSituation),
		hasText(prefix+"schooling", b.Schooling),
		has(prefix+"hukou_registered", b.HukouRegistered != nil),
	)
	if err != nil {
		return domain.ChildRegistered{}, err
	}
	if b.ID != "" && !isUUID(b.ID) {
		return domain.ChildRegistered{}, &domain.InvalidError{Field: prefix + "id", Message: "a child's id is a UUID " +
			"(e.g. 0f8fad5b-d9cb-469f-a165-70867728950e), so that no id carries personal data; or leave it out and the server makes one"}
	}
	if b.Version != nil && *b.Version != 0 {
		return domain.ChildRegistered{}, &domain.InvalidError{Field: prefix + "version", Message: "a new child's file has no version yet; leave it out or send 0"}
	}
	return domain.ChildRegistered{
		ChildID: b.ID, Name: b.Name, IDNumber: b.IDNumber, BirthDate: b.BirthDate, Sex: b.Sex, Jurisdiction: b.Jurisdiction,
		Categories: b.Categories, DifficultyReasons: b.DifficultyReasons, KeyChildFlags: b.KeyChildFlags,
		Guardian: *b.Guardian, EntrustedGuardian: b.EntrustedGuardian,
		LivingSituation: b.LivingSituation, Schooling: b.Schooling, HukouRegistered: *b.HukouRegistered,
	}, nil
}

// isUUID reports whether an id a client chose is a UUID in its canonical
// spelling (36 characters, lower-case hex): API.md's rule, so that an id —
// kept in every answer and in the access log, beyond an erasure — never
// carries personal data such as an ID number.
func isUUID(id string) bool {
	u, err := uuid.Parse(id)
	return err == nil && u.String() == id
}

func (s *Server) registerChild(w http.ResponseWriter, r *http.Request, p domain.Principal) error {
	return command(s, w, r, p, http.StatusCreated, func(ctx context.Context, call commands.Call, b newChildBody) (Answer, error) {
		child, err := b.registration("")
		if err != nil {
			return Answer{}, err
		}
		res, err := s.handlers.RegisterChild(ctx, call, commands.RegisterChild{Child: child})
		return answerOf(res), err
	})
}
