package divisions

// Level is the tier of a division, told by the length of its code.
type Level int

// The five levels, from the top. The zero Level is none of them.
const (
	Province Level = iota + 1 // 省级, 2 digits
	City                      // 地级, 4 digits
	County                    // 县级 ("area" in the source), 6 digits
	Township                  // 乡级 ("street" in the source), 9 digits
	Village                   // 村级, 12 digits
)

// levels lists the levels from the top, for loops.
var levels = [...]Level{Province, City, County, Township, Village}

// widths[l] is the number of digits of a code of level l.
var widths = [...]int{Province: 2, City: 4, County: 6, Township: 9, Village: 12}

var levelNames = [...]string{Province: "province", City: "city", County: "county", Township: "township", Village: "village"}

// valid reports whether l is one of the five levels.
func (l Level) valid() bool { return l >= Province && l <= Village }

// width is the number of digits of a code of level l, 0 for an invalid level.
func (l Level) width() int {
	if !l.valid() {
		return 0
	}
	return widths[l]
}

// String names the level in English: "province", "city", "county",
// "township" or "village".
func (l Level) String() string {
	if !l.valid() {
		return "Level(invalid)"
	}
	return levelNames[l]
}

// LevelOf tells the level of a code by its form alone: 2, 4, 6, 9 or 12
// ASCII digits. It does not look the code up; see Register.Contains.
func LevelOf(code string) (Level, bool) {
	var l Level
	switch len(code) {
	case 2:
		l = Province
	case 4:
		l = City
	case 6:
		l = County
	case 9:
		l = Township
	case 12:
		l = Village
	default:
		return 0, false
	}
	if !allDigits(code) {
		return 0, false
	}
	return l, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseDigits is the value of s, which must be at most 19 ASCII digits.
func parseDigits(s string) uint64 {
	var v uint64
	for i := 0; i < len(s); i++ {
		v = v*10 + uint64(s[i]-'0')
	}
	return v
}

// pow10[n] is 10 to the n, for n up to 12.
var pow10 = [...]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12}

// formatCode writes v as a code of the given number of digits, zero-padded.
func formatCode(v uint64, width int) string {
	var buf [12]byte
	b := buf[:width]
	for i := width - 1; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b)
}
