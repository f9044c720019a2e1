//! The one way the sandbox takes a lock.

use std::sync::{Mutex, MutexGuard};

/// A panic elsewhere must not take the whole sandbox down with a poisoned lock: the data a
/// panicking handler left is still the best the sandbox has.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
