package eventstore

import (
	"bytes"
	"unicode/utf8"
)

// quickMeta decodes metadata in the shape the store writes it — one
// object of the Metadata keys, spelt exactly, whose values are plain
// strings (no escapes, valid UTF-8) or the actor's object of the same
// kind — as json.Unmarshal would; ok is false for anything else, which
// Meta leaves to json.Unmarshal (keys in other cases, escapes, nulls,
// unknown keys, malformed input). Reading the log decodes every event's
// metadata: through json.Unmarshal that was a tenth of a server's CPU
// while it rebuilt its read models at start.
func quickMeta(raw []byte) (m Metadata, ok bool) {
	p := metaParser{in: raw}
	ok = p.object(func(key []byte) bool {
		var field *string
		switch string(key) {
		case "actor":
			return p.object(func(key []byte) bool {
				switch string(key) {
				case "subject":
					return p.str(&m.Actor.Subject)
				case "role":
					return p.str(&m.Actor.Role)
				case "jurisdiction":
					return p.str(&m.Actor.Jurisdiction)
				case "qualification":
					return p.str(&m.Actor.Qualification)
				}
				return false
			})
		case "command_id":
			field = &m.CommandID
		case "correlation_id":
			field = &m.CorrelationID
		case "causation_id":
			field = &m.CausationID
		case "request_hash":
			field = &m.RequestHash
		default:
			return false
		}
		return p.str(field)
	})
	p.space()
	return m, ok && p.at == len(p.in)
}

// metaParser reads the strict subset of JSON quickMeta accepts.
type metaParser struct {
	in []byte
	at int
}

func (p *metaParser) space() {
	for p.at < len(p.in) {
		switch p.in[p.at] {
		case ' ', '\t', '\n', '\r':
			p.at++
		default:
			return
		}
	}
}

// next skips white space and consumes c, reporting whether it was there.
func (p *metaParser) next(c byte) bool {
	p.space()
	if p.at < len(p.in) && p.in[p.at] == c {
		p.at++
		return true
	}
	return false
}

// object reads {"key": value, ...}, value read by member for each key.
func (p *metaParser) object(member func(key []byte) bool) bool {
	if !p.next('{') {
		return false
	}
	if p.next('}') {
		return true
	}
	for {
		key, ok := p.plain()
		if !ok || !p.next(':') || !member(key) {
			return false
		}
		if p.next('}') {
			return true
		}
		if !p.next(',') {
			return false
		}
	}
}

// str reads a plain string into s.
func (p *metaParser) str(s *string) bool {
	v, ok := p.plain()
	if ok {
		*s = string(v)
	}
	return ok
}

// plain reads a string without escapes or control characters, in valid
// UTF-8: one json.Unmarshal reads byte for byte.
func (p *metaParser) plain() ([]byte, bool) {
	if !p.next('"') {
		return nil, false
	}
	end := bytes.IndexByte(p.in[p.at:], '"')
	if end < 0 {
		return nil, false
	}
	v := p.in[p.at : p.at+end]
	for _, c := range v {
		if c == '\\' || c < 0x20 {
			return nil, false
		}
	}
	if !utf8.Valid(v) {
		return nil, false
	}
	p.at += end + 1
	return v, true
}
