using System.Net.Sockets;

namespace Ebpf.Examples.Tests.Sockredir;

/// <summary>Traffic helpers: a per-connection byte pattern that catches loss, duplication and reordering, and exact reads.</summary>
internal static class Streams
{
    /// <summary>Byte <paramref name="offset"/> of connection <paramref name="seed"/>'s stream: position-dependent, so any shift is seen.</summary>
    public static byte PatternByte(int seed, long offset) => (byte)((offset * 131) ^ (offset >> 11) ^ (seed * 29));

    public static void Fill(byte[] buffer, int count, int seed, long offset)
    {
        for (var i = 0; i < count; i++)
            buffer[i] = PatternByte(seed, offset + i);
    }

    /// <summary>The first offset in <paramref name="buffer"/> that is not the pattern, or -1.</summary>
    public static long Mismatch(byte[] buffer, int count, int seed, long offset)
    {
        for (var i = 0; i < count; i++)
            if (buffer[i] != PatternByte(seed, offset + i))
                return offset + i;
        return -1;
    }

    /// <summary>Sends <paramref name="total"/> pattern bytes in chunks of varying size.</summary>
    public static async Task SendPatternAsync(Socket s, int seed, long total, CancellationToken ct)
    {
        var buffer = new byte[256 * 1024];
        var rng = new Random(seed);
        for (long sent = 0; sent < total;)
        {
            var n = (int)Math.Min(total - sent, rng.Next(1, buffer.Length));
            Fill(buffer, n, seed, sent);
            for (var done = 0; done < n;)
                done += await s.SendAsync(buffer.AsMemory(done, n - done), SocketFlags.None, ct);
            sent += n;
        }
    }

    /// <summary>Receives exactly <paramref name="total"/> bytes and checks each against the pattern; throws at the first difference.</summary>
    public static async Task ReceivePatternAsync(Socket s, int seed, long total, CancellationToken ct)
    {
        var buffer = new byte[256 * 1024];
        for (long got = 0; got < total;)
        {
            var n = await s.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, total - got)), SocketFlags.None, ct);
            if (n == 0)
                throw new IOException($"connection {seed}: end of stream after {got} of {total} bytes");
            var bad = Mismatch(buffer, n, seed, got);
            if (bad >= 0)
                throw new IOException($"connection {seed}: byte {bad} differs from what was sent");
            got += n;
        }
    }

    /// <summary>Echoes exactly <paramref name="total"/> bytes back as they arrive, checking each against connection <paramref name="seed"/>'s pattern.</summary>
    public static async Task EchoAsync(Socket s, int seed, long total, CancellationToken ct)
    {
        var buffer = new byte[256 * 1024];
        for (long got = 0; got < total;)
        {
            var n = await s.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, total - got)), SocketFlags.None, ct);
            if (n == 0)
                throw new IOException($"echo {seed}: end of stream after {got} of {total} bytes");
            var bad = Mismatch(buffer, n, seed, got);
            if (bad >= 0)
                throw new IOException($"echo {seed}: byte {bad} differs from what the client sent");
            for (var done = 0; done < n;)
                done += await s.SendAsync(buffer.AsMemory(done, n - done), SocketFlags.None, ct);
            got += n;
        }
    }

    /// <summary>Reads exactly buffer.Length bytes (blocking).</summary>
    public static void ReadExactly(Socket s, byte[] buffer)
    {
        for (var got = 0; got < buffer.Length;)
        {
            var n = s.Receive(buffer, got, buffer.Length - got, SocketFlags.None);
            if (n == 0)
                throw new IOException($"end of stream after {got} of {buffer.Length} bytes");
            got += n;
        }
    }

    /// <summary>Writes connection <paramref name="seed"/>'s pattern in writes of the given sizes, one send per size (blocking); returns the bytes written.</summary>
    public static long WritePattern(Socket s, int seed, IEnumerable<int> writeSizes)
    {
        var offset = 0L;
        foreach (var n in writeSizes)
        {
            var chunk = new byte[n];
            Fill(chunk, n, seed, offset);
            WriteAll(s, chunk);
            offset += n;
        }
        return offset;
    }

    public static void WriteAll(Socket s, byte[] buffer)
    {
        for (var sent = 0; sent < buffer.Length;)
            sent += s.Send(buffer, sent, buffer.Length - sent, SocketFlags.None);
    }
}
