// Registration: by type name through `Default`, through `init(args)`,
// and under another name.
use actor::prelude::*;

struct Configured {
    greeting: String,
}

#[actor]
impl Configured {
    fn init(args: Term) -> Self {
        Configured {
            greeting: args.as_str().unwrap_or("hello").to_owned(),
        }
    }
    fn std(&mut self) -> String {
        self.greeting.clone()
    }
}

#[derive(Default)]
struct Renamed;

#[actor(name = "Greeter")]
impl Renamed {
    fn std(&mut self) -> &'static str {
        "hi"
    }
}

fn main() {
    let pid = actor::spawn_with_args("Configured", "bonjour").unwrap();
    assert_eq!(msg!(std >> pid).wait().unwrap().data, "bonjour");
    let pid = actor::spawn("Greeter").unwrap();
    assert_eq!(msg!(std >> pid).wait().unwrap().data, "hi");
    assert!(actor::spawn("Renamed").is_err());
}
