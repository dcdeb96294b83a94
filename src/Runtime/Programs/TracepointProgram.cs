using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;

namespace Ebpf.Programs;

/// <summary>A TRACEPOINT program: runs on a kernel tracepoint (section tracepoint/&lt;category&gt;/&lt;name&gt;).</summary>
public sealed class TracepointProgram : BpfProgram
{
    internal TracepointProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }

    /// <summary>Attaches to the tracepoint named in the section through a perf event and a bpf_link.</summary>
    public BpfLink Attach()
    {
        var target = Spec.AttachTarget;
        var slash = target?.IndexOf('/') ?? -1;
        if (target is null || slash <= 0 || slash == target.Length - 1)
            throw new BpfAttachException($"{Describe()} does not name its tracepoint: use section tracepoint/<category>/<name> or Attach(category, name)");
        return PerfEventAttach.Tracepoint(this, target[..slash], target[(slash + 1)..]);
    }

    /// <summary>Attaches to tracepoint <paramref name="category"/>:<paramref name="name"/> (e.g. "sched", "sched_process_exec").</summary>
    public BpfLink Attach(string category, string name) => PerfEventAttach.Tracepoint(this, category, name);
}
