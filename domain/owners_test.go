package domain

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestResolveOwners(t *testing.T) {
	post := "child_director:370902101201"
	day := func(n int) time.Time { return dlT0.Add(time.Duration(n) * 24 * time.Hour) }
	// 李 held the post from day 0 until deactivated on day 10; nobody held
	// it until 王 took it on day 20; 赵 directs another village.
	holdings := []PostHolding{
		{WorkerID: "li", Post: post, From: day(0), Until: day(10)},
		{WorkerID: "wang", Post: post, From: day(20)},
		{WorkerID: "zhao", Post: "child_director:370902101202", From: day(0)},
	}

	t.Run("given a post held at the moment, then its holder owns the obligation", func(t *testing.T) {
		owner, vacant := ResolveOwner(post, day(5), holdings)
		assert.Equal(t, "li", owner)
		assert.False(t, vacant)
		owner, _ = ResolveOwner(post, day(25), holdings)
		assert.Equal(t, "wang", owner)
	})
	t.Run("given nobody held the post, then the post owns it, vacant", func(t *testing.T) {
		owner, vacant := ResolveOwner(post, day(15), holdings)
		assert.Equal(t, post, owner)
		assert.True(t, vacant)
		owner, vacant = ResolveOwner("child_supervisor:370902101", day(15), holdings)
		assert.Equal(t, "child_supervisor:370902101", owner)
		assert.True(t, vacant, "a township nobody was ever registered in")
	})
	t.Run("given an owner that is no post, then it stays", func(t *testing.T) {
		for _, o := range []string{"wang", "caseworker:370902", "agency:education", "admin:370902"} {
			owner, vacant := ResolveOwner(o, day(15), holdings)
			assert.Equal(t, o, owner)
			assert.False(t, vacant)
		}
	})
	t.Run("given two holders at once, then the one who took the post last", func(t *testing.T) {
		both := append([]PostHolding{{WorkerID: "sun", Post: post, From: day(3)}}, holdings...)
		owner, _ := ResolveOwner(post, day(5), both)
		assert.Equal(t, "sun", owner)
	})
	t.Run("given an ownership history, then it names every holder and the vacancy, each since when", func(t *testing.T) {
		spans := []OwnerSpan{{Owner: post, From: day(5)}, {Owner: "caseworker-1", From: day(30)}}
		assert.Equal(t, []ResolvedSpan{
			{Owner: "li", From: day(5)},
			{Owner: post, From: day(10), Vacant: true},
			{Owner: "wang", From: day(20)},
			{Owner: "caseworker-1", From: day(30)},
		}, ResolveSpans(spans, holdings))
	})
	t.Run("given a worker's posts, then its holdings follow its tenures", func(t *testing.T) {
		f := WorkerFacts{ID: "li", Role: RoleChildDirector, Posts: []Post{
			{Jurisdiction: Jurisdiction{code: "370902101201"}, From: day(0)},
			{Jurisdiction: Jurisdiction{code: "370902101202"}, From: day(4)},
		}, DeactivatedAt: day(10)}
		assert.Equal(t, []PostHolding{
			{WorkerID: "li", Post: post, From: day(0), Until: day(4)},
			{WorkerID: "li", Post: "child_director:370902101202", From: day(4), Until: day(10)},
		}, f.Holdings())
	})
}
