package storetest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/dberr/fulldisktest"
)

// FullDisk is the contract of a store whose database runs out of space:
// db's database lies on fs. Eight writers append three events at a time
// (group commits of several appends) until the disk is full. Every append
// refused fails with eventstore.ErrStorageFull; every append acknowledged
// is stored as answered; nothing refused is half-written (the log verifies
// and holds exactly the acknowledged events). Once space is freed the same
// store — not reopened — appends again, on from the last acknowledged
// position, alone and in group commits.
func FullDisk(t *testing.T, db Database, fs *fulldisktest.FS) {
	ctx, s := ctxT(t), open(t, db)
	_, err := s.Append(ctx, caseStream(0), eventstore.NoStream, bulky(0), bulky(1))
	require.NoError(t, err)

	fs.Fill(t, 512<<10)
	const writers, perAppend = 8, 3
	var (
		mu       sync.Mutex
		acked    [][]eventstore.Event
		refusals []error
		wg       sync.WaitGroup
	)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 1; i < 2000; i++ {
				events := make([]eventstore.NewEvent, perAppend)
				for j := range events {
					events[j] = bulky(i*perAppend + j)
				}
				stored, err := s.Append(ctx, caseStream(1000*(w+1)+i), eventstore.NoStream, events...)
				mu.Lock()
				if err != nil {
					refusals = append(refusals, err)
				} else {
					acked = append(acked, stored)
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("%d appends acknowledged, %d refused", len(acked), len(refusals))
	require.Len(t, refusals, writers, "every writer met the full disk")
	for _, err := range refusals {
		require.ErrorIs(t, err, eventstore.ErrStorageFull)
	}

	// Larger than any batch that failed: SQLite reuses the space in its WAL
	// that a failed transaction's frames took.
	fs.Fill(t, 0)
	huge := make([]byte, 1<<20)
	_, _ = rand.Read(huge)
	_, err = s.Append(ctx, caseStream(1), eventstore.NoStream, event("case.follow_up_recorded", fmt.Sprintf(`{"note":%q}`, hex.EncodeToString(huge))))
	require.ErrorIs(t, err, eventstore.ErrStorageFull, "a full disk refuses an append")

	v, err := s.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, v.OK, "nothing half-written: %s", v.Reason)
	ackedEvents := int64(2)
	for _, stored := range acked {
		ackedEvents += int64(len(stored))
		got, err := s.ReadStream(ctx, stored[0].StreamID, 0, 0)
		require.NoError(t, err)
		assert.Equal(t, stored, got, "an acknowledged append is stored as answered")
	}
	assert.Equal(t, ackedEvents, v.Checked, "the log holds the acknowledged events and nothing else")

	fs.Free(t)
	again, err := s.Append(ctx, caseStream(1), eventstore.NoStream, bulky(-1))
	require.NoError(t, err, "space freed, the same store appends again")
	assert.Equal(t, ackedEvents+1, again[0].GlobalPosition, "on from the last acknowledged position")
	var group sync.WaitGroup
	for w := range writers {
		group.Add(1)
		go func() {
			defer group.Done()
			_, err := s.Append(ctx, caseStream(2+w), eventstore.NoStream, bulky(w), bulky(w+1))
			assert.NoError(t, err)
		}()
	}
	group.Wait()
	v, err = s.Verify(ctx)
	require.NoError(t, err)
	assert.True(t, v.OK, v.Reason)
	assert.Equal(t, ackedEvents+1+2*writers, v.Checked)
	head, err := s.Head(ctx)
	require.NoError(t, err)
	assert.Equal(t, v.Checked, head.Position)
}

// bulky is an event of a few KiB that does not compress (PostgreSQL would
// otherwise store a repetitive one in a fraction of its size).
func bulky(i int) eventstore.NewEvent {
	noise := make([]byte, 2048)
	_, _ = rand.Read(noise)
	return event("case.follow_up_recorded", fmt.Sprintf(`{"n":%d,"note":%q}`, i, hex.EncodeToString(noise)))
}
