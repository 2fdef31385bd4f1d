package divisions

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sourceDir is where go generate reads the 2023 edition from (see doc.go).
const sourceDir = "../../../shared/divisions"

// TestRegisterBinIsUpToDate regenerates register.bin from the source files,
// when they are at hand, and compares it with the committed one.
func TestRegisterBinIsUpToDate(t *testing.T) {
	if _, err := os.Stat(filepath.Join(sourceDir, "villages.csv.gz")); err != nil {
		t.Skipf("no source files: %v", err)
	}
	if testing.Short() {
		t.Skip("parses 665,276 rows")
	}
	parsed, err := Parse(os.DirFS(sourceDir), "2023")
	require.NoError(t, err)
	sameContent(t, Embedded(), parsed)
	out := filepath.Join(t.TempDir(), "register.bin")
	data, err := parsed.MarshalBinary()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(out, data, 0o644))
	written, err := os.ReadFile(out)
	require.NoError(t, err)
	if !bytes.Equal(written, registerBin) {
		t.Fatalf("register.bin holds the same divisions but different bytes (%d, regenerated %d): has compress/flate changed? run go generate", len(registerBin), len(written))
	}
}

// Encoding is deterministic: the embedded register encodes back to the
// very bytes it was decoded from. Where the source files are at hand,
// TestRegisterBinIsUpToDate shows as much (the parsed register has the
// same content, and encoding depends on content alone).
func TestMarshalEmbeddedGivesRegisterBin(t *testing.T) {
	if _, err := os.Stat(filepath.Join(sourceDir, "villages.csv.gz")); err == nil {
		t.Skip("TestRegisterBinIsUpToDate covers it")
	}
	if testing.Short() {
		t.Skip("compresses 3.7 MB")
	}
	data, err := Embedded().MarshalBinary()
	require.NoError(t, err)
	assert.True(t, bytes.Equal(data, registerBin), "re-encoded %d bytes, register.bin has %d", len(data), len(registerBin))
}

func TestMarshalRoundTrip(t *testing.T) {
	r := parseTiny(t, "2023", nil)
	data, err := r.MarshalBinary()
	require.NoError(t, err)
	back, err := decode(data)
	require.NoError(t, err)
	sameContent(t, back, r)
	again, err := back.MarshalBinary()
	require.NoError(t, err)
	assert.Equal(t, data, again)

	empty := &Register{edition: "empty"}
	data, err = empty.MarshalBinary()
	require.NoError(t, err)
	back, err = decode(data)
	require.NoError(t, err)
	assert.Zero(t, back.Len())
}

func TestDecodeRefusesCorruptData(t *testing.T) {
	good, err := parseTiny(t, "2023", nil).MarshalBinary()
	require.NoError(t, err)
	for name, data := range map[string][]byte{
		"empty":       nil,
		"no magic":    []byte("CLDIVREX\x01"),
		"version":     append([]byte(magic+"\x02"), good[len(magic)+1:]...),
		"truncated":   good[:len(good)-5],
		"extra bytes": append(bytes.Clone(good), 0),
	} {
		_, err := decode(data)
		assert.Error(t, err, name)
	}
}

// FuzzDecode checks decode refuses, never panics on, damaged registers.
func FuzzDecode(f *testing.F) {
	good, err := parseTiny(f, "2023", nil).MarshalBinary()
	require.NoError(f, err)
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := decode(data)
		if err == nil {
			r.FullName("370902101201")
		}
	})
}
