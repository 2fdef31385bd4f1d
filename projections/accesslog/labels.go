package accesslog

import "maps"

// Actions are the actions the server records, in the order of the
// constants.
func Actions() []string {
	return []string{ActionReadChildFile, ActionReadChildTimeline, ActionReadCase, ActionReadCaseTimeline, ActionReadCaseEvents, ActionReadReport,
		ActionReferral, ActionList}
}

// zhActions name the actions of an entry in Chinese, for the pages people
// read: those the server records, and the other words of API.md.
var zhActions = map[string]string{
	ActionReadChildFile:     "查阅儿童档案",
	ActionReadChildTimeline: "查阅儿童时间线",
	ActionReadCase:          "查阅个案",
	ActionReadCaseTimeline:  "查阅个案时间线",
	ActionReadCaseEvents:    "查阅个案原始记录",
	ActionReadReport:        "查阅倒查报告",
	ActionReferral:          "查阅转介",
	ActionList:              "列表查询",
	"read":                  "查阅",
	"report":                "查阅报告",
}

// ZhAction names an entry's action in Chinese; an action it does not know
// is returned as it is.
func ZhAction(action string) string {
	if s, ok := zhActions[action]; ok {
		return s
	}
	return action
}

// ZhActions are the Chinese names of the actions, by action.
func ZhActions() map[string]string {
	return maps.Clone(zhActions)
}
