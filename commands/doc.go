// Package commands carries out careledger's commands: one handler per
// command of the HTTP contract. Each loads the streams it needs, checks who
// may act (role, jurisdiction, agency, training), lets the aggregate decide,
// and appends with the expected version. Authorization lives here, so every
// entry point — HTTP, the CLI, the demo loader — gets it.
package commands
