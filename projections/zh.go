package projections

import (
	"strings"

	"github.com/careledger/careledger/domain"
)

// The domain's vocabularies in Simplified Chinese, for lines people read
// (timeline summaries, printed reports). Each vocabulary has its own table:
// the same word means different things in different lists ("police" as a
// source, a reporter and an agency). A word without a translation comes back
// as itself, never as an empty string. Only closed vocabulary words are
// translated here; free text typed by people never is, so nothing written
// with these tables can carry a name, a number or a note.

var zhConcerns = map[string]string{
	"living_alone":        "独自在家",
	"missing":             "失踪",
	"guardian_incapacity": "监护人无力履行监护职责",
	"neglect":             "疏于照料",
	"domestic_violence":   "家庭暴力",
	"abuse":               "虐待",
	"begging":             "流浪乞讨",
	"trafficking":         "拐卖",
	"dropout":             "辍学",
	"no_hukou":            "无户籍",
	"illness":             "患病",
	"disability":          "残疾",
}

var zhRisks = map[string]string{"high": "高", "medium": "中", "low": "低"}

var zhSources = map[string]string{
	"hotline_12355":    "12355热线",
	"mandatory_report": "强制报告",
	"police":           "公安机关",
	"walk_in":          "来访",
	"visit":            "走访发现",
	"inspection":       "检查发现",
	"other":            "其他途径",
}

var zhReporterTypes = map[string]string{
	"school":           "学校",
	"hospital":         "医院",
	"child_director":   "儿童主任",
	"child_supervisor": "儿童督导员",
	"neighbour":        "邻居",
	"relative":         "亲属",
	"child_self":       "儿童本人",
	"police":           "公安民警",
	"anonymous":        "匿名",
	"other":            "其他",
}

var zhAgencies = map[string]string{
	"police":                      "公安机关",
	"education":                   "教育部门",
	"justice":                     "司法行政部门",
	"hr_social_security":          "人力资源社会保障部门",
	"womens_federation":           "妇联",
	"youth_league":                "共青团",
	"disabled_persons_federation": "残联",
	"welfare_institution":         "儿童福利机构",
	"health":                      "卫生健康部门",
	"social_organization":         "社会组织",
}

var zhServices = map[string]string{
	"legal_aid":             "法律援助",
	"return_to_school":      "返校复学",
	"rehabilitation":        "康复服务",
	"psychological_support": "心理支持",
	"social_assistance":     "社会救助",
	"hukou_registration":    "户籍登记",
	"employment_support":    "就业帮扶",
	"medical_care":          "医疗救治",
	"other":                 "其他服务",
}

var zhGrounds = map[string]string{
	"street_or_unidentified":       "流浪乞讨或身份不明",
	"guardian_missing":             "监护人失踪",
	"guardian_unable_emergency":    "监护人因突发事件无法履行监护职责",
	"guardian_refuses_or_neglects": "监护人拒绝或怠于履行监护职责",
	"used_in_crime":                "被利用实施违法犯罪",
	"serious_harm_by_guardian":     "遭受监护人严重侵害",
	"other":                        "其他情形",
}

var zhPlacements = map[string]string{
	"kin":                 "亲属家",
	"foster_family":       "寄养家庭",
	"center":              "未成年人救助保护机构",
	"welfare_institution": "儿童福利机构",
}

var zhGuardianshipOutcomes = map[string]string{
	"returned_to_family":     "返回家庭",
	"long_term_guardianship": "转为长期监护",
	"transferred":            "转移安置",
	"other":                  "其他",
}

var zhClosureReasons = map[string]string{
	"resolved":               "已解决",
	"returned_to_family":     "回归家庭",
	"transferred":            "已转移",
	"long_term_guardianship": "转为长期监护",
	"reached_adulthood":      "已成年",
	"unfounded":              "经核实不属实",
	"other":                  "其他原因",
}

var zhCategories = map[string]string{
	"left_behind":      "农村留守儿童",
	"in_difficulty":    "困境儿童",
	"scattered_orphan": "散居孤儿",
}

var zhDifficultyReasons = map[string]string{
	"poverty":              "家庭贫困",
	"disability":           "残疾",
	"serious_illness":      "重病",
	"guardianship_lacking": "缺乏有效监护",
	"other":                "其他",
}

var zhKeyChildFlags = map[string]string{
	"poor_guardianship": "监护不力",
	"dropout":           "辍学",
	"no_hukou":          "无户籍",
	"illness":           "患病",
	"disability":        "残疾",
}

var zhSexes = map[string]string{"male": "男", "female": "女"}

var zhRoles = map[string]string{
	"child_director":   "儿童主任",
	"child_supervisor": "儿童督导员",
	"caseworker":       "救助保护机构工作人员",
	"partner":          "合作部门联络人",
	"inspector":        "督查人员",
	"analyst":          "统计分析人员",
	"admin":            "系统管理员",
}

var zhCaseStatuses = map[string]string{"open": "办理中", "closed": "已结案"}

var zhReferralStatuses = map[string]string{
	"pending":   "待答复",
	"accepted":  "已接收",
	"declined":  "已拒绝",
	"completed": "已完成",
}

// zhEventTypes names each event of a case or a child's file.
var zhEventTypes = map[string]string{
	"case.report_received":                     "收到报告",
	"case.report_forwarded_to_police":          "报告公安机关",
	"case.emergency_response_recorded":         "应急处置",
	"case.assigned":                            "指派个案工作者",
	"case.assessment_completed":                "完成评估",
	"case.conference_held":                     "个案会商",
	"case.referral_made":                       "服务转介",
	"case.referral_accepted":                   "接收转介",
	"case.referral_declined":                   "拒绝转介",
	"case.referral_completed":                  "完成转介服务",
	"case.temporary_guardianship_started":      "临时监护开始",
	"case.temporary_guardianship_ended":        "临时监护结束",
	"case.guardianship_intervention_recorded":  "监护干预",
	"case.follow_up_recorded":                  "跟进回访",
	"case.major_incident_declared":             "宣布重大事件",
	"case.closed":                              "结案",
	"case.reopened":                            "重新开案",
	"child.registered":                         "建立儿童档案",
	"child.profile_updated":                    "更新儿童档案",
	"child.visit_recorded":                     "走访",
	"child.guardianship_entrustment_confirmed": "委托监护确认",
	"child.data_erased":                        "删除个人信息",
	"record.entry_corrected":                   "更正记录",
	"worker.registered":                        "登记工作人员",
	"worker.training_recorded":                 "记录培训",
	"inquiry.opened":                           "启动倒查",
	"policy.deadline_policy_changed":           "调整时限政策",
}

// zhProfileFields names the fields of a child's file (JSON names).
var zhProfileFields = map[string]string{
	"name":               "姓名",
	"id_number":          "身份证号",
	"birth_date":         "出生日期",
	"sex":                "性别",
	"jurisdiction":       "所在地",
	"categories":         "儿童类别",
	"difficulty_reasons": "困境原因",
	"key_child_flags":    "重点儿童标记",
	"guardian":           "监护人",
	"entrusted_guardian": "受委托监护人",
	"living_situation":   "生活状况",
	"schooling":          "就学情况",
	"hukou_registered":   "户籍登记情况",
}

func zhWord(table map[string]string, word string) string {
	if s, ok := table[word]; ok {
		return s
	}
	return word
}

// zhList translates words and joins them with the Chinese enumeration comma.
func zhList(table map[string]string, words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = zhWord(table, w)
	}
	return strings.Join(out, "、")
}

func termWords[T interface{ String() string }](ts []T) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.String()
	}
	return out
}

// ZhConcern is a concern in Chinese (疏于照料…).
func ZhConcern(c domain.Concern) string { return zhWord(zhConcerns, c.String()) }

// ZhRisk is a risk level in Chinese (高, 中, 低).
func ZhRisk(r domain.Risk) string { return zhWord(zhRisks, r.String()) }

// ZhSource is where a report came from, in Chinese.
func ZhSource(s domain.Source) string { return zhWord(zhSources, s.String()) }

// ZhReporterType is the kind of reporter, in Chinese.
func ZhReporterType(r domain.ReporterType) string { return zhWord(zhReporterTypes, r.String()) }

// ZhAgency is a receiving agency in Chinese.
func ZhAgency(a domain.Agency) string { return zhWord(zhAgencies, a.String()) }

// ZhService is a referral service in Chinese.
func ZhService(s domain.Service) string { return zhWord(zhServices, s.String()) }

// ZhGround is a ground for temporary guardianship in Chinese.
func ZhGround(g domain.GuardianshipGround) string { return zhWord(zhGrounds, g.String()) }

// ZhPlacement is where a child in temporary guardianship is placed, in Chinese.
func ZhPlacement(p domain.Placement) string { return zhWord(zhPlacements, p.String()) }

// ZhGuardianshipOutcome is how temporary guardianship ended, in Chinese.
func ZhGuardianshipOutcome(o domain.GuardianshipOutcome) string {
	return zhWord(zhGuardianshipOutcomes, o.String())
}

// ZhClosureReason is why a case was closed, in Chinese.
func ZhClosureReason(r domain.ClosureReason) string { return zhWord(zhClosureReasons, r.String()) }

// ZhCategory is a child's category in Chinese.
func ZhCategory(c domain.Category) string { return zhWord(zhCategories, c.String()) }

// ZhDifficultyReason is a reason a child is in difficulty, in Chinese.
func ZhDifficultyReason(r domain.DifficultyReason) string {
	return zhWord(zhDifficultyReasons, r.String())
}

// ZhKeyChildFlag is a key-child flag in Chinese.
func ZhKeyChildFlag(f domain.KeyChildFlag) string { return zhWord(zhKeyChildFlags, f.String()) }

// ZhSex is a sex in Chinese.
func ZhSex(s domain.Sex) string { return zhWord(zhSexes, s.String()) }

// ZhRole is a role in Chinese.
func ZhRole(r domain.Role) string { return zhWord(zhRoles, r.String()) }

// ZhCaseStatus is a case status in Chinese.
func ZhCaseStatus(s domain.CaseStatus) string { return zhWord(zhCaseStatuses, s.String()) }

// ZhReferralStatus is a referral status in Chinese.
func ZhReferralStatus(s domain.ReferralStatus) string {
	return zhWord(zhReferralStatuses, s.String())
}

// ZhEventType names an event type (case.report_received…) in Chinese.
func ZhEventType(eventType string) string { return zhWord(zhEventTypes, eventType) }

// ZhProfileField names a field of a child's file (its JSON name) in Chinese.
func ZhProfileField(field string) string { return zhWord(zhProfileFields, field) }
