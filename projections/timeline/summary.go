package timeline

import (
	"fmt"
	"strings"

	"github.com/careledger/careledger/domain"
)

// Summary is the line people read for an event: its name in Chinese and,
// where the event has them, its vocabulary words. referral finds a
// referral of the case by id, for the answers to it (nil outside a case,
// or when unknown: the answer is named only). Only vocabulary words go
// in: never a name, a number or free text.
func Summary(ev domain.Event, referral func(id string) (agency domain.Agency, service domain.Service, ok bool)) string {
	name := domain.ZhEventType(ev.EventType())
	answer := func(id, verb string) string {
		if referral != nil {
			if agency, service, ok := referral(id); ok {
				return agency.Zh() + verb + "：" + service.Zh()
			}
		}
		return name
	}
	switch e := ev.(type) {
	case domain.ReportReceived:
		var parts []string
		if len(e.Concerns) > 0 {
			parts = append(parts, domain.ZhList(e.Concerns))
		}
		if !e.Risk.IsZero() {
			parts = append(parts, e.Risk.Zh()+"风险")
		}
		s := name
		if len(parts) > 0 {
			s += "：" + strings.Join(parts, "，")
		}
		if !e.Source.IsZero() {
			s += "（" + e.Source.Zh() + "）"
		}
		return s
	case domain.AssessmentCompleted:
		s := name
		if !e.Risk.IsZero() {
			s += "：" + e.Risk.Zh() + "风险"
		}
		if e.GuardianshipAssessment != "" {
			s += "，含监护评估"
		}
		return s
	case domain.CaseConferenceHeld:
		if len(e.Agencies) == 0 {
			return name
		}
		return name + "：" + domain.ZhList(e.Agencies) + "参加"
	case domain.ReferralMade:
		return "转介" + e.Agency.Zh() + "：" + e.Service.Zh()
	case domain.ReferralAccepted:
		return answer(e.ReferralID, "接收转介")
	case domain.ReferralDeclined:
		return answer(e.ReferralID, "拒绝转介")
	case domain.ReferralCompleted:
		return answer(e.ReferralID, "完成转介服务")
	case domain.TemporaryGuardianshipStarted:
		return name + "：" + e.Ground.Zh() + "，安置于" + e.Placement.Zh()
	case domain.TemporaryGuardianshipEnded:
		return name + "：" + e.Outcome.Zh()
	case domain.CaseClosed:
		return name + "：" + e.Reason.Zh()
	case domain.ChildRegistered:
		s := name + "：" + domain.ZhList(e.Categories)
		if len(e.DifficultyReasons) > 0 {
			s += "（" + domain.ZhList(e.DifficultyReasons) + "）"
		}
		if len(e.KeyChildFlags) > 0 {
			s += "，重点儿童（" + domain.ZhList(e.KeyChildFlags) + "）"
		}
		return s
	case domain.ChildProfileUpdated:
		if fields := updatedFields(e); len(fields) > 0 {
			return name + "：" + strings.Join(fields, "、")
		}
		return name
	case domain.VisitRecorded:
		if len(e.Concerns) == 0 {
			return name
		}
		return name + "：关注" + domain.ZhList(e.Concerns)
	case domain.GuardianshipEntrustmentConfirmed:
		if e.ParentsNotified {
			return name + "：已告知父母"
		}
		return name + "：未告知父母"
	case domain.EntryCorrected:
		if e.CorrectsPosition > 0 {
			return fmt.Sprintf("%s：%s（日志位置 %d）", name, domain.ZhEventType(e.CorrectedType), e.CorrectsPosition)
		}
		return name + "：" + domain.ZhEventType(e.CorrectedType)
	default:
		// Police report, emergency response, assignment, intervention,
		// follow-up, major incident, reopening, erasure: the event's name
		// says it; their texts (units, actions, notes, reasons) stay out.
		return name
	}
}

// updatedFields names in Chinese, in the file's order, the fields a
// profile update carries (never their values).
func updatedFields(e domain.ChildProfileUpdated) []string {
	var out []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"name", e.Name != nil}, {"id_number", e.IDNumber != nil}, {"birth_date", e.BirthDate != nil},
		{"sex", e.Sex != nil}, {"jurisdiction", e.Jurisdiction != nil}, {"categories", e.Categories != nil},
		{"difficulty_reasons", e.DifficultyReasons != nil}, {"key_child_flags", e.KeyChildFlags != nil},
		{"guardian", e.Guardian != nil}, {"entrusted_guardian", e.EntrustedGuardian != nil},
		{"living_situation", e.LivingSituation != nil}, {"schooling", e.Schooling != nil},
		{"hukou_registered", e.HukouRegistered != nil},
	} {
		if f.set {
			out = append(out, domain.ZhProfileField(f.name))
		}
	}
	return out
}
