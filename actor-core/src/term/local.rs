//! `Term::Local`: a Rust value of this program carried by reference.

use std::any::Any;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A Rust value of this program inside a [`Term`](super::Term): any
/// `Send + Sync + 'static` value, shared by reference (cloning the term
/// clones an `Arc`).
///
/// It is for messages between processes of one program that carry what a
/// term cannot spell: a closure, a channel, a typed request. It cannot
/// cross to another node, and it does not serialize. Two `LocalValue`s are
/// equal when they are the same value (the same `Arc`); they sort where
/// Erlang sorts funs, after references and before pids, and among
/// themselves by address.
///
/// # Examples
///
/// ```
/// use actor::Term;
///
/// let t = Term::local(vec![1u8, 2, 3]);
/// assert_eq!(t.as_local::<Vec<u8>>(), Some(&vec![1, 2, 3]));
/// assert_eq!(t.as_local::<String>(), None);
/// assert_eq!(t.clone(), t);
/// assert_ne!(Term::local(1u8), Term::local(1u8)); // two values, not one
/// ```
#[derive(Clone)]
pub struct LocalValue {
    // Two words, so `Term` stays 32 bytes: the type's name comes from the
    // vtable.
    value: Arc<dyn Named>,
}

/// `Any` that knows its type's name.
trait Named: Any + Send + Sync {
    fn type_name(&self) -> &'static str;
}

impl<T: Any + Send + Sync> Named for T {
    fn type_name(&self) -> &'static str {
        std::any::type_name::<T>()
    }
}

impl LocalValue {
    /// Wraps `value`.
    pub fn new<T: Any + Send + Sync>(value: T) -> LocalValue {
        LocalValue {
            value: Arc::new(value),
        }
    }

    /// The value, if it is a `T`.
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        let any: &dyn Any = &*self.value;
        any.downcast_ref()
    }

    /// The value itself, if it is a `T` and this is its only holder;
    /// otherwise `self` back.
    ///
    /// # Examples
    ///
    /// ```
    /// use actor::LocalValue;
    ///
    /// let v = LocalValue::new(String::from("mine"));
    /// assert_eq!(v.take::<String>().unwrap(), "mine");
    /// let shared = LocalValue::new(7u32);
    /// let other = shared.clone();
    /// assert!(shared.take::<u32>().is_err()); // `other` holds it too
    /// drop(other);
    /// ```
    pub fn take<T: Any + Send + Sync>(self) -> Result<T, LocalValue> {
        if self.downcast_ref::<T>().is_none() {
            return Err(self);
        }
        let any: Arc<dyn Any + Send + Sync> = self.value;
        let arc = any
            .downcast::<T>()
            .unwrap_or_else(|_| unreachable!("checked to be a T above"));
        Arc::try_unwrap(arc).map_err(LocalValue::from_arc)
    }

    fn from_arc<T: Any + Send + Sync>(value: Arc<T>) -> LocalValue {
        LocalValue { value }
    }

    /// The Rust type's name, as `std::any::type_name` gives it.
    pub fn type_name(&self) -> &'static str {
        Named::type_name(&*self.value)
    }

    fn addr(&self) -> usize {
        Arc::as_ptr(&self.value) as *const () as usize
    }
}

impl fmt::Debug for LocalValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#Local<{}>", self.type_name())
    }
}

impl PartialEq for LocalValue {
    fn eq(&self, other: &LocalValue) -> bool {
        self.addr() == other.addr()
    }
}

impl Eq for LocalValue {}

impl PartialOrd for LocalValue {
    fn partial_cmp(&self, other: &LocalValue) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for LocalValue {
    fn cmp(&self, other: &LocalValue) -> Ordering {
        self.addr().cmp(&other.addr())
    }
}

impl Hash for LocalValue {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.addr().hash(h);
    }
}
