using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;

namespace Ebpf.Programs;

/// <summary>
/// A program loaded into the kernel. Subclasses add the attach methods of their kind; a program of a kind
/// without one is a plain <see cref="BpfProgram"/>. Disposing it detaches every link made from it and
/// closes the program's descriptor (the kernel frees the program once nothing else holds it).
/// </summary>
public partial class BpfProgram : IDisposable
{
    private readonly List<BpfLink> links = new();
    private readonly Lazy<uint> id;

    internal BpfProgram(ProgramSpec spec, BpfFd fd)
    {
        Spec = spec;
        Handle = fd;
        id = new Lazy<uint>(() => ProgramInfo.Read(Handle).Id);
    }

    /// <summary>What the program was loaded from.</summary>
    public ProgramSpec Spec { get; }

    /// <summary>The C function's name.</summary>
    public string Name => Spec.Name;

    /// <summary>The kernel program type.</summary>
    public ProgramType Type => Spec.Type;

    /// <summary>The ELF section it came from ("xdp", "tracepoint/sched/sched_process_exec", ...).</summary>
    public string SectionName => Spec.SectionName;

    /// <summary>The program's file descriptor (valid until disposed).</summary>
    public int Fd => Handle.Value;

    /// <summary>The kernel's program id (as in <c>bpftool prog show</c>).</summary>
    public uint Id => id.Value;

    /// <summary>The descriptor as a SafeHandle, for the runtime's own calls.</summary>
    internal BpfFd Handle { get; }

    /// <summary>The links made from this program that are still attached.</summary>
    public IReadOnlyList<BpfLink> Links
    {
        get { lock (links) return links.ToArray(); }
    }

    /// <summary>
    /// How many times the program ran and the total time it took, from the kernel's statistics. They count only
    /// while statistics are enabled (sysctl kernel.bpf_stats_enabled=1 or <see cref="BpfStats.Enable"/>).
    /// </summary>
    public (ulong RunCount, TimeSpan RunTime) RunStatistics
    {
        get
        {
            var info = ProgramInfo.Read(Handle);
            return (info.RunCount, TimeSpan.FromTicks((long)(info.RunTimeNs / 100)));
        }
    }

    /// <summary>
    /// Runs the program once (or <paramref name="repeat"/> times) on <paramref name="packet"/> with
    /// BPF_PROG_TEST_RUN, without attaching it: the verdict, the packet as the program left it, and the time.
    /// Works for XDP, tc (SCHED_CLS/SCHED_ACT), socket filter and cgroup skb programs.
    /// </summary>
    /// <param name="packet">The input frame, starting at the Ethernet header.</param>
    /// <param name="repeat">Runs to average the duration over (at least 1).</param>
    /// <param name="context">Optional input context (xdp_md / __sk_buff) for kinds that accept one.</param>
    public TestRunResult TestRun(ReadOnlySpan<byte> packet, int repeat = 1, ReadOnlySpan<byte> context = default) =>
        TestRunner.Run(this, packet, repeat, context);

    /// <summary>Creates the class that matches the program's type (the runtime's loader calls this after BPF_PROG_LOAD).</summary>
    internal static BpfProgram Create(ProgramSpec spec, BpfFd fd) => spec.Type switch
    {
        ProgramType.Xdp => new XdpProgram(spec, fd),
        ProgramType.SockOps => new SockOpsProgram(spec, fd),
        ProgramType.SkMsg => new SkMsgProgram(spec, fd),
        ProgramType.SkSkb => new SkSkbProgram(spec, fd),
        ProgramType.CgroupSkb => new CgroupSkbProgram(spec, fd),
        ProgramType.CgroupSock => new CgroupSockProgram(spec, fd),
        ProgramType.CgroupSockAddr => new CgroupSockAddrProgram(spec, fd),
        ProgramType.CgroupSockopt => new CgroupSockoptProgram(spec, fd),
        ProgramType.CgroupSysctl => new CgroupSysctlProgram(spec, fd),
        ProgramType.CgroupDevice => new CgroupDeviceProgram(spec, fd),
        ProgramType.SchedCls => new TcProgram(spec, fd),
        ProgramType.SocketFilter => new SocketFilterProgram(spec, fd),
        ProgramType.Tracepoint => new TracepointProgram(spec, fd),
        ProgramType.RawTracepoint or ProgramType.RawTracepointWritable => new RawTracepointProgram(spec, fd),
        ProgramType.Tracing => new TracingProgram(spec, fd),
        ProgramType.Kprobe => new KprobeProgram(spec, fd),
        ProgramType.PerfEvent => new PerfEventProgram(spec, fd),
        _ => new BpfProgram(spec, fd),
    };

    internal void Track(BpfLink link)
    {
        lock (links)
            links.Add(link);
    }

    internal void Untrack(BpfLink link)
    {
        lock (links)
            links.Remove(link);
    }

    /// <summary>"xdp program 'xdp_pass' (section xdp)", for messages.</summary>
    internal string Describe() => $"{Type} program '{Name}' (section {SectionName})";

    public override string ToString() => $"{Name} ({SectionName}, {Type})";

    /// <summary>Detaches every link made from this program and closes its descriptor.</summary>
    public void Dispose()
    {
        foreach (var link in Links)
            link.Dispose();
        Handle.Dispose();
        GC.SuppressFinalize(this);
    }
}
