package kurrent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/kurrent/kurrenttest"
	"github.com/careledger/careledger/eventstore/storetest"
)

// doubleTamperer edits the test double's stored records directly, as
// someone who can edit a KurrentDB server's files could: no client of
// KurrentDB can change or remove one stored event.
type doubleTamperer struct {
	server *kurrenttest.Server
	ns     namespace
}

var _ storetest.Tamperer = doubleTamperer{}

// position is the careledger position a record holds; 0 for any other.
func (tp doubleTamperer) position(r kurrenttest.Record) int64 {
	e, ok, err := tp.ns.fromRecorded(&esdb.RecordedEvent{StreamID: r.Stream, UserMetadata: r.Metadata, EventNumber: r.Revision})
	if err != nil || !ok {
		return 0
	}
	return e.GlobalPosition
}

// editAt applies change to the record at each position found; it fails
// when a position is not in the log.
func (tp doubleTamperer) editAt(positions []int64, change func(all []kurrenttest.Record, i int) []kurrenttest.Record) error {
	var missing error
	tp.server.Edit(func(all []kurrenttest.Record) []kurrenttest.Record {
		for _, p := range positions {
			i := slices.IndexFunc(all, func(r kurrenttest.Record) bool { return tp.position(r) == p })
			if i < 0 {
				missing = fmt.Errorf("no event at position %d", p)
				return all
			}
			all = change(all, i)
		}
		return all
	})
	return missing
}

func (tp doubleTamperer) SetData(_ context.Context, position int64, data string) error {
	return tp.editAt([]int64{position}, func(all []kurrenttest.Record, i int) []kurrenttest.Record {
		all[i].Data = []byte(data)
		return all
	})
}

func (tp doubleTamperer) Delete(_ context.Context, positions ...int64) error {
	return tp.editAt(positions, func(all []kurrenttest.Record, i int) []kurrenttest.Record {
		return slices.Delete(all, i, i+1)
	})
}

// Swap exchanges two records but for their careledger position and their
// place in $all.
func (tp doubleTamperer) Swap(_ context.Context, a, b int64) error {
	var ia, ib int
	err := tp.editAt([]int64{a, b}, func(all []kurrenttest.Record, i int) []kurrenttest.Record {
		if tp.position(all[i]) == a {
			ia = i
		} else {
			ib = i
		}
		return all
	})
	if err != nil {
		return err
	}
	var failed error
	tp.server.Edit(func(all []kurrenttest.Record) []kurrenttest.Record {
		ra, rb := all[ia], all[ib]
		ma, err1 := withPosition(rb.Metadata, a)
		mb, err2 := withPosition(ra.Metadata, b)
		if failed = errors.Join(err1, err2); failed != nil {
			return all
		}
		all[ia], all[ib] = rb, ra
		all[ia].Metadata, all[ia].Commit, all[ia].Prepare = ma, ra.Commit, ra.Prepare
		all[ib].Metadata, all[ib].Commit, all[ib].Prepare = mb, rb.Commit, rb.Prepare
		return all
	})
	return failed
}

func withPosition(meta []byte, position int64) ([]byte, error) {
	var env envelope
	if err := json.Unmarshal(meta, &env); err != nil {
		return nil, err
	}
	env.Position = position
	return json.Marshal(env)
}

// Insert writes a record at the end of $all, in the event's stream at the
// revision its version gives.
func (tp doubleTamperer) Insert(_ context.Context, e eventstore.Event) error {
	data, err := toEventData(e)
	if err != nil {
		return err
	}
	tp.server.Edit(func(all []kurrenttest.Record) []kurrenttest.Record {
		return append(all, kurrenttest.Record{
			Stream: tp.ns.stream(e.StreamID), Revision: uint64(e.StreamVersion - 1), ID: e.ID, Type: e.Type,
			ContentType: "application/json", Data: data.Data, Metadata: data.Metadata, Created: time.Now(),
		})
	})
	return nil
}

// SetSeal appends a seal to the chain stream, as the writer would.
func (tp doubleTamperer) SetSeal(_ context.Context, seal eventstore.Seal) error {
	data, err := json.Marshal(toSealRecord(seal))
	if err != nil {
		return err
	}
	tp.server.Edit(func(all []kurrenttest.Record) []kurrenttest.Record {
		next := uint64(0)
		for _, r := range all {
			if r.Stream == tp.ns.chain() {
				next = r.Revision + 1
			}
		}
		return append(all, kurrenttest.Record{
			Stream: tp.ns.chain(), Revision: next, ID: uuid.New(), Type: sealType,
			ContentType: "application/json", Data: data, Created: time.Now(),
		})
	})
	return nil
}

// DeleteSeal removes the chain stream, every claim and seal of it: the
// seal's whole record, as the SQL stores' chain_seal table is.
func (tp doubleTamperer) DeleteSeal(context.Context) error {
	tp.server.Edit(func(all []kurrenttest.Record) []kurrenttest.Record {
		return slices.DeleteFunc(all, func(r kurrenttest.Record) bool { return r.Stream == tp.ns.chain() })
	})
	return nil
}

// errNoEventEdit: KurrentDB has no operation on one stored event.
var errNoEventEdit = errors.New("KurrentDB has no update or delete of one event")

func (doubleTamperer) PlainUpdate(context.Context, int64) error { return errNoEventEdit }
func (doubleTamperer) PlainDelete(context.Context, int64) error { return errNoEventEdit }

// serverTamperer stands for a real server, whose log a test cannot edit.
type serverTamperer struct{}

var errServerFiles = errors.New("a real KurrentDB server's log cannot be edited from a test")

func (serverTamperer) SetData(context.Context, int64, string) error   { return errServerFiles }
func (serverTamperer) Delete(context.Context, ...int64) error         { return errServerFiles }
func (serverTamperer) Swap(context.Context, int64, int64) error       { return errServerFiles }
func (serverTamperer) Insert(context.Context, eventstore.Event) error { return errServerFiles }
func (serverTamperer) SetSeal(context.Context, eventstore.Seal) error { return errServerFiles }
func (serverTamperer) DeleteSeal(context.Context) error               { return errServerFiles }
func (serverTamperer) PlainUpdate(context.Context, int64) error       { return errNoEventEdit }
func (serverTamperer) PlainDelete(context.Context, int64) error       { return errNoEventEdit }
