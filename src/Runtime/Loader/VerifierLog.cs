using System.Text;
using Ebpf.Internal;

namespace Ebpf.Loader;

/// <summary>
/// Runs a bpf(2) load (BPF_PROG_LOAD or BPF_BTF_LOAD) so that a refusal comes with the kernel's whole log:
/// the first attempt asks for the configured log level (0: none, the fast path), a refusal is retried with
/// level 1 and a 64 KiB buffer, and the buffer grows (to the size the kernel reports on 6.4+, else doubled)
/// for as long as the kernel says ENOSPC. EAGAIN (an interrupted verification) is retried as it is.
/// </summary>
internal static unsafe class VerifierLog
{
    /// <summary>The kernel refuses log buffers of UINT_MAX >> 2 bytes and more.</summary>
    private const int MaxLogSize = int.MaxValue >> 1;
    private const int MaxAgainRetries = 5;

    /// <summary>One attempt: buffer (null for none), its size and the level; returns the fd or null, errno, the kernel's log_true_size.</summary>
    public delegate BpfFd? Attempt(byte* log, uint logSize, uint logLevel, out int errno, out uint logTrueSize);

    /// <summary>The fd, or null with the final errno and the log of the last attempt ("" if none was asked for).</summary>
    public static BpfFd? Run(Attempt attempt, uint initialLevel, int initialSize, out int errno, out string log)
    {
        var level = initialLevel;
        var size = level == 0 ? 0 : Math.Max(initialSize, 4096);
        var again = 0;
        while (true)
        {
            var buffer = size == 0 ? null : GC.AllocateUninitializedArray<byte>(size, pinned: true);
            BpfFd? fd;
            uint trueSize;
            fixed (byte* p = buffer)
            {
                if (p is not null)
                    p[0] = 0;
                fd = attempt(p, (uint)size, level, out errno, out trueSize);
            }
            log = buffer is null ? "" : Text(buffer);
            if (fd is not null)
                return fd;
            if (errno == Errno.EAGAIN && again++ < MaxAgainRetries)
                continue;
            if (errno == Errno.ENOSPC && size > 0 && size < MaxLogSize)
            {
                // The log did not fit: grow to what the kernel says it needs (6.4+), or double.
                size = trueSize > size ? (int)Math.Min(trueSize + 1024L, MaxLogSize) : (int)Math.Min(size * 2L, MaxLogSize);
                continue;
            }
            if (size == 0 && errno is not Errno.ENOMEM)
            {
                // Refused without a log: load again with one, so the error can say why (EPERM too: the verifier refuses
                // some accesses with EPERM and a log line naming the capability, e.g. BTF pointer reads without CAP_PERFMON).
                level = 1;
                size = Math.Max(initialSize, 4096);
                continue;
            }
            return null;
        }
    }

    private static string Text(byte[] buffer)
    {
        var end = Array.IndexOf(buffer, (byte)0);
        return Encoding.UTF8.GetString(buffer, 0, end < 0 ? buffer.Length : end);
    }

    /// <summary>The last <paramref name="count"/> non-empty lines, where the verifier says why it gave up.</summary>
    public static string Tail(string log, int count = 12)
    {
        var lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var start = Math.Max(0, lines.Length - count);
        var sb = new StringBuilder();
        if (start > 0)
            sb.Append("  ... (").Append(start).Append(" earlier lines in VerifierLog)\n");
        for (var i = start; i < lines.Length; i++)
            sb.Append("  ").Append(lines[i]).Append('\n');
        return sb.ToString().TrimEnd('\n');
    }
}
