// The contract's schema version, known here once: what the page and web/node-run.mjs write in
// a request, and the only one they read in a report, the catalog and native.json (a reader
// rejects any other: README, "schema_version").
export const SCHEMA_VERSION = 1;
