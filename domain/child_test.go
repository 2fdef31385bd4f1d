package domain

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const childPlace = "370902101201"

var (
	childNow       = time.Date(2025, 6, 1, 10, 0, 0, 0, ChinaStandardTime)
	childDirector  = acting(RoleChildDirector, "director-1", childPlace)
	childAdmin     = acting(RoleAdmin, "admin-1", "all")
	childBirth     = NewDate(2015, time.March, 14)
	leftBehind     = term[categoryWords]("left_behind")
	inDifficulty   = term[categoryWords]("in_difficulty")
	orphan         = term[categoryWords]("scattered_orphan")
	poverty        = term[difficultyWords]("poverty")
	disability     = term[difficultyWords]("disability")
	flagDropout    = term[keyChildFlagWords]("dropout")
	flagIllness    = term[keyChildFlagWords]("illness")
	sexFemale      = term[sexWords]("female")
	sexMale        = term[sexWords]("male")
	concernNeglect = term[concernWords]("neglect")
	concernDropout = term[concernWords]("dropout")
)

// childRoles are the roles that register, update and visit.
var childRoles = []Role{RoleChildDirector, RoleChildSupervisor, RoleCaseworker}

// aChild is a valid registration.
func aChild() ChildRegistered {
	return ChildRegistered{
		ChildID:         "child-1",
		Name:            "王小梅",
		IDNumber:        "11010520150314158X",
		BirthDate:       childBirth,
		Sex:             sexFemale,
		Jurisdiction:    mustPlace(childPlace),
		Categories:      []Category{leftBehind},
		KeyChildFlags:   []KeyChildFlag{},
		Guardian:        Guardian{Name: "王奶奶", Relation: "grandmother", Phone: "+86-138-0000-0000"},
		LivingSituation: "lives with her grandmother; parents work in Guangdong",
		Schooling:       "grade 4, village primary school",
		HukouRegistered: true,
	}
}

func init() {
	// aChild's ID number must be valid for the fixtures to mean anything.
	if !ValidResidentID(aChild().IDNumber) {
		panic("fixture id number is invalid: " + aChild().IDNumber + " want check " + string(residentIDCheckOf(aChild().IDNumber[:17])))
	}
}

// givenChild is a registered child's stream with more changes decided on it.
func givenChild(t *testing.T, then ...func(c *Child)) []Recorded {
	t.Helper()
	c, err := RegisterChild(childDirector, childNow.Add(-48*time.Hour), aChild())
	require.NoError(t, err)
	for _, f := range then {
		f(c)
	}
	return storedAs(ChildStream("child-1"), c.Changes()...)
}

func TestRegisterChild(t *testing.T) {
	t.Parallel()

	t.Run("opens the file", func(t *testing.T) {
		t.Parallel()
		c, err := RegisterChild(childDirector, childNow, aChild())
		require.NoError(t, err)
		assert.Equal(t, []Change{{Event: aChild(), Actor: childDirector.Actor, OccurredAt: childNow}}, c.Changes())
		assert.Equal(t, "child-1", c.ID())
		assert.Zero(t, c.Version())
		assert.Equal(t, mustPlace(childPlace), c.Jurisdiction())
		assert.Equal(t, childBirth, c.BirthDate())
		assert.Equal(t, []Category{leftBehind}, c.Categories())
		assert.Empty(t, c.KeyChildFlags())
		assert.False(t, c.IsKeyChild())
		assert.True(t, c.IsLeftBehind())
		assert.True(t, c.LastVisitAt().IsZero())
		assert.False(t, c.Erased())
		assert.Equal(t, childNow, c.RegisteredAt())
		assert.Equal(t, CaseChild{ID: "child-1", Jurisdiction: mustPlace(childPlace), BirthDate: childBirth}, c.CaseChild())
		assert.Equal(t, aChild(), c.Profile())
	})

	for _, role := range everyRole {
		t.Run("as "+role.String(), func(t *testing.T) {
			t.Parallel()
			_, err := RegisterChild(acting(role, "someone", childPlace), childNow, aChild())
			if slices.Contains(childRoles, role) {
				assert.NoError(t, err)
			} else {
				thenForbidden(t, err)
			}
		})
	}

	t.Run("a principal without a role may not", func(t *testing.T) {
		t.Parallel()
		_, err := RegisterChild(Principal{}, childNow, aChild())
		thenForbidden(t, err)
		assert.Contains(t, err.Error(), "without a role")
	})

	t.Run("a child in difficulty with reasons, a key child, an orphan", func(t *testing.T) {
		t.Parallel()
		in := aChild()
		in.Categories = []Category{inDifficulty, orphan}
		in.DifficultyReasons = []DifficultyReason{poverty, disability}
		in.KeyChildFlags = []KeyChildFlag{flagIllness}
		in.EntrustedGuardian = &Guardian{Name: "李叔叔", Relation: "uncle"}
		c, err := RegisterChild(childDirector, childNow, in)
		require.NoError(t, err)
		assert.True(t, c.IsKeyChild())
		assert.False(t, c.IsLeftBehind())
		assert.Equal(t, in, c.Profile())
	})

	t.Run("normalises: no key-child flags is an empty list, a lowercase x check is X", func(t *testing.T) {
		t.Parallel()
		in := aChild()
		in.KeyChildFlags = nil
		in.IDNumber = strings.ToLower(in.IDNumber)
		c, err := RegisterChild(childDirector, childNow, in)
		require.NoError(t, err)
		got := c.Changes()[0].Event.(ChildRegistered)
		assert.Equal(t, aChild().IDNumber, got.IDNumber)
		assert.NotNil(t, got.KeyChildFlags)
	})

	t.Run("limits that are allowed", func(t *testing.T) {
		t.Parallel()
		in := aChild()
		in.Name = strings.Repeat("梅", 100)
		in.IDNumber = ""
		in.BirthDate = NewDate(2025, time.June, 1) // born today (China Standard Time)
		in.LivingSituation = strings.Repeat("住", MaxTextRunes)
		in.Schooling = ""
		in.Guardian.Phone = ""
		_, err := RegisterChild(childDirector, childNow, in)
		assert.NoError(t, err)
	})

	for _, tc := range []struct {
		name       string
		mutate     func(*ChildRegistered)
		field      string
		impossible bool
	}{
		{name: "no child_id", mutate: func(c *ChildRegistered) { c.ChildID = " " }, field: "child_id"},
		{name: "no name", mutate: func(c *ChildRegistered) { c.Name = "  " }, field: "name"},
		{name: "name too long", mutate: func(c *ChildRegistered) { c.Name = strings.Repeat("梅", 101) }, field: "name"},
		{name: "id number with a wrong check digit", mutate: func(c *ChildRegistered) { c.IDNumber = "110105201503141581" }, field: "id_number"},
		{name: "id number too short", mutate: func(c *ChildRegistered) { c.IDNumber = "11010520150314002" }, field: "id_number"},
		{name: "id number with a letter", mutate: func(c *ChildRegistered) { c.IDNumber = "1101052015A314002X" }, field: "id_number"},
		{name: "no birth date", mutate: func(c *ChildRegistered) { c.BirthDate = Date{} }, field: "birth_date"},
		{name: "born tomorrow", mutate: func(c *ChildRegistered) { c.BirthDate = NewDate(2025, time.June, 2) }, field: "birth_date", impossible: true},
		{name: "no sex", mutate: func(c *ChildRegistered) { c.Sex = Sex{} }, field: "sex"},
		{name: "no jurisdiction", mutate: func(c *ChildRegistered) { c.Jurisdiction = Jurisdiction{} }, field: "jurisdiction"},
		{name: "a township, not a place", mutate: func(c *ChildRegistered) { c.Jurisdiction = mustPlace("370902101") }, field: "jurisdiction"},
		{name: "all, not a place", mutate: func(c *ChildRegistered) { c.Jurisdiction = All }, field: "jurisdiction"},
		{name: "no category", mutate: func(c *ChildRegistered) { c.Categories = nil }, field: "categories"},
		{name: "a category twice", mutate: func(c *ChildRegistered) { c.Categories = []Category{leftBehind, leftBehind} }, field: "categories"},
		{name: "an empty category", mutate: func(c *ChildRegistered) { c.Categories = []Category{{}} }, field: "categories"},
		{name: "in difficulty without a reason", mutate: func(c *ChildRegistered) { c.Categories = []Category{inDifficulty} }, field: "difficulty_reasons"},
		{name: "a reason without being in difficulty", mutate: func(c *ChildRegistered) {
			c.DifficultyReasons = []DifficultyReason{poverty}
		}, field: "difficulty_reasons"},
		{name: "a reason twice", mutate: func(c *ChildRegistered) {
			c.Categories = []Category{inDifficulty}
			c.DifficultyReasons = []DifficultyReason{poverty, poverty}
		}, field: "difficulty_reasons"},
		{name: "a key-child flag twice", mutate: func(c *ChildRegistered) {
			c.KeyChildFlags = []KeyChildFlag{flagDropout, flagDropout}
		}, field: "key_child_flags"},
		{name: "no guardian name", mutate: func(c *ChildRegistered) { c.Guardian.Name = "" }, field: "guardian.name"},
		{name: "no guardian relation", mutate: func(c *ChildRegistered) { c.Guardian.Relation = "" }, field: "guardian.relation"},
		{name: "a guardian phone with letters", mutate: func(c *ChildRegistered) { c.Guardian.Phone = "call me" }, field: "guardian.phone"},
		{name: "a guardian phone too long", mutate: func(c *ChildRegistered) { c.Guardian.Phone = strings.Repeat("1", 21) }, field: "guardian.phone"},
		{name: "an entrusted guardian without a name", mutate: func(c *ChildRegistered) {
			c.EntrustedGuardian = &Guardian{Relation: "uncle"}
		}, field: "entrusted_guardian.name"},
		{name: "living situation too long", mutate: func(c *ChildRegistered) {
			c.LivingSituation = strings.Repeat("住", MaxTextRunes+1)
		}, field: "living_situation"},
		{name: "schooling too long", mutate: func(c *ChildRegistered) {
			c.Schooling = strings.Repeat("学", MaxTextRunes+1)
		}, field: "schooling"},
	} {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			t.Parallel()
			in := aChild()
			tc.mutate(&in)
			c, err := RegisterChild(childDirector, childNow, in)
			assert.Nil(t, c)
			if tc.impossible {
				thenImpossible(t, err, tc.field)
			} else {
				thenInvalid(t, err, tc.field)
			}
		})
	}
}

func TestChildUpdateProfile(t *testing.T) {
	t.Parallel()
	str := func(s string) *string { return &s }

	t.Run("records only the fields that change", func(t *testing.T) {
		t.Parallel()
		c := LoadChild(givenChild(t))
		flags := []KeyChildFlag{flagDropout}
		err := c.UpdateProfile(childDirector, childNow, ChildProfileUpdated{
			Name:          str(aChild().Name), // unchanged
			Schooling:     str("dropped out in May"),
			KeyChildFlags: &flags,
		})
		require.NoError(t, err)
		assert.Equal(t, []Change{{
			Event:      ChildProfileUpdated{Schooling: str("dropped out in May"), KeyChildFlags: &flags},
			Actor:      childDirector.Actor,
			OccurredAt: childNow,
		}}, c.Changes())
		assert.True(t, c.IsKeyChild())
		assert.Equal(t, "dropped out in May", c.Profile().Schooling)
		assert.Equal(t, aChild().Name, c.Profile().Name)
		assert.Equal(t, int64(1), c.Version())
	})

	for _, role := range everyRole {
		t.Run("as "+role.String(), func(t *testing.T) {
			t.Parallel()
			c := LoadChild(givenChild(t))
			err := c.UpdateProfile(acting(role, "someone", childPlace), childNow, ChildProfileUpdated{Schooling: str("grade 5")})
			if slices.Contains(childRoles, role) {
				assert.NoError(t, err)
			} else {
				thenForbidden(t, err)
				assert.Empty(t, c.Changes())
			}
		})
	}

	t.Run("refuses an update that changes nothing", func(t *testing.T) {
		t.Parallel()
		c := LoadChild(givenChild(t))
		thenInvalid(t, c.UpdateProfile(childDirector, childNow, ChildProfileUpdated{}), "profile")
		cats := []Category{leftBehind}
		same := aChild().Guardian
		thenInvalid(t, c.UpdateProfile(childDirector, childNow, ChildProfileUpdated{
			Name: str(aChild().Name), Categories: &cats, Guardian: &same,
		}), "profile")
		assert.Empty(t, c.Changes())
	})

	t.Run("a list in another order is no change", func(t *testing.T) {
		t.Parallel()
		in := aChild()
		in.Categories = []Category{leftBehind, orphan}
		c, err := RegisterChild(childDirector, childNow, in)
		require.NoError(t, err)
		cats := []Category{orphan, leftBehind}
		thenInvalid(t, c.UpdateProfile(childDirector, childNow, ChildProfileUpdated{Categories: &cats}), "profile")
	})

	t.Run("judges the profile the update would leave", func(t *testing.T) {
		t.Parallel()
		in := aChild()
		in.Categories = []Category{inDifficulty}
		in.DifficultyReasons = []DifficultyReason{poverty}
		c, err := RegisterChild(childDirector, childNow, in)
		require.NoError(t, err)

		cats := []Category{leftBehind}
		thenInvalid(t, c.UpdateProfile(childDirector, childNow, ChildProfileUpdated{Categories: &cats}), "difficulty_reasons")

		none := []DifficultyReason{}
		require.NoError(t, c.UpdateProfile(childDirector, childNow, ChildProfileUpdated{Categories: &cats, DifficultyReasons: &none}))
		assert.True(t, c.IsLeftBehind())
		assert.Empty(t, c.Profile().DifficultyReasons)
	})

	for _, tc := range []struct {
		name       string
		upd        ChildProfileUpdated
		field      string
		impossible bool
	}{
		{name: "a blank name", upd: ChildProfileUpdated{Name: str("")}, field: "name"},
		{name: "an invalid id number", upd: ChildProfileUpdated{IDNumber: str("110105201503141581")}, field: "id_number"},
		{name: "no birth date", upd: ChildProfileUpdated{BirthDate: &Date{}}, field: "birth_date"},
		{name: "a village that is not a place", upd: ChildProfileUpdated{Jurisdiction: &All}, field: "jurisdiction"},
		{name: "no category", upd: ChildProfileUpdated{Categories: &[]Category{}}, field: "categories"},
		{name: "a guardian without relation", upd: ChildProfileUpdated{Guardian: &Guardian{Name: "王爷爷"}}, field: "guardian.relation"},
		{name: "an entrusted guardian with a bad phone", upd: ChildProfileUpdated{
			EntrustedGuardian: &Guardian{Name: "李叔叔", Relation: "uncle", Phone: "13800000000 ext 5"},
		}, field: "entrusted_guardian.phone"},
		{name: "too long a living situation", upd: ChildProfileUpdated{LivingSituation: str(strings.Repeat("住", MaxTextRunes+1))}, field: "living_situation"},
	} {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			t.Parallel()
			c := LoadChild(givenChild(t))
			thenInvalid(t, c.UpdateProfile(childDirector, childNow, tc.upd), tc.field)
			assert.Empty(t, c.Changes())
		})
	}

	t.Run("refuses a birth date after today", func(t *testing.T) {
		t.Parallel()
		c := LoadChild(givenChild(t))
		tomorrow := NewDate(2025, time.June, 2)
		thenImpossible(t, c.UpdateProfile(childDirector, childNow, ChildProfileUpdated{BirthDate: &tomorrow}), "birth_date")
	})

	t.Run("every field can be changed", func(t *testing.T) {
		t.Parallel()
		c := LoadChild(givenChild(t))
		birth := NewDate(2015, time.March, 15)
		place := mustPlace("370902101202")
		cats := []Category{inDifficulty}
		reasons := []DifficultyReason{disability}
		flags := []KeyChildFlag{flagIllness}
		guardian := Guardian{Name: "王爷爷", Relation: "grandfather"}
		entrusted := Guardian{Name: "李叔叔", Relation: "uncle"}
		hukou := false
		upd := ChildProfileUpdated{
			Name: str("王小美"), IDNumber: str(""), BirthDate: &birth, Sex: &sexMale, Jurisdiction: &place,
			Categories: &cats, DifficultyReasons: &reasons, KeyChildFlags: &flags, Guardian: &guardian,
			EntrustedGuardian: &entrusted, LivingSituation: str("with grandfather"), Schooling: str("grade 5"),
			HukouRegistered: &hukou,
		}
		require.NoError(t, c.UpdateProfile(childDirector, childNow, upd))
		assert.Equal(t, upd, c.Changes()[0].Event)
		assert.Equal(t, ChildRegistered{
			ChildID: "child-1", Name: "王小美", BirthDate: birth, Sex: sexMale, Jurisdiction: place,
			Categories: cats, DifficultyReasons: reasons, KeyChildFlags: flags, Guardian: guardian,
			EntrustedGuardian: &entrusted, LivingSituation: "with grandfather", Schooling: "grade 5",
		}, c.Profile())
		assert.Equal(t, place, c.Jurisdiction())
		assert.Equal(t, birth, c.BirthDate())
	})

	t.Run("refuses after erasure", func(t *testing.T) {
		t.Parallel()
		c := LoadChild(givenChild(t, func(c *Child) { require.NoError(t, c.Erase(childAdmin, childNow, "court order")) }))
		thenRule(t, c.UpdateProfile(childDirector, childNow, ChildProfileUpdated{Schooling: str("grade 5")}), "erased")
		assert.Empty(t, c.Changes())
	})
}

func TestChildRecordVisit(t *testing.T) {
	t.Parallel()
	at := childNow.Add(-3 * time.Hour)

	t.Run("records the visit at its business time", func(t *testing.T) {
		t.Parallel()
		c := LoadChild(givenChild(t))
		require.NoError(t, c.RecordVisit(childDirector, childNow, at, "well, fed, at school", []Concern{concernDropout}))
		assert.Equal(t, []Change{{
			Event:      VisitRecorded{Findings: "well, fed, at school", Concerns: []Concern{concernDropout}},
			Actor:      childDirector.Actor,
			OccurredAt: at,
		}}, c.Changes())
		assert.Equal(t, at, c.LastVisitAt())
	})

	t.Run("no concerns is an empty list", func(t *testing.T) {
		t.Parallel()
		c := LoadChild(givenChild(t))
		require.NoError(t, c.RecordVisit(childDirector, childNow, at, "fine", nil))
		assert.Equal(t, []Concern{}, c.Changes()[0].Event.(VisitRecorded).Concerns)
	})

	t.Run("the last visit is the latest by business time", func(t *testing.T) {
		t.Parallel()
		c := LoadChild(givenChild(t))
		require.NoError(t, c.RecordVisit(childDirector, childNow, at, "fine", nil))
		require.NoError(t, c.RecordVisit(childDirector, childNow, at.Add(-72*time.Hour), "recorded late", nil))
		assert.Equal(t, at, c.LastVisitAt())
	})

	for _, role := range everyRole {
		t.Run("as "+role.String(), func(t *testing.T) {
			t.Parallel()
			c := LoadChild(givenChild(t))
			err := c.RecordVisit(acting(role, "someone", childPlace), childNow, at, "fine", nil)
			if slices.Contains(childRoles, role) {
				assert.NoError(t, err)
			} else {
				thenForbidden(t, err)
			}
		})
	}

	t.Run("within the clock skew", func(t *testing.T) {
		t.Parallel()
		c := LoadChild(givenChild(t))
		assert.NoError(t, c.RecordVisit(childDirector, childNow, childNow.Add(ClockSkew), "fine", nil))
	})

	t.Run("refuses", func(t *testing.T) {
		t.Parallel()
		c := LoadChild(givenChild(t))
		thenInvalid(t, c.RecordVisit(childDirector, childNow, time.Time{}, "fine", nil), "occurred_at")
		thenImpossible(t, c.RecordVisit(childDirector, childNow, childNow.Add(ClockSkew+time.Second), "fine", nil), "occurred_at")
		thenImpossible(t, c.RecordVisit(childDirector, childNow, childBirth.Start().Add(-time.Second), "fine", nil), "occurred_at")
		thenInvalid(t, c.RecordVisit(childDirector, childNow, at, " ", nil), "findings")
		thenInvalid(t, c.RecordVisit(childDirector, childNow, at, strings.Repeat("好", MaxTextRunes+1), nil), "findings")
		thenInvalid(t, c.RecordVisit(childDirector, childNow, at, "fine", []Concern{concernNeglect, concernNeglect}), "concerns")
		assert.Empty(t, c.Changes())
	})

	t.Run("after erasure visits are still recorded", func(t *testing.T) {
		t.Parallel()
		c := LoadChild(givenChild(t, func(c *Child) { require.NoError(t, c.Erase(childAdmin, childNow, "court order")) }))
		require.NoError(t, c.RecordVisit(childDirector, childNow, at, "fine", nil))
		assert.Equal(t, at, c.LastVisitAt())
	})
}

func TestChildConfirmEntrustment(t *testing.T) {
	t.Parallel()
	at := childNow.Add(-time.Hour)
	uncle := Guardian{Name: "李叔叔", Relation: "uncle", Phone: "13800000001"}

	t.Run("records the confirmation and the entrusted guardian", func(t *testing.T) {
		t.Parallel()
		c := LoadChild(givenChild(t))
		require.NoError(t, c.ConfirmEntrustment(childDirector, childNow, at, uncle, true))
		assert.Equal(t, []Change{{
			Event:      GuardianshipEntrustmentConfirmed{EntrustedGuardian: uncle, ParentsNotified: true},
			Actor:      childDirector.Actor,
			OccurredAt: at,
		}}, c.Changes())
		assert.Equal(t, &uncle, c.Profile().EntrustedGuardian)
	})

	for _, role := range everyRole {
		t.Run("as "+role.String(), func(t *testing.T) {
			t.Parallel()
			c := LoadChild(givenChild(t))
			err := c.ConfirmEntrustment(acting(role, "someone", childPlace), childNow, at, uncle, false)
			if role == RoleChildDirector || role == RoleChildSupervisor {
				assert.NoError(t, err)
			} else {
				thenForbidden(t, err)
			}
		})
	}

	t.Run("refuses", func(t *testing.T) {
		t.Parallel()
		c := LoadChild(givenChild(t))
		thenInvalid(t, c.ConfirmEntrustment(childDirector, childNow, time.Time{}, uncle, true), "occurred_at")
		thenImpossible(t, c.ConfirmEntrustment(childDirector, childNow, childNow.Add(time.Hour), uncle, true), "occurred_at")
		thenImpossible(t, c.ConfirmEntrustment(childDirector, childNow, childBirth.Start().Add(-time.Hour), uncle, true), "occurred_at")
		thenInvalid(t, c.ConfirmEntrustment(childDirector, childNow, at, Guardian{Relation: "uncle"}, true), "entrusted_guardian.name")
		thenInvalid(t, c.ConfirmEntrustment(childDirector, childNow, at, Guardian{Name: "李叔叔"}, true), "entrusted_guardian.relation")
		thenInvalid(t, c.ConfirmEntrustment(childDirector, childNow, at, Guardian{Name: "李叔叔", Relation: "uncle", Phone: "x"}, true), "entrusted_guardian.phone")
		assert.Empty(t, c.Changes())
	})

	t.Run("refuses after erasure", func(t *testing.T) {
		t.Parallel()
		c := LoadChild(givenChild(t, func(c *Child) { require.NoError(t, c.Erase(childAdmin, childNow, "court order")) }))
		thenRule(t, c.ConfirmEntrustment(childDirector, childNow, at, uncle, true), "erased")
	})
}

func TestChildErase(t *testing.T) {
	t.Parallel()

	t.Run("records the erasure and forgets the personal data", func(t *testing.T) {
		t.Parallel()
		c := LoadChild(givenChild(t, func(c *Child) {
			require.NoError(t, c.ConfirmEntrustment(childDirector, childNow, childNow, Guardian{Name: "李叔叔", Relation: "uncle"}, true))
		}))
		require.NoError(t, c.Erase(childAdmin, childNow, "erasure requested under PIPL art. 47"))
		assert.Equal(t, []Change{{
			Event: ChildDataErased{Reason: "erasure requested under PIPL art. 47"}, Actor: childAdmin.Actor, OccurredAt: childNow,
		}}, c.Changes())
		assert.True(t, c.Erased())
		p := c.Profile()
		assert.Empty(t, p.Name)
		assert.Empty(t, p.IDNumber)
		assert.Zero(t, p.Guardian)
		assert.Nil(t, p.EntrustedGuardian)
		assert.Empty(t, p.LivingSituation)
		assert.Empty(t, p.Schooling)
		assert.Equal(t, NewDate(2015, time.January, 1), p.BirthDate)
		assert.Equal(t, aChild().Categories, p.Categories, "non-personal fields stay")
		assert.Equal(t, CaseChild{ID: "child-1", Jurisdiction: mustPlace(childPlace), BirthDate: NewDate(2015, time.January, 1)}, c.CaseChild())
	})

	for _, role := range everyRole {
		if role == RoleAdmin {
			continue
		}
		t.Run("a "+role.String()+" may not", func(t *testing.T) {
			t.Parallel()
			c := LoadChild(givenChild(t))
			thenForbidden(t, c.Erase(acting(role, "someone", childPlace), childNow, "asked"))
			assert.False(t, c.Erased())
		})
	}

	t.Run("needs a reason", func(t *testing.T) {
		t.Parallel()
		c := LoadChild(givenChild(t))
		thenInvalid(t, c.Erase(childAdmin, childNow, ""), "reason")
		thenInvalid(t, c.Erase(childAdmin, childNow, strings.Repeat("因", MaxTextRunes+1)), "reason")
	})

	t.Run("a second erasure is refused", func(t *testing.T) {
		t.Parallel()
		c := LoadChild(givenChild(t, func(c *Child) { require.NoError(t, c.Erase(childAdmin, childNow, "court order")) }))
		thenRule(t, c.Erase(childAdmin, childNow, "again"), "already_erased")
		assert.Empty(t, c.Changes())
	})
}

// childState is what a replay must reproduce.
type childState struct {
	ID           string
	Profile      ChildRegistered
	RegisteredAt time.Time
	LastVisitAt  time.Time
	Erased       bool
	Key, Left    bool
	Facts        CaseChild
}

func stateOfChild(c *Child) childState {
	return childState{
		ID: c.ID(), Profile: c.Profile(), RegisteredAt: c.RegisteredAt(), LastVisitAt: c.LastVisitAt(),
		Erased: c.Erased(), Key: c.IsKeyChild(), Left: c.IsLeftBehind(), Facts: c.CaseChild(),
	}
}

func TestChildReplay(t *testing.T) {
	t.Parallel()
	in := aChild()
	in.Categories = []Category{inDifficulty}
	in.DifficultyReasons = []DifficultyReason{poverty}
	c, err := RegisterChild(childDirector, childNow.Add(-10*24*time.Hour), in)
	require.NoError(t, err)
	flags := []KeyChildFlag{flagDropout}
	schooling := "dropped out"
	require.NoError(t, c.UpdateProfile(childDirector, childNow.Add(-9*24*time.Hour), ChildProfileUpdated{KeyChildFlags: &flags, Schooling: &schooling}))
	require.NoError(t, c.RecordVisit(childDirector, childNow, childNow.Add(-5*24*time.Hour), "visited", []Concern{concernDropout}))
	require.NoError(t, c.ConfirmEntrustment(childDirector, childNow, childNow.Add(-4*24*time.Hour), Guardian{Name: "李叔叔", Relation: "uncle"}, true))
	before := stateOfChild(c)
	require.NoError(t, c.Erase(childAdmin, childNow.Add(-time.Hour), "court order"))
	require.NoError(t, c.RecordVisit(childDirector, childNow, childNow.Add(-time.Minute), "visited again", nil))
	after := stateOfChild(c)

	history := storedAs(ChildStream("child-1"), c.Changes()...)
	for name, h := range map[string][]Recorded{"as decided": history, "through JSON": throughJSON(t, history)} {
		loaded := LoadChild(h)
		assert.Equal(t, after, stateOfChild(loaded), name)
		assert.Equal(t, int64(len(h)), loaded.Version(), name)
		assert.Empty(t, loaded.Changes(), name)

		partial := LoadChild(h[:4])
		assert.Equal(t, before, stateOfChild(partial), name)
	}

	t.Run("events of other types only advance the version", func(t *testing.T) {
		t.Parallel()
		h := append(slices.Clone(history[:1]), Recorded{Version: 2, Event: CaseReopened{Reason: "stray"}, OccurredAt: childNow})
		loaded := LoadChild(h)
		assert.Equal(t, int64(2), loaded.Version())
		assert.Equal(t, LoadChild(history[:1]).Profile(), loaded.Profile())
	})
}
