package kurrent

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/careledger/careledger/eventstore"
)

// Record types of the chain stream.
const (
	claimType = "careledger.claim.v1"
	sealType  = "careledger.seal.v1"
)

// claim is written to the chain stream before a batch's events: the writer
// claims positions From..To on the sealed head Prev. It is appended with
// the chain's expected revision, so two writers cannot claim at once.
type claim struct {
	Writer    uuid.UUID         `json:"writer"`
	From      int64             `json:"from"`
	To        int64             `json:"to"`
	Prev      eventstore.Anchor `json:"prev"`
	ClaimedAt int64             `json:"claimed_at_us"`
	MAC       []byte            `json:"mac,omitempty"`
}

// sealRecord is the head seal: written to the chain stream after a batch's
// events, it commits them.
type sealRecord struct {
	Position int64           `json:"position"`
	Hash     eventstore.Hash `json:"hash"`
	SealedAt int64           `json:"sealed_at_us"`
	MAC      []byte          `json:"mac,omitempty"`
}

func (r sealRecord) seal() eventstore.Seal {
	return eventstore.Seal{Anchor: eventstore.Anchor{Position: r.Position, Hash: r.Hash}, SealedAt: microTime(r.SealedAt), MAC: r.MAC}
}

func toSealRecord(s eventstore.Seal) sealRecord {
	return sealRecord{Position: s.Position, Hash: s.Hash, SealedAt: s.SealedAt.UnixMicro(), MAC: s.MAC}
}

func microTime(us int64) time.Time { return time.UnixMicro(us).UTC() }

// claimMAC signs a claim with the seal key, so that a claim written by
// someone without the key is not taken for the writer's.
func claimMAC(key []byte, c claim) []byte {
	if len(key) == 0 {
		return nil
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(claimType))
	m.Write(c.Writer[:])
	var n [8]byte
	for _, v := range []int64{c.From, c.To, c.Prev.Position, c.ClaimedAt} {
		binary.BigEndian.PutUint64(n[:], uint64(v))
		m.Write(n[:])
	}
	m.Write(c.Prev.Hash[:])
	return m.Sum(nil)
}

// chainState is the end of the chain stream.
type chainState struct {
	exists   bool
	revision uint64 // of the last record, when exists
	seal     eventstore.Seal
	sealed   bool
	open     *claim // the last record, when it is a claim not yet sealed
}

// readChain reads the end of the chain stream: the last seal, and the claim
// after it if a batch is under way.
func (c *conn) readChain(ctx context.Context) (chainState, error) {
	records, err := c.readStream(ctx, c.ns.chain(), esdb.End{}, esdb.Backwards, 2)
	if err != nil {
		return chainState{}, fmt.Errorf("read the chain: %w", err)
	}
	var st chainState
	for i, r := range records {
		if i == 0 {
			st.exists, st.revision = true, r.EventNumber
		}
		switch r.EventType {
		case sealType:
			var s sealRecord
			if err := json.Unmarshal(r.Data, &s); err != nil {
				return chainState{}, fmt.Errorf("decode seal at revision %d of the chain: %w", r.EventNumber, err)
			}
			st.seal, st.sealed = s.seal(), true
			return st, nil
		case claimType:
			if i == 0 {
				var cl claim
				if err := json.Unmarshal(r.Data, &cl); err != nil {
					return chainState{}, fmt.Errorf("decode claim at revision %d of the chain: %w", r.EventNumber, err)
				}
				st.open = &cl
			}
		}
	}
	if st.exists && !st.sealed && len(records) == 2 {
		// Two claims in a row (the chain is not as writers leave it): look
		// further back for the seal.
		return c.readChainSlowly(ctx, st)
	}
	return st, nil
}

// readChainSlowly finds the last seal when it is not among the chain's last
// two records.
func (c *conn) readChainSlowly(ctx context.Context, st chainState) (chainState, error) {
	records, err := c.readStream(ctx, c.ns.chain(), esdb.End{}, esdb.Backwards, 0)
	if err != nil {
		return chainState{}, fmt.Errorf("read the chain: %w", err)
	}
	for _, r := range records {
		if r.EventType == sealType {
			var s sealRecord
			if err := json.Unmarshal(r.Data, &s); err != nil {
				return chainState{}, fmt.Errorf("decode seal at revision %d of the chain: %w", r.EventNumber, err)
			}
			st.seal, st.sealed = s.seal(), true
			break
		}
	}
	return st, nil
}

// errChainMoved: another writer wrote to the chain since it was read.
var errChainMoved = errors.New("another writer claimed positions first")

// appendChain writes one record to the chain stream, expecting the chain
// as read.
func (c *conn) appendChain(ctx context.Context, after chainState, typ string, v any) (uint64, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return 0, err
	}
	var expected esdb.ExpectedRevision = esdb.NoStream{}
	if after.exists {
		expected = esdb.Revision(after.revision)
	}
	res, err := c.client.AppendToStream(ctx, c.ns.chain(), esdb.AppendToStreamOptions{ExpectedRevision: expected},
		esdb.EventData{EventID: uuid.New(), EventType: typ, ContentType: esdb.ContentTypeJson, Data: data})
	if isWrongExpectedVersion(err) {
		return 0, errChainMoved
	}
	if err != nil {
		return 0, fmt.Errorf("write %s to the chain: %w", typ, err)
	}
	return res.NextExpectedVersion, nil
}

func isWrongExpectedVersion(err error) bool { return hasCode(err, esdb.ErrorCodeWrongExpectedVersion) }

// hasCode reports whether err is the client's error with that code.
func hasCode(err error, code esdb.ErrorCode) bool {
	var e *esdb.Error
	return errors.As(err, &e) && e.Code() == code
}

// readStream reads up to count records of a stream (0: all of them) from a
// point in a direction; a stream that does not exist has none.
func (c *conn) readStream(ctx context.Context, name string, from esdb.StreamPosition, dir esdb.Direction, count uint64) ([]*esdb.RecordedEvent, error) {
	if count == 0 {
		count = 1 << 62
	}
	rs, err := c.client.ReadStream(ctx, name, esdb.ReadStreamOptions{From: from, Direction: dir}, count)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []*esdb.RecordedEvent
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if hasCode(err, esdb.ErrorCodeResourceNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ev.Event)
	}
}
