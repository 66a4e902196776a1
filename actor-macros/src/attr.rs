//! The options of `#[actor(...)]` (`name = "…"` and `crate = path`) and of
//! `#[actor::test(...)]` (`crate = path`).

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, LitStr, Path, Token};

use crate::errors::Errors;

/// The options, each at most once.
#[derive(Default)]
pub(crate) struct Options {
    /// `name = "…"`: the registered name, instead of the type's name.
    pub(crate) name: Option<LitStr>,
    /// `crate = path`: where the `actor` crate is, instead of `::actor`.
    pub(crate) krate: Option<Path>,
}

/// Which attribute the options are for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum For {
    Actor,
    Test,
}

impl For {
    fn valid(self) -> &'static str {
        match self {
            For::Actor => "expected `name = \"…\"` or `crate = path`",
            For::Test => "expected `crate = path`",
        }
    }
}

impl Options {
    /// Parses `#[actor(...)]`'s arguments. Errors go to `errors`; whatever
    /// parsed before a syntax error is kept so expansion can go on.
    pub(crate) fn parse(args: TokenStream, errors: &mut Errors) -> Options {
        Options::parse_for(args, For::Actor, errors)
    }

    /// Parses `#[actor::test(...)]`'s arguments, as [`Options::parse`]:
    /// only `crate = path` is known.
    pub(crate) fn parse_test(args: TokenStream, errors: &mut Errors) -> Options {
        Options::parse_for(args, For::Test, errors)
    }

    fn parse_for(args: TokenStream, target: For, errors: &mut Errors) -> Options {
        let mut options = Options::default();
        let parser = |input: ParseStream| {
            while !input.is_empty() {
                options.parse_one(input, target, errors)?;
                if input.is_empty() {
                    break;
                }
                input.parse::<Token![,]>()?;
            }
            Ok(())
        };
        if let Err(err) = parser.parse2(args) {
            errors.push(err);
        }
        options
    }

    fn parse_one(
        &mut self,
        input: ParseStream,
        target: For,
        errors: &mut Errors,
    ) -> syn::Result<()> {
        let key = input.call(Ident::parse_any)?;
        match key.to_string().as_str() {
            "name" if target == For::Actor => {
                input.parse::<Token![=]>()?;
                let lit: LitStr = input.parse()?;
                if lit.value().is_empty() {
                    errors.error(lit.span(), "the registered name cannot be empty");
                }
                set(&mut self.name, lit, &key, errors);
            }
            "crate" => {
                input.parse::<Token![=]>()?;
                let path = input.call(Path::parse_mod_style)?;
                set(&mut self.krate, path, &key, errors);
            }
            other => {
                errors.error(
                    key.span(),
                    format!("unknown option `{other}`, {}", target.valid()),
                );
                // Skip the value so the options after it are still read.
                while !input.is_empty() && !input.peek(Token![,]) {
                    input.parse::<proc_macro2::TokenTree>()?;
                }
            }
        }
        Ok(())
    }

    /// The path generated code reaches the runtime through: `crate = path`
    /// or `::actor`.
    pub(crate) fn krate(&self) -> TokenStream {
        match &self.krate {
            Some(path) => quote!(#path),
            None => {
                let span = Span::call_site();
                quote::quote_spanned!(span=> ::actor)
            }
        }
    }
}

fn set<T>(slot: &mut Option<T>, value: T, key: &Ident, errors: &mut Errors) {
    if slot.is_some() {
        errors.error(
            key.span(),
            format!("option `{key}` is given twice; keep one"),
        );
    } else {
        *slot = Some(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> (Options, Vec<String>) {
        let mut errors = Errors::default();
        let options = Options::parse(src.parse().expect("tokens"), &mut errors);
        (options, errors.messages())
    }

    #[test]
    fn empty() {
        let (o, e) = parse("");
        assert!(o.name.is_none() && o.krate.is_none() && e.is_empty());
        assert_eq!(o.krate().to_string(), ":: actor");
    }

    #[test]
    fn name_and_crate() {
        let (o, e) = parse(r#"name = "Echo", crate = crate"#);
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(o.name.as_ref().map(|n| n.value()).as_deref(), Some("Echo"));
        assert_eq!(o.krate().to_string(), "crate");
        let (o, e) = parse("crate = ::my::reexport,");
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(o.krate().to_string(), ":: my :: reexport");
    }

    #[test]
    fn unknown_and_repeated_are_all_reported() {
        let (o, e) = parse(r#"nme = "x", name = "A", name = "B", trap = true"#);
        assert_eq!(o.name.as_ref().map(|n| n.value()).as_deref(), Some("A"));
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(e[0].starts_with("unknown option `nme`"));
        assert!(e[1].contains("given twice"));
        assert!(e[2].starts_with("unknown option `trap`"));
    }

    #[test]
    fn test_options() {
        let parse = |src: &str| {
            let mut errors = Errors::default();
            let options = Options::parse_test(src.parse().expect("tokens"), &mut errors);
            (options, errors.messages())
        };
        let (o, e) = parse("crate = my::rt");
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(o.krate().to_string(), "my :: rt");
        let (_, e) = parse(r#"name = "x", crate = a, crate = b"#);
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0], "unknown option `name`, expected `crate = path`");
        assert!(e[1].contains("given twice"));
    }

    #[test]
    fn syntax_errors() {
        assert_eq!(parse("name").1.len(), 1);
        assert_eq!(parse("name = Echo").1.len(), 1);
        assert_eq!(
            parse(r#"name = """#).1,
            ["the registered name cannot be empty"]
        );
        assert_eq!(parse(r#"name = "a" crate = x"#).1.len(), 1);
    }
}
