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

// encodeOwners spells an ownership history for rm_deadlines.owners, as
// json.Marshal spells []ownerSpan: by hand when every owner needs no
// escaping and every time has a four-digit year (json.Marshal took 3 % of
// a server's CPU rebuilding the view on PostgreSQL), by json.Marshal
// otherwise.
func encodeOwners(spans []domain.OwnerSpan) (string, error) {
	b := make([]byte, 0, 2+72*len(spans))
	b = append(b, '[')
	for i, s := range spans {
		from := s.From.UTC()
		if !plainJSON(s.Owner) || from.Year() < 0 || from.Year() > 9999 {
			return marshalOwners(spans)
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(append(b, `{"owner":"`...), s.Owner...), `","from":"`...)
		b = append(from.AppendFormat(b, time.RFC3339Nano), `"}`...)
	}
	return string(append(b, ']')), nil
}

// plainJSON reports whether json.Marshal spells s as it is, in quotes:
// printable ASCII without the characters it escapes.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// marshalOwners is encodeOwners by json.Marshal.
func marshalOwners(spans []domain.OwnerSpan) (string, error) {
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
