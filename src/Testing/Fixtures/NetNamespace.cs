using System.Diagnostics;

namespace Ebpf.Testing;

/// <summary>
/// A network namespace created with <c>ip netns add</c> under the run prefix, loopback up. Commands run
/// in it with <see cref="Exec"/>; managed code runs in it with <see cref="Enter{T}"/> (on a thread of
/// its own that joins the namespace, since setns affects only the calling thread). Dispose kills the
/// processes it started and deletes the namespace, which removes its interfaces (and their XDP/tc programs). Before
/// that it checks for leaks: a program still attached to one of its interfaces makes Dispose throw
/// <see cref="FixtureLeakException"/> after cleaning up, unless <see cref="CheckLeaks"/> is false.
/// </summary>
public sealed class NetNamespace : IDisposable
{
    private readonly List<Process> started = new();
    private bool disposed;

    public NetNamespace(string hint = "n")
    {
        RunPrefix.EnsureSwept();
        Name = RunPrefix.NewName(hint);
        HostCommand.Check("ip", "netns", "add", Name);
        try
        {
            Exec("ip", "link", "set", "lo", "up").EnsureSuccess();
        }
        catch
        {
            HostCommand.Run("ip", "netns", "del", Name);
            throw;
        }
    }

    public string Name { get; }

    /// <summary>The namespace's file, for setns.</summary>
    public string NsPath => $"/var/run/netns/{Name}";

    /// <summary>Runs a command in the namespace to completion.</summary>
    public CommandResult Exec(string file, params string[] args) =>
        HostCommand.Run("ip", new[] { "netns", "exec", Name, file }.Concat(args));

    /// <summary>Runs a command in the namespace and throws unless it succeeded; returns stdout.</summary>
    public string Check(string file, params string[] args) => Exec(file, args).EnsureSuccess();

    /// <summary>Starts a long-running command in the namespace; killed on dispose.</summary>
    public Process Start(string file, params string[] args)
    {
        var p = HostCommand.Start("ip", ["netns", "exec", Name, file, .. args]);
        lock (started)
            started.Add(p);
        return p;
    }

    /// <summary>The index of interface <paramref name="ifname"/> inside this namespace.</summary>
    public int IfIndex(string ifname) => int.Parse(Check("cat", $"/sys/class/net/{ifname}/ifindex").Trim());

    /// <summary>
    /// Runs <paramref name="action"/> on a dedicated thread that has joined this namespace (for calls
    /// that resolve interfaces in the caller's namespace, such as attaching XDP by ifindex); see
    /// <see cref="NetworkNamespace.Run{T}(string, Func{T})"/>.
    /// </summary>
    public T Enter<T>(Func<T> action) => NetworkNamespace.Run(NsPath, action);

    public void Enter(Action action) => NetworkNamespace.Run(NsPath, action);

    /// <summary>Whether Dispose fails when programs are still attached to its interfaces (default true).</summary>
    public bool CheckLeaks { get; set; } = true;

    /// <summary>The names of the interfaces in the namespace.</summary>
    public IReadOnlyList<string> Interfaces() =>
        Check("ls", "/sys/class/net").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The XDP, tcx and tc programs attached to the namespace's interfaces, one line each.</summary>
    public IReadOnlyList<string> AttachedProgramsLeft() =>
        Interfaces().SelectMany(ifname => InterfacePrograms.Describe(ifname, this)).ToList();

    public void Dispose()
    {
        if (disposed)
            return;
        disposed = true;
        IReadOnlyList<string> leaks = [];
        try
        {
            if (CheckLeaks)
                leaks = AttachedProgramsLeft();
        }
        finally
        {
            Delete();
        }
        if (leaks.Count > 0)
            throw new FixtureLeakException($"network namespace {Name}", leaks);
    }

    private void Delete()
    {
        lock (started)
        {
            foreach (var p in started)
            {
                try { if (!p.HasExited) p.Kill(entireProcessTree: true); p.WaitForExit(5000); }
                catch (InvalidOperationException) { }
                p.Dispose();
            }
        }
        // Processes still inside (started by others) keep a namespace alive after del; kill them first.
        var pids = HostCommand.Run("ip", "netns", "pids", Name);
        if (pids.Succeeded)
            foreach (var line in pids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                if (int.TryParse(line.Trim(), out var pid) && pid != Environment.ProcessId)
                    try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
        HostCommand.Run("ip", "netns", "del", Name);
    }
}
