using System.Net.NetworkInformation;
using Ebpf.Internal;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// <see cref="NetworkNamespace.Run{T}(string, Func{T})"/>: the work runs in the namespace, on a thread of its own, and
/// the caller stays where it was; the work's own exceptions come back as they were; a namespace that cannot be entered
/// is a <see cref="NetworkNamespaceException"/> that says why.
/// </summary>
public sealed class NetworkNamespaceTests
{
    /// <summary>The calling thread's network namespace, as the kernel names it ("net:[4026531840]").</summary>
    private static string CurrentNamespace() => new FileInfo("/proc/thread-self/ns/net").LinkTarget!;

    [Fact]
    public void WorkRunsInTheNamespaceOnAThreadOfItsOwnAndTheCallerStaysWhereItWas()
    {
        Kernel.RequireRoot();
        using var ns = new NetNamespace("nsrun");
        var expected = ns.Check("readlink", "/proc/self/ns/net").Trim();
        var before = CurrentNamespace();
        Assert.StartsWith("net:[", before);
        Assert.NotEqual(expected, before);
        var caller = Environment.CurrentManagedThreadId;

        var (inside, thread, interfaces) = NetworkNamespace.Run(ns.NsPath, () =>
            (CurrentNamespace(), Environment.CurrentManagedThreadId, NetworkInterface.GetAllNetworkInterfaces().Select(i => i.Name).ToArray()));

        Assert.Equal(expected, inside);
        Assert.NotEqual(caller, thread);
        Assert.Equal(["lo"], interfaces); // a new namespace has its loopback only; the host has more
        Assert.Equal(before, CurrentNamespace());
        var ran = false;
        NetworkNamespace.Run(ns.NsPath, () => { ran = CurrentNamespace() == expected; });
        Assert.True(ran);
    }

    [Fact]
    public void TheWorksOwnExceptionComesBackAsItWas()
    {
        Kernel.RequireRoot();
        using var ns = new NetNamespace("nsexc");
        var e = Assert.Throws<InvalidOperationException>(() => NetworkNamespace.Run<int>(ns.NsPath, () => throw new InvalidOperationException("from the work")));
        Assert.Equal("from the work", e.Message);
        Assert.Contains(nameof(TheWorksOwnExceptionComesBackAsItWas), e.StackTrace);
    }

    [Fact]
    public void AMissingNamespaceIsAnErrorNamingIt()
    {
        var path = $"/run/netns/no-such-namespace-{Guid.NewGuid():N}";
        var e = Assert.Throws<NetworkNamespaceException>(() => NetworkNamespace.Run(path, () => { }));
        Assert.Equal(path, e.Path);
        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.Contains(path, e.Message);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void AFileThatIsNotANetworkNamespaceIsAnErrorSayingSo()
    {
        Kernel.RequireRoot();
        // Another kind of namespace: setns with CLONE_NEWNET refuses it with EINVAL.
        var ran = false;
        var e = Assert.Throws<NetworkNamespaceException>(() => NetworkNamespace.Run("/proc/self/ns/uts", () => { ran = true; }));
        Assert.False(ran);
        Assert.Equal(Errno.EINVAL, e.Errno);
        Assert.Contains("not a network namespace", e.Message);
    }
}
