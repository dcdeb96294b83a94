using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;

namespace Ebpf.Programs;

/// <summary>BPF_PROG_TEST_RUN: runs a loaded program on an in-memory packet.</summary>
internal static unsafe class TestRunner
{
    // Room for programs that grow the packet (bpf_xdp_adjust_head/tail, bpf_skb_change_tail): the kernel
    // reports the real size, and we retry once with that size if even this was too small.
    private const int Headroom = 4096;

    public static TestRunResult Run(BpfProgram program, ReadOnlySpan<byte> packet, int repeat, ReadOnlySpan<byte> context)
    {
        if (repeat < 1)
            throw new ArgumentOutOfRangeException(nameof(repeat), repeat, "repeat must be at least 1");
        if (!Supports(program.Type))
            throw new BpfAttachException(
                $"{program.Describe()} cannot be test-run on a packet: BPF_PROG_TEST_RUN with packet data supports XDP, tc (SCHED_CLS/SCHED_ACT), socket filter and cgroup skb programs");
        var outSize = packet.Length + Headroom;
        var ctxOutSize = context.IsEmpty ? 0 : context.Length + 256;
        for (var attempt = 0; ; attempt++)
        {
            var output = new byte[outSize];
            var ctxOut = new byte[ctxOutSize];
            TestRunAttr attr;
            int errno;
            fixed (byte* inP = packet, outP = output, ctxInP = context, ctxOutP = ctxOut)
            {
                attr = new TestRunAttr
                {
                    ProgFd = program.Handle.Value,
                    DataIn = (ulong)inP,
                    DataSizeIn = (uint)packet.Length,
                    DataOut = (ulong)outP,
                    DataSizeOut = (uint)output.Length,
                    Repeat = (uint)repeat,
                    CtxIn = (ulong)ctxInP,
                    CtxSizeIn = (uint)context.Length,
                    CtxOut = context.IsEmpty ? 0 : (ulong)ctxOutP,
                    CtxSizeOut = (uint)ctxOut.Length,
                };
                errno = Sys.ProgTestRun(ref attr);
                GC.KeepAlive(program);
            }
            if (errno == 0)
            {
                Array.Resize(ref output, (int)Math.Min(attr.DataSizeOut, (uint)output.Length));
                Array.Resize(ref ctxOut, (int)Math.Min(attr.CtxSizeOut, (uint)ctxOut.Length));
                return new TestRunResult(attr.Retval, output, ctxOut, attr.Duration, repeat);
            }
            if (errno == Errno.ENOSPC && attempt == 0 && attr.DataSizeOut > outSize)
            {
                outSize = (int)attr.DataSizeOut;
                continue;
            }
            throw new BpfAttachException(Explain(program, packet.Length, errno), errno);
        }
    }

    private static bool Supports(ProgramType type) => type is ProgramType.Xdp or ProgramType.SchedCls or ProgramType.SchedAct
        or ProgramType.SocketFilter or ProgramType.CgroupSkb or ProgramType.LwtIn or ProgramType.LwtOut or ProgramType.LwtXmit
        or ProgramType.FlowDissector;

    private static string Explain(BpfProgram program, int packetLength, int errno)
    {
        var head = $"BPF_PROG_TEST_RUN of {program.Describe()} failed: {Errno.Describe(errno)}";
        return errno switch
        {
            Errno.EINVAL when program.Type == ProgramType.Xdp && packetLength < 14 =>
                head + $"; the packet ({packetLength} bytes) is shorter than an Ethernet header (14 bytes)",
            Errno.EINVAL => head + $"; the kernel rejected the input: the packet ({packetLength} bytes) must start with an Ethernet header "
                                 + "and fit in a page, and a context, if given, must have the size of the program's context struct",
            Errno.EPERM or Errno.EACCES => head + "; test runs need CAP_BPF and CAP_NET_ADMIN (run as root)",
            Errno.ENOTSUPP or Errno.EOPNOTSUPP => head + "; this kernel cannot test-run this program type",
            _ => head,
        };
    }
}
