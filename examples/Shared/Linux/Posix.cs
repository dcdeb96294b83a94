using System.Runtime.InteropServices;

namespace Ebpf.Examples.Linux;

/// <summary>Signals and liveness of processes by pid (kill(2)), for stopping and watching the example apps.</summary>
public static partial class Posix
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when the process does not exist.</summary>
    public static bool Signal(int pid, int signal) => kill(pid, signal) == 0;

    public static bool Alive(int pid) => kill(pid, 0) == 0;

    /// <summary>Waits up to <paramref name="timeout"/> for <paramref name="pid"/> to disappear.</summary>
    public static bool WaitGone(int pid, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (Alive(pid))
        {
            if (DateTime.UtcNow > until)
                return false;
            Thread.Sleep(20);
        }
        return true;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}
