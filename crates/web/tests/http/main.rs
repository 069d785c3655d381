//! The web server driven over real HTTP, as a browser and an API client would, on SQLite and
//! PostgreSQL, one module per area; one test binary, so that the suite links once.

#![allow(clippy::unwrap_used)] // A test fails by panicking.

mod common;

mod access;
mod accounts;
mod agencies;
mod enterprises;
mod factors;
mod firm_records;
mod home;
mod hostile;
mod packaged;
mod projects;
mod records;
mod responsibility;
mod returns;
mod review;
mod roadmaps;
mod scoreboard;
mod sessions;
mod trust;
mod warnings;
