package projections

import "strings"

// zhDeadlineKinds names each obligation.
var zhDeadlineKinds = map[string]string{
	"police_report":           "向公安机关报告",
	"first_response":          "首次响应（接触儿童）",
	"assignment":              "指派个案工作者",
	"assessment":              "完成评估",
	"guardianship_assessment": "临时监护期间监护评估",
	"referral_answer":         "转介答复",
	"visit":                   "走访",
	"info_verification":       "年度信息核实",
	"training":                "工作人员培训",
	"post_closure_follow_up":  "结案后回访",
}

// zhDeadlineStatuses names how an obligation stands.
var zhDeadlineStatuses = map[string]string{
	"open":     "未到期",
	"met":      "按时履行",
	"met_late": "逾期履行",
	"missed":   "未履行（已逾期）",
}

// ZhDeadlineKind is the Chinese name of an obligation's kind.
func ZhDeadlineKind(kind string) string { return zhWord(zhDeadlineKinds, kind) }

// ZhDeadlineStatus is the Chinese name of an obligation's status.
func ZhDeadlineStatus(status string) string { return zhWord(zhDeadlineStatuses, status) }

// ZhOwner spells an obligation's owner for people: a worker id as it is;
// an owner no person holds yet as its role or agency and jurisdiction,
// e.g. "caseworker:370902" → "救助保护机构工作人员（370902）".
func ZhOwner(owner string) string {
	kind, rest, ok := strings.Cut(owner, ":")
	if !ok {
		return owner
	}
	switch kind {
	case "agency":
		return zhWord(zhAgencies, rest)
	case "caseworker", "child_director", "child_supervisor", "admin":
		return zhWord(zhRoles, kind) + "（" + rest + "）"
	}
	return owner
}
