package kurrenttest

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc"
)

// ServerVersion is the KurrentDB version the double answers to the
// client's ServerFeatures call.
const ServerVersion = "25.0.0"

// maxMessage bounds a gRPC message as the client does (17 MiB), so that an
// append of a 4 MiB event fits.
const maxMessage = 17 << 20

// Record is an event as the double stores it.
type Record struct {
	Stream      string
	Revision    uint64
	ID          uuid.UUID
	Type        string
	ContentType string
	Data        []byte
	Metadata    []byte // the event's custom metadata
	Created     time.Time
	// Commit and Prepare are the record's $all position. A record an Edit
	// adds with Commit 0 is given one after every other.
	Commit, Prepare uint64
}

// Server is a running double.
type Server struct {
	grpc *grpc.Server
	addr string

	mu      sync.Mutex
	all     []*Record            // $all, in commit order
	streams map[string][]*Record // each stream, in revision order
	nextPos uint64
	failing map[string]int // appends to a stream still to refuse (FailAppends)
	passing map[string]int // appends to a stream to let through before those
	losing  map[string]int // appends to a stream whose answers are still to lose (LoseAnswers)
}

// Start starts a double on a free loopback port.
func Start() (*Server, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("kurrenttest: listen: %w", err)
	}
	s := &Server{
		grpc:    grpc.NewServer(grpc.MaxRecvMsgSize(maxMessage), grpc.MaxSendMsgSize(maxMessage)),
		addr:    lis.Addr().String(),
		streams: map[string][]*Record{},
		failing: map[string]int{},
		passing: map[string]int{},
		losing:  map[string]int{},
		nextPos: 1 << 10,
	}
	// A fresh server's $all begins with system records.
	s.appendLocked("$epochs", []*Record{{ID: uuid.New(), Type: "$epoch", ContentType: "application/json", Data: []byte(`{}`)}})
	s.appendLocked("$settings", []*Record{{ID: uuid.New(), Type: "$settings", ContentType: "application/json", Data: []byte(`{}`)}})
	streams.RegisterStreamsServer(s.grpc, streamsService{s: s})
	serverfeatures.RegisterServerFeaturesServer(s.grpc, featuresService{})
	go func() { _ = s.grpc.Serve(lis) }()
	return s, nil
}

// New starts a double for one test and stops it when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// URL is the connection string the client takes: a single node, TLS off.
func (s *Server) URL() string { return "esdb://" + s.addr + "?tls=false" }

// Stop closes every connection and stops the server.
func (s *Server) Stop() { s.grpc.Stop() }

// Records is a copy of every record of $all, in commit order.
func (s *Server) Records() []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Record, len(s.all))
	for i, r := range s.all {
		out[i] = *r
	}
	return out
}

// Edit changes the stored log behind the server's back: edit gets $all in
// commit order and returns it as it shall be. Records may be changed,
// removed, reordered or added (an added one with Commit 0 is placed after
// every other). The streams are then rebuilt from it, each in revision
// order.
func (s *Server) Edit(edit func(all []Record) []Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	current := make([]Record, len(s.all))
	for i, r := range s.all {
		current[i] = *r
	}
	edited := edit(current)
	s.all = s.all[:0]
	s.streams = map[string][]*Record{}
	for i := range edited {
		r := edited[i]
		if r.Commit == 0 {
			r.Commit, r.Prepare = s.nextPos, s.nextPos
			s.nextPos += recordSize(&r)
		}
		s.all = append(s.all, &r)
		s.streams[r.Stream] = append(s.streams[r.Stream], &r)
	}
	sort.SliceStable(s.all, func(i, j int) bool { return s.all[i].Commit < s.all[j].Commit })
	for _, records := range s.streams {
		sort.SliceStable(records, func(i, j int) bool { return records[i].Revision < records[j].Revision })
	}
}

// FailAppends makes the next n appends to stream fail with an internal
// error, writing nothing, as a server that breaks down mid-request would.
func (s *Server) FailAppends(stream string, n int) { s.FailAppendsAfter(stream, 0, n) }

// FailAppendsAfter lets the next pass appends to stream through, then
// makes n fail as FailAppends does.
func (s *Server) FailAppendsAfter(stream string, pass, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.passing[stream], s.failing[stream] = pass, n
}

// LoseAnswers makes the next n appends to stream write their events and
// then answer with an error, as when the connection drops after the
// server wrote: the client cannot tell whether they landed.
func (s *Server) LoseAnswers(stream string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.losing[stream] = n
}

// recordSize is how far a record moves the $all position: roughly its size
// in the server's transaction file.
func recordSize(r *Record) uint64 {
	return uint64(100 + len(r.Stream) + len(r.Type) + len(r.Data) + len(r.Metadata))
}

// appendLocked writes records at the end of stream and of $all. s.mu is held.
func (s *Server) appendLocked(stream string, records []*Record) {
	next := uint64(len(s.streams[stream]))
	if n := len(s.streams[stream]); n > 0 {
		next = s.streams[stream][n-1].Revision + 1
	}
	now := time.Now().UTC()
	for _, r := range records {
		r.Stream, r.Revision, r.Created = stream, next, now
		r.Commit, r.Prepare = s.nextPos, s.nextPos
		s.nextPos += recordSize(r)
		next++
		s.all = append(s.all, r)
		s.streams[stream] = append(s.streams[stream], r)
	}
}

// lastRevision is the revision of a stream's last record; ok is false when
// the stream does not exist. s.mu is held.
func (s *Server) lastRevision(stream string) (uint64, bool) {
	records := s.streams[stream]
	if len(records) == 0 {
		return 0, false
	}
	return records[len(records)-1].Revision, true
}

// toProto is a record as the server sends it in a read.
func toProto(r *Record) *streams.ReadResp {
	most, least := uuidBits(r.ID)
	return &streams.ReadResp{Content: &streams.ReadResp_Event{Event: &streams.ReadResp_ReadEvent{
		Event: &streams.ReadResp_ReadEvent_RecordedEvent{
			Id:               &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{MostSignificantBits: most, LeastSignificantBits: least}}},
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(r.Stream)},
			StreamRevision:   r.Revision,
			PreparePosition:  r.Prepare,
			CommitPosition:   r.Commit,
			Metadata: map[string]string{
				"type":         r.Type,
				"content-type": r.ContentType,
				// .NET ticks (100 ns) since the Unix epoch, as the server writes them.
				"created": strconv.FormatInt(r.Created.UnixNano()/100, 10),
			},
			CustomMetadata: r.Metadata,
			Data:           r.Data,
		},
		Position: &streams.ReadResp_ReadEvent_CommitPosition{CommitPosition: r.Commit},
	}}}
}

func uuidBits(id uuid.UUID) (most, least int64) {
	for i := range 8 {
		most = most<<8 | int64(id[i])
		least = least<<8 | int64(id[8+i])
	}
	return most, least
}

func uuidFromBits(most, least int64) uuid.UUID {
	var id uuid.UUID
	for i := 7; i >= 0; i-- {
		id[i], id[8+i] = byte(most), byte(least)
		most, least = most>>8, least>>8
	}
	return id
}

type featuresService struct {
	serverfeatures.UnimplementedServerFeaturesServer
}

func (featuresService) GetSupportedMethods(context.Context, *shared.Empty) (*serverfeatures.SupportedMethods, error) {
	return &serverfeatures.SupportedMethods{EventStoreServerVersion: ServerVersion}, nil
}
