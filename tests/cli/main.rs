//! Tests that run the built `emr-migrate` binary on the fixtures, as a user
//! would. One integration binary, so it links once.

mod bad_files;
mod check;
mod common;
mod demo;
mod docs;
mod errors;
mod extract;
mod formats;
mod gates;
mod invariants;
mod matching;
mod names;
mod profile;
mod report_schema;
mod scans;
mod synth;
