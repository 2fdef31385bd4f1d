package domain

import "strings"

// The domain's words in Simplified Chinese, the terms its people read on
// pages and printed reports (DOMAIN.md). Each vocabulary has its own table:
// the same word means different things in different lists ("police" as a
// source, a reporter and an agency). Only closed vocabulary words are
// translated; free text typed by people never is, so nothing written with
// these tables can carry a name, a number or a note.

func (concernWords) zh() map[string]string { return zhConcerns }

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

func (riskWords) zh() map[string]string { return zhRisks }

var zhRisks = map[string]string{"high": "高", "medium": "中", "low": "低"}

func (sourceWords) zh() map[string]string { return zhSources }

var zhSources = map[string]string{
	"hotline_12355":    "12355热线",
	"mandatory_report": "强制报告",
	"police":           "公安机关",
	"walk_in":          "来访",
	"visit":            "走访发现",
	"inspection":       "检查发现",
	"other":            "其他途径",
}

func (reporterWords) zh() map[string]string { return zhReporterTypes }

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

func (agencyWords) zh() map[string]string { return zhAgencies }

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

func (serviceWords) zh() map[string]string { return zhServices }

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

func (groundWords) zh() map[string]string { return zhGrounds }

var zhGrounds = map[string]string{
	"street_or_unidentified":       "流浪乞讨或身份不明",
	"guardian_missing":             "监护人失踪",
	"guardian_unable_emergency":    "监护人因突发事件无法履行监护职责",
	"guardian_refuses_or_neglects": "监护人拒绝或怠于履行监护职责",
	"used_in_crime":                "被利用实施违法犯罪",
	"serious_harm_by_guardian":     "遭受监护人严重侵害",
	"other":                        "其他情形",
}

func (placementWords) zh() map[string]string { return zhPlacements }

var zhPlacements = map[string]string{
	"kin":                 "亲属家",
	"foster_family":       "寄养家庭",
	"center":              "未成年人救助保护机构",
	"welfare_institution": "儿童福利机构",
}

func (guardianshipEndWords) zh() map[string]string { return zhGuardianshipOutcomes }

var zhGuardianshipOutcomes = map[string]string{
	"returned_to_family":     "返回家庭",
	"long_term_guardianship": "转为长期监护",
	"transferred":            "转移安置",
	"other":                  "其他",
}

func (closureReasonWords) zh() map[string]string { return zhClosureReasons }

var zhClosureReasons = map[string]string{
	"resolved":               "已解决",
	"returned_to_family":     "回归家庭",
	"transferred":            "已转移",
	"long_term_guardianship": "转为长期监护",
	"reached_adulthood":      "已成年",
	"unfounded":              "经核实不属实",
	"other":                  "其他原因",
}

func (categoryWords) zh() map[string]string { return zhCategories }

var zhCategories = map[string]string{
	"left_behind":      "农村留守儿童",
	"in_difficulty":    "困境儿童",
	"scattered_orphan": "散居孤儿",
}

func (difficultyWords) zh() map[string]string { return zhDifficultyReasons }

var zhDifficultyReasons = map[string]string{
	"poverty":              "家庭贫困",
	"disability":           "残疾",
	"serious_illness":      "重病",
	"guardianship_lacking": "缺乏有效监护",
	"other":                "其他",
}

func (keyChildFlagWords) zh() map[string]string { return zhKeyChildFlags }

var zhKeyChildFlags = map[string]string{
	"poor_guardianship": "监护不力",
	"dropout":           "辍学",
	"no_hukou":          "无户籍",
	"illness":           "患病",
	"disability":        "残疾",
}

func (sexWords) zh() map[string]string { return zhSexes }

var zhSexes = map[string]string{"male": "男", "female": "女"}

func (roleWords) zh() map[string]string { return zhRoles }

var zhRoles = map[string]string{
	"child_director":   "儿童主任",
	"child_supervisor": "儿童督导员",
	"caseworker":       "救助保护机构工作人员",
	"partner":          "合作部门联络人",
	"inspector":        "督查人员",
	"analyst":          "统计分析人员",
	"admin":            "系统管理员",
}

func (caseStatusWords) zh() map[string]string { return zhCaseStatuses }

var zhCaseStatuses = map[string]string{"open": "办理中", "closed": "已结案"}

func (referralStatusWords) zh() map[string]string { return zhReferralStatuses }

var zhReferralStatuses = map[string]string{
	"pending":   "待答复",
	"accepted":  "已接收",
	"declined":  "已拒绝",
	"completed": "已完成",
}

func (deadlineKindWords) zh() map[string]string { return zhDeadlineKinds }

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
	"report_after_visit":      "走访发现情况后报告",
	"police_acknowledgment":   "公安机关接警回复",
	"inquiry":                 "启动倒查",
	"rectification":           "整改落实",
}

func (deadlineStatusWords) zh() map[string]string { return zhDeadlineStatuses }

var zhDeadlineStatuses = map[string]string{
	"open":     "未到期",
	"met":      "按时履行",
	"met_late": "逾期履行",
	"missed":   "未履行（已逾期）",
}

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
	"worker.deactivated":                       "人员停用",
	"worker.transferred":                       "人员调动",
	"divisions.edition_imported":               "区划代码版本更新",
	"case.transferred":                         "个案移交",
	"inquiry.opened":                           "启动倒查",
	"inquiry.findings_recorded":                "倒查结论",
	"inquiry.rectification_completed":          "整改完成",
	"inquiry.closed":                           "倒查结束",
	"case.police_acknowledged":                 "公安机关接警回复",
	"policy.deadline_policy_changed":           "调整时限政策",
	"webhook.registered":                       "登记消息推送地址",
	"webhook.removed":                          "停用消息推送地址",
}

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

// Zh is the word in Chinese; a word without a translation comes back as
// itself, never as an empty string.
func (t Term[V]) Zh() string {
	var v V
	return zhWord(v.zh(), t.s)
}

// Labels maps every word of the vocabulary of T to its Chinese name, e.g.
// Labels[Concern]() (for pages that translate words themselves).
func Labels[T interface{ vocab() vocabulary }]() map[string]string {
	var t T
	v := t.vocab()
	out := make(map[string]string, len(v.words()))
	for _, w := range v.words() {
		out[w] = zhWord(v.zh(), w)
	}
	return out
}

// ZhList translates terms and joins them with the Chinese enumeration comma.
func ZhList[V vocabulary](ts []Term[V]) string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Zh()
	}
	return strings.Join(out, "、")
}

// ZhEventType names an event type (case.report_received…) in Chinese.
func ZhEventType(eventType string) string { return zhWord(zhEventTypes, eventType) }

// ZhProfileField names a field of a child's file (its JSON name) in Chinese.
func ZhProfileField(field string) string { return zhWord(zhProfileFields, field) }

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

func zhWord(table map[string]string, word string) string {
	if s, ok := table[word]; ok {
		return s
	}
	return word
}
