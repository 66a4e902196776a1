//! The rules an `#[actor]` impl and an `#[actor::test]` function must
//! follow. Every broken rule is an error spanned at the offending tokens;
//! all of them are reported together.

use quote::ToTokens;
use syn::{Item, ItemFn, ItemImpl, Type};

use crate::ast::{is_generic, last_segment, ActorImpl, Extractor, Method};
use crate::errors::Errors;

/// The item under `#[actor]`, if it is an inherent impl (generic ones are
/// reported here but still returned, so their methods are checked too).
pub(crate) fn item<'a>(item: &'a Item, errors: &mut Errors) -> Option<&'a ItemImpl> {
    let (keyword, ident, what) = match item {
        Item::Impl(imp) => {
            if let Some((bang, path, for_token)) = &imp.trait_ {
                errors.error_at(
                    quote::quote!(#bang #path #for_token),
                    "`#[actor]` goes on an inherent impl, not a trait impl: write `impl Type { … }` \
                     and the macro implements `Actor` for you",
                );
                return None;
            }
            if is_generic(&imp.generics) {
                errors.error_at(
                    &imp.generics,
                    "`#[actor]` does not support generic impls: spawning by name needs one \
                     concrete type; write `impl Type<Concrete> { … }`",
                );
            }
            return Some(imp);
        }
        Item::Struct(s) => (s.struct_token.to_token_stream(), &s.ident, "a struct"),
        Item::Enum(e) => (e.enum_token.to_token_stream(), &e.ident, "an enum"),
        Item::Union(u) => (u.union_token.to_token_stream(), &u.ident, "a union"),
        Item::Fn(f) => (f.sig.fn_token.to_token_stream(), &f.sig.ident, "a function"),
        Item::Trait(t) => (t.trait_token.to_token_stream(), &t.ident, "a trait"),
        Item::Mod(m) => (m.mod_token.to_token_stream(), &m.ident, "a module"),
        _ => {
            errors.error_at(
                item,
                "`#[actor]` goes on an inherent impl: write `#[actor] impl Type { … }`",
            );
            return None;
        }
    };
    errors.error_at(
        quote::quote!(#keyword #ident),
        format!(
            "`#[actor]` goes on an inherent impl, not on {what}: write `#[actor] impl Type {{ … }}`"
        ),
    );
    None
}

pub(crate) fn actor(actor: &ActorImpl, errors: &mut Errors) {
    if type_name(&actor.item.self_ty).is_none() {
        errors.error_at(
            &actor.item.self_ty,
            "`#[actor]` needs a named type: write `impl Type { … }`",
        );
    }
    if let Some(start) = &actor.start {
        receiver(start, "`start`", errors);
        plain(start, "`start`", errors);
        if let Some(extra) = start.params.first() {
            errors.error_at(
                extra,
                "`start` takes no parameters besides `&mut self`: write `fn start(&mut self)`",
            );
        }
    }
    if let Some(stop) = &actor.stop {
        receiver(stop, "`stop`", errors);
        plain(stop, "`stop`", errors);
        if let Some(extra) = stop.params.get(1) {
            errors.error_at(
                extra,
                "`stop` takes the exit reason only: write `fn stop(&mut self, reason: Term)`",
            );
        }
    }
    if let Some(init) = &actor.init {
        init_fn(init, errors);
    }
    for handler in &actor.handlers {
        let what = format!("handler `{}`", handler.kind);
        receiver(&handler.method, &what, errors);
        plain(&handler.method, &what, errors);
        let mut seen: Vec<Extractor> = Vec::new();
        for param in &handler.params {
            parameter(param.ty, errors);
            if param.extractor == Extractor::Decode {
                continue;
            }
            if seen.contains(&param.extractor) {
                errors.error_at(
                    param.ty,
                    format!(
                        "a second `{}` parameter: a handler takes each extractor at most once",
                        param.extractor.name()
                    ),
                );
            }
            seen.push(param.extractor);
        }
    }
}

/// The registered name a type gets by default: its last path segment.
pub(crate) fn type_name(ty: &Type) -> Option<String> {
    last_segment(ty).map(|seg| seg.ident.to_string())
}

fn receiver(method: &Method, what: &str, errors: &mut Errors) {
    let sig = &method.func.sig;
    match method.receiver {
        None => errors.error_at(
            &sig.ident,
            format!("{what} needs a receiver: write `&mut self` as its first parameter"),
        ),
        Some(r) if r.colon_token.is_some() => errors.error_at(
            r,
            format!("{what} takes `&mut self`, not a typed `self`: write `&mut self`"),
        ),
        Some(r) if r.reference.is_none() => errors.error_at(
            r,
            format!(
                "{what} takes `self` by value, which would consume the actor: write `&mut self`"
            ),
        ),
        Some(r) if r.mutability.is_none() => {
            errors.error_at(r, format!("{what} takes `&self`: write `&mut self`"))
        }
        Some(_) => {}
    }
}

/// No generics, no `unsafe`: the generated code calls the method plainly.
fn plain(method: &Method, what: &str, errors: &mut Errors) {
    let sig = &method.func.sig;
    if is_generic(&sig.generics) {
        errors.error_at(
            &sig.generics,
            format!("{what} cannot be generic: name concrete types for its parameters"),
        );
    }
    if let Some(unsafety) = &sig.unsafety {
        errors.error_at(
            unsafety,
            format!("{what} cannot be `unsafe`: the generated dispatch calls it as a safe fn"),
        );
    }
}

fn parameter(ty: &Type, errors: &mut Errors) {
    match ty {
        Type::Reference(r) => errors.error_at(
            ty,
            format!(
                "handler parameters are owned values: write `{}` instead of a reference",
                r.elem.to_token_stream()
            ),
        ),
        Type::ImplTrait(_) => errors.error_at(
            ty,
            "a handler parameter cannot be `impl Trait`: name the type the data decodes into",
        ),
        _ => {
            if let Some(seg) = last_segment(ty) {
                if seg.ident == "Ref" && seg.arguments.is_none() {
                    errors.error_at(
                        ty,
                        "a message carries a `Ref` only when it is a call: write `Option<Ref>`",
                    );
                }
            }
        }
    }
}

fn init_fn(init: &Method, errors: &mut Errors) {
    let sig = &init.func.sig;
    if let Some(r) = init.receiver {
        errors.error_at(
            r,
            "`init` builds the actor, so it takes no `self`: write `fn init(args: Term) -> Self`",
        );
    }
    if let Some(asyncness) = &sig.asyncness {
        errors.error_at(
            asyncness,
            "`init` cannot be `async`: do async set-up in `start`",
        );
    }
    if is_generic(&sig.generics) {
        errors.error_at(
            &sig.generics,
            "`init` cannot be generic: write `fn init(args: Term) -> Self`",
        );
    }
    match init.params.len() {
        1 => {}
        0 => errors.error_at(
            &sig.ident,
            "`init` takes the spawn arguments: write `fn init(args: Term) -> Self`",
        ),
        _ => errors.error_at(
            init.params[1],
            "`init` takes one parameter: write `fn init(args: Term) -> Self`",
        ),
    }
    if let syn::ReturnType::Default = sig.output {
        errors.error_at(
            &sig.ident,
            "`init` returns the new actor: write `fn init(args: Term) -> Self`",
        );
    }
}

/// The item under `#[actor::test]`, if it is a function.
pub(crate) fn test_item<'a>(item: &'a Item, errors: &mut Errors) -> Option<&'a ItemFn> {
    let (keyword, ident, what) = match item {
        Item::Fn(f) => return Some(f),
        Item::Struct(s) => (s.struct_token.to_token_stream(), &s.ident, "a struct"),
        Item::Enum(e) => (e.enum_token.to_token_stream(), &e.ident, "an enum"),
        Item::Union(u) => (u.union_token.to_token_stream(), &u.ident, "a union"),
        Item::Trait(t) => (t.trait_token.to_token_stream(), &t.ident, "a trait"),
        Item::Mod(m) => (m.mod_token.to_token_stream(), &m.ident, "a module"),
        Item::Const(c) => (c.const_token.to_token_stream(), &c.ident, "a constant"),
        Item::Static(s) => (s.static_token.to_token_stream(), &s.ident, "a static"),
        _ => {
            errors.error_at(
                item,
                "`#[actor::test]` goes on a test function: write `#[actor::test] fn name() { … }`",
            );
            return None;
        }
    };
    errors.error_at(
        quote::quote!(#keyword #ident),
        format!(
            "`#[actor::test]` goes on a test function, not on {what}: \
             write `#[actor::test] fn name() {{ … }}`"
        ),
    );
    None
}

/// `#[test]`, `#[tokio::test]` and the like: another test attribute.
pub(crate) fn is_test_attribute(attr: &syn::Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|seg| seg.ident == "test")
}

/// An `#[actor::test]` function: a plain `fn` or `async fn` without
/// parameters or generics, and no other test attribute.
pub(crate) fn test_fn(func: &ItemFn, errors: &mut Errors) {
    let sig = &func.sig;
    for attr in func.attrs.iter().filter(|attr| is_test_attribute(attr)) {
        errors.error_at(
            attr,
            format!(
                "`#[actor::test]` makes the function a test already: remove `#[{}]`",
                attr.path().to_token_stream().to_string().replace(' ', "")
            ),
        );
    }
    if let Some(constness) = &sig.constness {
        errors.error_at(
            constness,
            "an `#[actor::test]` function cannot be `const`: write `fn` or `async fn`",
        );
    }
    if let Some(unsafety) = &sig.unsafety {
        errors.error_at(
            unsafety,
            "an `#[actor::test]` function cannot be `unsafe`: put the unsafe code in an \
             `unsafe { … }` block",
        );
    }
    if let Some(abi) = &sig.abi {
        errors.error_at(
            abi,
            "an `#[actor::test]` function cannot be `extern`: write `fn` or `async fn`",
        );
    }
    if is_generic(&sig.generics) {
        errors.error_at(
            &sig.generics,
            "an `#[actor::test]` function cannot be generic: a test is one concrete function",
        );
    }
    if !sig.inputs.is_empty() || sig.variadic.is_some() {
        errors.error_at(
            &sig.inputs,
            "a test takes no parameters: write `fn name()`, and make what it needs in its body",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(item: Item) -> Vec<String> {
        let mut errors = Errors::default();
        if let Some(imp) = super::item(&item, &mut errors) {
            actor(&ActorImpl::from_syn(imp), &mut errors);
        }
        errors.messages()
    }

    #[test]
    fn a_good_impl_passes() {
        let e = check(syn::parse_quote! {
            impl A {
                fn start(&mut self) -> Result<(), String> { Ok(()) }
                async fn stop(&mut self, reason: Term) {}
                fn init(args: Term) -> Self { A }
                fn std(&mut self, msg: Message) {}
                async fn info(&mut self, r: Option<Ref>, p: Pid, t: Term, m: Message, x: Point, y: u8) -> Term { t }
                fn helper(self, x: &str) {}
            }
        });
        assert!(e.is_empty(), "{e:?}");
    }

    #[test]
    fn every_mistake_is_reported() {
        let e = check(syn::parse_quote! {
            impl A {
                fn start(&mut self, x: u8) {}
                fn stop(&self, a: Term, b: Term) {}
                fn init(&self) {}
                fn std(self, a: Message, b: Message) {}
                fn info<T>(&mut self, t: &Term, u: impl Sized, r: Ref) {}
                unsafe fn err(self: Box<Self>) {}
                fn death() {}
            }
        });
        let expected = [
            "`start` takes no parameters",
            "`stop` takes `&self`",
            "`stop` takes the exit reason only",
            "`init` builds the actor",
            "`init` takes the spawn arguments",
            "`init` returns the new actor",
            "handler `std` takes `self` by value",
            "a second `Message` parameter",
            "handler `info` cannot be generic",
            "handler parameters are owned values: write `Term`",
            "a handler parameter cannot be `impl Trait`",
            "a message carries a `Ref` only when it is a call",
            "handler `err` takes `&mut self`, not a typed `self`",
            "handler `err` cannot be `unsafe`",
            "handler `death` needs a receiver",
        ];
        assert_eq!(e.len(), expected.len(), "{e:#?}");
        for (got, want) in e.iter().zip(expected) {
            assert!(
                got.starts_with(want),
                "{got:?} does not start with {want:?}"
            );
        }
    }

    fn check_test(item: Item) -> Vec<String> {
        let mut errors = Errors::default();
        if let Some(func) = test_item(&item, &mut errors) {
            test_fn(func, &mut errors);
        }
        errors.messages()
    }

    #[test]
    fn test_functions() {
        assert!(check_test(syn::parse_quote!(
            fn a() {}
        ))
        .is_empty());
        assert!(check_test(syn::parse_quote!(
            #[should_panic]
            async fn a() -> Result<(), String> {
                Ok(())
            }
        ))
        .is_empty());
        let e = check_test(syn::parse_quote!(
            #[tokio::test]
            const unsafe extern "C" fn a<T>(x: T) {}
        ));
        let expected = [
            "`#[actor::test]` makes the function a test already: remove `#[tokio::test]`",
            "an `#[actor::test]` function cannot be `const`",
            "an `#[actor::test]` function cannot be `unsafe`",
            "an `#[actor::test]` function cannot be `extern`",
            "an `#[actor::test]` function cannot be generic",
            "a test takes no parameters",
        ];
        assert_eq!(e.len(), expected.len(), "{e:#?}");
        for (got, want) in e.iter().zip(expected) {
            assert!(
                got.starts_with(want),
                "{got:?} does not start with {want:?}"
            );
        }
        assert!(check_test(syn::parse_quote!(
            struct A;
        ))[0]
            .contains("not on a struct"));
        assert!(check_test(syn::parse_quote!(impl A {}))[0].contains("goes on a test function"));
    }

    #[test]
    fn wrong_items() {
        assert!(check(syn::parse_quote!(
            struct A;
        ))[0]
            .contains("not on a struct"));
        assert!(check(syn::parse_quote!(
            fn a() {}
        ))[0]
            .contains("not on a function"));
        assert!(check(syn::parse_quote!(
            trait T {}
        ))[0]
            .contains("not on a trait"));
        assert!(check(syn::parse_quote!(impl T for A {}))[0].contains("not a trait impl"));
        assert!(check(syn::parse_quote!(
            impl<T> A<T> {}
        ))[0]
            .contains("generic impls"));
        assert!(check(syn::parse_quote!(impl A<u8> {})).is_empty());
    }
}
