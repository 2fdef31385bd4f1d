package privacy

import (
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"
)

// member is one member of a JSON object: its key, and where its value lies
// in the object's bytes.
type member struct {
	key        string
	start, end int
}

var errNotObject = errors.New("not a JSON object")

// members lists the members of a JSON object, in order, without decoding
// their values.
func members(obj []byte) ([]member, error) {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return nil, errNotObject
	}
	var out []member
	i = skipSpace(obj, i+1)
	if i < len(obj) && obj[i] == '}' {
		return out, trailing(obj, i+1)
	}
	for {
		if i >= len(obj) || obj[i] != '"' {
			return nil, errNotObject
		}
		keyEnd, err := skipString(obj, i)
		if err != nil {
			return nil, err
		}
		key := string(obj[i+1 : keyEnd-1])
		if strings.IndexByte(key, '\\') >= 0 || !utf8.ValidString(key) {
			if err := json.Unmarshal(obj[i:keyEnd], &key); err != nil {
				return nil, errNotObject
			}
		}
		i = skipSpace(obj, keyEnd)
		if i >= len(obj) || obj[i] != ':' {
			return nil, errNotObject
		}
		start := skipSpace(obj, i+1)
		end, err := skipValue(obj, start)
		if err != nil {
			return nil, err
		}
		out = append(out, member{key: key, start: start, end: end})
		i = skipSpace(obj, end)
		if i >= len(obj) {
			return nil, errNotObject
		}
		switch obj[i] {
		case ',':
			i = skipSpace(obj, i+1)
		case '}':
			return out, trailing(obj, i+1)
		default:
			return nil, errNotObject
		}
	}
}

func trailing(b []byte, i int) error {
	if skipSpace(b, i) != len(b) {
		return errNotObject
	}
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string that starts at i.
func skipString(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, errNotObject
}

// skipValue returns the index just past the value that starts at i.
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errNotObject
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end, err := skipString(b, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errNotObject
	}
	j := i
	for j < len(b) && !strings.ContainsRune(",}] \t\n\r", rune(b[j])) {
		j++
	}
	if j == i {
		return 0, errNotObject
	}
	return j, nil
}

// element is one element of a JSON array: where its value lies in the
// array's bytes.
type element struct{ start, end int }

var errNotArray = errors.New("not a JSON array")

// elements lists the elements of a JSON array, in order, without decoding
// them.
func elements(arr []byte) ([]element, error) {
	i := skipSpace(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return nil, errNotArray
	}
	var out []element
	i = skipSpace(arr, i+1)
	if i < len(arr) && arr[i] == ']' {
		return out, trailingArray(arr, i+1)
	}
	for {
		start := i
		end, err := skipValue(arr, start)
		if err != nil {
			return nil, errNotArray
		}
		out = append(out, element{start: start, end: end})
		i = skipSpace(arr, end)
		if i >= len(arr) {
			return nil, errNotArray
		}
		switch arr[i] {
		case ',':
			i = skipSpace(arr, i+1)
		case ']':
			return out, trailingArray(arr, i+1)
		default:
			return nil, errNotArray
		}
	}
}

func trailingArray(b []byte, i int) error {
	if skipSpace(b, i) != len(b) {
		return errNotArray
	}
	return nil
}
