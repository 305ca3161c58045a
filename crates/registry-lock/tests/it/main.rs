//! Integration tests of registry-lock: the data-driven cases, round trips, comparison and files.

mod cases;
mod compare;
mod files;
mod operations;
mod round_trip;
mod sample;
