package divisions

// The binary form of a register (register.bin), written by MarshalBinary
// and read by decode:
//
//	magic     "CLDIVREG", then the format version, one byte
//	size      uvarint: the length of the payload
//	body      the payload, raw DEFLATE
//
// The payload is uvarints and bytes:
//
//	edition   length, bytes
//	alphabet  n, then n runes: every rune of the names' stems, most
//	          frequent first; a stem is written as the ranks of its runes
//	          (1 for the first rune of the alphabet)
//	suffixes  n, then n strings (length, bytes): common endings of names
//	          (村委会, 社区居委会...), written as their index (1-based)
//	counts    per level from the top: the number of divisions, the total
//	          length in bytes of their names
//	codes     per level, in ascending order: each code minus the one
//	          before (the first minus 0)
//	names     per level, in code order: the index of the name's suffix (0
//	          for none), the ranks of its stem's runes, 0
//
// The same register always encodes to the same bytes.
const (
	magic   = "CLDIVREG"
	version = 1
)

// suffixes are the endings a name's stem is cut from, longest first; the
// encoder cuts the first that matches. Listing them factors out most of the
// bytes of the villages' names.
var suffixes = []string{
	"社区居民委员会",
	"村村民委员会",
	"居民委员会",
	"村民委员会",
	"社区居委会",
	"村村委会",
	"办事处",
	"居委会",
	"委员会",
	"村委会",
	"民族乡",
	"生活区",
	"虚拟社区",
	"嘎查",
	"社区",
	"街道",
	"乡",
	"镇",
}
