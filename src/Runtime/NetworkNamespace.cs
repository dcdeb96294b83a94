using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Ebpf.Internal;
using Microsoft.Win32.SafeHandles;

namespace Ebpf;

/// <summary>
/// Runs code inside another network namespace, for the calls that act on the caller's one: opening sockets, resolving
/// an interface name to its index, netlink, attaching XDP or tc by ifindex.
/// </summary>
/// <remarks>
/// setns(2) moves only the calling thread. So the code runs on a fresh thread that joins the namespace and ends when
/// the code returns: the rest of the process stays where it was, and no thread-pool thread is ever left in another
/// namespace (whatever ran on it next, an unrelated continuation or timer, would silently use that namespace). Await
/// nothing inside the code for the same reason: the continuation would run on some other thread, in the caller's
/// namespace. What the code creates there (a socket, a link) keeps its namespace after the thread is gone.
/// </remarks>
public static class NetworkNamespace
{
    /// <summary>CLONE_NEWNET: setns checks that the file is a network namespace.</summary>
    private const int CloneNewNet = 0x40000000;

    /// <summary>
    /// Runs <paramref name="work"/> inside the network namespace at <paramref name="path"/> (a file under /run/netns,
    /// as `ip netns add` makes, or /proc/PID/ns/net) and returns its result. An exception of the work is rethrown as it
    /// was; not being able to enter throws <see cref="NetworkNamespaceException"/>.
    /// </summary>
    public static T Run<T>(string path, Func<T> work)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(work);
        using var ns = Open(path);
        T result = default!;
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                if (Libc.SetNs((int)ns.DangerousGetHandle(), CloneNewNet) != 0)
                    throw EnterFailed(path, Marshal.GetLastPInvokeError());
                result = work();
            }
            catch (Exception e)
            {
                error = ExceptionDispatchInfo.Capture(e);
            }
        })
        { Name = "netns " + path };
        thread.Start();
        thread.Join(); // the thread, and with it its namespace membership, ends here
        error?.Throw();
        return result;
    }

    /// <inheritdoc cref="Run{T}(string, Func{T})"/>
    public static void Run(string path, Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Run<bool>(path, () =>
        {
            work();
            return true;
        });
    }

    private static SafeFileHandle Open(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new NetworkNamespaceException($"network namespace {path} does not exist (named ones are listed by `ip netns list`)", path, Errno.ENOENT, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new NetworkNamespaceException($"cannot open network namespace {path}: permission denied (another process's namespace needs root, or CAP_SYS_PTRACE)", path, Errno.EACCES, e);
        }
    }

    private static NetworkNamespaceException EnterFailed(string path, int errno) => new(errno switch
    {
        Errno.EPERM => $"cannot enter network namespace {path}: {Errno.Describe(errno)}; setns needs CAP_SYS_ADMIN (run as root)",
        Errno.EINVAL => $"cannot enter network namespace {path}: it is not a network namespace file ({Errno.Describe(errno)})",
        _ => $"cannot enter network namespace {path}: {Errno.Describe(errno)}",
    }, path, errno);
}
