//! Integration tests of registry-types: round trips, robustness and serde forms.

mod robustness;
mod round_trip;
mod string_forms;
mod valid_values;
