%% Writes the seed corpus of the fuzz targets (fuzz/seeds/decode_frame and
%% fuzz/seeds/decode_term): what an OTP node puts on the wire, made by OTP
%% itself. `cargo fuzz` starts from it, and the stable mutation test
%% (tests/dist.rs) runs it. Run from the repository root:
%%
%%   erlc -o /tmp tests/erlang/fuzz_corpus.erl
%%   erl -noshell -sname corpus -pa /tmp -eval 'fuzz_corpus:write("fuzz/seeds"), halt().'
%%
%% (A distributed node, so the pids, refs and ports in the seeds carry a
%% node name as they do on the wire.)
-module(fuzz_corpus).
-export([write/1]).

write(Dir) ->
    Terms = terms(),
    Frames = frames(),
    TermDir = filename:join(Dir, "decode_term"),
    FrameDir = filename:join(Dir, "decode_frame"),
    ok = filelib:ensure_dir(filename:join(TermDir, "x")),
    ok = filelib:ensure_dir(filename:join(FrameDir, "x")),
    put_all(TermDir, [{Name, term_to_binary(T)} || {Name, T} <- Terms]),
    put_all(FrameDir, Frames),
    io:format("~p terms, ~p frames~n", [length(Terms), length(Frames)]).

put_all(Dir, Files) ->
    [ok = file:write_file(filename:join(Dir, Name), Bin) || {Name, Bin} <- Files],
    ok.

terms() ->
    X = 7,
    [{"atoms", {ok, 'EXIT', 'é', true, undefined, ''}},
     {"integers", [0, 255, 256, -1, 1 bsl 31, -(1 bsl 31), 1 bsl 63, 1 bsl 100, -(1 bsl 300)]},
     {"floats", [0.0, -0.0, 1.5, 1.0e300, -2.5e-300]},
     {"binaries", {<<>>, <<"héllo">>, <<255, 0>>, <<1, 2:3>>, <<1:1>>}},
     {"lists", {[], "abc", [1, [2, [3]]], [a | b], [a, b | <<"t">>]}},
     {"map", #{a => 1, "k" => [x], {t} => #{}}},
     {"ids", {self(), make_ref(), hd(erlang:ports())}},
     {"funs", {fun erlang:node/0, fun(Y) -> X + Y end}},
     {"alias_tag", [alias | make_ref()]},
     {"gen_call", {'$gen_call', {self(), [alias | make_ref()]}, {is_auth, node()}}},
     {"system", {system, {self(), [alias | make_ref()]}, get_state}},
     {"large_tuple", list_to_tuple(lists:seq(1, 300))},
     {"deep", lists:foldl(fun(_, T) -> {T} end, ok, lists:seq(1, 50))}].

%% Frames as they follow the length prefix: 112, the control message, and
%% the payload where there is one.
frames() ->
    Me = self(),
    R = make_ref(),
    Alias = [alias | make_ref()],
    F = fun(Ctrl) -> <<112, (term_to_binary(Ctrl))/binary>> end,
    P = fun(Ctrl, Payload) -> <<(F(Ctrl))/binary, (term_to_binary(Payload))/binary>> end,
    Fun = fun() -> ok end,
    [{"link", F({1, Me, Me})},
     {"send", P({2, '', Me}, hello)},
     {"exit", F({3, Me, Me, {shutdown, x}})},
     {"unlink", F({4, Me, Me})},
     {"reg_send_ping", P({6, Me, '', net_kernel}, {'$gen_call', {Me, Alias}, {is_auth, node()}})},
     {"reg_send_rex", P({6, Me, '', rex}, {'$gen_call', {Me, {R, node()}}, {call, m, f, [1], Me}})},
     {"reg_send_global", P({6, Me, '', global_name_server},
                           {'$gen_cast', {init_connect, {8, -5}, node(), {locker, no_longer_a_pid, #{}, Me}}})},
     {"exit2", F({8, Me, Me, kill})},
     {"send_tt", P({12, '', Me, token}, hello)},
     {"monitor_p", F({19, Me, rex, R})},
     {"demonitor_p", F({20, Me, Me, R})},
     {"monitor_p_exit", F({21, Me, Me, R, noproc})},
     {"send_sender", P({22, Me, Me}, {'$gen_cast', {x, 1 bsl 70}})},
     {"payload_exit", P({24, Me, Me}, {Fun, [a | b], <<1:3>>})},
     {"payload_exit2", P({26, Me, Me}, {badarg, [{m, f, 1, []}]})},
     {"payload_monitor_exit", P({28, Me, Me, R}, {R, return, 5})},
     {"spawn_request_erpc", P({29, R, Me, Me, {erpc, execute_call, 4}, [monitor, {reply, error_only}]},
                              [R, erlang, node, []])},
     {"spawn_request_fun", P({29, R, Me, Me, {erlang, apply, 2}, [link]}, [Fun, []])},
     {"spawn_reply", F({31, R, Me, 3, Me})},
     {"alias_send", P({33, Me, R}, {Alias, reply})},
     {"unlink_id", F({35, 1 bsl 40, Me, Me})},
     {"unlink_id_ack", F({36, 7, Me, Me})}].
