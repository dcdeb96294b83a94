using System.Runtime.InteropServices;

namespace Ebpf.Internal;

/// <summary>
/// Kernels before 5.11 charge BPF maps and programs to RLIMIT_MEMLOCK (often 64 KiB), so loading fails with
/// EPERM unless the limit is raised; 5.11+ charge the memory cgroup instead. Like libbpf, probe which one this
/// kernel does (bpf_ktime_get_coarse_ns arrived in the same release as memcg accounting) and raise the limit
/// only when the kernel still uses it. Done once per process.
/// </summary>
internal static unsafe class Memlock
{
    private static int done;

    public static void EnsureUsable()
    {
        if (Interlocked.Exchange(ref done, 1) != 0)
            return;
        if (KernelAccountsMemcg())
            return;
        var unlimited = new RLimit { Current = ulong.MaxValue, Max = ulong.MaxValue };
        Libc.SetRLimit(RLIMIT_MEMLOCK, &unlimited);   // best effort: without privilege the load reports EPERM itself
    }

    private static bool KernelAccountsMemcg()
    {
        // call bpf_ktime_get_coarse_ns (helper 160); r0 = 0; exit
        var insns = stackalloc ulong[3];
        insns[0] = 0x85 | (160UL << 32);
        insns[1] = 0xb7;
        insns[2] = 0x95;
        var license = stackalloc byte[4] { (byte)'G', (byte)'P', (byte)'L', 0 };
        var attr = new ProgLoadAttr
        {
            ProgType = 1, // BPF_PROG_TYPE_SOCKET_FILTER
            InsnCnt = 3,
            Insns = (ulong)insns,
            License = (ulong)license,
        };
        using var fd = Sys.ProgLoad(ref attr, out _);
        return fd is not null;
    }

    private const int RLIMIT_MEMLOCK = 8;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }
}
