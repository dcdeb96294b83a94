using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;

namespace Ebpf.Programs;

/// <summary>A RAW_TRACEPOINT program: runs on a kernel tracepoint with its raw arguments (section raw_tp/&lt;name&gt;).</summary>
public sealed class RawTracepointProgram : BpfProgram
{
    internal RawTracepointProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }

    /// <summary>Attaches to the tracepoint named in the section (raw_tp/&lt;name&gt;).</summary>
    public BpfLink Attach() => TracingAttach.RawTracepoint(this, Spec.AttachTarget
        ?? throw new BpfAttachException($"{Describe()} names no tracepoint in its section: use raw_tp/<name> or Attach(name)"));

    /// <summary>Attaches to raw tracepoint <paramref name="name"/> (without category, e.g. "sched_switch").</summary>
    public BpfLink Attach(string name) => TracingAttach.RawTracepoint(this, name);
}
