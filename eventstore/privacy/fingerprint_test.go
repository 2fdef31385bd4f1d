package privacy_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/careledger/careledger/eventstore"
	"github.com/careledger/careledger/eventstore/privacy"
)

// fingerprint is a request fingerprint as the API makes them (hex).
const fingerprint = "3f6c0e1d9b2a47c58e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f"

func withFingerprint(e eventstore.NewEvent, hash string) eventstore.NewEvent {
	e.Metadata.RequestHash = hash
	return e
}

func requestHash(t *testing.T, e eventstore.Event) string {
	t.Helper()
	meta, err := e.Meta()
	require.NoError(t, err)
	return meta.RequestHash
}

// TestFingerprintIsSealedUnderTheSubjectsKey (#14, finding 6): the
// fingerprint of the request that caused an event of a child's stream is
// not stored in clear; it reads back as given, and an idempotent retry
// stores the same bytes. After the child's erasure it reads as "", and so
// does one stored in clear before fingerprints were sealed. The erasure's
// own fingerprint, and those of streams that hold no one's data, stay in
// clear.
func TestFingerprintIsSealedUnderTheSubjectsKey(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := privacy.Wrap(b.inner, mustKeys(t, b, masterKey(0)), privacy.TestCatalog{})
		childRef, caseRef := eventstore.StreamRef{ID: "child-c1", Type: "child"}, eventstore.StreamRef{ID: "case-k1", Type: "case"}
		registered := withFingerprint(event(t, "child.registered", child), fingerprint)
		got, err := s.Append(ctx, childRef, eventstore.NoStream, registered)
		require.NoError(t, err)
		assert.Equal(t, fingerprint, requestHash(t, got[0]), "the append answers it opened")
		retry, err := s.Append(ctx, childRef, eventstore.NoStream, registered)
		require.NoError(t, err, "a retry seals alike, so the store sees the same body")
		assert.Equal(t, got[0].GlobalPosition, retry[0].GlobalPosition)
		_, err = s.Append(ctx, caseRef, eventstore.NoStream,
			withFingerprint(event(t, "case.report_received", map[string]any{"case_id": "k1", "child_id": "c1", "summary": "x"}), "aa01"),
			withFingerprint(event(t, "case.closed", map[string]any{"reason": "resolved"}), "aa02"))
		require.NoError(t, err, "an event without personal fields has its fingerprint sealed too")
		// Written before fingerprints were sealed: in clear.
		_, err = b.inner.Append(ctx, caseRef, eventstore.Exactly(2), withFingerprint(event(t, "case.reopened", map[string]any{}), "bb01"))
		require.NoError(t, err)
		_, err = s.Append(ctx, eventstore.StreamRef{ID: "worker-w1", Type: "worker"}, eventstore.NoStream,
			withFingerprint(event(t, "worker.registered", map[string]any{"name": "李明"}), "cc01"))
		require.NoError(t, err)

		raw, err := b.inner.ReadLog(ctx, 0, 0)
		require.NoError(t, err)
		require.Len(t, raw, 5)
		for i, e := range raw[:3] {
			assert.NotContains(t, string(e.Metadata), []string{fingerprint, "aa01", "aa02"}[i], "in clear in the database")
			assert.Contains(t, requestHash(t, e), "sealed:v1:")
		}
		assert.Equal(t, "cc01", requestHash(t, raw[4]), "a worker's stream holds no child's data")

		read := func() []eventstore.Event {
			t.Helper()
			log, err := s.ReadLog(ctx, 0, 0)
			require.NoError(t, err)
			require.Len(t, log, len(raw))
			return log
		}
		log := read()
		for i, want := range []string{fingerprint, "aa01", "aa02", "bb01", "cc01"} {
			assert.Equal(t, want, requestHash(t, log[i]), "event %d", i+1)
		}

		_, err = s.Append(ctx, childRef, eventstore.Exactly(1),
			withFingerprint(event(t, "child.data_erased", map[string]any{"reason": "依法删除"}), "dd01"))
		require.NoError(t, err)
		_, err = s.Append(ctx, caseRef, eventstore.Exactly(3), withFingerprint(event(t, "case.follow_up_recorded", map[string]any{"note": "x"}), "ee01"))
		require.NoError(t, err)
		raw, err = b.inner.ReadLog(ctx, 0, 0)
		require.NoError(t, err)
		assert.NotContains(t, string(raw[6].Metadata), "ee01", "nothing new is kept after an erasure")

		for _, handle := range []*privacy.Store{s, privacy.Wrap(b.inner, mustKeys(t, b, masterKey(0)), privacy.TestCatalog{})} {
			log, err := handle.ReadLog(ctx, 0, 0)
			require.NoError(t, err)
			for i, want := range []string{"", "", "", "", "cc01", "dd01", ""} {
				assert.Equal(t, want, requestHash(t, log[i]), "event %d after the erasure", i+1)
			}
		}
		v, err := s.Verify(ctx)
		require.NoError(t, err)
		assert.True(t, v.OK, "the chain covers what is stored")
	})
}

// TestOptionalSubject: a stream whose opening event may name its subject
// (an inquiry) holds that child's data when it does — sealed, and erased
// with the child's — and no one's when it does not: its events are stored
// and read as they are, as before inquiries named their child.
func TestOptionalSubject(t *testing.T) {
	backends(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := privacy.Wrap(b.inner, mustKeys(t, b, masterKey(0)), privacy.TestCatalog{})
		findings := map[string]any{"findings": "王小明无人照看", "responsibilities": []any{map[string]any{"worker_id": "w-1", "finding": "未家访王小明"}},
			"rectifications": []any{map[string]any{"id": "r1", "description": "联系王小明祖父", "owner": "w-1", "due_on": "2026-05-01"}}}
		named, old := eventstore.StreamRef{ID: "inquiry-q1", Type: "inquiry"}, eventstore.StreamRef{ID: "inquiry-q0", Type: "inquiry"}
		_, err := s.Append(ctx, named, eventstore.NoStream,
			event(t, "inquiry.opened", map[string]any{"inquiry_id": "q1", "case_id": "k1", "data_subject_id": "c1", "reason": "王小明走失"}),
			withFingerprint(event(t, "inquiry.findings_recorded", findings), "ff01"))
		require.NoError(t, err)
		_, err = s.Append(ctx, old, eventstore.NoStream,
			event(t, "inquiry.opened", map[string]any{"inquiry_id": "q0", "child_id": "c1", "reason": "旧倒查"}))
		require.NoError(t, err, "an opening that names no subject is not refused")
		_, err = privacy.Wrap(b.inner, mustKeys(t, b, masterKey(0)), privacy.TestCatalog{}).Append(ctx, old, eventstore.Exactly(1),
			withFingerprint(event(t, "inquiry.findings_recorded", map[string]any{"findings": "旧认定", "responsibilities": []any{}, "rectifications": []any{}}), "ff00"))
		require.NoError(t, err, "a fresh handle reads the old opening and finds no subject")

		dump := b.rawDump(t)
		for _, secret := range []string{"王小明走失", "王小明无人照看", "未家访王小明", "联系王小明祖父"} {
			assert.NotContains(t, dump, secret, "in clear in the database")
		}
		assert.Contains(t, dump, "旧倒查", "an inquiry that names no child is stored as it was")
		assert.Contains(t, dump, "旧认定")
		raw, err := b.inner.ReadStream(ctx, "inquiry-q0", 0, 0)
		require.NoError(t, err)
		assert.Equal(t, "ff00", requestHash(t, raw[1]))

		got, err := s.ReadStream(ctx, "inquiry-q1", 0, 0)
		require.NoError(t, err)
		assert.Equal(t, "王小明走失", data(t, got[0])["reason"])
		assert.Equal(t, "未家访王小明", data(t, got[1])["responsibilities"].([]any)[0].(map[string]any)["finding"])
		assert.Equal(t, "ff01", requestHash(t, got[1]))

		_, err = s.Append(ctx, eventstore.StreamRef{ID: "child-c1", Type: "child"}, eventstore.NoStream, event(t, "child.data_erased", map[string]any{"reason": "依法删除"}))
		require.NoError(t, err)
		for _, handle := range []*privacy.Store{s, privacy.Wrap(b.inner, mustKeys(t, b, masterKey(0)), privacy.TestCatalog{})} {
			got, err := handle.ReadStream(ctx, "inquiry-q1", 0, 0)
			require.NoError(t, err)
			assert.Nil(t, data(t, got[0])["reason"])
			assert.Equal(t, "k1", data(t, got[0])["case_id"])
			f := data(t, got[1])
			assert.Nil(t, f["findings"])
			resp := f["responsibilities"].([]any)[0].(map[string]any)
			assert.Nil(t, resp["finding"])
			assert.Equal(t, "w-1", resp["worker_id"], "who was responsible stays")
			item := f["rectifications"].([]any)[0].(map[string]any)
			assert.Nil(t, item["description"])
			assert.Equal(t, map[string]any{"id": "r1", "description": nil, "owner": "w-1", "due_on": "2026-05-01"}, item, "the item's owner and due date stay")
			assert.Equal(t, "", requestHash(t, got[1]))

			old, err := handle.ReadStream(ctx, "inquiry-q0", 0, 0)
			require.NoError(t, err)
			assert.Equal(t, "旧倒查", data(t, old[0])["reason"], "an inquiry that named no child was never sealed")
		}
	})
}
