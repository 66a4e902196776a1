//! Built-in actors: `EchoActor` and the seed's `Supervisor`.

mod echo;

pub use self::echo::EchoActor;
