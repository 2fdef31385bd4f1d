package storetest

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/careledger/careledger/eventstore/privacy"
)

// TestPrivacyCatalogCoversTheSuite: the run through privacy.Store seals in
// nearly every test only as long as the catalog names the suite's note and
// its member.
func TestPrivacyCatalogCoversTheSuite(t *testing.T) {
	e := note(7)
	fields := PrivacyCatalog().Personal(e.Type)
	assert.Contains(t, fields, privacy.Field{Path: "n"})
	value, ok := member(e.Data, "n")
	assert.True(t, ok)
	assert.Equal(t, "7", string(value))
	assert.NotEmpty(t, PrivacyCatalog().Subject(caseStream(1).ID).ID, "every stream has a subject")
}
