//! [`NodeError`]: why a node could not start or connect.

use std::fmt;

/// Why a node could not start or connect.
///
/// # Examples
///
/// ```
/// use actor::node::NodeError;
///
/// let err = actor::node::start("no_host", "cookie").unwrap_err();
/// assert_eq!(err, NodeError::InvalidName("no_host".into()));
/// assert!(err.to_string().contains("name@host"));
/// assert_eq!(actor::node::connect("a@localhost"), Err(NodeError::NotStarted));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NodeError {
    /// The name is not `name@host`.
    InvalidName(String),
    /// A node already runs in this program (one node per program).
    AlreadyStarted(String),
    /// No node runs in this program: call [`start`](crate::node::start) first.
    NotStarted,
    /// No cookie was given and `~/.erlang.cookie` could not be read.
    NoCookie,
    /// EPMD could not be reached, started, or refused the name.
    Epmd(String),
    /// The listening socket could not be opened.
    Io(String),
    /// A connection to another node failed (a wrong cookie shows here).
    Connect {
        /// The node dialed.
        node: String,
        /// Why it failed.
        reason: String,
    },
}

impl fmt::Display for NodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodeError::InvalidName(n) => {
                write!(
                    f,
                    "`{n}` is not a node name: write `name@host`, such as `a@localhost`"
                )
            }
            NodeError::AlreadyStarted(n) => write!(f, "this program already runs node `{n}`"),
            NodeError::NotStarted => {
                f.write_str("no node runs in this program: call `actor::node::start` first")
            }
            NodeError::NoCookie => {
                f.write_str("no cookie given and `~/.erlang.cookie` could not be read")
            }
            NodeError::Epmd(e) => write!(f, "EPMD: {e}"),
            NodeError::Io(e) => write!(f, "could not listen for connections: {e}"),
            NodeError::Connect { node, reason } => {
                write!(f, "could not connect to `{node}`: {reason}")
            }
        }
    }
}

impl std::error::Error for NodeError {}
