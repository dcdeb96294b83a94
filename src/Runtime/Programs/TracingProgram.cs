using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;

namespace Ebpf.Programs;

/// <summary>A TRACING program: tp_btf (typed tracepoint), fentry, fexit or fmod_ret; its target was fixed when it was loaded.</summary>
public sealed class TracingProgram : BpfProgram
{
    internal TracingProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }

    /// <summary>Attaches to the target named in the section (tp_btf/&lt;tracepoint&gt;, fentry/&lt;function&gt;, ...) through a bpf_link.</summary>
    public BpfLink Attach() => TracingAttach.Tracing(this);
}
