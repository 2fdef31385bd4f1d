// Package accesslog is the record of who read which child's file, case or
// timeline, and when (个人信息保护法 art. 28, 31: every read of a child's
// file is itself recorded).
//
// It is not a projection: reads are not events, so nothing in the event log
// derives it. The query side writes it, behind each read, into its own
// table (access_log) in the read-model database; a rebuild of the read
// models leaves it alone. Entries are written behind the read that caused
// them through a buffered writer (Log), so that a read never waits for a
// write; Query lists them for inspectors.
package accesslog
