//! Client-side checks run by generated code before sending; failures are
//! pushed into [`RequestParts`] and reported by `send` without any request.
//! Messages never include the offending value (it could be a secret).

use super::error::ValidationError;
use super::request::RequestParts;

/// OpenAPI string constraints of one parameter.
#[derive(Debug, Clone, Copy, Default)]
pub struct StringRules {
    /// `maxLength`, in characters.
    pub max_length: Option<usize>,
    /// `minLength`, in characters.
    pub min_length: Option<usize>,
    /// `pattern` (unanchored, as in JSON Schema). A pattern that `regex_lite`
    /// cannot compile (e.g. ECMAScript look-arounds) is skipped rather than
    /// rejecting valid input; the server still validates.
    pub pattern: Option<&'static str>,
    /// `enum` values; empty means any value.
    pub allowed: &'static [&'static str],
}

/// Checks `value` against `rules`, recording a validation error on failure.
pub fn check_string(parts: &mut RequestParts, name: &'static str, value: &str, rules: &StringRules) {
    if let Some(reason) = string_violation(value, rules) {
        parts.validation_error(ValidationError::new(name, reason));
    }
}

/// The first rule `value` breaks, if any.
pub fn string_violation(value: &str, rules: &StringRules) -> Option<String> {
    let len = value.chars().count();
    if let Some(max) = rules.max_length {
        if len > max {
            return Some(format!("must be at most {max} characters (got {len})"));
        }
    }
    if let Some(min) = rules.min_length {
        if len < min {
            return Some(format!("must be at least {min} characters (got {len})"));
        }
    }
    if let Some(p) = rules.pattern {
        if let Ok(re) = regex_lite::Regex::new(p) {
            if !re.is_match(value) {
                return Some(format!("must match pattern `{p}`"));
            }
        }
    }
    if !rules.allowed.is_empty() && !rules.allowed.contains(&value) {
        return Some(format!("must be one of: {}", rules.allowed.join(", ")));
    }
    None
}

/// Checks `value` against inclusive bounds, recording a validation error on
/// failure (NaN always fails when a bound is given).
pub fn check_number(
    parts: &mut RequestParts,
    name: &'static str,
    value: f64,
    minimum: Option<f64>,
    maximum: Option<f64>,
) {
    if let Some(reason) = number_violation(value, minimum, maximum) {
        parts.validation_error(ValidationError::new(name, reason));
    }
}

/// The bound `value` breaks, if any.
pub fn number_violation(value: f64, minimum: Option<f64>, maximum: Option<f64>) -> Option<String> {
    // NaN compares false with everything, so it fails whichever bound is set.
    if let Some(min) = minimum {
        if value.is_nan() || value < min {
            return Some(format!("must be at least {min}"));
        }
    }
    if let Some(max) = maximum {
        if value.is_nan() || value > max {
            return Some(format!("must be at most {max}"));
        }
    }
    None
}

/// Checks the number of items of an array parameter.
pub fn check_items(
    parts: &mut RequestParts,
    name: &'static str,
    count: usize,
    min_items: Option<usize>,
    max_items: Option<usize>,
) {
    if let Some(min) = min_items {
        if count < min {
            parts.validation_error(ValidationError::new(name, format!("must have at least {min} items (got {count})")));
            return;
        }
    }
    if let Some(max) = max_items {
        if count > max {
            parts.validation_error(ValidationError::new(name, format!("must have at most {max} items (got {count})")));
        }
    }
}
