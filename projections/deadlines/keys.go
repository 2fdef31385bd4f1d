package deadlines

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/careledger/careledger/domain"
)

// Key is the stable key of an obligation: kind, subject, referral or
// rectification item, start, and an ordinal among obligations that share
// all four (two guardianships started at the same moment).
func Key(d domain.Deadline, ordinal int) string { return keyBase(d) + strconv.Itoa(ordinal) }

// Keys gives each obligation of one stream its Key, in order.
func Keys(ds []domain.Deadline) []string {
	keys := make([]string, len(ds))
	count := make(map[string]int, len(ds))
	for i, d := range ds {
		base := keyBase(d)
		keys[i] = base + strconv.Itoa(count[base])
		count[base]++
	}
	return keys
}

// keyBase is a Key without its ordinal.
func keyBase(d domain.Deadline) string {
	return d.Kind.String() + "/" + d.SubjectID + "/" + d.ReferralID + d.RectificationID + "/" + d.StartedAt.UTC().Format(time.RFC3339Nano) + "/"
}

// ownerSpan is one entry of rm_deadlines.owners.
type ownerSpan struct {
	Owner string    `json:"owner"`
	From  time.Time `json:"from"`
}

// encodeOwners spells an ownership history for rm_deadlines.owners.
func encodeOwners(spans []domain.OwnerSpan) (string, error) {
	out := make([]ownerSpan, len(spans))
	for i, s := range spans {
		out[i] = ownerSpan{Owner: s.Owner, From: s.From.UTC()}
	}
	raw, err := json.Marshal(out)
	if err != nil {
		return "", fmt.Errorf("owners: %w", err)
	}
	return string(raw), nil
}

// ownerAtDue is who held an obligation when it fell due, by the ownership
// history rm_deadlines.owners holds (the domain's one rule); owner, the
// row's owner, if the history is empty.
func ownerAtDue(owner string, owners []byte, due time.Time) (string, error) {
	var spans []ownerSpan
	if err := json.Unmarshal(owners, &spans); err != nil {
		return "", fmt.Errorf("owners: %w", err)
	}
	d := domain.Deadline{Owner: owner, Owners: make([]domain.OwnerSpan, len(spans))}
	for i, s := range spans {
		d.Owners[i] = domain.OwnerSpan{Owner: s.Owner, From: s.From}
	}
	return d.OwnerAt(due), nil
}
