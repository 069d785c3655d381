//! Records to show and to measure with, never an office's own: the demo city of the seed
//! report (`city`), its chain maps and illustrative firms (`chains`), and synthetic cities of
//! any size for the benchmarks (`synthetic`). Pure and deterministic, like `domain`, whose
//! checked constructors build every record here; loading them into a store is the command
//! line's (`zhaoshang demo`, `serve --demo`).

pub mod agencies;
pub mod chains;
pub mod city;
pub mod factors;
pub mod packaged;
pub mod roadmaps;
pub mod synthetic;

pub use city::{CITY, DEMO_AS_OF, DEMO_LEADER_ACCOUNT, DemoBlocker, DemoCity, build, organisation};
