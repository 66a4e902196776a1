//! The message kinds, as `msg!` and `#[actor]` spell them.

/// Every kind `msg!` accepts, with its `Kind` variant.
pub(crate) const KINDS: [(&str, &str); 10] = [
    ("std", "Std"),
    ("info", "Info"),
    ("kill", "Kill"),
    ("death", "Death"),
    ("up", "Up"),
    ("err", "Err"),
    ("link", "Link"),
    ("unlink", "Unlink"),
    ("reload", "Reload"),
    ("down", "Down"),
];

/// The kinds an `#[actor]` impl can have a handler for, with their `Kind`
/// variants. The others (`kill`, `link`, `unlink`, `up`) are the runtime's
/// business.
pub(crate) const HANDLER_KINDS: [(&str, &str); 6] = [
    ("std", "Std"),
    ("info", "Info"),
    ("death", "Death"),
    ("down", "Down"),
    ("err", "Err"),
    ("reload", "Reload"),
];

/// The `Kind` variant named by `name` in `msg!`.
pub(crate) fn variant(name: &str) -> Option<&'static str> {
    KINDS.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

/// "`std`, `info`, …, or `down`", for error messages.
pub(crate) fn list(names: impl IntoIterator<Item = &'static str>) -> String {
    let names: Vec<String> = names.into_iter().map(|n| format!("`{n}`")).collect();
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_handler_kind_is_a_kind() {
        for (name, handler_variant) in HANDLER_KINDS {
            assert_eq!(variant(name), Some(handler_variant));
        }
        assert_eq!(variant("std"), Some("Std"));
        assert_eq!(variant("stdd"), None);
    }

    #[test]
    fn lists_read_well() {
        assert_eq!(list(["a"]), "`a`");
        assert_eq!(list(["a", "b", "c"]), "`a`, `b` or `c`");
    }
}
