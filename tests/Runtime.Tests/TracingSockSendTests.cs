using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Ebpf.Maps;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// A tp_btf program on sock:sock_send_length, loaded through <see cref="BpfObject"/> and attached with
/// <see cref="TracingProgram.Attach()"/>, counts exactly the bytes this process sends over a loopback TCP connection.
/// </summary>
[Collection(KernelCollection.Name)]
public sealed class TracingSockSendTests
{
    private const int BytesToSend = 100_000;

    private static int RodataOffset(BpfObject obj, string variable) =>
        (int)obj.Spec.DataSections.Single(d => d.Name == ".rodata").Variables.Single(v => v.Name == variable).Offset;

    [Fact]
    public async Task Tp_btf_sock_send_length_counts_exactly_the_bytes_this_process_sends()
    {
        Kernel.RequireRoot();
        var ct = TestContext.Current.CancellationToken;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = (ushort)((IPEndPoint)listener.LocalEndpoint).Port;

        using var obj = BpfObject.OpenFile(TestObjects.Compile("tr_sock_send.bpf.c"));
        var rodata = obj.GetGlobalData(".rodata");
        rodata.Write(RodataOffset(obj, "tr_tgid"), (uint)Environment.ProcessId);
        // skc_dport is kept in network byte order.
        rodata.Write(RodataOffset(obj, "tr_dport"), BinaryPrimitives.ReverseEndianness(port));
        obj.Load();
        var sent = new HashMap<uint, ulong>(obj.GetMap("tr_sent_bytes"));

        using (var link = obj.GetProgram<TracingProgram>("tr_sock_send_length").Attach())
        {
            Assert.True(link.IsKernelLink);
            Assert.Contains("tp 'sock_send_length'", HostCommand.Check("bpftool", "link", "show", "id", link.Id.ToString()));

            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, ct);
            using var server = await listener.AcceptTcpClientAsync(ct);
            var receive = DrainAsync(server.GetStream(), BytesToSend, ct);

            // Several sends of different sizes: the program must add each one's return value.
            var payload = new byte[BytesToSend];
            Random.Shared.NextBytes(payload);
            var socket = client.Client;
            for (var offset = 0; offset < payload.Length;)
                offset += await socket.SendAsync(payload.AsMemory(offset, Math.Min(7_001, payload.Length - offset)), SocketFlags.None, ct);
            Assert.Equal(BytesToSend, await receive);
        }

        Assert.True(sent.TryLookup((uint)Environment.ProcessId, out var counted), "the program saw no send from this process");
        Assert.Equal((ulong)BytesToSend, counted);
        // Only this process's key: the filter kept every other sender out.
        Assert.Equal([(uint)Environment.ProcessId], sent.Keys.ToArray());
    }

    private static async Task<int> DrainAsync(NetworkStream stream, int expected, CancellationToken ct)
    {
        var buffer = new byte[16_384];
        var total = 0;
        while (total < expected)
        {
            var n = await stream.ReadAsync(buffer, ct);
            if (n == 0)
                break;
            total += n;
        }
        return total;
    }
}
