package commands

import (
	"time"

	"github.com/careledger/careledger/domain"
	"github.com/careledger/careledger/eventlog"
	"github.com/careledger/careledger/eventstore"
)

// Handlers carries out commands against one event store.
type Handlers struct {
	store   eventstore.Store
	codec   *eventlog.Codec
	now     func() time.Time
	retries int
	places  *eventlog.Places
	streams *streamCache
	// cacheStreams and cacheEvents bound the stream cache (WithStreamCache).
	cacheStreams, cacheEvents int
}

// Option tunes Handlers.
type Option func(*Handlers)

// WithClock sets the clock that gives "now" (default time.Now).
func WithClock(now func() time.Time) Option { return func(h *Handlers) { h.now = now } }

// WithRetries bounds how often a command is decided again after a version
// conflict when the caller named no version (default 10).
func WithRetries(n int) Option { return func(h *Handlers) { h.retries = n } }

// WithStreamCache bounds the streams the handlers keep loaded between
// commands: at most that many streams and that many events in them, the
// least recently used forgotten first (default DefaultCachedStreams and
// DefaultCachedEvents; 0 keeps none). An event kept takes 1–2 KB of heap
// (decoded, and its metadata). See the package doc for what keeps a cached
// stream true.
func WithStreamCache(streams, events int) Option {
	return func(h *Handlers) { h.cacheStreams, h.cacheEvents = streams, events }
}

// The bounds of the stream cache unless told otherwise (WithStreamCache):
// 20–40 MB of heap at most.
const (
	DefaultCachedStreams = 2_000
	DefaultCachedEvents  = 20_000
)

// New makes the handlers. A store that seals personal data must be the
// sealing store itself (eventstore/privacy.Store), not a wrapper that
// hides its count of erasures, or the stream cache must be off.
func New(store eventstore.Store, opts ...Option) *Handlers {
	h := &Handlers{store: store, codec: eventlog.New(), now: time.Now, retries: 10,
		cacheStreams: DefaultCachedStreams, cacheEvents: DefaultCachedEvents}
	for _, o := range opts {
		o(h)
	}
	h.streams = newStreamCache(h.cacheStreams, h.cacheEvents)
	h.places = eventlog.NewPlaces(h.codec, store)
	return h
}

// Places is the register of administrative divisions the handlers check
// jurisdiction codes against.
func (h *Handlers) Places() *eventlog.Places { return h.places }

// Codec is the codec the handlers encode and decode events with.
func (h *Handlers) Codec() *eventlog.Codec { return h.codec }

// Call is what every command carries besides its own fields.
type Call struct {
	Principal domain.Principal
	// IfMatch, when set, is the version the stream must still be at (HTTP
	// If-Match); otherwise a version conflict is retried.
	IfMatch *int64
	// IdempotencyKey, when set, makes the command's event ids a function of
	// (subject, key), so a retry appends nothing and answers as the first
	// time did.
	IdempotencyKey string
	// RequestHash fingerprints the request, so that the same key with
	// another request is refused.
	RequestHash string
	// CorrelationID ties the events to the request that caused them.
	CorrelationID string
}

// Result is a command's answer: the stream's id and new version and the
// events appended (or, for a retry, appended the first time).
type Result struct {
	ID         string
	Version    int64
	Events     []EventRef
	ReferralID string // set by MakeReferral
	// RectificationIDs are the ids of the rectification items, in order;
	// set by RecordInquiryFindings.
	RectificationIDs []string
}

// EventRef names an appended event.
type EventRef struct {
	Type           string
	GlobalPosition int64
}

// LastPosition is the global position of the result's last event.
func (r Result) LastPosition() int64 {
	if len(r.Events) == 0 {
		return 0
	}
	return r.Events[len(r.Events)-1].GlobalPosition
}
