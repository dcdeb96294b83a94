namespace Ebpf.Examples.Sockredir.Linux;

/// <summary>
/// The cgroup `run` makes for itself when no --cgroup is given: "sockredir-&lt;pid&gt;" under a parent (the cgroup v2
/// root by default). <see cref="Remove"/> removes it. Processes the user put in it are not killed: they are moved back to the
/// parent first, where they keep running as before, only no longer redirected (their sockets already in the map stay
/// redirected until they close, as after any detach).
/// </summary>
internal sealed class OwnedCgroup
{
    public OwnedCgroup(string parent)
    {
        Parent = parent;
        Path = System.IO.Path.Combine(parent, RunCgroupNames.For(Environment.ProcessId));
        if (Directory.Exists(Path))
            throw new ToolException($"{Path} already exists; it is not this run's (remove it, or pass it with --cgroup to use it as it is)");
        Directory.CreateDirectory(Path);
    }

    public string Parent { get; }
    public string Path { get; }

    /// <summary>A command to paste into a shell to move that shell (and what it starts afterwards) into this cgroup.</summary>
    public string JoinCommand => $"echo $$ > {ShellQuote(System.IO.Path.Combine(Path, "cgroup.procs"))}";

    /// <summary>Moves what is left in the cgroup (and in child cgroups a user made in it) to the parent, then removes it. Returns how many processes moved.</summary>
    public int Remove() => Release(Path);

    private int Release(string dir)
    {
        if (!Directory.Exists(dir))
            return 0;
        var moved = 0;
        foreach (var child in Directory.EnumerateDirectories(dir))
            moved += Release(child);
        for (var attempt = 0; ; attempt++)
        {
            foreach (var pid in Cgroups.Pids(dir))
            {
                try
                {
                    Cgroups.MovePid(Parent, pid);
                    moved++;
                }
                catch (IOException)
                {
                    // ESRCH: it exited between the read and the move; nothing to do
                }
            }
            try
            {
                Directory.Delete(dir); // rmdir; EBUSY while a process forked in the meantime is still inside
                return moved;
            }
            catch (DirectoryNotFoundException)
            {
                return moved;
            }
            catch (IOException) when (attempt < 50)
            {
                Thread.Sleep(20); // a fork raced the move: move the child too and try again
            }
            catch (IOException e)
            {
                throw new ToolException($"cannot remove {dir}: {e.Message}");
            }
        }
    }

    /// <summary>Single-quotes <paramref name="s"/> for sh unless it is made only of characters sh leaves alone.</summary>
    private static string ShellQuote(string s) =>
        s.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+:@%".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";
}
