namespace Ebpf.Examples.Sockredir.Redirector;

/// <summary>
/// What the app asks of the kernel side, in one small interface (implemented by <see cref="SkeletonRedirector"/>
/// over the generated SockredirSkel). Created loaded, not attached. Attachments are BPF links: the kernel
/// removes them when the process ends, however it ends.
/// </summary>
internal interface IRedirector : IDisposable
{
    /// <summary>
    /// Attaches sockredir_msg to sock_hash (BPF_SK_MSG_VERDICT), then sockredir_sockops to the cgroup v2 directory
    /// <paramref name="cgroup"/>: connections established afterwards by processes in that cgroup (or below it)
    /// are inserted and redirected. Detached again on Dispose.
    /// </summary>
    void Attach(string cgroup);

    /// <summary>The program's counters, summed over CPUs.</summary>
    RedirectorStats ReadStats();

    /// <summary>Sockets currently in sock_hash (the kernel removes a socket when it closes).</summary>
    int SocketCount();

    /// <summary>Names of the sock_ops programs of others that run for <paramref name="cgroup"/>'s sockets, attached to it or inherited
    /// from a cgroup above it (two sockmap users on one cgroup interfere).</summary>
    IReadOnlyList<string> OtherSockOpsPrograms(string cgroup);
}
