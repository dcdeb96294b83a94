using System.Net;
using System.Net.Sockets;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests.AttachSupport;

/// <summary>TCP connects made from inside a test cgroup, for programs on its connect and socket hooks.</summary>
internal static class CgroupConnect
{
    /// <summary><paramref name="times"/> TCP connects from a process in <paramref name="cgroup"/> to a listener of the test process.</summary>
    public static void FromCgroup(TempCgroup cgroup, int times = 1)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var script = string.Concat(Enumerable.Repeat($"exec 3<>/dev/tcp/127.0.0.1/{port} && exec 3>&- && ", times)) + "true";
        var accepts = Task.Run(() => { for (var i = 0; i < times; i++) listener.AcceptSocket().Dispose(); });
        cgroup.Run("bash", "-c", script).EnsureSuccess();
        Assert.True(accepts.Wait(TimeSpan.FromSeconds(10)), "the listener saw no connection");
    }
}
