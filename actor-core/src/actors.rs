//! Built-in actors: `EchoActor` and the seed's `Supervisor`.

mod echo;
mod supervisor;

pub use self::echo::EchoActor;
pub use self::supervisor::Supervisor;
