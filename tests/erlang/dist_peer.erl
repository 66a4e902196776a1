%% The Erlang side of the interop tests and of `examples/erlang_interop.rs`:
%% a gen_server registered as `echo` plus helpers that exercise links,
%% monitors, exits and spawns against Rust processes.
-module(dist_peer).
-behaviour(gen_server).

-export([start/0, start/1, waiter/0, counter/2, init/1, handle_call/3, handle_cast/2,
         handle_info/2]).

%% Starts `echo` and keeps the node alive until stdin closes (the test that
%% started us ended) or `Seconds` pass.
start() -> start(300).
start(Seconds) ->
    {ok, _} = gen_server:start({local, echo}, ?MODULE, [], []),
    spawn(fun() -> _ = io:get_line(""), halt() end),
    spawn(fun() -> timer:sleep(Seconds * 1000), halt() end),
    io:format("ready~n"),
    ok.

init([]) -> {ok, #{}}.

%% gen_server:call back into a Rust actor.
handle_call({call_back, Name, Node, Req}, _From, S) ->
    {reply, gen_server:call({Name, Node}, Req, 5000), S};
handle_call({cast_to, Name, Node, Msg}, _From, S) ->
    gen_server:cast({Name, Node}, Msg),
    {reply, ok, S};
handle_call({info_to, Name, Node, Msg}, _From, S) ->
    {Name, Node} ! Msg,
    {reply, ok, S};
handle_call({send_to, Pid, Msg}, _From, S) ->
    Pid ! Msg,
    {reply, ok, S};
handle_call(make_ref, _From, S) ->
    {reply, {make_ref(), self()}, S};
%% A process that links to Pid, traps exits and reports the exit to ReportTo.
handle_call({link_watch, Pid, ReportTo}, _From, S) ->
    W = spawn(fun() ->
                      process_flag(trap_exit, true),
                      link(Pid),
                      ReportTo ! {linked, self()},
                      receive {'EXIT', Pid, R} -> ReportTo ! {exit_seen, Pid, R} end
              end),
    {reply, W, S};
%% A process that monitors Pid and reports the DOWN to ReportTo.
handle_call({monitor_watch, Pid, ReportTo}, _From, S) ->
    W = spawn(fun() ->
                      Ref = monitor(process, Pid),
                      ReportTo ! {monitoring, self()},
                      receive {'DOWN', Ref, process, Pid, R} -> ReportTo ! {down_seen, Pid, R} end
              end),
    {reply, W, S};
handle_call({exit_signal, Pid, Reason}, _From, S) ->
    exit(Pid, Reason),
    {reply, ok, S};
handle_call({spawn_on, Node, Name, Args}, _From, S) ->
    {reply, spawn(Node, Name, start, Args), S};
handle_call({spawn_link_watch, Node, Name, ReportTo}, _From, S) ->
    W = spawn(fun() ->
                      process_flag(trap_exit, true),
                      P = spawn_link(Node, Name, start, []),
                      ReportTo ! {spawned, P},
                      receive {'EXIT', P, R} -> ReportTo ! {exit_seen, P, R} end
              end),
    {reply, W, S};
%% Runs M:F(A...) here, with a deadline: {ok, Result}, {Class, Reason} if
%% it raised, or timeout (a call that hangs is a failure to report, not to
%% wait out).
handle_call({apply, M, F, A, Timeout}, _From, S) ->
    {reply, timed(fun() -> apply(M, F, A) end, Timeout), S};
%% A fresh set of terms Rust has no type for, kept to compare what comes back.
handle_call(make_terms, _From, S) ->
    X = 5,
    Terms = {fun erlang:node/0, fun(Y) -> X + Y end, hd(erlang:ports()),
             1 bsl 100, -(1 bsl 70), [a, b | c], <<1, 2:3>>, make_ref(), self(), 'é'},
    {reply, Terms, S#{terms => Terms}};
handle_call({same_terms, T}, _From, #{terms := Terms} = S) ->
    {reply, T =:= Terms, S};
%% Calls {Name, Node} with the kept terms: whether they came back the same.
handle_call({echo_back, Name, Node}, _From, #{terms := Terms} = S) ->
    {reply, gen_server:call({Name, Node}, Terms, 5000) =:= Terms, S};
%% spawn_monitor/2 of a fun on Node: the pid and how it ended.
handle_call({spawn_fun, Node}, _From, S) ->
    {reply, timed(fun() -> down_of(spawn_monitor(Node, fun() -> ok end)) end, 5000), S};
%% spawn_monitor/4 on Node: the pid and how it ended, or what spawn raised.
handle_call({spawn_down, Node, M, F, A}, _From, S) ->
    {reply, timed(fun() -> down_of(spawn_monitor(Node, M, F, A)) end, 5000), S};
%% spawn_link/4 on Node from a process that traps exits: the exit it gets.
handle_call({spawn_link_exit, Node, M, F, A}, _From, S) ->
    {reply, timed(fun() ->
                          process_flag(trap_exit, true),
                          P = spawn_link(Node, M, F, A),
                          receive {'EXIT', P, R} -> {P, R} end
                  end, 5000), S};
%% A gen_server:call from a fresh process: its result, and what its
%% mailbox holds Wait ms later (a late reply must not be there).
handle_call({call_and_wait, Target, Req, Timeout, Wait}, _From, S) ->
    {reply, timed(fun() ->
                          R = (catch gen_server:call(Target, Req, Timeout)),
                          timer:sleep(Wait),
                          {R, mailbox()}
                  end, Timeout + Wait + 5000), S};
%% As call_and_wait, but the caller reports to ReportTo as soon as its call
%% ended and then waits for Go before collecting its mailbox.
handle_call({call_then_wait, Target, Req, Timeout, ReportTo}, _From, S) ->
    P = spawn(fun() ->
                      R = (catch gen_server:call(Target, Req, Timeout)),
                      ReportTo ! {call_ended, self(), R},
                      receive go -> ok end,
                      timer:sleep(500),
                      ReportTo ! {mailbox, self(), mailbox()}
              end),
    {reply, P, S};
%% A process that takes N messages, then tells ReportTo {counted, N}.
handle_call({counter, N, ReportTo}, _From, S) ->
    {reply, spawn(?MODULE, counter, [N, ReportTo]), S};
%% Sends N messages {n, I} to Target; the time that took, in microseconds.
handle_call({blast, Target, N}, _From, S) ->
    {T, _} = timer:tc(fun() -> [Target ! {n, I} || I <- lists:seq(1, N)] end),
    {reply, T, S};
%% Waits until Node is in nodes() (or Ms pass): true or false.
handle_call({wait_node, Node, Ms}, _From, S) ->
    {reply, wait_node(Node, Ms), S};
%% A term nested N levels deep, {{...{x}...}}; exit(Pid, it); a
%% gen_server:call of {Name, Node} with it (whether it came back the same).
handle_call({deep, N}, _From, S) ->
    {reply, deep(N), S};
handle_call({deep_exit, Pid, N}, _From, S) ->
    exit(Pid, deep(N)),
    {reply, ok, S};
handle_call({deep_call, Name, Node, N}, _From, S) ->
    D = deep(N),
    {reply, timed(fun() -> gen_server:call({Name, Node}, D, 5000) =:= D end, 10000), S};
handle_call(Req, _From, S) ->
    {reply, Req, S}.

deep(N) -> lists:foldl(fun(_, A) -> {A} end, x, lists:seq(1, N)).

%% Every message in the mailbox, taken out, as text (any term prints).
%% (Not process_info(messages), which on OTP 25 leaves out messages that
%% came after a call's receive marker, such as a late reply.)
mailbox() ->
    receive M -> [iolist_to_binary(io_lib:format("~0p", [M])) | mailbox()] after 0 -> [] end.

%% F() in a fresh process, with a deadline.
timed(F, Timeout) ->
    Parent = self(),
    Tag = make_ref(),
    {P, M} = spawn_monitor(fun() ->
                                   R = try {ok, F()} catch C:E -> {C, E} end,
                                   Parent ! {Tag, R}
                           end),
    receive
        {Tag, R} -> demonitor(M, [flush]), R;
        {'DOWN', M, process, P, Why} -> {died, Why}
    after Timeout ->
            exit(P, kill),
            timeout
    end.

%% The pid and the reason it went down with.
down_of({P, Ref}) ->
    receive {'DOWN', Ref, process, P, R} -> {P, R} after 4000 -> {P, still_running} end.

wait_node(Node, Ms) when Ms =< 0 -> lists:member(Node, nodes());
wait_node(Node, Ms) ->
    case lists:member(Node, nodes()) of
        true -> true;
        false -> timer:sleep(50), wait_node(Node, Ms - 50)
    end.

handle_cast(_Msg, S) -> {noreply, S}.
handle_info(_Msg, S) -> {noreply, S}.

counter(0, ReportTo) -> ReportTo ! {counted, self()};
counter(N, ReportTo) -> receive _ -> counter(N - 1, ReportTo) end.

%% A plain process for Rust to spawn, link, monitor and kill.
waiter() ->
    receive
        {die, Reason} -> exit(Reason);
        {'$gen_call', From, {die, Reason}} -> _ = From, exit(Reason);
        {'$gen_call', _From, hang} -> waiter();
        {'$gen_call', From, Req} -> gen:reply(From, {waiter, Req}), waiter();
        {ping, Pid} -> Pid ! {pong, self()}, waiter();
        _ -> waiter()
    end.
