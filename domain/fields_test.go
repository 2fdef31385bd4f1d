package domain

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// residentIDCheckOf computes the check character of 17 digits from the
// definition of ISO 7064 MOD 11-2, independently of the implementation's
// tables: the weight of the digit at position i (from the right, the check
// character at position 1) is 2^(i-1) mod 11, and the check character c
// makes the weighted sum ≡ 1 (mod 11), with 10 written X.
func residentIDCheckOf(body string) byte {
	sum := 0
	for i := range 17 {
		pos := 18 - i // 18 .. 2
		weight := 1
		for range pos - 1 {
			weight = weight * 2 % 11
		}
		sum += int(body[i]-'0') * weight
	}
	c := (12 - sum%11) % 11
	if c == 10 {
		return 'X'
	}
	return byte('0' + c)
}

func TestValidResidentID(t *testing.T) {
	t.Parallel()
	assert.Equal(t, byte('X'), residentIDCheckOf("11010519491231002"), "the textbook sample 11010519491231002X")

	for _, body := range []string{"11010519491231002", "44030419900101123", "37090220150314002", "11010520150314002", "51010019800229001"} {
		check := residentIDCheckOf(body)
		assert.True(t, ValidResidentID(body+string(check)), "%s%c", body, check)
		for _, wrong := range "0123456789X" {
			if byte(wrong) != check {
				assert.False(t, ValidResidentID(body+string(wrong)), "%s%c has a wrong check", body, wrong)
			}
		}
	}
	for _, s := range []string{
		"", "11010519491231002", "11010519491231002XX", "1101051949123100 X",
		"11010519491231002x", // the check letter is upper case (RegisterChild normalises)
		"A1010519491231002X", "110105194912310０2X",
	} {
		assert.False(t, ValidResidentID(s), "%q", s)
	}
}

func TestFieldChecks(t *testing.T) {
	t.Parallel()
	assert.NoError(t, requiredText("f", "梅", 1))
	thenInvalid(t, requiredText("f", "梅梅", 1), "f")
	thenInvalid(t, requiredText("f", " \t\n", 10), "f")
	assert.NoError(t, boundedText("f", "", 10))
	thenInvalid(t, boundedText("f", "\xff", 10), "f")

	for _, ok := range []string{"", "13800000000", "+86-138-0000-0000", strings.Repeat("9", 20)} {
		assert.NoError(t, phoneNumber("p", ok), ok)
	}
	for _, bad := range []string{strings.Repeat("9", 21), "138 0000 0000", "(010)12345678", "１３８"} {
		thenInvalid(t, phoneNumber("p", bad), "p")
	}
}
