using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Object;

namespace Ebpf.Programs;

/// <summary>
/// A program that attaches to a cgroup v2 directory: the CGROUP_* kinds and SOCK_OPS. The hook (ingress, connect4,
/// sock_ops, ...) comes from the program's section; the classes (<see cref="CgroupSkbProgram"/>, ...) differ only in
/// what the program sees.
/// </summary>
public abstract class CgroupProgram : BpfProgram
{
    private protected CgroupProgram(ProgramSpec spec, BpfFd fd) : base(spec, fd) { }

    /// <summary>
    /// Attaches to the cgroup v2 directory <paramref name="cgroupPath"/> (absolute, or relative to the cgroup2
    /// mount) through a bpf_link, at the hook named by the program's section. Applies to the cgroup and its descendants.
    /// </summary>
    public BpfLink AttachCgroup(string cgroupPath) => CgroupAttach.Attach(this, cgroupPath);
}
