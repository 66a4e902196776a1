%% The Erlang side of the interop tests and of `examples/erlang_interop.rs`:
%% a gen_server registered as `echo` plus helpers that exercise links,
%% monitors, exits and spawns against Rust processes.
-module(dist_peer).
-behaviour(gen_server).

-export([start/0, start/1, waiter/0, init/1, handle_call/3, handle_cast/2, handle_info/2]).

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
handle_call(Req, _From, S) ->
    {reply, Req, S}.

handle_cast(_Msg, S) -> {noreply, S}.
handle_info(_Msg, S) -> {noreply, S}.

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
