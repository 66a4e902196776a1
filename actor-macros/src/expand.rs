//! Code generation for `#[actor]`, `msg!`, `#[actor::test]`,
//! `assert_receive!` and `refute_receive!`. Once validation passed,
//! nothing here can fail.
//!
//! Generated code names everything by absolute path through
//! `$krate::__private` and puts user-facing checks at the user's spans, so a
//! failed trait bound points at their parameter or return type.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Ident, Item, ItemImpl, Path};

use crate::ast::{is_generic, ActorImpl, Extractor, Handler, Method, Ret};
use crate::attr::Options;
use crate::errors::Errors;
use crate::kind;
use crate::msg::{Data, Map, Msg, Op, Value};
use crate::receive::Receive;
use crate::valid;

/// The attribute's item; on a parse error, the input unchanged and every
/// error so far (the attribute's own included), as the expansion.
fn parse_item(input: TokenStream, errors: &mut Errors) -> Result<Item, TokenStream> {
    match syn::parse2(input.clone()) {
        Ok(item) => Ok(item),
        Err(err) => {
            errors.push(err);
            let errors = errors.to_compile_errors();
            Err(quote!(#input #errors))
        }
    }
}

/// `#[actor]`: the user's impl, then `Actor`, `IntoSpawn` and the
/// registration; or, on errors, the user's impl, a do-nothing `Actor` impl
/// (so uses of the type elsewhere still type-check) and the errors.
pub(crate) fn actor(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let options = Options::parse(args, &mut errors);
    let item = match parse_item(input, &mut errors) {
        Ok(item) => item,
        Err(out) => return out,
    };
    let Some(imp) = valid::item(&item, &mut errors) else {
        let errors = errors.to_compile_errors();
        return quote!(#item #errors);
    };
    let mut imp = imp.clone();
    if let Some(krate) = &options.krate {
        InjectCrate(krate).visit_item_impl_mut(&mut imp);
    }
    allow_dictated_lints(&mut imp);
    let actor = ActorImpl::from_syn(&imp);
    valid::actor(&actor, &mut errors);
    let krate = options.krate();
    if !errors.is_empty() {
        let fallback = fallback(&actor, &krate);
        let errors = errors.to_compile_errors();
        return quote!(#imp #fallback #errors);
    }
    generate(&actor, &options, &krate)
}

fn generate(actor: &ActorImpl, options: &Options, krate: &TokenStream) -> TokenStream {
    let p = quote!(#krate::__private);
    let imp = actor.item;
    let self_ty = &imp.self_ty;
    let trap_exit = actor.traps_exits();
    let start = actor.start.as_ref().map(|m| start(m, &p));
    let stop = actor.stop.as_ref().map(|m| stop(m, &p));
    let arms = actor.handlers.iter().map(|h| arm(h, &p, false));
    let dispatch = if actor.handlers.is_empty() {
        quote!(#p::unhandled::<Self>(msg))
    } else {
        quote! {
            match msg.kind {
                #(#arms)*
                _ => #p::unhandled::<Self>(msg),
            }
        }
    };
    // The synchronous handlers run inline, without a future; the kinds an
    // `async` handler takes go back to `handle`.
    let now_arms = actor.handlers.iter().map(|h| {
        if h.method.is_async() {
            let variant = Ident::new(h.variant, h.method.func.sig.ident.span());
            quote!(#p::Kind::#variant => ::core::result::Result::Err(msg),)
        } else {
            arm(h, &p, true)
        }
    });
    let dispatch_now = quote! {
        match msg.kind {
            #(#now_arms)*
            _ => {
                #p::unhandled::<Self>(msg);
                ::core::result::Result::Ok(())
            }
        }
    };
    let name = match &options.name {
        Some(name) => name.to_token_stream(),
        // Validation made sure the type has a name.
        None => valid::type_name(self_ty)
            .unwrap_or_default()
            .to_token_stream(),
    };
    let spawn = match &actor.init {
        Some(init) => {
            let ident = &init.func.sig.ident;
            // Validation made sure there is one parameter; a type mismatch
            // is reported at its type.
            let args = match init.params.first() {
                Some(param) => quote_spanned!(param.ty.span()=> args),
                None => quote!(args),
            };
            quote!(|args, opts| {
                let actor = #p::build_actor(|| <#self_ty>::#ident(#args))?;
                ::core::result::Result::Ok(#p::spawn_actor(actor, opts))
            })
        }
        // `Default` when the type has it; else spawnable by value only.
        None => quote! {
            |args, opts| {
                #[allow(unused_imports)]
                use #p::{ByDefault as _, ByValueOnly as _};
                #[allow(clippy::needless_borrow)]
                (&&#p::ByName::<#self_ty>::new()).spawn(#name, args, opts)
            }
        },
    };
    let into_spawn = into_spawn(self_ty, &p);
    quote! {
        #imp

        impl #p::Actor for #self_ty {
            const TRAP_EXIT: bool = #trap_exit;

            #start

            fn handle(
                &mut self,
                msg: #p::Message,
            ) -> impl ::core::future::Future<Output = ()> + ::core::marker::Send {
                async move { #dispatch }
            }

            fn handle_now(
                &mut self,
                msg: #p::Message,
            ) -> ::core::result::Result<(), #p::Message> {
                #dispatch_now
            }

            #stop

            fn debug_state(&self) -> ::core::option::Option<::std::string::String> {
                #[allow(unused_imports)]
                use #p::{DebugState as _, NoDebugState as _};
                (&#p::StateOf(self)).debug_state()
            }
        }

        #into_spawn

        #p::inventory::submit! {
            #p::Registration {
                name: #name,
                module: ::core::module_path!(),
                spawn: #spawn,
            }
        }
    }
}

fn into_spawn(self_ty: &syn::Type, p: &TokenStream) -> TokenStream {
    quote! {
        impl #p::IntoSpawn for #self_ty {
            fn into_spawn(
                self,
                opts: #p::SpawnOpts,
            ) -> ::core::result::Result<
                (#p::Pid, ::core::option::Option<#p::Ref>),
                #p::SpawnError,
            > {
                ::core::result::Result::Ok(#p::spawn_actor(self, opts))
            }
        }
    }
}

/// What is emitted beside the errors: an `Actor` impl that handles nothing,
/// so `spawn(Type::default())` elsewhere raises no second error.
fn fallback(actor: &ActorImpl, krate: &TokenStream) -> TokenStream {
    let imp = actor.item;
    if is_generic(&imp.generics) || valid::type_name(&imp.self_ty).is_none() {
        return TokenStream::new();
    }
    let p = quote!(#krate::__private);
    let self_ty = &imp.self_ty;
    let into_spawn = into_spawn(self_ty, &p);
    quote! {
        impl #p::Actor for #self_ty {
            fn handle(
                &mut self,
                msg: #p::Message,
            ) -> impl ::core::future::Future<Output = ()> + ::core::marker::Send {
                async move { #p::unhandled::<Self>(msg) }
            }
        }

        #into_spawn
    }
}

fn call(method: &Method, args: TokenStream) -> TokenStream {
    let ident = &method.func.sig.ident;
    let call = quote!(Self::#ident(self, #args));
    match method.is_async() {
        true => quote!(#call.await),
        false => call,
    }
}

/// The span checks about a method's result are reported at: its return
/// type, or its name when it has none.
fn output_span(method: &Method) -> Span {
    match &method.func.sig.output {
        syn::ReturnType::Type(_, ty) => ty.span(),
        syn::ReturnType::Default => method.func.sig.ident.span(),
    }
}

fn start(method: &Method, p: &TokenStream) -> TokenStream {
    let call = call(method, TokenStream::new());
    let result = returned(output_span(method));
    let result = quote!({
        let #result = #call;
        #p::start_result(#result)
    });
    quote! {
        fn start(
            &mut self,
        ) -> impl ::core::future::Future<
            Output = ::core::result::Result<(), #p::Term>,
        > + ::core::marker::Send {
            async move { #result }
        }
    }
}

fn stop(method: &Method, p: &TokenStream) -> TokenStream {
    let (param, args) = match method.params.first() {
        Some(reason) => {
            let arg = quote_spanned!(reason.ty.span()=> reason);
            (quote!(reason), arg)
        }
        None => (quote!(_reason), TokenStream::new()),
    };
    let call = call(method, args);
    let result = returned(output_span(method));
    let result = quote!({
        let #result = #call;
        #p::stop_result(#result)
    });
    quote! {
        fn stop(
            &mut self,
            #param: #p::Term,
        ) -> impl ::core::future::Future<Output = ()> + ::core::marker::Send {
            async move { #result }
        }
    }
}

/// The local a method's result is bound to, spanned at its return type so
/// a failed bound on the result is reported there.
fn returned(span: Span) -> Ident {
    Ident::new("__returned", span)
}

/// One `match` arm of `handle` (or of `handle_now` when `now`, whose arms
/// return `Ok(())`): extract the parameters, call the handler, reply.
///
/// Copies (`Pid`, `Option<Ref>`) and decodes (which borrow the data) come
/// first, then the data, then the message: the data moves out unless the
/// handler also takes the whole message, and the message moves last, so a
/// handler taking just a `Message` or just a `Term` clones nothing.
fn arm(handler: &Handler, p: &TokenStream, now: bool) -> TokenStream {
    let variant = Ident::new(handler.variant, handler.method.func.sig.ident.span());
    let kind = quote!(#p::Kind::#variant);
    let replies = !matches!(handler.ret, Ret::Unit);
    let decodes = handler
        .params
        .iter()
        .any(|p| p.extractor == Extractor::Decode);
    let takes_message = handler
        .params
        .iter()
        .any(|p| p.extractor == Extractor::Message);

    let mut lets = Vec::new();
    if replies || decodes {
        lets.push(quote! {
            let __from = msg.from;
            let __reference = msg.reference;
        });
    }
    let args: Vec<Ident> = (0..handler.params.len())
        .map(|i| format_ident!("__arg{}", i))
        .collect();
    for order in [
        Extractor::Pid,
        Extractor::Ref,
        Extractor::Decode,
        Extractor::Term,
        Extractor::Message,
    ] {
        for (param, arg) in handler.params.iter().zip(&args) {
            if param.extractor != order {
                continue;
            }
            lets.push(match order {
                Extractor::Pid => quote!(let #arg = msg.from;),
                Extractor::Ref => quote!(let #arg = msg.reference;),
                Extractor::Decode => {
                    let ty = param.ty;
                    let decode = quote_spanned!(ty.span()=> #p::decode::<#ty>(&msg.data));
                    let failed =
                        quote!(#p::decode_failed::<Self>(#kind, __from, __reference, error));
                    let failed = if now {
                        quote!(::core::result::Result::Ok(#failed))
                    } else {
                        failed
                    };
                    quote! {
                        let #arg = match #decode {
                            ::core::result::Result::Ok(value) => value,
                            ::core::result::Result::Err(error) => {
                                return #failed;
                            }
                        };
                    }
                }
                Extractor::Term if takes_message => {
                    quote!(let #arg = ::core::clone::Clone::clone(&msg.data);)
                }
                Extractor::Term => quote!(let #arg = msg.data;),
                Extractor::Message => quote!(let #arg = msg;),
            });
        }
    }

    let call = call(&handler.method, quote!(#(#args),*));
    let body = match &handler.ret {
        Ret::Unit => quote!(#call;),
        Ret::Value(ty) => {
            let result = returned(ty.span());
            let value = reply_value(&result, ty.span(), p);
            quote! {
                let #result = #call;
                #p::reply(__from, #kind, __reference, #value);
            }
        }
        Ret::Result { ty, ok_unit } => {
            let result = returned(ty.span());
            let ok = Ident::new("__ok", ty.span());
            let err = Ident::new("__err", ty.span());
            let error = error_value(&err, ty.span(), p);
            let on_ok = if *ok_unit {
                quote!(::core::result::Result::Ok(()) => {})
            } else {
                let value = reply_value(&ok, ty.span(), p);
                quote!(::core::result::Result::Ok(#ok) => #p::reply(__from, #kind, __reference, #value),)
            };
            quote! {
                let #result = #call;
                match #result {
                    #on_ok
                    ::core::result::Result::Err(#err) => {
                        #p::reply_err(__from, __reference, #error)
                    }
                }
            }
        }
    };
    let done = now.then(|| quote!(::core::result::Result::Ok(())));
    quote! {
        #kind => {
            #(#lets)*
            #body
            #done
        }
    }
}

/// The conversion of a handler's value into its reply's data, picked by
/// what its type implements (see `__private::Reply`), spanned at `span`.
fn reply_value(value: &Ident, span: Span, p: &TokenStream) -> TokenStream {
    quote_spanned! {span=> {
        #[allow(unused_imports)]
        use #p::{ViaAliasedResult as _, ViaFrom as _, ViaSerialize as _};
        // Locals, not tail temporaries: those would live to the end of the
        // enclosing statement, across an await, and the wrapper is not
        // `Sync`.
        let __wrapped = #p::Reply::new(#value);
        #[allow(clippy::let_and_return, clippy::needless_borrow)]
        let __converted = (&&&__wrapped).convert();
        __converted
    }}
}

/// The conversion of a handler's error into its `err` reply's data.
fn error_value(error: &Ident, span: Span, p: &TokenStream) -> TokenStream {
    quote_spanned! {span=> {
        #[allow(unused_imports)]
        use #p::{ErrorViaDisplay as _, ErrorViaFrom as _};
        let __wrapped = #p::Error::new(#error);
        #[allow(clippy::let_and_return, clippy::needless_borrow)]
        let __converted = (&&__wrapped).convert();
        __converted
    }}
}

/// The conversion of `msg!` data into a term, spanned at the expression.
fn data_value(expr: &syn::Expr, p: &TokenStream) -> TokenStream {
    quote_spanned! {expr.span()=> {
        #[allow(unused_imports)]
        use #p::{ViaFrom as _, ViaSerialize as _};
        let __wrapped = #p::Data::new(#expr);
        #[allow(clippy::let_and_return, clippy::needless_borrow)]
        let __converted = (&&__wrapped).convert();
        __converted
    }}
}

/// Recognised methods have the signature the macro dictates: `&mut self`
/// even when the body does not use it, parameters by value. Lints that
/// suggest another signature are silenced on them, and only on them.
fn allow_dictated_lints(imp: &mut ItemImpl) {
    for item in &mut imp.items {
        if let syn::ImplItem::Fn(func) = item {
            let name = func.sig.ident.to_string();
            let recognised = ["start", "stop", "init"].contains(&name.as_str())
                || kind::HANDLER_KINDS.iter().any(|(k, _)| *k == name);
            if recognised {
                func.attrs.push(syn::parse_quote!(
                    #[allow(clippy::unused_self, clippy::needless_pass_by_value)]
                ));
            }
        }
    }
}

/// Puts `crate = path;` in front of every `msg!` inside an
/// `#[actor(crate = path)]` impl, so the runtime's own actors can write
/// plain `msg!`.
struct InjectCrate<'a>(&'a Path);

impl VisitMut for InjectCrate<'_> {
    fn visit_macro_mut(&mut self, mac: &mut syn::Macro) {
        let is_msg = mac.path.segments.last().is_some_and(|s| s.ident == "msg");
        let has_crate = matches!(
            mac.tokens.clone().into_iter().next(),
            Some(proc_macro2::TokenTree::Ident(i)) if i == "crate"
        );
        if is_msg && !has_crate {
            let path = self.0;
            let tokens = &mac.tokens;
            mac.tokens = quote!(crate = #path; #tokens);
        }
    }
}

/// `msg!`: one call to `send` (`>`) or `call` (`>>`); on errors, the errors
/// in an expression of any type.
pub(crate) fn msg(input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let msg = Msg::parse(input, &mut errors);
    let msg = match msg {
        Some(msg) if errors.is_empty() => msg,
        _ => {
            let errors = errors.to_compile_errors();
            return quote!({ #errors loop {} });
        }
    };
    let krate = match &msg.krate {
        Some(path) => path.to_token_stream(),
        None => quote!(::actor),
    };
    let p = quote!(#krate::__private);
    let variant = Ident::new(msg.variant, msg.kind.span());
    let kind = quote!(#p::Kind::#variant);
    let data = match &msg.data {
        Data::None => quote!(::core::result::Result::Ok(#p::Term::map())),
        Data::Map(map) => map_literal(map, &p),
        Data::Expr(expr) => data_value(expr, &p),
    };
    let reference = match &msg.reference {
        Some(expr) => quote!(#p::into_ref(#expr)),
        None => quote!(::core::option::Option::None),
    };
    let target = &msg.target;
    let function = match msg.op {
        Op::Send => quote!(send_data),
        Op::Call => quote!(call),
    };
    quote!(#p::#function(#target, #kind, #data, #reference))
}

fn map_literal(map: &Map, p: &TokenStream) -> TokenStream {
    let entries = map.entries.iter().map(|entry| {
        let key = &entry.key;
        let value = match &entry.value {
            Value::Map(map) => map_literal(map, p),
            Value::Expr(expr) => data_value(expr, p),
        };
        quote!((#key, #value))
    });
    quote_spanned!(map.brace.span.join()=> #p::map([#(#entries),*]))
}

/// `#[actor::test]`: a `#[test]` function that runs the user's body, kept
/// as an inner function with the user's signature (so `return`, `?` and
/// the return type mean what they meant), as a fresh process. On errors,
/// the user's function unchanged, and the errors.
pub(crate) fn test(args: TokenStream, input: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let options = Options::parse_test(args, &mut errors);
    let item = match parse_item(input, &mut errors) {
        Ok(item) => item,
        Err(out) => return out,
    };
    let Some(func) = valid::test_item(&item, &mut errors) else {
        let errors = errors.to_compile_errors();
        return quote!(#item #errors);
    };
    valid::test_fn(func, &mut errors);
    if !errors.is_empty() {
        // The function as written, without the other test attributes
        // reported above, which would only add errors of their own.
        let mut func = func.clone();
        func.attrs.retain(|attr| !valid::is_test_attribute(attr));
        let errors = errors.to_compile_errors();
        return quote!(#func #errors);
    }
    let p = {
        let krate = options.krate();
        quote!(#krate::__private)
    };
    let syn::ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = func;
    let ident = &sig.ident;
    let output = &sig.output;
    let body = Ident::new("__actor_test_body", Span::call_site());
    // A result that cannot cross threads is reported at the return type.
    let at = match output {
        syn::ReturnType::Type(_, ty) => ty.span(),
        syn::ReturnType::Default => ident.span(),
    };
    let run = match &sig.asyncness {
        Some(_) => respan(quote!(#p::run_async_test(#body)), at),
        None => respan(quote!(#p::run_test(#body)), at),
    };
    let asyncness = &sig.asyncness;
    // `#![…]` at the top of the body stays there.
    let (inner, outer): (Vec<_>, Vec<_>) = attrs
        .iter()
        .partition(|attr| matches!(attr.style, syn::AttrStyle::Inner(_)));
    let stmts = &block.stmts;
    quote! {
        #(#outer)*
        #[::core::prelude::v1::test]
        #vis fn #ident() #output {
            #asyncness fn #body() #output {
                #(#inner)*
                #(#stmts)*
            }
            #run
        }
    }
}

/// `tokens` with every span set to `span`: a call that names the runtime
/// through `$krate`, reported at the user's tokens.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let TokenTree::Group(g) = &tt {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), span));
                group.set_span(span);
                tt = TokenTree::Group(group);
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}

/// `assert_receive!` (`refute` false) and `refute_receive!`: a selective
/// receive with the pattern as its predicate, then the message or the
/// failure.
pub(crate) fn receive(input: TokenStream, refute: bool) -> TokenStream {
    let name = if refute {
        "refute_receive"
    } else {
        "assert_receive"
    };
    let mut errors = Errors::default();
    let receive = match Receive::parse(input, name, &mut errors) {
        Some(receive) if errors.is_empty() => receive,
        _ => {
            let errors = errors.to_compile_errors();
            return quote!({ #errors loop {} });
        }
    };
    let krate = match &receive.krate {
        Some(path) => path.to_token_stream(),
        None => quote!(::actor),
    };
    let p = quote!(#krate::__private);
    let pat = &receive.pat;
    let guard = receive
        .guard
        .as_ref()
        .map(|(if_token, cond)| quote!(#if_token #cond));
    let text = as_written(receive.written.clone());
    // The pattern's own names are the user's; these are the macro's.
    let m = Ident::new("message", Span::mixed_site());
    let t = Ident::new("timeout", Span::mixed_site());
    let timeout = match &receive.timeout {
        Some(expr) => quote_spanned!(expr.span()=> #expr),
        None => quote!(#p::DEFAULT_RECEIVE_TIMEOUT),
    };
    // `match &msg` as DESIGN has it: the pattern meets a `&Message`.
    let matches = quote! {
        |#m: &#p::Message| match #m {
            #[allow(unused_variables)]
            #pat #guard => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    };
    if refute {
        quote! {{
            let #t: ::core::time::Duration = #timeout;
            if let ::core::option::Option::Some(#m) = #p::receive_match_timeout(#matches, #t) {
                #p::unexpected_message(#text, #t, &#m);
            }
        }}
    } else {
        quote! {{
            let #t: ::core::time::Duration = #timeout;
            match #p::receive_match_timeout(#matches, #t) {
                ::core::option::Option::Some(#m) => #m,
                ::core::option::Option::None => #p::no_message(#text, #t),
            }
        }}
    }
}

/// The tokens as the user wrote them, on one line, for messages: the gaps
/// between tokens on a line are kept, a line break is one space. Where the
/// tokens have no positions, their plain rendering.
fn as_written(tokens: TokenStream) -> String {
    fn flatten(tokens: TokenStream, pieces: &mut Vec<(String, Span, Span)>) {
        for tt in tokens {
            match tt {
                TokenTree::Group(g) => {
                    let (open, close) = match g.delimiter() {
                        Delimiter::Parenthesis => ("(", ")"),
                        Delimiter::Brace => ("{", "}"),
                        Delimiter::Bracket => ("[", "]"),
                        Delimiter::None => {
                            flatten(g.stream(), pieces);
                            continue;
                        }
                    };
                    pieces.push((open.into(), g.span_open(), g.span_open()));
                    flatten(g.stream(), pieces);
                    pieces.push((close.into(), g.span_close(), g.span_close()));
                }
                tt => pieces.push((tt.to_string(), tt.span(), tt.span())),
            }
        }
    }
    let mut pieces = Vec::new();
    flatten(tokens.clone(), &mut pieces);
    if pieces.iter().all(|(_, a, b)| a.start() == b.end()) {
        return tokens.to_string();
    }
    let mut text = String::new();
    let mut last: Option<proc_macro2::LineColumn> = None;
    for (piece, first, end) in pieces {
        let start = first.start();
        match last {
            Some(prev) if prev.line == start.line && prev.column <= start.column => {
                text.extend(std::iter::repeat_n(' ', start.column - prev.column));
            }
            Some(_) => text.push(' '),
            None => {}
        }
        text.push_str(&piece);
        last = Some(end.end());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_as_written() {
        let tokens: TokenStream =
            "Message { kind: Kind::Info,\n  ref data, .. }   if data[\"n\"] == 1"
                .parse()
                .expect("tokens");
        assert_eq!(
            as_written(tokens),
            "Message { kind: Kind::Info, ref data, .. }   if data[\"n\"] == 1"
        );
        let tokens = quote!(Message { from, .. } if *from == p);
        assert_eq!(as_written(tokens), "Message { from , .. } if * from == p");
    }
}
