using System.Net;
using System.Net.Sockets;
using Ebpf.Maps;
using Ebpf.Object;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>Maps whose values are descriptors: programs, maps, sockets, interfaces, CPUs.</summary>
public sealed class MapsFdTests
{
    [Fact]
    public void ProgramArrayTakesProgramsAndReturnsTheirIds()
    {
        Kernel.RequireRoot();
        using var map = BpfMap.Create(new MapSpec("t_jumps", MapType.ProgArray, 4, 4, 4));
        using var obj = TestObjects.Load("attach_net.bpf.c");
        var program = obj.GetProgram<XdpProgram>("attach_xdp_pass");
        var jumps = new ProgArrayMap(map);
        jumps.Update(2, program);
        Assert.Equal(program.Id, jumps.GetProgramId(2));
        Assert.Null(jumps.GetProgramId(1));
        Assert.True(jumps.TryDelete(2));
        Assert.Null(jumps.GetProgramId(2));
    }

    [Fact]
    public void MapsOfMapsTakeMapsAndReturnTheirIds()
    {
        Kernel.RequireRoot();
        var innerSpec = new MapSpec("t_inner", MapType.Array, 4, 8, 4);
        using var inner1 = BpfMap.Create(innerSpec);
        using var inner2 = BpfMap.Create(new MapSpec("t_inner2", MapType.Array, 4, 8, 4));
        // The outer map is created with an inner map as its template (what MapSpec.InnerMap becomes at load).
        using var template = BpfMap.Create(new MapSpec("t_tmpl", MapType.Array, 4, 8, 4));
        using var arrayFd = MapCreator.Create(new MapSpec("t_aom", MapType.ArrayOfMaps, 4, 4, 2), null, template.Handle);
        var arrayMap = new BpfMap(new MapSpec("t_aom", MapType.ArrayOfMaps, 4, 4, 2));
        arrayMap.Attach(arrayFd);
        var array = new ArrayOfMaps(arrayMap);
        array.Update(1, inner1);
        Assert.Equal(inner1.Id, array.GetMapId(1));
        Assert.Null(array.GetMapId(0));

        var hashMap = new BpfMap(new MapSpec("t_hom", MapType.HashOfMaps, 8, 4, 2));
        hashMap.Attach(MapCreator.Create(hashMap.Spec, null, template.Handle));
        using (hashMap)
        {
            var hash = new HashOfMaps<ulong>(hashMap);
            hash.Update(0xabcdef, inner2);
            Assert.Equal(inner2.Id, hash.GetMapId(0xabcdef));
            Assert.Equal([0xabcdeful], hash.Keys.ToArray());
            // An inner map of another shape is refused by the kernel.
            using var wrong = BpfMap.Create(new MapSpec("t_wrong", MapType.Hash, 4, 8, 4));
            var e = Assert.Throws<BpfException>(() => hash.Update(1, wrong));
            Assert.Equal(22, e.Errno);
        }
    }

    [Fact]
    public void SocketMapsTakeConnectedSocketsAndReturnCookies()
    {
        Kernel.RequireRoot();
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        using var server = listener.Accept();

        using var sockMapMap = BpfMap.Create(new MapSpec("t_sockmap", MapType.SockMap, 4, 8, 4));
        var sockMap = new SockMap(sockMapMap);
        sockMap.Update(0, client);
        sockMap.Update(1, server);
        var clientCookie = sockMap.GetCookie(0);
        Assert.NotNull(clientCookie);
        Assert.NotEqual(clientCookie, sockMap.GetCookie(1));
        Assert.Null(sockMap.GetCookie(2));

        using var sockHashMap = BpfMap.Create(new MapSpec("t_sockhash", MapType.SockHash, 4, 8, 4));
        var sockHash = new SockHashMap<uint>(sockHashMap);
        sockHash.Update(77, client);
        Assert.Equal(clientCookie, sockHash.GetCookie(77)); // the same socket has the same cookie
        Assert.True(sockHash.TryDelete(77));
        Assert.False(sockHash.TryDelete(77));

        // A listening socket is not accepted into a sockhash... but a UDP socket that is not bound is refused too.
        using var unbound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = Assert.Throws<BpfException>(() => sockHash.Update(1, unbound));
        Assert.Equal("BPF_MAP_UPDATE_ELEM", refused.Operation);
    }

    [Fact]
    public void DeviceAndCpuMapsHoldNumbers()
    {
        Kernel.RequireRoot();
        using var devMap = BpfMap.Create(new MapSpec("t_devmap", MapType.DevMap, 4, 4, 4));
        var devices = new DevMap(devMap);
        devices.Update(1, 1); // loopback is ifindex 1
        Assert.Equal(1, devices.GetInterfaceIndex(1));
        Assert.Null(devices.GetInterfaceIndex(0));

        using var devHashMap = BpfMap.Create(new MapSpec("t_devhash", MapType.DevMapHash, 4, 4, 4));
        var devicesByKey = new DevMap(devHashMap);
        devicesByKey.Update(0xfeed, 1);
        Assert.Equal(1, devicesByKey.GetInterfaceIndex(0xfeed));
        Assert.Equal([0xfeedu], devicesByKey.Keys.ToArray());

        using var cpuMap = BpfMap.Create(new MapSpec("t_cpumap", MapType.CpuMap, 4, 4, 2));
        var cpus = new CpuMap(cpuMap);
        cpus.Update(0, 192);
        Assert.Equal(192u, cpus.GetQueueSize(0));
    }

    [Fact]
    public void EventMapSizesAreAdjustedLikeLibbpf()
    {
        Kernel.RequireRoot();
        using var ring = BpfMap.Create(new MapSpec("t_ring", MapType.RingBuf, 0, 0, 5000));
        // Rounded up to a power of two that is a whole number of pages, as libbpf does: 8 KiB with 4 KiB pages.
        var pageSize = (uint)Environment.SystemPageSize;
        Assert.Equal(pageSize <= 8192 ? 8192u : pageSize, ring.ReadInfo().MaxEntries);
        Assert.Equal(ring.MaxEntries, ring.ReadInfo().MaxEntries);
        using var perf = BpfMap.Create(new MapSpec("t_perf", MapType.PerfEventArray, 0, 0, 0));
        var info = perf.ReadInfo();
        Assert.Equal((uint)SysfsCpus.Possible.Count, info.MaxEntries); // one slot per possible CPU, counted from sysfs here
        Assert.Equal(4u, info.KeySize);
        Assert.Equal(4u, info.ValueSize);
        var e = Assert.Throws<InvalidOperationException>(() => perf.MaxEntries = 8);
        Assert.Contains("already created", e.Message);
    }

    [Fact]
    public void CreateFailuresExplainTheCause()
    {
        Kernel.RequireRoot();
        var e = Assert.Throws<BpfException>(() => BpfMap.Create(new MapSpec("t_bad", MapType.Hash, 0, 8, 4)));
        Assert.Equal(22, e.Errno);
        Assert.Equal("BPF_MAP_CREATE", e.Operation);
        Assert.Contains("t_bad", e.Message);
        Assert.Contains("key 0 B", e.Message);
    }
}
