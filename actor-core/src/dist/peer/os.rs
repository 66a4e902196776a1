//! The child OS process of a peer (Linux): spawned from one long-lived
//! thread, with the parent-death signal, in its own mount namespace and
//! under resource limits when asked; reaped by a thread of its own.
//!
//! `PR_SET_PDEATHSIG` fires when the *thread* that forked the child ends,
//! not the process: so every child is forked by the `actor-peer-spawner`
//! thread, which lives as long as the program. The child also watches its
//! stdin (a pipe whose write end only this program holds) and exits at EOF,
//! which covers what the signal cannot (a child that execs a set-uid
//! program, for one).
//!
//! Everything the child does between `fork` and `exec` is a plain system
//! call on memory prepared before the fork: no allocation, no locks.

use std::collections::VecDeque;
use std::ffi::{CString, OsString};
use std::io;
use std::io::{BufRead, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::{Limits, PeerError, Sandbox};
use crate::process::lock;

/// What to run.
pub(crate) struct Spec {
    pub(crate) program: PathBuf,
    pub(crate) args: Vec<OsString>,
    pub(crate) env: Vec<(OsString, OsString)>,
    pub(crate) sandbox: Option<Sandbox>,
    pub(crate) limits: Limits,
}

/// A running (or exited) child, reaped by its own thread. When the last
/// handle goes (the process standing for the peer was killed, say), the
/// child is killed: it never runs on with nobody to answer for it.
pub(crate) struct OsChild(Arc<Shared>);

/// What the reaper thread shares with the handles.
struct Shared {
    pid: u32,
    /// The exit status once reaped: while it is `None` the pid is ours, so
    /// a kill cannot hit a recycled pid.
    status: Mutex<Option<ExitStatus>>,
    exited: Condvar,
    /// The write end of the child's stdin: closing it tells the child to go.
    stdin: Mutex<Option<ChildStdin>>,
    /// The last lines the child wrote to stderr (which is passed on to
    /// this program's stderr), and whether it has closed.
    stderr: Mutex<(VecDeque<String>, bool)>,
}

/// How many of the child's last stderr lines an error quotes.
const STDERR_LINES: usize = 5;

impl OsChild {
    pub(crate) fn id(&self) -> u32 {
        self.0.pid
    }

    /// The exit status, once the child has exited.
    pub(crate) fn status(&self) -> Option<ExitStatus> {
        *lock(&self.0.status)
    }

    /// SIGKILL, unless it has exited already.
    pub(crate) fn kill(&self) {
        self.0.kill();
    }

    /// Waits up to `timeout` for the child to exit.
    pub(crate) fn wait_timeout(&self, timeout: Duration) -> Option<ExitStatus> {
        self.0.wait_timeout(timeout)
    }

    /// The last lines of the child's stderr, once it has closed (waiting
    /// up to `wait` for that: a grandchild may hold it open).
    pub(crate) fn stderr_tail(&self, wait: Duration) -> Vec<String> {
        let deadline = Instant::now() + wait;
        loop {
            {
                let tail = lock(&self.0.stderr);
                if tail.1 || Instant::now() >= deadline {
                    return tail.0.iter().cloned().collect();
                }
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Kills the child and waits until it is reaped.
    pub(crate) fn kill_and_reap(&self) -> ExitStatus {
        loop {
            self.kill();
            if let Some(s) = self.wait_timeout(Duration::from_secs(1)) {
                return s;
            }
        }
    }
}

impl Drop for OsChild {
    fn drop(&mut self) {
        self.0.kill();
    }
}

impl Shared {
    fn kill(&self) {
        let status = lock(&self.status);
        if status.is_none() {
            // SAFETY: a plain system call; the pid is not reaped yet (we hold
            // the lock the reaper takes), so it is still our child.
            unsafe {
                libc::kill(self.pid as libc::pid_t, libc::SIGKILL);
            }
        }
    }

    fn wait_timeout(&self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        let mut status = lock(&self.status);
        loop {
            if let Some(s) = *status {
                return Some(s);
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            status = self
                .exited
                .wait_timeout(status, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Closes the child's stdin.
    fn close_stdin(&self) {
        lock(&self.stdin).take();
    }
}

/// Describes an exit status for people: `exit status 3`, `killed by
/// SIGABRT`.
pub(crate) fn describe(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit status {code}");
    }
    match status.signal() {
        Some(sig) => format!("killed by {}", signal_name(sig)),
        None => status.to_string(),
    }
}

fn signal_name(sig: i32) -> String {
    let name = match sig {
        libc::SIGABRT => "SIGABRT",
        libc::SIGKILL => "SIGKILL",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGBUS => "SIGBUS",
        libc::SIGTERM => "SIGTERM",
        libc::SIGINT => "SIGINT",
        libc::SIGXCPU => "SIGXCPU",
        libc::SIGILL => "SIGILL",
        libc::SIGFPE => "SIGFPE",
        _ => return format!("signal {sig}"),
    };
    name.to_owned()
}

type Job = Box<dyn FnOnce() + Send>;

/// Runs `job` on the spawner thread, which never ends (see the module docs).
fn on_spawner(job: Job) {
    static SPAWNER: OnceLock<flume::Sender<Job>> = OnceLock::new();
    let tx = SPAWNER.get_or_init(|| {
        let (tx, rx) = flume::unbounded::<Job>();
        std::thread::Builder::new()
            .name("actor-peer-spawner".into())
            .spawn(move || {
                for job in rx.iter() {
                    job();
                }
            })
            .expect("cannot start the actor-peer-spawner thread");
        tx
    });
    tx.send(job)
        .expect("the actor-peer-spawner thread never ends");
}

/// Starts the child described by `spec`, on the spawner thread.
pub(crate) async fn spawn(spec: Spec) -> Result<Arc<OsChild>, PeerError> {
    let (tx, rx) = flume::bounded(1);
    on_spawner(Box::new(move || {
        let _ = tx.send(spawn_here(spec));
    }));
    rx.recv_async()
        .await
        .unwrap_or_else(|_| Err(PeerError::Unsupported("the spawner thread is gone".into())))
}

fn spawn_here(spec: Spec) -> Result<Arc<OsChild>, PeerError> {
    let plan = match &spec.sandbox {
        Some(s) => Some(Plan::new(s, &spec.program)?),
        None => None,
    };
    let limits = spec.limits;
    let mut cmd = Command::new(&spec.program);
    cmd.args(&spec.args)
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group: a terminal's Ctrl-C is for this program,
        // which decides what happens to its peers.
        .process_group(0);
    // Where the child says which step of its set-up failed.
    let (report_r, report_w) = pipe()?;
    // SAFETY: getpid is always safe.
    let parent = unsafe { libc::getpid() };
    let child_plan = plan.clone();
    // SAFETY: the closure makes system calls only, on memory prepared
    // before the fork (no allocation, no locks).
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(fail(report_w, Step::DeathSignal));
            }
            // The parent died before the signal was armed.
            if libc::getppid() != parent {
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
            if let Some(plan) = &child_plan {
                plan.enter(report_w)?;
            }
            limits.apply(report_w)
        });
    }
    let spawned = cmd.spawn();
    // SAFETY: our end of the pipe; the child's copy closed on exec.
    unsafe {
        libc::close(report_w);
    }
    let step = read_step(report_r);
    let mut child: Child = match spawned {
        Ok(c) => c,
        Err(source) => {
            let program = spec.program.display().to_string();
            return Err(match step {
                Some(step) => step.error(source, plan.as_ref(), &program),
                None if plan.is_some() && source.kind() == io::ErrorKind::NotFound => {
                    PeerError::Spawn {
                        program: format!(
                            "{program} (not found inside the sandbox: bind it read-only)"
                        ),
                        source,
                    }
                }
                None => PeerError::Spawn { program, source },
            });
        }
    };
    let stdin = child.stdin.take();
    let stderr = child.stderr.take();
    let shared = Arc::new(Shared {
        pid: child.id(),
        status: Mutex::new(None),
        exited: Condvar::new(),
        stdin: Mutex::new(stdin),
        stderr: Mutex::new((VecDeque::new(), stderr.is_none())),
    });
    let os = Arc::new(OsChild(shared.clone()));
    if let Some(stderr) = stderr {
        let shared = shared.clone();
        let passed_on = std::thread::Builder::new()
            .name("actor-peer-stderr".into())
            .spawn(move || pass_on(stderr, &shared));
        if let Err(source) = passed_on {
            return Err(PeerError::Spawn {
                program: "a thread for the child's stderr".into(),
                source,
            });
        }
    }
    std::thread::Builder::new()
        .name("actor-peer-reaper".into())
        .spawn(move || reap(child, &shared))
        .map_err(|source| {
            os.kill();
            PeerError::Spawn {
                program: "a thread to reap the child".into(),
                source,
            }
        })?;
    Ok(os)
}

/// Waits for `child` to exit without reaping it, then reaps it with the
/// status lock held, so [`OsChild::kill`] never signals a recycled pid.
fn reap(mut child: Child, os: &Shared) {
    loop {
        // SAFETY: a zeroed siginfo_t is a valid out-parameter.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: waits on our own child; WNOWAIT leaves it unreaped.
        let r = unsafe {
            libc::waitid(
                libc::P_PID,
                child.id() as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if r == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            break;
        }
    }
    let mut status = lock(&os.status);
    let s = child
        .wait()
        .unwrap_or_else(|_| ExitStatus::from_raw(libc::SIGKILL));
    *status = Some(s);
    drop(status);
    os.exited.notify_all();
    os.close_stdin();
}

/// Copies the child's stderr to ours, line by line, keeping the last few.
fn pass_on(stderr: ChildStderr, os: &Shared) {
    let mut lines = io::BufReader::new(stderr);
    let mut line = Vec::new();
    loop {
        line.clear();
        match lines.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                let _ = io::stderr().write_all(&line);
                let mut tail = lock(&os.stderr);
                if tail.0.len() == STDERR_LINES {
                    tail.0.pop_front();
                }
                tail.0
                    .push_back(String::from_utf8_lossy(&line).trim_end().to_owned());
            }
        }
    }
    lock(&os.stderr).1 = true;
}

fn pipe() -> Result<(libc::c_int, libc::c_int), PeerError> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: fds has room for two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(PeerError::Spawn {
            program: "a pipe".into(),
            source: io::Error::last_os_error(),
        });
    }
    Ok((fds[0], fds[1]))
}

/// Reads the step the child reported, if any, and closes the pipe.
fn read_step(fd: libc::c_int) -> Option<Step> {
    let mut buf = [0u8; 4];
    // SAFETY: reads into a buffer of 4 bytes; the write end is closed, so
    // this returns at once.
    let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), 4) };
    // SAFETY: our descriptor.
    unsafe {
        libc::close(fd);
    }
    (n == 4).then(|| Step::decode(u32::from_ne_bytes(buf)))
}

/// A step of the child's set-up, reported through the pipe when it fails.
#[derive(Clone, Copy, Debug)]
enum Step {
    DeathSignal,
    Unshare,
    UserMaps,
    Private,
    Base,
    NewRoot,
    /// Making the mount point of bind `i`.
    MountPoint(u16),
    Bind(u16),
    ReadOnly(u16),
    PivotRoot,
    RootReadOnly,
    /// 0: memory, 1: CPU time, 2: open files.
    Limit(u8),
}

impl Step {
    fn encode(self) -> u32 {
        match self {
            Step::DeathSignal => 1,
            Step::Unshare => 2,
            Step::UserMaps => 3,
            Step::Private => 4,
            Step::Base => 5,
            Step::NewRoot => 6,
            Step::PivotRoot => 7,
            Step::RootReadOnly => 8,
            Step::MountPoint(i) => 0x1_0000 | u32::from(i),
            Step::Bind(i) => 0x2_0000 | u32::from(i),
            Step::ReadOnly(i) => 0x3_0000 | u32::from(i),
            Step::Limit(r) => 0x4_0000 | u32::from(r),
        }
    }

    fn decode(v: u32) -> Step {
        let i = (v & 0xffff) as u16;
        match v >> 16 {
            1 => Step::MountPoint(i),
            2 => Step::Bind(i),
            3 => Step::ReadOnly(i),
            4 => Step::Limit(i as u8),
            _ => match v {
                1 => Step::DeathSignal,
                2 => Step::Unshare,
                3 => Step::UserMaps,
                4 => Step::Private,
                5 => Step::Base,
                6 => Step::NewRoot,
                8 => Step::RootReadOnly,
                _ => Step::PivotRoot,
            },
        }
    }

    fn error(self, source: io::Error, plan: Option<&Plan>, program: &str) -> PeerError {
        let bind = |i: u16| {
            plan.and_then(|p| p.binds.get(usize::from(i)))
                .map(|b| b.shown.clone())
                .unwrap_or_default()
        };
        let step = match self {
            Step::DeathSignal => {
                return PeerError::Spawn {
                    program: format!("{program} (prctl(PR_SET_PDEATHSIG) failed)"),
                    source,
                }
            }
            Step::Limit(r) => {
                let what = match r {
                    0 => "the memory limit (RLIMIT_AS)",
                    1 => "the CPU time limit (RLIMIT_CPU)",
                    _ => "the open files limit (RLIMIT_NOFILE)",
                };
                return PeerError::Limits {
                    step: format!("setting {what}"),
                    source,
                };
            }
            Step::Unshare => {
                "creating a mount namespace (unshare(CLONE_NEWNS), then with CLONE_NEWUSER)".into()
            }
            Step::UserMaps => "writing the user namespace's uid/gid maps".into(),
            Step::Private => "making the mounts private".into(),
            Step::Base => "mounting a tmpfs to build the new root on".into(),
            Step::NewRoot => "mounting the new root (tmpfs)".into(),
            Step::PivotRoot => "switching to the new root (pivot_root)".into(),
            Step::RootReadOnly => "making the new root read-only".into(),
            Step::MountPoint(i) => format!("making the mount point for {}", bind(i)),
            Step::Bind(i) => format!("bind-mounting {}", bind(i)),
            Step::ReadOnly(i) => format!("making {} read-only", bind(i)),
        };
        PeerError::Sandbox { step, source }
    }
}

/// Captures errno, then reports `step` to the parent.
fn fail(report: libc::c_int, step: Step) -> io::Error {
    let e = io::Error::last_os_error();
    let code = step.encode().to_ne_bytes();
    // SAFETY: writes 4 bytes from a local buffer.
    unsafe {
        libc::write(report, code.as_ptr().cast(), 4);
    }
    e
}

impl Limits {
    /// In the child, before exec.
    fn apply(&self, report: libc::c_int) -> io::Result<()> {
        let set = |step: u8, resource, soft: u64, hard: u64| {
            let lim = libc::rlimit {
                rlim_cur: soft as libc::rlim_t,
                rlim_max: hard as libc::rlim_t,
            };
            // SAFETY: a plain system call on a local value.
            if unsafe { libc::setrlimit(resource, &lim) } != 0 {
                return Err(fail(report, Step::Limit(step)));
            }
            Ok(())
        };
        if let Some(bytes) = self.memory {
            set(0, libc::RLIMIT_AS, bytes, bytes)?;
        }
        if let Some(cpu) = self.cpu_time {
            // SIGXCPU at the soft limit, SIGKILL a second later.
            let secs = cpu.as_secs().max(1);
            set(1, libc::RLIMIT_CPU, secs, secs + 1)?;
        }
        if let Some(n) = self.open_files {
            set(2, libc::RLIMIT_NOFILE, n, n)?;
        }
        Ok(())
    }
}

/// One bind mount: `/oldroot<path>` onto `/newroot<path>`.
#[derive(Clone)]
struct Bind {
    /// The source, seen from the first new root (under `/oldroot`).
    src: CString,
    /// The mount point under `/newroot`.
    dst: CString,
    /// Directories to make (in order) before the mount point.
    parents: Vec<CString>,
    is_dir: bool,
    read_only: bool,
    /// The path as the user gave it, for messages.
    shown: String,
}

/// The sandbox, prepared before the fork.
#[derive(Clone)]
struct Plan {
    binds: Vec<Bind>,
    cwd: CString,
    uid_map: Vec<u8>,
    gid_map: Vec<u8>,
}

fn cstr(bytes: &[u8]) -> CString {
    CString::new(bytes).expect("paths hold no NUL byte")
}

fn c(s: &str) -> &std::ffi::CStr {
    std::ffi::CStr::from_bytes_with_nul(s.as_bytes()).expect("a literal with a NUL")
}

impl Plan {
    fn new(s: &Sandbox, program: &Path) -> Result<Plan, PeerError> {
        let mut paths: Vec<(PathBuf, bool)> = Vec::new();
        // What every program needs: itself, the shared libraries and the
        // dynamic loader, and /etc/hosts (node names such as `localhost`
        // resolve through it).
        let program = if program.is_absolute() {
            program.to_path_buf()
        } else {
            find_on_path(program).unwrap_or_else(|| program.to_path_buf())
        };
        paths.push((program, false));
        for sys in [
            "/lib",
            "/lib64",
            "/lib32",
            "/usr/lib",
            "/usr/lib64",
            "/etc/hosts",
        ] {
            if Path::new(sys).exists() {
                paths.push((sys.into(), false));
            }
        }
        paths.extend(s.read_only.iter().map(|p| (p.clone(), false)));
        if let Some(w) = &s.writable {
            paths.push((w.clone(), true));
        }
        let mut binds = Vec::new();
        for (path, writable) in paths {
            if !path.is_absolute() {
                return Err(PeerError::Sandbox {
                    step: format!("binding `{}`", path.display()),
                    source: io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "the path must be absolute",
                    ),
                });
            }
            let meta = std::fs::metadata(&path).map_err(|source| PeerError::Sandbox {
                step: format!("binding `{}`", path.display()),
                source,
            })?;
            let bytes = path.as_os_str().as_bytes();
            let mut parents = Vec::new();
            let mut prefix = b"/newroot".to_vec();
            let comps: Vec<_> = path
                .components()
                .filter_map(|c| match c {
                    std::path::Component::Normal(n) => Some(n.as_bytes()),
                    _ => None,
                })
                .collect();
            for comp in &comps[..comps.len().saturating_sub(1)] {
                prefix.push(b'/');
                prefix.extend_from_slice(comp);
                parents.push(cstr(&prefix));
            }
            binds.push(Bind {
                src: cstr(&[b"/oldroot", bytes].concat()),
                dst: cstr(&[b"/newroot", bytes].concat()),
                parents,
                is_dir: meta.is_dir(),
                read_only: !writable,
                shown: format!("`{}`", path.display()),
            });
        }
        let cwd = s.writable.clone().unwrap_or_else(|| "/".into());
        // SAFETY: getuid/getgid are always safe.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        Ok(Plan {
            binds,
            cwd: cstr(cwd.as_os_str().as_bytes()),
            uid_map: format!("{uid} {uid} 1\n").into_bytes(),
            gid_map: format!("{gid} {gid} 1\n").into_bytes(),
        })
    }

    /// In the child, before exec: a new mount namespace whose root holds
    /// the binds only.
    ///
    /// # Safety
    ///
    /// Only between fork and exec.
    unsafe fn enter(&self, report: libc::c_int) -> io::Result<()> {
        use libc::{mount, MS_BIND, MS_NODEV, MS_NOSUID, MS_PRIVATE, MS_REC};
        let null = std::ptr::null();
        if libc::unshare(libc::CLONE_NEWNS) != 0 {
            // Without CAP_SYS_ADMIN: a user namespace grants it, mapped to
            // our own uid and gid.
            if libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWNS) != 0 {
                return Err(fail(report, Step::Unshare));
            }
            if !write_file(c("/proc/self/setgroups\0"), b"deny")
                || !write_file(c("/proc/self/uid_map\0"), &self.uid_map)
                || !write_file(c("/proc/self/gid_map\0"), &self.gid_map)
            {
                return Err(fail(report, Step::UserMaps));
            }
        }
        if mount(
            null,
            c("/\0").as_ptr(),
            null,
            MS_REC | MS_PRIVATE,
            null.cast(),
        ) != 0
        {
            return Err(fail(report, Step::Private));
        }
        // A tmpfs to stand on, with the old root under it at /oldroot (the
        // way bubblewrap does it): every bind source stays reachable.
        let tmpfs = c("tmpfs\0").as_ptr();
        if mount(
            tmpfs,
            c("/tmp\0").as_ptr(),
            tmpfs,
            MS_NOSUID | MS_NODEV,
            null.cast(),
        ) != 0
            || libc::chdir(c("/tmp\0").as_ptr()) != 0
            || libc::mkdir(c("newroot\0").as_ptr(), 0o755) != 0
            || libc::mkdir(c("oldroot\0").as_ptr(), 0o755) != 0
            || libc::syscall(
                libc::SYS_pivot_root,
                c(".\0").as_ptr(),
                c("oldroot\0").as_ptr(),
            ) != 0
            || libc::chdir(c("/\0").as_ptr()) != 0
        {
            return Err(fail(report, Step::Base));
        }
        if mount(
            tmpfs,
            c("/newroot\0").as_ptr(),
            tmpfs,
            MS_NOSUID | MS_NODEV,
            c("mode=0755\0").as_ptr().cast(),
        ) != 0
        {
            return Err(fail(report, Step::NewRoot));
        }
        for (i, b) in self.binds.iter().enumerate() {
            let i = i as u16;
            for dir in &b.parents {
                if libc::mkdir(dir.as_ptr(), 0o755) != 0
                    && io::Error::last_os_error().raw_os_error() != Some(libc::EEXIST)
                {
                    return Err(fail(report, Step::MountPoint(i)));
                }
            }
            let made = if b.is_dir {
                libc::mkdir(b.dst.as_ptr(), 0o755) == 0
                    || io::Error::last_os_error().raw_os_error() == Some(libc::EEXIST)
            } else {
                let fd = libc::open(
                    b.dst.as_ptr(),
                    libc::O_CREAT | libc::O_WRONLY | libc::O_CLOEXEC,
                    0o644,
                );
                fd >= 0 && libc::close(fd) == 0
            };
            if !made {
                return Err(fail(report, Step::MountPoint(i)));
            }
            if mount(
                b.src.as_ptr(),
                b.dst.as_ptr(),
                null,
                MS_BIND | MS_REC,
                null.cast(),
            ) != 0
            {
                return Err(fail(report, Step::Bind(i)));
            }
            if b.read_only {
                // A read-only remount must keep the flags the mount is
                // locked with (nosuid, nodev, noexec, ...) in a user namespace.
                let mut st: libc::statvfs = std::mem::zeroed();
                if libc::statvfs(b.dst.as_ptr(), &mut st) != 0 {
                    return Err(fail(report, Step::ReadOnly(i)));
                }
                let mut keep = 0;
                for (st_flag, ms_flag) in [
                    (libc::ST_NOSUID, libc::MS_NOSUID),
                    (libc::ST_NODEV, libc::MS_NODEV),
                    (libc::ST_NOEXEC, libc::MS_NOEXEC),
                    (libc::ST_NOATIME, libc::MS_NOATIME),
                    (libc::ST_NODIRATIME, libc::MS_NODIRATIME),
                    (libc::ST_RELATIME, libc::MS_RELATIME),
                ] {
                    if st.f_flag & st_flag != 0 {
                        keep |= ms_flag;
                    }
                }
                let flags = libc::MS_REMOUNT | MS_BIND | libc::MS_RDONLY | keep;
                if mount(null, b.dst.as_ptr(), null, flags, null.cast()) != 0 {
                    return Err(fail(report, Step::ReadOnly(i)));
                }
            }
        }
        // The new root replaces everything; the old one is let go.
        if libc::chdir(c("/newroot\0").as_ptr()) != 0
            || libc::syscall(libc::SYS_pivot_root, c(".\0").as_ptr(), c(".\0").as_ptr()) != 0
            || libc::umount2(c(".\0").as_ptr(), libc::MNT_DETACH) != 0
        {
            return Err(fail(report, Step::PivotRoot));
        }
        // The root itself (a tmpfs holding the mount points) is read-only:
        // the writable directory is the one place to write.
        let ro = libc::MS_REMOUNT | libc::MS_RDONLY | MS_NOSUID | MS_NODEV;
        if mount(null, c("/\0").as_ptr(), null, ro, null.cast()) != 0 {
            return Err(fail(report, Step::RootReadOnly));
        }
        if libc::chdir(self.cwd.as_ptr()) != 0 {
            return Err(fail(report, Step::PivotRoot));
        }
        Ok(())
    }
}

/// Writes `data` to `path`; whether it all went.
///
/// # Safety
///
/// Only system calls: fine between fork and exec.
unsafe fn write_file(path: &std::ffi::CStr, data: &[u8]) -> bool {
    let fd = libc::open(path.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
    if fd < 0 {
        return false;
    }
    let n = libc::write(fd, data.as_ptr().cast(), data.len());
    libc::close(fd);
    n == data.len() as isize
}

/// `program` found on the `PATH`, as `exec` would find it.
pub(crate) fn find_on_path(program: &Path) -> Option<PathBuf> {
    if program.components().count() > 1 {
        return None;
    }
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_survive_the_pipe() {
        for step in [
            Step::DeathSignal,
            Step::Unshare,
            Step::UserMaps,
            Step::Private,
            Step::Base,
            Step::NewRoot,
            Step::PivotRoot,
            Step::RootReadOnly,
            Step::MountPoint(3),
            Step::Bind(7),
            Step::ReadOnly(65535),
            Step::Limit(2),
        ] {
            assert_eq!(
                format!("{:?}", Step::decode(step.encode())),
                format!("{step:?}")
            );
        }
    }

    #[test]
    fn exit_statuses_read_well() {
        assert_eq!(describe(ExitStatus::from_raw(3 << 8)), "exit status 3");
        assert_eq!(
            describe(ExitStatus::from_raw(libc::SIGABRT)),
            "killed by SIGABRT"
        );
        assert_eq!(describe(ExitStatus::from_raw(64)), "killed by signal 64");
    }

    #[test]
    fn a_sandbox_plan_binds_the_program_and_the_libraries() {
        let exe = std::env::current_exe().unwrap();
        let plan = Plan::new(&Sandbox::new().writable("/tmp"), &exe).unwrap();
        let shown: Vec<&str> = plan.binds.iter().map(|b| b.shown.as_str()).collect();
        assert_eq!(shown[0], format!("`{}`", exe.display()));
        assert!(shown.contains(&"`/usr/lib`"), "{shown:?}");
        let last = plan.binds.last().unwrap();
        assert!(!last.read_only && last.is_dir && last.shown == "`/tmp`");
        assert_eq!(plan.cwd.as_bytes(), b"/tmp");
        let Err(err) = Plan::new(&Sandbox::new().read_only("relative"), &exe) else {
            panic!("a relative path is refused");
        };
        assert!(err.to_string().contains("absolute"), "{err}");
    }

    #[test]
    fn a_child_that_ends_is_reaped() {
        let child = crate::runtime::runtime()
            .block_on(spawn(Spec {
                program: "true".into(),
                args: vec![],
                env: vec![],
                sandbox: None,
                limits: Limits::default(),
            }))
            .unwrap();
        let status = child.wait_timeout(Duration::from_secs(10)).unwrap();
        assert!(status.success());
        child.kill(); // reaped: nothing to signal, nothing happens
        assert_eq!(child.kill_and_reap(), status);
    }
}
